package api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/scrapstore/scrapstore/models"
)

// download fetches what the page's link (a CSS selector) points to, as the browser
// would, and answers its content type and first bytes.
func (b *tab) download(link string) (contentType, start string) {
	b.t.Helper()
	got, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`fetch(document.querySelector(`+"`"+link+"`"+`).href).then(r =>
		r.arrayBuffer().then(buf => [r.status + " " + r.headers.get("Content-Type"),
			String.fromCharCode(...new Uint8Array(buf).slice(0, 5))]))`, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("download %s: %v", link, err)
	}
	return got[0], got[1]
}

// A manager previews tomorrow's plan, makes it, opens a run, assigns its driver and
// downloads its run sheet.
func TestBrowserManagerPlansTomorrow(t *testing.T) {
	chromium(t)
	browserEnv(t, func(t *testing.T, e *testEnv) {
		pd := e.planningDay()
		b := newTab(t, e)
		b.signIn(e.users[models.RoleManager], "/plans")
		b.waitFor("Preview the plan")
		if !b.until(`document.querySelector("#f-date").value === "` + pd.day.String() + `"`) {
			t.Fatal("the day to plan is not tomorrow")
		}
		b.check("plans")
		b.do(chromedp.Click(chromedp.CSS(`form[action="/plans"] button[type="submit"]`)))
		b.waitFor("This is a preview")
		b.waitFor("Left for another day")
		if s := b.text(); !strings.Contains(s, pd.heavy.Reference) || !strings.Contains(s, pd.reqs[0].Reference) {
			t.Fatalf("the preview says:\n%s", s)
		}
		if !b.until(`document.querySelectorAll("main svg[role=img] circle").length === 4`) {
			t.Fatal("the preview does not draw four stops")
		}
		b.check("preview")
		b.do(chromedp.Click(chromedp.CSS(`form[action$="/commit"] button`)))
		b.waitFor("The plan is made")
		b.check("day")
		b.do(chromedp.Click(chromedp.CSS(`main table a[href^="/plans/runs/"]`)))
		b.waitFor("Print the run sheet")
		b.do(chromedp.SetValue(chromedp.CSS("#f-driver_id"), itoa(e.users[models.RoleDriver].ID)),
			chromedp.Click(chromedp.CSS(`form[action$="/driver"] button`)))
		b.waitFor("The driver is assigned.")
		// Adding the heavy request is refused with the reason; ticked, it is done anyway.
		add := `form[action$="/stops"].narrow`
		b.do(chromedp.Click(chromedp.CSS(add + ` button`)))
		b.waitFor("over capacity")
		b.check("run-refused")
		b.do(chromedp.Click(chromedp.CSS(add+` input[name="force"]`)), chromedp.Click(chromedp.CSS(add+` button`)))
		b.waitFor("The request is added to the run. It breaks a rule")
		b.do(chromedp.Click(chromedp.CSS(`.stops details summary`)))
		b.check("run")
		kind, start := b.download(`a[href$="/sheet.pdf"]`)
		if kind != "200 application/pdf" || start != "%PDF-" {
			t.Fatalf("the run sheet is %q starting %q", kind, start)
		}
		if n := e.countRuns(); n == 0 {
			t.Fatal("no run was made")
		}
	})
}

// A manager makes last month's report, downloads its PDF, and looks at a donor's
// impact statement.
func TestBrowserManagerMakesLastMonthsReport(t *testing.T) {
	chromium(t)
	browserEnv(t, func(t *testing.T, e *testEnv) {
		var donor models.Donor
		e.do(http.MethodPost, "/api/v1/donors", e.as(models.RoleStaff), map[string]any{"name": "Albion Print", "postcode": "B70 7PA"}).
			want(http.StatusCreated).decode(&donor)
		month, name := e.lastMonth()
		b := newTab(t, e)
		b.signIn(e.users[models.RoleManager], "/reports")
		b.waitFor("No report is kept yet")
		if !b.until(`document.querySelector("#f-month").value === "` + month + `"`) {
			t.Fatal("the month is not last month")
		}
		b.check("reports")
		b.do(chromedp.Click(chromedp.CSS(`form[action="/reports"] button[type="submit"]`)))
		b.waitFor("The report for " + name + " is made")
		b.check("report-made")
		kind, start := b.download(`a[href$=".pdf"]`)
		if kind != "200 application/pdf" || start != "%PDF-" {
			t.Fatalf("the report is %q starting %q", kind, start)
		}
		b.do(chromedp.Click(chromedp.CSS(`a[href="/reports/impact"]`)))
		b.waitFor("Choose a donor")
		b.do(chromedp.SetValue(chromedp.CSS("#f-donor"), itoa(donor.ID)), chromedp.Click(chromedp.CSS(`form[action="/reports/impact"] button`)))
		b.waitFor("Download the statement")
		b.check("impact")
	})
}

package api

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/scrapstore/scrapstore/models"
)

// lastMonth is the month before today's, as month inputs send it and as pages name it.
func (e *testEnv) lastMonth() (value, name string) {
	today := e.srv.today()
	t := time.Date(today.Year(), today.Month()-1, 1, 0, 0, 0, 0, time.UTC)
	return t.Format("2006-01"), t.Format("January 2006")
}

// A manager makes last month's report and a range's, finds them in the list and
// downloads each as PDF and CSV; a month not over yet or a range without its days says
// what is wrong next to the field.
func TestReportPages(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		v := e.signedIn(models.RoleManager)
		month, name := e.lastMonth()
		v.get("/reports").want(http.StatusOK).has(t, `href="/reports" aria-current="page"`, `type="month" value="`+month+`"`,
			"No report is kept yet", `href="/reports/impact"`)

		v.post("/reports", url.Values{"month": {e.srv.today().Format("2006-01")}}).want(http.StatusUnprocessableEntity).
			has(t, "the period has not ended", `aria-describedby="e-month"`)
		v.post("/reports", url.Values{"range": {"1"}, "from": {""}, "to": {""}}).want(http.StatusUnprocessableEntity).
			has(t, "Choose the first day", "Choose the last day", `id="e-from"`, `id="e-to"`)
		v.post("/reports", url.Values{"month": {"next year"}}).want(http.StatusUnprocessableEntity).has(t, "must be a month such as")

		v.post("/reports", url.Values{"month": {month}}).redirectsTo(t, "/reports")
		from := e.srv.today().AddDays(-10)
		to := e.srv.today().AddDays(-3)
		v.post("/reports", url.Values{"range": {"1"}, "month": {month}, "from": {from.String()}, "to": {to.String()}}).redirectsTo(t, "/reports")
		list := v.get("/reports").want(http.StatusOK)
		list.has(t, "The report for "+ukDay(london, from)+" to "+ukDay(london, to)+" is made (version 1).", name)
		reports, _, err := e.store.ListReports(t.Context(), models.Page{Limit: 10}, london)
		if err != nil || len(reports) != 2 {
			t.Fatalf("kept reports %v %v", reports, err)
		}
		for _, r := range reports {
			list.has(t, `href="/reports/`+itoa(r.ID)+`.pdf"`, `href="/reports/`+itoa(r.ID)+`.csv"`)
			pdf := v.get("/reports/" + itoa(r.ID) + ".pdf").want(http.StatusOK)
			if !strings.HasPrefix(string(pdf.body), "%PDF-") || int64(len(pdf.body)) != r.PDFBytes {
				t.Fatalf("report %d PDF: %d bytes, %.8q", r.ID, len(pdf.body), pdf.body)
			}
			res := v.get("/reports/" + itoa(r.ID) + ".csv").want(http.StatusOK)
			recs, err := csv.NewReader(strings.NewReader(string(res.body))).ReadAll()
			if err != nil || !strings.HasPrefix(res.header.Get("Content-Type"), "text/csv") || len(recs) < 5 ||
				strings.Join(recs[0], ",") != "section,measure,"+r.PeriodFrom.String()+".."+r.PeriodTo.String() {
				t.Fatalf("report %d CSV: %v %q", r.ID, err, recs)
			}
		}
		// A donation back-dated into the range marks its report as changed, and its CSV
		// still holds the figures as printed.
		list.hasNot(t, "The figures have changed since")
		e.do(http.MethodPost, "/api/v1/donations", e.as(models.RoleStaff), map[string]any{"received_at": from.AddDays(2).Add(12 * time.Hour).
			Format(time.RFC3339), "lines": []map[string]any{{"category_id": e.newCategory("Foam", "kg", map[string]float64{"kg": 1}, 1).ID,
			"description": "Foam", "location_id": e.newLocation("B1").ID, "quantity": 7, "unit": "kg"}}}).want(http.StatusCreated)
		v.get("/reports").has(t, "The figures have changed since: make it again")
		ranged := reports[0]
		if ranged.Month != nil {
			ranged = reports[1]
		}
		today := e.do(http.MethodGet, "/api/v1/reports/figures.csv?from="+from.String()+"&to="+to.String(), e.as(models.RoleManager), nil)
		if !strings.Contains(string(today.want(http.StatusOK).body), "Foam") {
			t.Fatal("today's figures do not count the back-dated foam")
		}
		if body := string(v.get("/reports/" + itoa(ranged.ID) + ".csv").want(http.StatusOK).body); strings.Contains(body, "Foam") {
			t.Fatalf("the kept CSV changed with the figures:\n%s", body)
		}
		v.get("/reports/999.pdf").want(http.StatusNotFound)
		v.get("/reports/999.csv").want(http.StatusNotFound)
		v.get("/reports/abc").want(http.StatusNotFound)
	})
}

// A donor's impact statement: choose the donor and the year, see what they gave and
// download the PDF.
func TestImpactPage(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		staff := e.as(models.RoleStaff)
		var d models.Donor
		e.do(http.MethodPost, "/api/v1/donors", staff, map[string]any{"name": "Albion Print & Co", "postcode": "B70 7PA", "latitude": 52.5,
			"longitude": -2.0}).want(http.StatusCreated).decode(&d)
		cat := e.newCategory("Paper and card", "kg", map[string]float64{"kg": 1}, 0.9)
		e.do(http.MethodPost, "/api/v1/donations", staff, map[string]any{"donor_id": d.ID, "lines": []map[string]any{
			{"category_id": cat.ID, "description": "Offcuts", "location_id": e.newLocation("B1").ID, "quantity": 12.5},
		}}).want(http.StatusCreated)
		v := e.signedIn(models.RoleManager)
		v.get("/reports/impact").want(http.StatusOK).has(t, "Choose a donor", "Albion Print &amp; Co, B70 7PA").hasNot(t, "Download the statement")
		year := itoa(int64(e.srv.today().Year()))
		page := v.get("/reports/impact?donor=" + itoa(d.ID) + "&year=" + year).want(http.StatusOK)
		page.has(t, "Albion Print &amp; Co in "+year, "12.5 kg", "11.3 kg", "Paper and card", `<option value="`+itoa(d.ID)+`" selected>`,
			`href="/reports/impact/`+itoa(d.ID)+`/statement.pdf?year=`+year+`"`)
		pdf := v.get("/reports/impact/" + itoa(d.ID) + "/statement.pdf?year=" + year).want(http.StatusOK)
		if !strings.HasPrefix(string(pdf.body), "%PDF-") {
			t.Fatalf("statement: %.8q", pdf.body)
		}
		v.get("/reports/impact?donor=999999").want(http.StatusNotFound)
		v.get("/reports/impact?donor="+itoa(d.ID)+"&year=last").want(http.StatusUnprocessableEntity).has(t, "must be a year")
	})
}

// The report pages are the managers': others are refused, signed-out visitors sent to
// sign in, and a form without the CSRF token makes no report.
func TestReportPagesRolesAndCSRF(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		month, _ := e.lastMonth()
		var r models.Report
		e.do(http.MethodPost, "/api/v1/reports", e.as(models.RoleManager), map[string]any{"month": month}).want(http.StatusCreated).decode(&r)
		gets := []string{"/reports", "/reports/impact", "/reports/" + itoa(r.ID) + ".pdf", "/reports/" + itoa(r.ID) + ".csv",
			"/reports/impact/1/statement.pdf"}
		for _, role := range []models.Role{models.RoleStaff, models.RoleDriver, models.RoleMember} {
			v := e.visitor()
			v.signIn(e.users[role])
			for _, p := range gets {
				v.get(p).want(http.StatusForbidden).has(t, "this page is for managers")
			}
			v.post("/reports", url.Values{"month": {month}}).want(http.StatusForbidden)
		}
		for _, p := range gets {
			e.visitor().get(p).redirectsTo(t, "/sign-in?next="+url.QueryEscape(p))
		}
		e.signedIn(models.RoleManager).postBare("/reports", url.Values{"month": {month}}).want(http.StatusForbidden).has(t, "did not come from this site")
		if list, _, _ := e.store.ListReports(t.Context(), models.Page{Limit: 10}, london); len(list) != 1 {
			t.Fatalf("%d reports kept", len(list))
		}
	})
}

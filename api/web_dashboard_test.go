package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/models/demo"
)

// sameFigures fails unless the dashboard's figures for a day, added up from the ledger
// totals, are the report's for the month to that day (with the month before and the
// trend), added up from the rows, to the gram; it returns the month's.
func sameFigures(t *testing.T, store *models.Store, today models.Date) *models.Figures {
	t.Helper()
	ctx := context.Background()
	first := models.Date{Time: today.AddDate(0, 0, 1-today.Day())}
	rows, err := store.ComputeFigures(ctx, models.Period{From: first, To: today}, london)
	if err != nil {
		t.Fatal(err)
	}
	quick, err := store.Dashboard(ctx, today, london)
	if err != nil {
		t.Fatal(err)
	}
	for _, pair := range [][2]any{{rows.Months[11], quick.Last}, {rows.Trend, quick.Trend}, {rows, quick.This}} {
		if f, ok := pair[0].(*models.Figures); ok {
			f.Months, f.Trend, f.Queries = nil, nil, 0
		}
		a, _ := json.MarshalIndent(pair[0], "", " ")
		b, _ := json.MarshalIndent(pair[1], "", " ")
		if diff := cmp.Diff(string(a), string(b)); diff != "" {
			t.Fatalf("to %s: the dashboard's figures differ from the rows' (-rows +dashboard):\n%s", today, diff)
		}
	}
	return quick.This
}

// The dashboard's figures come from the ledger totals. After donations on the edges of
// months and of the day the clocks go back, voids (one sharing its hour and category
// with a donation kept), adjustments, check-outs of part of a reservation (grams that
// round) and a walk-in, they are the report's figures, to the gram.
func TestDashboardFiguresEqualTheRows(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		staff, member := e.as(models.RoleStaff), e.as(models.RoleMember)
		d := func(s string) models.Date { v, _ := models.ParseDate(s); return v }
		paper := e.newCategory("Paper", "kg", map[string]float64{"kg": 1}, 1.0)
		fabric := e.newCategory("Fabric", "bag", map[string]float64{"bag": 0.333}, 2.1)
		if _, err := e.store.AddFactor(ctx, nil, fabric.ID, 3.0, "DESNZ 2026 update", d("2026-10-15"), d("2026-11-25")); err != nil {
			t.Fatal(err)
		}
		loc := e.newLocation("B1")
		give := func(at string, paperKg, fabricBags float64) models.Donation {
			var dn models.Donation
			body := map[string]any{"lines": []map[string]any{
				{"category_id": paper.ID, "description": "Card", "location_id": loc.ID, "quantity": paperKg, "unit": "kg"},
				{"category_id": fabric.ID, "description": "Offcuts", "location_id": loc.ID, "quantity": fabricBags}}}
			if at != "" {
				body["received_at"] = at
			}
			e.do(http.MethodPost, "/api/v1/donations", staff, body).want(http.StatusCreated).decode(&dn)
			return dn
		}
		void := func(id int64) {
			e.do(http.MethodPost, "/api/v1/donations/"+itoa(id)+"/void", staff, map[string]any{"reason": "logged twice"}).want(http.StatusOK)
		}
		give("2026-09-30T22:59:59Z", 1.5, 1) // 23:59 BST on 30 September
		give("2026-09-30T23:00:00Z", 2, 2)   // midnight BST: 1 October
		void(give("2026-10-10T10:05:00Z", 100, 7).ID)
		kept := give("2026-10-10T10:40:00Z", 3.25, 3) // the same hour as the voided one
		give("2026-10-25T00:30:00Z", 4, 1)            // 01:30 BST, before the clocks go back
		give("2026-10-25T01:30:00Z", 5, 1)            // 01:30 GMT, after
		void(give("2026-10-31T23:59:00Z", 6, 1).ID)   // a void on a month's last minute
		give("2026-11-01T00:00:00Z", 7.125, 5)
		give("", 8, 4) // now
		e.do(http.MethodPost, "/api/v1/stock/"+itoa(kept.Lines[1].StockItemID)+"/adjustments", staff,
			map[string]any{"delta": -2, "reason": "damaged"}).want(http.StatusOK)

		e.openEveryDay(3)
		var r models.Reservation
		e.reserve(member, line(kept.Lines[1].StockItemID, 5), line(kept.Lines[0].StockItemID, 3)).want(http.StatusCreated).decode(&r)
		e.do(http.MethodPost, "/api/v1/reservations/"+itoa(r.ID)+"/collect", staff,
			map[string]any{"lines": []map[string]any{line(kept.Lines[1].StockItemID, 2.5)}}).want(http.StatusOK)
		e.do(http.MethodPost, "/api/v1/issues", staff, map[string]any{"organisation_id": e.org.ID,
			"lines": []map[string]any{line(kept.Lines[1].StockItemID, 1), line(kept.Lines[0].StockItemID, 0.7)}}).want(http.StatusCreated)

		today := e.srv.today()
		for _, day := range []models.Date{d("2026-09-30"), d("2026-10-25"), d("2026-10-31"), d("2026-11-01"), d("2026-12-01"), today} {
			sameFigures(t, e.store, day)
		}
		oct := sameFigures(t, e.store, d("2026-10-31"))
		// 2 + 3.25 + 4 + 5 kg of paper, 2 + 3 + 1 + 1 bags of 333 g of fabric.
		if oct.Donations.Kg.String() != "16.581" || oct.Donations.Count != 4 {
			t.Fatalf("October: %+v", oct.Donations)
		}
		now := sameFigures(t, e.store, today)
		// 2.5 bags of fabric (832 g, to the gram below) and 1 bag with 0.7 kg of paper.
		if now.Reservations.KgIssued.String() != "1.865" || now.Reservations.Collected != 2 || now.Members.GroupsServed != 1 {
			t.Fatalf("today's check-outs: %+v", now.Reservations)
		}
	})
}

// Donations, voids (each twice at once) and walk-ins at once, in the same hours and
// categories, leave the totals equal to the rows on both engines: each write changes
// them in its transaction, and a donation is voided once.
// (Every donation lists the same items in the same order: two donations listing them in
// opposite orders can deadlock on PostgreSQL over the stock items, totals or not.)
func TestTotalsStayTrueUnderConcurrentWrites(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		staff := e.as(models.RoleStaff)
		cats := []int64{e.newCategory("Card", "kg", map[string]float64{"kg": 1}, 1).ID, e.newCategory("Foam", "kg", map[string]float64{"kg": 1}, 2).ID}
		loc := e.newLocation("B1")
		give := func(i int) *result {
			return e.do(http.MethodPost, "/api/v1/donations", staff, map[string]any{"lines": []map[string]any{
				{"category_id": cats[0], "description": "Offcuts", "location_id": loc.ID, "quantity": 1 + i%3, "unit": "kg"},
				{"category_id": cats[1], "description": "Offcuts", "location_id": loc.ID, "quantity": 0.5 + float64(i%2), "unit": "kg"}}})
		}
		var first []models.Donation
		for i := range 10 {
			var d models.Donation
			give(i).want(http.StatusCreated).decode(&d)
			first = append(first, d)
		}
		statuses := make([]int, 60)
		parallel(60, func(i int) {
			switch i % 3 {
			case 0:
				statuses[i] = give(i).status
			case 1:
				// Each donation is voided twice at once: once only.
				statuses[i] = e.do(http.MethodPost, "/api/v1/donations/"+itoa(first[(i/3)%len(first)].ID)+"/void", staff,
					map[string]any{"reason": "twice"}).status
			default:
				statuses[i] = e.do(http.MethodPost, "/api/v1/issues", staff, map[string]any{"organisation_id": e.org.ID,
					"lines": []map[string]any{line(first[0].Lines[i%2].StockItemID, 0.25)}}).status
			}
		})
		voided := 0
		for i, st := range statuses {
			if st >= 500 {
				t.Fatalf("request %d: %d", i, st)
			}
			if i%3 == 1 && st == http.StatusOK {
				voided++
			}
		}
		if voided != len(first) {
			t.Fatalf("%d voids of %d donations went through", voided, len(first))
		}
		if bad, err := e.store.CheckTotals(context.Background()); err != nil || len(bad) != 0 {
			t.Fatalf("totals disagree with the rows: %+v %v", bad, err)
		}
		f := sameFigures(t, e.store, e.srv.today())
		if f.Donations.Count == 0 || f.Reservations.Collected == 0 {
			t.Fatalf("nothing to compare: %+v", f)
		}
	})
}

// The dashboard shows this month's figures beside last month's, the charts with their
// tables, and the jobs; staff see it without the run buttons, and members and drivers
// are refused.
func TestDashboardPage(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		staffTok := e.as(models.RoleStaff)
		paper := e.newCategory("Paper & card", "kg", map[string]float64{"kg": 1}, 1.0)
		loc := e.newLocation("B1")
		today := e.srv.today()
		lastMonth := time.Date(today.Year(), today.Month()-1, 1, 12, 0, 0, 0, time.UTC)
		var dn models.Donation
		for _, at := range []string{lastMonth.Format(time.RFC3339), ""} {
			kg := map[bool]float64{true: 4, false: 12.5}[at != ""]
			body := map[string]any{"lines": []map[string]any{
				{"category_id": paper.ID, "description": "Card", "location_id": loc.ID, "quantity": kg, "unit": "kg"}}}
			if at != "" {
				body["received_at"] = at
			}
			e.do(http.MethodPost, "/api/v1/donations", staffTok, body).want(http.StatusCreated).decode(&dn)
		}
		e.do(http.MethodPost, "/api/v1/issues", staffTok, map[string]any{"organisation_id": e.org.ID,
			"lines": []map[string]any{line(dn.Lines[0].StockItemID, 2)}}).want(http.StatusCreated)
		v, err := e.store.CreateVolunteer(ctx, nil, models.VolunteerInput{Name: "Zofia Nowak", Kind: "placement"}, today)
		if err != nil {
			t.Fatal(err)
		}
		e.do(http.MethodPost, "/api/v1/volunteer-hours", staffTok, map[string]any{"volunteer_id": v.ID, "date": today.String(), "hours": 3.5,
			"activity": "sorting"}).want(http.StatusCreated)

		mgr := e.visitor()
		mgr.signIn(e.users[models.RoleManager])
		this, last := today.Format("January 2006"), lastMonth.Format("January 2006")
		row := func(label, this, last string) string {
			return `<th scope="row">` + label + `</th><td class="num">` + this + `</td><td class="num">` + last + `</td>`
		}
		mgr.get("/dashboard").want(http.StatusOK).has(t, `href="/dashboard" aria-current="page"`, this+" so far", last,
			row("Weight in", "12.5 kg", "4 kg"), row("Weight out to member groups", "2 kg", "0 kg"),
			row("CO2e saved, net of the vans", "12.5 kg", "4 kg"), row("Member groups served", "1", "0"),
			row("Volunteer hours", "3.5", "0"), row("Furniture passed on", "0 items", "0 items"),
			// The charts, each with a table of its numbers.
			`<svg class="chart"`, `<title id="trend-title">Weight in and out, the last 12 months</title>`,
			`<th scope="row">`+today.Format("Jan 2006")+`</th><td class="num">12.5 kg</td><td class="num">2 kg</td>`,
			`<title id="categories-title">Weight in by category</title>`, `>Paper &amp; card</text>`,
			`<th scope="row">Paper &amp; card</th><td class="num">12.5 kg</td><td class="num">4 kg</td>`,
			// The jobs, each with a button.
			"<h3>expire-reservations</h3>", "not run yet", `action="/dashboard/jobs/expire-reservations/run"`,
			`Run<span class="visually-hidden"> expire-reservations</span> now`)

		mgr.post("/dashboard/jobs/expire-reservations/run", url.Values{}).redirectsTo(t, "/dashboard#jobs")
		mgr.get("/dashboard").want(http.StatusOK).has(t, "The job expire-reservations ran: expired 0 reservations", `status-ok">OK</span>`)
		mgr.post("/dashboard/jobs/no-such-job/run", url.Values{}).want(http.StatusNotFound)
		mgr.postBare("/dashboard/jobs/cleanup/run", url.Values{}).want(http.StatusForbidden).has(t, "did not come from this site")

		staff := e.visitor()
		staff.signIn(e.users[models.RoleStaff])
		staff.get("/dashboard").want(http.StatusOK).has(t, row("Weight in", "12.5 kg", "4 kg"), "Only a manager can run a job by hand").
			hasNot(t, `action="/dashboard/jobs/`)
		staff.post("/dashboard/jobs/cleanup/run", url.Values{}).want(http.StatusForbidden).has(t, "this page is for managers")
		for _, role := range []models.Role{models.RoleMember, models.RoleDriver} {
			other := e.visitor()
			other.signIn(e.users[role])
			other.get("/dashboard").want(http.StatusForbidden).has(t, "this page is for managers or staff")
			other.get("/stock").want(http.StatusOK).hasNot(t, `href="/dashboard"`)
			other.post("/dashboard/jobs/cleanup/run", url.Values{}).want(http.StatusForbidden)
		}
		e.visitor().get("/dashboard").redirectsTo(t, "/sign-in?next=%2Fdashboard")
		runs, err := e.store.LastJobRuns(ctx)
		if err != nil || len(runs) != 1 || runs["cleanup"].ID != 0 {
			t.Fatalf("job runs %+v %v: only the manager's run of expire-reservations should be there", runs, err)
		}
	})
}

// A manager opens the dashboard (signing in on the way), reads the charts, and runs a
// job; staff see the same figures without the buttons. axe-core checks each page.
func TestBrowserDashboard(t *testing.T) {
	chromium(t)
	browserEnv(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		today := e.srv.today()
		loc := e.newLocation("B1")
		var items []int64
		for i, name := range []string{"Paper & card", "Textiles", "Foam", "Tubes & cores"} {
			c := e.newCategory(name, "kg", map[string]float64{"kg": 1}, 0.5+float64(i)/2)
			for m := 0; m < 12; m++ {
				at := time.Date(today.Year(), today.Month()-time.Month(m), 1, 11, 0, 0, 0, time.UTC)
				d, err := e.store.ReceiveDonation(ctx, nil, models.DonationInput{ReceivedAt: at, Lines: []models.DonationLineInput{{CategoryID: &c.ID,
					Description: name, LocationID: &loc.ID, Quantity: float64(40 + (m*7+i*13)%60), Unit: "kg"}}})
				if err != nil {
					t.Fatal(err)
				}
				items = append(items, d.Lines[0].StockItemID)
			}
		}
		if _, err := e.store.IssueWalkIn(ctx, e.users[models.RoleStaff], e.org.ID, []models.LineInput{{StockItemID: items[0], Quantity: 25},
			{StockItemID: items[12], Quantity: 10}}, "", london); err != nil {
			t.Fatal(err)
		}

		b := newTab(t, e)
		b.open("/dashboard")
		b.waitFor("Email address")
		mgr := e.users[models.RoleManager]
		b.do(chromedp.SendKeys(chromedp.CSS("#f-email"), mgr.Email), chromedp.SendKeys(chromedp.CSS("#f-password"), testPassword),
			chromedp.Click(chromedp.CSS(`main button[type="submit"]`)))
		b.waitFor("Scheduled jobs")
		if s := b.text(); !strings.Contains(s, "Weight out to member groups\t35 kg\t0 kg") || !strings.Contains(s, "Tubes & cores") {
			t.Fatalf("the dashboard says:\n%s", s)
		}
		bars, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll("svg.chart rect.bar-edge").length`))
		if err != nil || bars != 2+24+2+8 {
			t.Fatalf("%d bars and legend keys drawn (%v), want 36", bars, err)
		}
		b.check("dashboard")
		b.do(chromedp.Click(chromedp.CSS(`form[action="/dashboard/jobs/cleanup/run"] button`)))
		b.waitFor("The job cleanup ran")
		b.check("job-ran")

		b.do(chromedp.Click(chromedp.CSS(`.who button`)))
		b.waitFor("You have signed out")
		b.open("/dashboard")
		b.waitFor("Email address")
		b.do(chromedp.SendKeys(chromedp.CSS("#f-email"), e.users[models.RoleStaff].Email), chromedp.SendKeys(chromedp.CSS("#f-password"), testPassword),
			chromedp.Click(chromedp.CSS(`main button[type="submit"]`)))
		b.waitFor("Only a manager can run a job by hand")
		b.check("staff")
	})
}

// BenchmarkDashboard draws the managers' dashboard over the demo data (at
// SCRAPSTORE_BENCH_SCALE, default 10) and reports its median and 99th percentile, beside
// the median time the same month's figures take when added up from the rows (as the
// funders' report does), for comparison:
//
//	SCRAPSTORE_BENCH_SCALE=100 go test ./api -run '^$' -bench BenchmarkDashboard -benchtime 200x
func BenchmarkDashboard(b *testing.B) {
	benchEngines(b, func(b *testing.B, store *models.Store) {
		if _, err := demo.Load(b.Context(), store, 1, benchScale(), models.NewDate(time.Now())); err != nil {
			b.Fatal(err)
		}
		e := newEnv(b, store)
		v := e.visitor()
		v.signIn(e.users[models.RoleManager])
		v.get("/dashboard").want(http.StatusOK) // warm the caches: the figures are for a running service
		today := e.srv.today()
		month := models.Period{From: models.Date{Time: today.AddDate(0, 0, 1-today.Day())}, To: today}
		var rows []time.Duration
		for range 5 {
			t0 := time.Now()
			if _, err := store.ComputeFigures(b.Context(), month, london); err != nil {
				b.Fatal(err)
			}
			rows = append(rows, time.Since(t0))
		}
		var times []time.Duration
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			req := httptest.NewRequest(http.MethodGet, "/dashboard", nil)
			t0 := time.Now()
			res := v.send(req)
			times = append(times, time.Since(t0))
			if res.status != http.StatusOK {
				b.Fatalf("status %d: %s", res.status, res.body)
			}
		}
		slices.Sort(times)
		slices.Sort(rows)
		b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
		b.ReportMetric(float64(rows[len(rows)/2].Microseconds())/1000, "rows-figures-ms")
	})
}

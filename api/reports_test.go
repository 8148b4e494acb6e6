package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gorm.io/gorm"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/models/testdb"
)

// The figures of a month built by hand: a factor that changes mid-month, a donation at
// 00:30 London time on the 1st (still the 30th in UTC), a voided donation, hours on the
// day the clocks go back, and the month before for comparison.
func TestFiguresOfAHandBuiltMonth(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		mgr, staff := e.as(models.RoleManager), e.as(models.RoleStaff)
		d := func(s string) models.Date { v, _ := models.ParseDate(s); return v }
		paper := e.newCategory("Paper", "kg", map[string]float64{"kg": 1}, 1.0)
		if _, err := e.store.AddFactor(ctx, nil, paper.ID, 2.0, "DESNZ 2026 update", d("2026-10-15"), d("2026-11-25")); err != nil {
			t.Fatal(err)
		}
		loc := e.newLocation("B1")
		give := func(at string, kg float64) int64 {
			var dn models.Donation
			e.do(http.MethodPost, "/api/v1/donations", staff, map[string]any{"received_at": at, "lines": []map[string]any{
				{"category_id": paper.ID, "description": "Card", "location_id": loc.ID, "quantity": kg, "unit": "kg"}}}).want(http.StatusCreated).decode(&dn)
			return dn.ID
		}
		give("2026-09-30T22:30:00Z", 1)  // 23:30 BST on 30 September: September
		give("2026-09-30T23:30:00Z", 2)  // 00:30 BST on 1 October: October, factor 1
		give("2026-10-10T10:00:00Z", 10) // factor 1
		voided := give("2026-10-12T10:00:00Z", 100)
		e.do(http.MethodPost, "/api/v1/donations/"+itoa(voided)+"/void", staff, map[string]any{"reason": "test"}).want(http.StatusOK)
		give("2026-10-20T10:00:00Z", 5)  // factor 2 from the 15th
		give("2026-10-31T23:30:00Z", 4)  // GMT after the change: still 31 October
		give("2026-11-01T00:30:00Z", 50) // November

		v, err := e.store.CreateVolunteer(ctx, nil, models.VolunteerInput{Name: "Zofia Nowak", Kind: "placement"}, d("2026-11-25"))
		if err != nil {
			t.Fatal(err)
		}
		e.do(http.MethodPost, "/api/v1/volunteer-hours", staff, map[string]any{"volunteer_id": v.ID, "date": "2026-10-25", "hours": 3.5,
			"activity": "sorting"}).want(http.StatusCreated)
		e.do(http.MethodPost, "/api/v1/volunteer-hours", staff, map[string]any{"volunteer_id": v.ID, "date": "2026-09-29", "hours": 2,
			"activity": "counter"}).want(http.StatusCreated)
		var w models.Workshop
		e.do(http.MethodPost, "/api/v1/workshops", staff, map[string]any{"title": "Junk modelling", "kind": "creative_session",
			"starts_at": "2026-10-31T23:30:00Z", "ends_at": "2026-11-01T01:00:00Z", "places": 2}).
			want(http.StatusCreated).decode(&w)
		e.do(http.MethodPost, "/api/v1/workshops/"+itoa(w.ID)+"/attendees", staff, map[string]any{"name": "Sam"}).want(http.StatusCreated)
		e.do(http.MethodPost, "/api/v1/workshops/"+itoa(w.ID)+"/attendees", staff, map[string]any{"name": "Ash", "organisation_id": e.org.ID}).
			want(http.StatusCreated)
		e.do(http.MethodPost, "/api/v1/workshops/"+itoa(w.ID)+"/attendees", staff, map[string]any{"name": "Late"}).problem(http.StatusConflict, "")

		var f models.Figures
		e.do(http.MethodGet, "/api/v1/reports/figures?month=2026-10", mgr, nil).want(http.StatusOK).decode(&f)
		if f.Donations.Count != 4 || f.Donations.Kg != 21 || f.DivertedKg != 21 {
			t.Fatalf("October donations %+v diverted %v", f.Donations, f.DivertedKg)
		}
		// 2 + 10 at factor 1, 5 + 4 at factor 2.
		if f.CO2e.AvoidedKg != 30 || len(f.CO2e.Factors) != 2 || f.CO2e.Factors[1].Source != "DESNZ 2026 update" || f.CO2e.Factors[1].Kg != 9 {
			t.Fatalf("October CO2e %+v", f.CO2e)
		}
		if f.Volunteering.Hours != 3.5 || f.Volunteering.Placements != 1 || f.Volunteering.Volunteers != 1 {
			t.Fatalf("October volunteering %+v", f.Volunteering)
		}
		if f.Workshops.Workshops != 1 || f.Workshops.Attendees != 2 {
			t.Fatalf("October workshops %+v", f.Workshops)
		}
		sep := f.Months[11]
		if sep.Period.From.String() != "2026-09-01" || sep.Donations.Kg != 1 || sep.Volunteering.Hours != 2 || len(f.Months) != 12 {
			t.Fatalf("September %+v", sep)
		}
		if last := f.Trend[11]; last.Month != "2026-10" || last.KgIn != 21 || f.Trend[10].KgIn != 1 {
			t.Fatalf("trend %+v", f.Trend)
		}
		// The same number of queries for a month and for a year.
		var year models.Figures
		e.do(http.MethodGet, "/api/v1/reports/figures?from=2025-11-01&to=2026-10-31", mgr, nil).want(http.StatusOK).decode(&year)
		if year.Queries != f.Queries || year.Donations.Kg != 22 {
			t.Fatalf("a year took %d queries (a month %d) and has %v kg", year.Queries, f.Queries, year.Donations.Kg)
		}
		res := e.do(http.MethodGet, "/api/v1/reports/figures.csv?month=2026-10", mgr, nil).want(http.StatusOK)
		recs, err := csv.NewReader(strings.NewReader(string(res.body))).ReadAll()
		if err != nil || len(recs[0]) != 15 || recs[1][0] != "donations" || recs[1][2] != "4" || recs[2][2] != "21" {
			t.Fatalf("figures.csv %v %q", err, recs[:3])
		}
		e.do(http.MethodGet, "/api/v1/reports/figures?month=October", mgr, nil).problem(http.StatusUnprocessableEntity, "month")
		e.do(http.MethodGet, "/api/v1/reports/figures?from=2026-10-31&to=2026-10-01", mgr, nil).problem(http.StatusUnprocessableEntity, "to")
		e.do(http.MethodGet, "/api/v1/reports/figures", staff, nil).problem(http.StatusForbidden, "")
	})
}

// Credits move by double entry: balances add up to zero, and nobody spends below zero,
// even many at once.
func TestTimebank(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		staff := e.as(models.RoleStaff)
		var a, b models.Volunteer
		e.do(http.MethodPost, "/api/v1/volunteers", staff, map[string]any{"name": "Priya", "kind": "volunteer"}).want(http.StatusCreated).decode(&a)
		e.do(http.MethodPost, "/api/v1/volunteers", staff, map[string]any{"name": "Tom", "kind": "apprentice"}).want(http.StatusCreated).decode(&b)
		e.do(http.MethodPost, "/api/v1/volunteers", staff, map[string]any{"name": "X", "kind": "boss"}).problem(http.StatusUnprocessableEntity, "kind")
		day := e.srv.today().String()
		e.do(http.MethodPost, "/api/v1/volunteer-hours", staff, map[string]any{"volunteer_id": a.ID, "date": day, "hours": 4, "activity": "sorting"}).
			want(http.StatusCreated)
		for field, body := range map[string]map[string]any{
			"hours":    {"volunteer_id": a.ID, "date": day, "hours": 0.3, "activity": "sorting"},
			"activity": {"volunteer_id": a.ID, "date": day, "hours": 1, "activity": "napping"},
			"date":     {"volunteer_id": a.ID, "date": e.srv.today().AddDays(2).String(), "hours": 1, "activity": "sorting"},
		} {
			e.do(http.MethodPost, "/api/v1/volunteer-hours", staff, body).problem(http.StatusUnprocessableEntity, field)
		}
		e.do(http.MethodPost, "/api/v1/volunteer-hours", staff, map[string]any{"volunteer_id": a.ID, "date": day, "hours": 9, "activity": "sorting"}).
			problem(http.StatusUnprocessableEntity, "hours")
		var tb models.Timebank
		e.do(http.MethodGet, "/api/v1/volunteers/"+itoa(a.ID)+"/timebank", staff, nil).want(http.StatusOK).decode(&tb)
		if tb.Account.BalanceQuarters.Hours() != 4 || len(tb.Statement) != 1 {
			t.Fatalf("timebank %+v", tb)
		}
		var bAcct models.Timebank
		e.do(http.MethodGet, "/api/v1/volunteers/"+itoa(b.ID)+"/timebank", staff, nil).want(http.StatusOK).decode(&bAcct)
		// Ten gifts of one credit at once from an account holding four: exactly four go.
		statuses := make([]int, 10)
		parallel(10, func(i int) {
			statuses[i] = e.do(http.MethodPost, "/api/v1/timebank/transfers", staff, map[string]any{"from_account": tb.Account.ID,
				"to_account": bAcct.Account.ID, "credits": 1}).status
		})
		ok := 0
		for _, s := range statuses {
			if s == http.StatusCreated {
				ok++
			} else if s != http.StatusConflict {
				t.Fatalf("status %d", s)
			}
		}
		if ok != 4 {
			t.Fatalf("%d gifts went through, want 4", ok)
		}
		if total, err := e.store.TimebankTotal(ctx); err != nil || total != 0 {
			t.Fatalf("balances sum to %d, %v", total, err)
		}
		e.do(http.MethodPost, "/api/v1/timebank/transfers", staff, map[string]any{"from_account": tb.Account.ID, "to_account": bAcct.Account.ID,
			"credits": 0.5}).problem(http.StatusConflict, "")
		e.do(http.MethodPost, "/api/v1/timebank/transfers", staff, map[string]any{"from_account": tb.Account.ID, "to_account": tb.Account.ID,
			"credits": 1}).problem(http.StatusUnprocessableEntity, "to_account")
	})
}

// A report is kept only for a period that has ended; the monthly job makes last month's
// once, and a report made by hand can be made again, as a new version beside the old.
func TestKeptReports(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		mgr := e.as(models.RoleManager)
		e.newCategory("Café crème £ card", "kg", map[string]float64{"kg": 1}, 0.9)
		today := e.srv.today()
		thisMonth, nextMonth := today.Format("2006-01"), today.AddDate(0, 1, 0).Format("2006-01")
		for _, month := range []string{thisMonth, nextMonth} {
			pr := e.do(http.MethodPost, "/api/v1/reports", mgr, map[string]any{"month": month}).problem(http.StatusUnprocessableEntity, "month")
			if !strings.Contains(pr.Errors[0].Message, "has not ended") {
				t.Errorf("month %s: %q", month, pr.Errors[0].Message)
			}
		}
		e.do(http.MethodPost, "/api/v1/reports", mgr, map[string]any{"from": today.AddDays(-7).String(), "to": today.String()}).
			problem(http.StatusUnprocessableEntity, "to")
		e.do(http.MethodPost, "/api/v1/reports", mgr, map[string]any{}).problem(http.StatusUnprocessableEntity, "month")

		var r models.Report
		earlier := today.AddDate(0, -2, 0).Format("2006-01")
		e.do(http.MethodPost, "/api/v1/reports", mgr, map[string]any{"month": earlier}).want(http.StatusCreated).decode(&r)
		if r.PDFBytes < 1000 || *r.Month != earlier || r.Version != 1 || r.FiguresChanged == nil || *r.FiguresChanged {
			t.Fatalf("report %+v", r)
		}
		res := e.do(http.MethodGet, "/api/v1/reports/"+itoa(r.ID)+".pdf", mgr, nil).want(http.StatusOK)
		if !strings.HasPrefix(string(res.body), "%PDF-") || int64(len(res.body)) != r.PDFBytes {
			t.Fatalf("download: %d bytes", len(res.body))
		}
		e.do(http.MethodGet, "/api/v1/reports/999.pdf", mgr, nil).problem(http.StatusNotFound, "")
		e.do(http.MethodGet, "/api/v1/reports/abc", mgr, nil).problem(http.StatusNotFound, "")

		// The monthly job makes last month's report once however often it runs.
		for range 2 {
			e.do(http.MethodPost, "/api/v1/jobs/monthly-report/run", mgr, nil).want(http.StatusOK)
		}
		var list List[models.Report]
		e.do(http.MethodGet, "/api/v1/reports", mgr, nil).want(http.StatusOK).decode(&list)
		last := today.AddDate(0, -1, 0).Format("2006-01")
		months := map[string]int{}
		for _, rep := range list.Items {
			months[*rep.Month]++
		}
		if months[last] != 1 || len(list.Items) != 2 {
			t.Fatalf("reports %+v", list.Items)
		}
	})
}

// After a donation is back-dated into a month whose report was kept, the list marks
// that report as changed; making it again keeps a second version beside the first,
// which still downloads as it was.
func TestRemadeReportAfterABackdatedDonation(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		mgr, staff := e.as(models.RoleManager), e.as(models.RoleStaff)
		paper := e.newCategory("Paper", "kg", map[string]float64{"kg": 1}, 1.0)
		loc := e.newLocation("B1")
		first := time.Date(e.srv.today().Year(), e.srv.today().Month()-1, 1, 0, 0, 0, 0, time.UTC)
		month := first.Format("2006-01")
		give := func(at time.Time, kg float64) {
			e.do(http.MethodPost, "/api/v1/donations", staff, map[string]any{"received_at": at.Format(time.RFC3339), "lines": []map[string]any{
				{"category_id": paper.ID, "description": "Card", "location_id": loc.ID, "quantity": kg, "unit": "kg"}}}).want(http.StatusCreated)
		}
		give(first.Add(34*time.Hour), 12)
		give(first.AddDate(0, 0, 9).Add(10*time.Hour), 30)

		var v1 models.Report
		e.do(http.MethodPost, "/api/v1/reports", mgr, map[string]any{"month": month}).want(http.StatusCreated).decode(&v1)
		pdf1 := e.do(http.MethodGet, "/api/v1/reports/"+itoa(v1.ID)+".pdf", mgr, nil).want(http.StatusOK).body
		changed := func() map[int64]bool {
			var list List[models.Report]
			e.do(http.MethodGet, "/api/v1/reports", mgr, nil).want(http.StatusOK).decode(&list)
			out := map[int64]bool{}
			for _, r := range list.Items {
				if r.FiguresChanged == nil {
					t.Fatalf("report %d has no figures_changed", r.ID)
				}
				out[r.ID] = *r.FiguresChanged
			}
			return out
		}
		if got := changed(); !cmp.Equal(got, map[int64]bool{v1.ID: false}) {
			t.Fatalf("before the back-dated donation: %v", got)
		}

		give(first.AddDate(0, 0, 20).Add(11*time.Hour), 2.5) // logged late, dated last month
		if got := changed(); !cmp.Equal(got, map[int64]bool{v1.ID: true}) {
			t.Fatalf("after the back-dated donation: %v", got)
		}
		var f models.Figures
		e.do(http.MethodGet, "/api/v1/reports/figures?month="+month, mgr, nil).want(http.StatusOK).decode(&f)
		if f.Donations.Count != 3 || f.Donations.Kg != 44.5 {
			t.Fatalf("figures %+v", f.Donations)
		}

		var v2 models.Report
		e.do(http.MethodPost, "/api/v1/reports", mgr, map[string]any{"month": month}).want(http.StatusCreated).decode(&v2)
		if v2.ID == v1.ID || v2.Version != 2 || *v2.Month != month || v2.PeriodFrom != v1.PeriodFrom || v2.PeriodTo != v1.PeriodTo {
			t.Fatalf("remade %+v after %+v", v2, v1)
		}
		if got := changed(); !cmp.Equal(got, map[int64]bool{v1.ID: true, v2.ID: false}) {
			t.Fatalf("after the remake: %v", got)
		}
		if again := e.do(http.MethodGet, "/api/v1/reports/"+itoa(v1.ID)+".pdf", mgr, nil).want(http.StatusOK).body; !bytes.Equal(again, pdf1) {
			t.Fatal("the first version's PDF changed")
		}
		e.do(http.MethodGet, "/api/v1/reports/"+itoa(v2.ID)+".pdf", mgr, nil).want(http.StatusOK)
	})
}

// Weights, volumes and distances are written to the gram, the litre and 100 m, and
// times to the second, however the numbers were come by: sums, the planner, readings.
func TestNumbersAndTimesAreWrittenToTheirPrecision(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		mgr, staff := e.as(models.RoleManager), e.as(models.RoleStaff)
		var bodies []string
		keep := func(r *result) *result { bodies = append(bodies, string(r.body)); return r }
		wants := func(body string, fragments ...string) {
			t.Helper()
			for _, f := range fragments {
				if !strings.Contains(body, f) {
					t.Errorf("%s lacks %s", body, f)
				}
			}
		}

		var van models.Vehicle
		res := keep(e.do(http.MethodPost, "/api/v1/vehicles", mgr, map[string]any{"name": "Transit", "registration": "BV21RDE",
			"capacity_kg": 899.99999, "capacity_m3": 0.1 + 0.2 + 2.4}).want(http.StatusCreated))
		res.decode(&van)
		wants(string(res.body), `"capacity_kg":900,`, `"capacity_m3":2.7,`)

		form := e.pickupForm("albion")
		form["approx_m3"] = 2.6999999999999997
		e.do(http.MethodPost, "/api/v1/pickup-requests", "", form).want(http.StatusCreated)
		wants(string(keep(e.do(http.MethodGet, "/api/v1/pickup-requests", staff, nil).want(http.StatusOK)).body), `"approx_m3":2.7,`, `"approx_kg":120.5,`)

		run := models.Run{Day: e.srv.today(), VehicleID: van.ID, Status: "planned", PlannedM: 48_250}
		testdb.Write(t, e.store, func(tx *gorm.DB) *gorm.DB { return tx.Create(&run) })
		res = keep(e.do(http.MethodPost, "/api/v1/runs/"+itoa(run.ID)+"/start", staff,
			map[string]any{"odometer_km": 48171.76815824047}).want(http.StatusOK))
		wants(string(res.body), `"start_odometer_km":48171.8,`, `"planned_km":48.3,`)

		paper := e.newCategory("Paper", "kg", map[string]float64{"kg": 1}, 0.92)
		loc := e.newLocation("B1")
		for _, kg := range []float64{0.1, 0.2, 1.0004} {
			keep(e.do(http.MethodPost, "/api/v1/donations", staff, map[string]any{"lines": []map[string]any{
				{"category_id": paper.ID, "description": "Card", "location_id": loc.ID, "quantity": 1, "unit": "box",
					"weight_kg": kg}}}).want(http.StatusCreated))
		}
		month := e.srv.today().Format("2006-01")
		res = keep(e.do(http.MethodGet, "/api/v1/reports/figures?month="+month, mgr, nil).want(http.StatusOK))
		// 1.3 kg at 0.92 kg CO2e a kg is 1.196 kg, whatever binary fractions say.
		wants(string(res.body), `"donations":{"count":3,"kg":1.3,`, `"avoided_kg":1.196,`)
		recs, err := csv.NewReader(bytes.NewReader(e.do(http.MethodGet, "/api/v1/reports/figures.csv?month="+month, mgr,
			nil).want(http.StatusOK).body)).ReadAll()
		if err != nil || recs[2][1] != "kg" || recs[2][2] != "1.3" {
			t.Fatalf("figures.csv %v %q", err, recs[:3])
		}

		times := regexp.MustCompile(`"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[^"]*"`)
		seen := 0
		for _, b := range bodies {
			for _, tm := range times.FindAllString(b, -1) {
				seen++
				if _, err := time.Parse(`"2006-01-02T15:04:05Z07:00"`, tm); err != nil || strings.Contains(tm, ".") {
					t.Errorf("time %s is not to the second", tm)
				}
			}
		}
		if seen < 10 {
			t.Fatalf("only %d times seen", seen)
		}
	})
}

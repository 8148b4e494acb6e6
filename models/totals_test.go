package models_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gorm.io/gorm"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/models/demo"
	"github.com/scrapstore/scrapstore/models/testdb"
)

// On the demo data (written in bulk, then counted), the dashboard's figures are the
// report's; and the migration that fills the totals from the rows of an
// older database fills them with the same numbers.
func TestLedgerTotalsOfTheDemo(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		loc, _ := time.LoadLocation("Europe/London")
		if _, err := demo.Load(ctx, s, 3, 1, day("2026-11-25")); err != nil {
			t.Fatal(err)
		}
		type total struct {
			UTCHour    string
			CategoryID int64
			Direction  string
			Lines      int64
			Grams      int64
		}
		read := func() []total {
			var out []total
			if err := s.DB(ctx).Raw(`SELECT utc_hour, category_id, direction, lines, grams FROM ledger_totals
				UNION ALL SELECT utc_hour, 0, 'donations', donations, 0 FROM donation_totals ORDER BY 1, 2, 3`).
				Scan(&out).Error; err != nil {
				t.Fatal(err)
			}
			return out
		}
		kept := read()
		if len(kept) < 100 {
			t.Fatalf("only %d totals for the demo", len(kept))
		}
		if bad, err := s.CheckTotals(ctx); err != nil || len(bad) != 0 {
			t.Fatalf("the demo's totals disagree with its rows: %+v %v", bad, err)
		}
		// A total changed by hand, and another lost, are found.
		first := kept[slices.IndexFunc(kept, func(k total) bool { return k.Direction == "in" })]
		s.DB(ctx).Exec("UPDATE ledger_totals SET grams = grams + 1 WHERE utc_hour = ? AND category_id = ? AND direction = ?",
			first.UTCHour, first.CategoryID, first.Direction)
		testdb.Write(t, s, func(tx *gorm.DB) *gorm.DB {
			return tx.Exec("DELETE FROM donation_totals WHERE utc_hour = (SELECT MAX(utc_hour) FROM donation_totals)")
		})
		bad, err := s.CheckTotals(ctx)
		if err != nil || len(bad) != 2 || bad[0].Grams != bad[0].RowsGrams+1 || bad[1].Direction != "donations" || bad[1].Lines != 0 ||
			bad[1].RowsLines == 0 {
			t.Fatalf("CheckTotals found %+v %v; want the two totals changed", bad, err)
		}
		if err := s.RefillTotalsByMigration(ctx); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(kept, read()); diff != "" {
			t.Fatalf("the migration fills other totals (-kept +filled):\n%s", diff)
		}
		for _, today := range []models.Date{day("2026-11-25"), day("2026-11-01"), day("2026-03-31")} {
			first := models.Date{Time: today.AddDate(0, 0, 1-today.Day())}
			rows, err := s.ComputeFigures(ctx, models.Period{From: first, To: today}, loc)
			if err != nil {
				t.Fatal(err)
			}
			quick, err := s.Dashboard(ctx, today, loc)
			if err != nil {
				t.Fatal(err)
			}
			if rows.Months[11].Donations.Kg == 0 || rows.Months[11].Reservations.KgIssued == 0 {
				t.Fatalf("%s: no demo figures to compare: %+v", today, rows.Months[11])
			}
			last, trend := rows.Months[11], rows.Trend
			rows.Months, rows.Trend, rows.Queries = nil, nil, 0
			for _, pair := range [][2]any{{rows, quick.This}, {last, quick.Last}, {trend, quick.Trend}} {
				a, _ := json.Marshal(pair[0])
				b, _ := json.Marshal(pair[1])
				if diff := cmp.Diff(string(a), string(b)); diff != "" {
					t.Fatalf("%s: the dashboard's figures differ (-rows +dashboard):\n%s", today, diff)
				}
			}
		}
	})
}

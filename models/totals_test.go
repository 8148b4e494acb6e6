package models_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/models/testdb"
)

// On the demo data (written in bulk, then counted), the quick figures of each of the last
// months are the report's; and the migration that fills the totals from the rows of an
// older database fills them with the same numbers.
func TestLedgerTotalsOfTheDemo(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		loc, _ := time.LoadLocation("Europe/London")
		if _, err := s.LoadDemo(ctx, 3, 1, day("2026-11-25")); err != nil {
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
			if err := s.DB(ctx).Raw("SELECT utc_hour, category_id, direction, lines, grams FROM ledger_totals ORDER BY 1, 2, 3").
				Scan(&out).Error; err != nil {
				t.Fatal(err)
			}
			return out
		}
		kept := read()
		if len(kept) < 100 {
			t.Fatalf("only %d totals for the demo", len(kept))
		}
		if err := s.RefillTotalsByMigration(ctx); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(kept, read()); diff != "" {
			t.Fatalf("the migration fills other totals (-kept +filled):\n%s", diff)
		}
		for _, p := range []models.Period{{From: day("2026-11-01"), To: day("2026-11-25")}, {From: day("2025-12-01"), To: day("2026-11-25")}} {
			rows, err := s.ComputeFigures(ctx, p, loc)
			if err != nil {
				t.Fatal(err)
			}
			quick, err := s.QuickFigures(ctx, p, loc)
			if err != nil {
				t.Fatal(err)
			}
			if rows.Donations.Kg == 0 || rows.Reservations.KgIssued == 0 {
				t.Fatalf("%s: no demo figures to compare: %+v", p.From, rows)
			}
			rows.Queries, quick.Queries = 0, 0
			a, _ := json.Marshal(rows)
			b, _ := json.Marshal(quick)
			if diff := cmp.Diff(string(a), string(b)); diff != "" {
				t.Fatalf("%s: quick figures differ (-rows +quick):\n%s", p.From, diff)
			}
		}
	})
}

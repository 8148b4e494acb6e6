package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/reports"
)

// MonthlyReport makes the previous month's report once. It is scheduled every hour of
// the first three days of the month, so a failed run is tried again; once the report
// exists a run does nothing.
func MonthlyReport(set reports.Setup) Func {
	return func(ctx context.Context, store *models.Store, now time.Time) (string, error) {
		local := now.In(set.Location)
		first := time.Date(local.Year(), local.Month()-1, 1, 0, 0, 0, 0, time.UTC)
		month := first.Format("2006-01")
		done, err := store.HasMonthReport(ctx, month)
		if err != nil || done {
			return "the report for " + month + " exists already", err
		}
		p := models.Period{From: models.Date{Time: first}, To: models.Date{Time: first.AddDate(0, 1, -1)}}
		r, err := reports.MakeFunders(ctx, store, nil, p, &month, set)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("made report %d for %s (%d bytes)", r.ID, month, r.PDFBytes), nil
	}
}

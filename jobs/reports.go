package jobs

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/reports"
)

// StoreName is printed at the top of reports.
const StoreName = "Sandwell Scrapstore"

// MakeReport computes a period's figures, renders the funders' PDF and keeps it as the
// period's next version.
func MakeReport(ctx context.Context, store *models.Store, actor *models.User, p models.Period, month *string,
	dataDir string, loc *time.Location) (*models.Report, error) {
	f, err := store.ComputeFigures(ctx, p, loc)
	if err != nil {
		return nil, err
	}
	madeBy := "the monthly job"
	if actor != nil {
		madeBy = actor.Name
	}
	var buf bytes.Buffer
	if err := reports.FundersPDF(&buf, f, reports.Meta{StoreName: StoreName, MadeBy: madeBy, MadeAt: store.Now(), Location: loc}); err != nil {
		return nil, fmt.Errorf("render the report: %w", err)
	}
	return store.KeepReport(ctx, actor, f, month, buf.Bytes(), dataDir, loc)
}

// MonthlyReport makes the previous month's report once. It is scheduled every hour of
// the first three days of the month, so a failed run is tried again; once the report
// exists a run does nothing.
func MonthlyReport(dataDir string, loc *time.Location) Func {
	return func(ctx context.Context, store *models.Store, now time.Time) (string, error) {
		local := now.In(loc)
		first := time.Date(local.Year(), local.Month()-1, 1, 0, 0, 0, 0, time.UTC)
		month := first.Format("2006-01")
		done, err := store.HasMonthReport(ctx, month)
		if err != nil || done {
			return "the report for " + month + " exists already", err
		}
		p := models.Period{From: models.Date{Time: first}, To: models.Date{Time: first.AddDate(0, 1, -1)}}
		r, err := MakeReport(ctx, store, nil, p, &month, dataDir, loc)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("made report %d for %s (%d bytes)", r.ID, month, r.PDFBytes), nil
	}
}

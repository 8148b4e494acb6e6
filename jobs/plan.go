package jobs

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/scrapstore/scrapstore/models"
)

// PlanNextDay plans the next working day's runs (Monday after a Friday, unless the vans
// work weekends; closed days are skipped). It never replaces runs that exist: vans with a
// run that day are left out.
func PlanNextDay(set models.PlanSettings) Func {
	return func(ctx context.Context, store *models.Store, now time.Time) (string, error) {
		day, err := store.NextWorkingDay(ctx, models.NewDate(now.In(set.Location)))
		if err != nil {
			return "", err
		}
		res, err := store.PlanDay(ctx, nil, models.PlanRequest{Day: day}, set)
		if err != nil {
			return "", err
		}
		stops := 0
		for _, r := range res.Runs {
			stops += len(r.Stops)
		}
		var why []string
		for _, u := range res.Unassigned {
			why = append(why, u.Reference+": "+u.Reason)
		}
		summary := fmt.Sprintf("%s: %d runs, %d stops, %d unassigned", day, len(res.Runs), stops, len(res.Unassigned))
		if len(why) > 0 {
			summary += " (" + strings.Join(why, "; ") + ")"
		}
		return summary, nil
	}
}

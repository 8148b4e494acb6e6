package jobs

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/scrapstore/scrapstore/models"
)

// PlanNextDay plans the next working day's runs (Monday after a Friday). It never
// replaces runs that exist: vans with a run that day are left out.
func PlanNextDay(set models.PlanSettings) Func {
	return func(ctx context.Context, store *models.Store, now time.Time) (string, error) {
		day := models.NewDate(now.In(set.Location)).AddDays(1)
		for day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
			day = day.AddDays(1)
		}
		res, err := store.PlanDay(ctx, nil, day, nil, false, set)
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

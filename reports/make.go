package reports

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/scrapstore/scrapstore/models"
)

// Setup is what making a report needs from the service's configuration.
type Setup struct {
	StoreName string // printed at the head of the report
	DataDir   string // where the report's PDF is kept
	Location  *time.Location
}

// MakeFunders computes a period's figures, renders the funders' PDF and keeps it as the
// period's next version. actor is who asked (nil: the monthly job).
func MakeFunders(ctx context.Context, store *models.Store, actor *models.User, p models.Period, month *string, set Setup) (*models.Report, error) {
	f, err := store.ComputeFigures(ctx, p, set.Location)
	if err != nil {
		return nil, err
	}
	madeBy := "the monthly job"
	if actor != nil {
		madeBy = actor.Name
	}
	var buf bytes.Buffer
	if err := FundersPDF(&buf, f, Meta{StoreName: set.StoreName, MadeBy: madeBy, MadeAt: store.Now(), Location: set.Location}); err != nil {
		return nil, fmt.Errorf("render the report: %w", err)
	}
	return store.KeepReport(ctx, actor, f, month, buf.Bytes(), set.DataDir, set.Location)
}

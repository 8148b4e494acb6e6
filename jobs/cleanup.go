package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/scrapstore/scrapstore/models"
)

// Cleanup deletes expired tokens and stale login failures and idempotency records.
func Cleanup(ctx context.Context, store *models.Store, now time.Time) (string, error) {
	tokens, keys, err := store.DeleteExpired(ctx, now)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("deleted %d tokens and %d idempotency records", tokens, keys), nil
}

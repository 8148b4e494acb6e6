package models_test

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/models/testdb"
)

// The holder of a claim keeps renewing its lease while its request runs, and a holder
// whose claim was taken over cannot overwrite the new holder's record.
func TestIdempotencyClaimRenewal(t *testing.T) {
	var now atomic.Int64
	now.Store(time.Now().UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()) }
	testdb.EachWith(t, clock, func(t *testing.T, store *models.Store) {
		ctx := t.Context()
		first, _, err := store.ClaimIdempotencyKey(ctx, 1, "k", "h")
		if err != nil || first == nil {
			t.Fatalf("claim: %v, %v", first, err)
		}
		for i := 0; i < 3; i++ {
			now.Add(int64(models.IdempotencyLease * 2 / 3))
			if err := store.RenewIdempotencyKey(ctx, first); err != nil {
				t.Fatal(err)
			}
			var ce *models.ConflictError
			if _, _, err := store.ClaimIdempotencyKey(ctx, 1, "k", "h"); !errors.As(err, &ce) || ce.RetryAfterSeconds < 1 {
				t.Fatalf("claim while it is renewed: %v", err)
			}
		}
		now.Add(int64(models.IdempotencyLease + time.Second))
		second, _, err := store.ClaimIdempotencyKey(ctx, 1, "k", "h")
		if err != nil || second == nil || second.Holder == first.Holder {
			t.Fatalf("take-over: %+v, %v", second, err)
		}
		if err := store.FinishIdempotencyKey(ctx, first, 500, "text/plain", []byte("stale")); err != nil {
			t.Fatal(err)
		}
		if err := store.ReleaseIdempotencyKey(ctx, first); err != nil {
			t.Fatal(err)
		}
		if err := store.FinishIdempotencyKey(ctx, second, 201, "application/json", []byte(`{"id":1}`)); err != nil {
			t.Fatal(err)
		}
		_, prev, err := store.ClaimIdempotencyKey(ctx, 1, "k", "h")
		if err != nil || prev == nil || prev.Status != 201 || string(prev.Response) != `{"id":1}` {
			t.Fatalf("replay: %+v, %v", prev, err)
		}
	})
}

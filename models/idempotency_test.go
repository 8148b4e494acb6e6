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
		// The stalled first holder can neither do the work now nor write its answer.
		_, err = store.CreateUser(models.WithIdempotencyClaim(ctx, first), nil,
			models.NewUser{Email: "stalled@example.org", Name: "Stalled", Role: models.RoleStaff, Password: "long enough pw"})
		if !errors.Is(err, models.ErrConflict) {
			t.Fatalf("work under a claim taken over: %v", err)
		}
		if users, _, err := store.ListUsers(ctx, models.UserFilter{}, models.Page{}); err != nil || len(users) != 0 {
			t.Fatalf("the stalled holder's work was committed: %v, %v", users, err)
		}
		for _, status := range []int{201, 500} {
			if err := store.FinishIdempotencyKey(ctx, first, status, "text/plain", []byte("stale")); err != nil {
				t.Fatal(err)
			}
		}
		// The new holder does the work and keeps its answer.
		u, err := store.CreateUser(models.WithIdempotencyClaim(ctx, second), nil,
			models.NewUser{Email: "second@example.org", Name: "Second", Role: models.RoleStaff, Password: "long enough pw"})
		if err != nil {
			t.Fatal(err)
		}
		if err := store.FinishIdempotencyKey(ctx, second, 201, "application/json", []byte(`{"id":1}`)); err != nil {
			t.Fatal(err)
		}
		_, prev, err := store.ClaimIdempotencyKey(ctx, 1, "k", "h")
		if err != nil || prev == nil || prev.Status != 201 || string(prev.Response) != `{"id":1}` || !prev.Done || u.Email != "second@example.org" {
			t.Fatalf("replay: %+v, %v", prev, err)
		}
	})
}

// A request that fails (5xx) before its work is done frees its key for a retry; one
// that fails after its work was done keeps its answer, so that a retry does not do the
// work twice.
func TestIdempotencyFailure(t *testing.T) {
	testdb.Each(t, func(t *testing.T, store *models.Store) {
		ctx := t.Context()
		before, _, err := store.ClaimIdempotencyKey(ctx, 1, "before", "h")
		if err != nil {
			t.Fatal(err)
		}
		if err := store.FinishIdempotencyKey(ctx, before, 500, "application/problem+json", []byte("{}")); err != nil {
			t.Fatal(err)
		}
		if again, prev, err := store.ClaimIdempotencyKey(ctx, 1, "before", "h"); err != nil || again == nil || prev != nil {
			t.Fatalf("retry after a failure before the work: %v, %+v, %v", again, prev, err)
		}

		after, _, err := store.ClaimIdempotencyKey(ctx, 1, "after", "h")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := store.CreateUser(models.WithIdempotencyClaim(ctx, after), nil,
			models.NewUser{Email: "after@example.org", Name: "After", Role: models.RoleStaff, Password: "long enough pw"}); err != nil {
			t.Fatal(err)
		}
		if err := store.FinishIdempotencyKey(ctx, after, 500, "application/problem+json", []byte(`{"status":500}`)); err != nil {
			t.Fatal(err)
		}
		if again, prev, err := store.ClaimIdempotencyKey(ctx, 1, "after", "h"); err != nil || again != nil || prev == nil || prev.Status != 500 {
			t.Fatalf("retry after a failure after the work: %v, %+v, %v", again, prev, err)
		}
	})
}

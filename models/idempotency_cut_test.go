package models_test

import (
	"testing"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/models/testdb"
)

// A request cut short by its client (a phone that lost its signal) frees its key when
// its work was not done, so the phone's retry with the same key does the work instead
// of being answered "the client went away" for a day; once the work is done, the key
// keeps the answer.
func TestIdempotencyKeyOfARequestCutShort(t *testing.T) {
	testdb.Each(t, func(t *testing.T, store *models.Store) {
		ctx := t.Context()
		claim, _, err := store.ClaimIdempotencyKey(ctx, 1, "k", "h")
		if err != nil || claim == nil {
			t.Fatalf("claim: %v, %v", claim, err)
		}
		if err := store.FinishIdempotencyKey(ctx, claim, models.StatusClientClosed, "application/problem+json", []byte("{}")); err != nil {
			t.Fatal(err)
		}
		retry, prev, err := store.ClaimIdempotencyKey(ctx, 1, "k", "h")
		if err != nil || retry == nil || prev != nil {
			t.Fatalf("the retry did not get the key: %+v, %+v, %v", retry, prev, err)
		}
		u, err := store.CreateUser(models.WithIdempotencyClaim(ctx, retry), nil,
			models.NewUser{Email: "retry@example.org", Name: "Retry", Role: models.RoleStaff, Password: "long enough pw"})
		if err != nil {
			t.Fatal(err)
		}
		if err := store.FinishIdempotencyKey(ctx, retry, models.StatusClientClosed, "application/problem+json", []byte("{}")); err != nil {
			t.Fatal(err)
		}
		if _, prev, err := store.ClaimIdempotencyKey(ctx, 1, "k", "h"); err != nil || prev == nil {
			t.Fatalf("the work of user %d was done, yet the key was freed: %+v, %v", u.ID, prev, err)
		}
	})
}

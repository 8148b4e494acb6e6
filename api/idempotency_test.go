package api

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/models/testdb"
	"gorm.io/gorm"
)

func TestIdempotencyKey(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		mgr := e.as(models.RoleManager)
		body := map[string]any{"email": "once@example.org", "name": "Once", "role": "staff", "password": "long enough pw"}
		first := e.do(http.MethodPost, "/api/v1/users", mgr, body, "Idempotency-Key", "k1").want(http.StatusCreated)
		wantReplay(t, first, e.do(http.MethodPost, "/api/v1/users", mgr, body, "Idempotency-Key", "k1"))
		body["name"] = "Other"
		e.do(http.MethodPost, "/api/v1/users", mgr, body, "Idempotency-Key", "k1").problem(http.StatusUnprocessableEntity, "Idempotency-Key")
		// Another user's identical key is theirs alone.
		e.wantOneUser("once@example.org")
	})
}

// wantReplay checks that again replayed first.
func wantReplay(t *testing.T, first, again *result) {
	t.Helper()
	again.want(first.status)
	if string(first.body) != string(again.body) || again.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay differs:\n%s\n%s", first.body, again.body)
	}
}

// wantOneUser checks that exactly one user with the email was created.
func (e *testEnv) wantOneUser(email string) {
	e.t.Helper()
	var n int64
	e.store.DB(context.Background()).Model(&models.User{}).Where("email = ?", email).Count(&n)
	if n != 1 {
		e.t.Fatalf("%d users with email %s, want 1", n, email)
	}
}

// Identical requests at the same moment create one thing: one runs, and each of the
// others either replays its response or, while it still runs, is told to retry.
func TestIdempotencyKeyConcurrent(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		mgr := e.as(models.RoleManager)
		body := map[string]any{"email": "racer@example.org", "name": "Racer", "role": "driver", "password": "long enough pw"}
		const n = 12
		results := make([]*result, n)
		parallel(n, func(i int) {
			results[i] = e.do(http.MethodPost, "/api/v1/users", mgr, body, "Idempotency-Key", "race")
		})
		var created []string
		for i, res := range results {
			switch res.status {
			case http.StatusCreated:
				created = append(created, string(res.body))
			case http.StatusConflict:
				res.problem(http.StatusConflict, "")
				if res.header.Get("Retry-After") != "1" {
					t.Fatalf("request %d: 409 with Retry-After %q", i, res.header.Get("Retry-After"))
				}
			default:
				t.Fatalf("request %d: %d %s", i, res.status, res.body)
			}
		}
		final := e.do(http.MethodPost, "/api/v1/users", mgr, body, "Idempotency-Key", "race").want(http.StatusCreated)
		for _, b := range created {
			if b != string(final.body) {
				t.Fatalf("responses differ:\n%s\n%s", b, final.body)
			}
		}
		e.wantOneUser("racer@example.org")
	})
}

// A claim left running by a process that was killed does not hold its retries: while its
// lease lasts they are told at once to retry, and once it has run out one takes it over.
func TestIdempotencyKeyAfterACrash(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		mgr := e.users[models.RoleManager]
		body := []byte(`{"email":"crash@example.org","name":"Crash","role":"staff","password":"long enough pw"}`)
		req := e.request(http.MethodPost, "/api/v1/users", e.as(models.RoleManager), body, "Idempotency-Key", "k-crash")
		// What the killed process left: its claim, still running, its lease not yet out.
		lease := time.Now().UTC().Add(models.IdempotencyLease / 2)
		left := models.IdempotencyKey{UserID: mgr.ID, Key: "k-crash", RequestHash: requestHash(req, body), Holder: "the dead process",
			LeaseUntil: &lease, CreatedAt: time.Now().UTC()}
		testdb.Write(t, e.store, func(tx *gorm.DB) *gorm.DB { return tx.Create(&left) })
		retry := func() *result {
			return e.do(http.MethodPost, "/api/v1/users", e.as(models.RoleManager), body, "Idempotency-Key", "k-crash")
		}
		res := retry()
		res.problem(http.StatusConflict, "")
		if res.header.Get("Retry-After") == "" {
			t.Fatal("409 without Retry-After")
		}
		// Another body under the key is still refused as such.
		e.do(http.MethodPost, "/api/v1/users", e.as(models.RoleManager), `{"email":"other@example.org"}`, "Idempotency-Key", "k-crash").
			problem(http.StatusUnprocessableEntity, "Idempotency-Key")
		// The lease runs out: the next retry takes the claim over and creates the user.
		testdb.Write(t, e.store, func(tx *gorm.DB) *gorm.DB {
			return tx.Model(&models.IdempotencyKey{}).Where("id = ?", left.ID).Update("lease_until", time.Now().UTC().Add(-time.Second))
		})
		wantReplay(t, retry().want(http.StatusCreated), retry())
		var rec models.IdempotencyKey
		e.store.DB(t.Context()).Where("key = ?", "k-crash").Take(&rec)
		if rec.Status != http.StatusCreated || rec.Holder == left.Holder || rec.LeaseUntil != nil || !rec.Done {
			t.Fatalf("record after the take-over: status %d, holder %q, lease %v", rec.Status, rec.Holder, rec.LeaseUntil)
		}
		e.wantOneUser("crash@example.org")
	})
}

// A claim whose holder died after its work was committed but before its response was
// kept is not taken over: the work is not done twice, and the retry is told why.
func TestIdempotencyKeyDoneButAnswerLost(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		body := []byte(`{"email":"lost@example.org","name":"Lost","role":"staff","password":"long enough pw"}`)
		req := e.request(http.MethodPost, "/api/v1/users", e.as(models.RoleManager), body, "Idempotency-Key", "k-lost")
		expired := time.Now().UTC().Add(-time.Second)
		left := models.IdempotencyKey{UserID: e.users[models.RoleManager].ID, Key: "k-lost", RequestHash: requestHash(req, body),
			Holder: "the dead process", LeaseUntil: &expired, Done: true, CreatedAt: time.Now().UTC()}
		testdb.Write(t, e.store, func(tx *gorm.DB) *gorm.DB { return tx.Create(&left) })
		res := e.serve(req)
		res.problem(http.StatusConflict, "")
		if res.header.Get("Retry-After") != "" {
			t.Fatalf("told to retry what will never change: %s", res.body)
		}
		var n int64
		e.store.DB(t.Context()).Model(&models.User{}).Where("email = ?", "lost@example.org").Count(&n)
		if n != 0 {
			t.Fatalf("the retry did the work again")
		}
	})
}

// A claim made before leases existed, left by a process that died, is taken over too.
func TestIdempotencyKeyWithoutLease(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		body := []byte(`{"email":"old@example.org","name":"Old","role":"staff","password":"long enough pw"}`)
		req := e.request(http.MethodPost, "/api/v1/users", e.as(models.RoleManager), body, "Idempotency-Key", "k-old")
		left := models.IdempotencyKey{UserID: e.users[models.RoleManager].ID, Key: "k-old", RequestHash: requestHash(req, body),
			CreatedAt: time.Now().UTC()}
		testdb.Write(t, e.store, func(tx *gorm.DB) *gorm.DB { return tx.Create(&left) })
		e.serve(req).want(http.StatusCreated)
	})
}

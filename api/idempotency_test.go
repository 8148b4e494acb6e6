package api

import (
	"net/http"
	"testing"

	"github.com/scrapstore/scrapstore/models"
)

func TestIdempotencyKey(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		mgr := e.as(models.RoleManager)
		body := map[string]any{"email": "once@example.org", "name": "Once", "role": "staff", "password": "long enough pw"}
		first := e.do(http.MethodPost, "/api/v1/users", mgr, body, "Idempotency-Key", "k1").want(http.StatusCreated)
		again := e.do(http.MethodPost, "/api/v1/users", mgr, body, "Idempotency-Key", "k1").want(http.StatusCreated)
		if string(first.body) != string(again.body) || again.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay differs:\n%s\n%s", first.body, again.body)
		}
		body["name"] = "Other"
		e.do(http.MethodPost, "/api/v1/users", mgr, body, "Idempotency-Key", "k1").problem(http.StatusUnprocessableEntity, "Idempotency-Key")
		// Another user's identical key is theirs alone.
		var n int64
		e.store.DB(t.Context()).Model(&models.User{}).Where("email = ?", "once@example.org").Count(&n)
		if n != 1 {
			t.Fatalf("%d users created, want 1", n)
		}
	})
}

// Identical requests at the same moment create one thing, and all get its response.
func TestIdempotencyKeyConcurrent(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		mgr := e.as(models.RoleManager)
		body := map[string]any{"email": "racer@example.org", "name": "Racer", "role": "driver", "password": "long enough pw"}
		const n = 12
		statuses := make([]int, n)
		bodies := make([]string, n)
		parallel(n, func(i int) {
			res := e.do(http.MethodPost, "/api/v1/users", mgr, body, "Idempotency-Key", "race")
			statuses[i], bodies[i] = res.status, string(res.body)
		})
		for i := range statuses {
			if statuses[i] != http.StatusCreated || bodies[i] != bodies[0] {
				t.Fatalf("request %d: %d %s (first: %s)", i, statuses[i], bodies[i], bodies[0])
			}
		}
		var count int64
		e.store.DB(t.Context()).Model(&models.User{}).Where("email = ?", "racer@example.org").Count(&count)
		if count != 1 {
			t.Fatalf("%d users created, want 1", count)
		}
	})
}

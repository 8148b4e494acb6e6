package api

import (
	"net/http"
	"slices"
	"strconv"
	"testing"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/models/testdb"
)

// Two Scrapstore processes on one database (two servers, each with a pool of its own)
// serve the same data; a sign-in on one holds on the other and a sign-out on one ends it
// on both; the sign-in limit counts attempts at both; and a keyed request sent to both
// at once creates one thing.
func TestTwoProcessesShareOneDatabase(t *testing.T) {
	eachEnv(t, func(t *testing.T, a *testEnv) {
		b := *a
		b.srv, b.sched = newTestServer(t, testdb.Another(t, a.store, nil), Config{})
		both := []*testEnv{a, &b}

		staff := a.users[models.RoleStaff]
		var lr loginResponse
		a.loginFrom(owner, staff.Email, testPassword).want(http.StatusOK).decode(&lr)
		var loc models.Location
		a.do(http.MethodPost, "/api/v1/locations", lr.Token, map[string]string{"code": "Z9", "name": "Bay Z9", "kind": "bay"}).want(http.StatusCreated).
			decode(&loc)
		b.do(http.MethodPatch, "/api/v1/locations/"+itoa(loc.ID), lr.Token, map[string]string{"name": "Bay Z9 (back)"}).want(http.StatusOK)
		var list List[models.Location]
		a.do(http.MethodGet, "/api/v1/locations", lr.Token, nil).want(http.StatusOK).decode(&list)
		if i := slices.IndexFunc(list.Items, func(l models.Location) bool { return l.ID == loc.ID }); i < 0 || list.Items[i].Name != "Bay Z9 (back)" {
			t.Fatalf("the location changed by the other process reads %+v", list.Items)
		}
		b.do(http.MethodPost, "/api/v1/auth/logout", lr.Token, nil).want(http.StatusNoContent)
		a.do(http.MethodGet, "/api/v1/me", lr.Token, nil).problem(http.StatusUnauthorized, "")

		const n = 40
		statuses := make([]int, n)
		parallel(n, func(i int) {
			statuses[i] = both[i%2].loginFrom(attacker, a.users[models.RoleDriver].Email, "wrong password "+strconv.Itoa(i)).status
		})
		if got := tally(statuses); got[http.StatusUnauthorized] != models.LoginFailureLimit ||
			got[http.StatusTooManyRequests] != n-models.LoginFailureLimit {
			t.Fatalf("%d wrong passwords at once, sent to two processes, were answered %v; want %d checked (401), the rest 429", n, got,
				models.LoginFailureLimit)
		}

		mgr := a.as(models.RoleManager)
		body := map[string]any{"email": "twice@example.org", "name": "Twice", "role": "staff", "password": "long enough pw"}
		parallel(12, func(i int) {
			res := both[i%2].do(http.MethodPost, "/api/v1/users", mgr, body, "Idempotency-Key", "both")
			if res.status != http.StatusCreated && res.status != http.StatusConflict {
				t.Errorf("keyed request %d: %d %s", i, res.status, res.body)
			}
		})
		a.wantOneUser("twice@example.org")
	})
}

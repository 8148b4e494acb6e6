package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"

	"github.com/scrapstore/scrapstore/models"
)

func TestUsers(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		mgr := e.as(models.RoleManager)
		var u models.User
		e.do(http.MethodPost, "/api/v1/users", mgr, map[string]any{"email": "New.Member@Example.org", "name": "New Member", "role": "member",
			"organisation_id": e.org.ID, "password": "long enough pw"}).
			want(http.StatusCreated).decode(&u)
		if u.Email != "new.member@example.org" || u.OrganisationID == nil || *u.OrganisationID != e.org.ID || !u.Active {
			t.Fatalf("created %+v", u)
		}
		e.do(http.MethodPost, "/api/v1/users", mgr, map[string]any{"email": "new.member@example.org", "name": "Twice", "role": "staff",
			"password": "long enough pw"}).problem(http.StatusConflict, "")
		e.do(http.MethodPost, "/api/v1/users", mgr, map[string]any{"email": "not-an-email", "name": "X", "role": "staff",
			"password": "long enough pw"}).problem(http.StatusUnprocessableEntity, "email")
		e.do(http.MethodPost, "/api/v1/users", mgr, map[string]any{"email": "a@b.org", "name": "X", "role": "wizard", "password": "long enough pw"}).
			problem(http.StatusUnprocessableEntity, "role")
		e.do(http.MethodPost, "/api/v1/users", mgr, map[string]any{"email": "a@b.org", "name": "X", "role": "member", "password": "long enough pw"}).
			problem(http.StatusUnprocessableEntity, "organisation_id")
		e.do(http.MethodPost, "/api/v1/users", mgr, map[string]any{"email": "a@b.org", "name": "X", "role": "member", "organisation_id": 999999,
			"password": "long enough pw"}).problem(http.StatusUnprocessableEntity, "organisation_id")
		e.do(http.MethodPost, "/api/v1/users", mgr, map[string]any{"email": "a@b.org", "name": "X", "role": "staff", "password": "short"}).
			problem(http.StatusUnprocessableEntity, "password")
		for _, weak := range []string{"password123", "1234567890", "          ", "zzzzzzzzzzzz"} {
			e.do(http.MethodPost, "/api/v1/users", mgr, map[string]any{"email": "a@b.org", "name": "X", "role": "staff", "password": weak}).
				problem(http.StatusUnprocessableEntity, "password")
		}
		e.do(http.MethodPost, "/api/v1/users", e.as(models.RoleStaff), map[string]any{"email": "a@b.org", "name": "X", "role": "staff",
			"password": "long enough pw"}).problem(http.StatusForbidden, "")

		path := "/api/v1/users/" + strconv.FormatInt(u.ID, 10)
		var got models.User
		e.do(http.MethodPatch, path, mgr, map[string]any{"name": "Renamed", "role": "staff"}).want(http.StatusOK).decode(&got)
		if got.Name != "Renamed" || got.Role != models.RoleStaff || got.OrganisationID != nil {
			t.Fatalf("patched %+v", got)
		}
		e.do(http.MethodGet, "/api/v1/users/999999", mgr, nil).problem(http.StatusNotFound, "")
		e.do(http.MethodGet, "/api/v1/users/abc", mgr, nil).problem(http.StatusNotFound, "")
		// A manager cannot lock themselves out.
		e.do(http.MethodPatch, "/api/v1/users/"+strconv.FormatInt(e.users[models.RoleManager].ID, 10), mgr, map[string]any{"active": false}).
			problem(http.StatusUnprocessableEntity, "active")

		// The audit log has both changes, with what changed.
		var audit List[models.AuditEntry]
		e.do(http.MethodGet, "/api/v1/audit?entity_type=user&entity_id="+strconv.FormatInt(u.ID, 10), mgr, nil).want(http.StatusOK).decode(&audit)
		if len(audit.Items) != 2 || audit.Items[0].Action != "update" || audit.Items[1].Action != "create" ||
			*audit.Items[0].ActorID != e.users[models.RoleManager].ID {
			t.Fatalf("audit = %+v", audit.Items)
		}
		var changes map[string]map[string]any
		if err := json.Unmarshal(audit.Items[0].Changes, &changes); err != nil || changes["name"]["to"] != "Renamed" ||
			changes["role"]["from"] != "member" {
			t.Fatalf("changes = %s", audit.Items[0].Changes)
		}
	})
}

// Lists page with an opaque cursor; every item is seen once.
func TestListPaging(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		for i := 0; i < 7; i++ {
			e.newUser(models.RoleDriver, nil)
		}
		seen := map[int64]bool{}
		path := "/api/v1/users?role=driver&limit=3"
		pages := 0
		for {
			var page List[models.User]
			e.do(http.MethodGet, path, e.as(models.RoleManager), nil).want(http.StatusOK).decode(&page)
			pages++
			for _, u := range page.Items {
				if seen[u.ID] || u.Role != models.RoleDriver {
					t.Fatalf("user %d seen twice or wrong role", u.ID)
				}
				seen[u.ID] = true
			}
			if page.NextCursor == nil {
				break
			}
			path = "/api/v1/users?role=driver&limit=3&cursor=" + *page.NextCursor
		}
		if len(seen) != 8 || pages != 3 {
			t.Fatalf("saw %d drivers in %d pages, want 8 in 3", len(seen), pages)
		}
		mgr := e.as(models.RoleManager)
		e.do(http.MethodGet, "/api/v1/users?limit=0", mgr, nil).problem(http.StatusUnprocessableEntity, "limit")
		e.do(http.MethodGet, "/api/v1/users?limit=201", mgr, nil).problem(http.StatusUnprocessableEntity, "limit")
		e.do(http.MethodGet, "/api/v1/users?limit=ten", mgr, nil).problem(http.StatusUnprocessableEntity, "limit")
		e.do(http.MethodGet, "/api/v1/users?cursor=!!!", mgr, nil).problem(http.StatusUnprocessableEntity, "cursor")
		e.do(http.MethodGet, "/api/v1/users?active=maybe", mgr, nil).problem(http.StatusUnprocessableEntity, "active")
	})
}

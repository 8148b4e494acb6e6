package api

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scrapstore/scrapstore/models"
)

// Every member-reachable route that names another group's object answers 404, exactly
// as for an object that does not exist, and changes nothing.
func TestEveryMemberRouteHidesOtherGroups(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.openEveryDay(5)
		item := e.newStock("Glue sticks", 50, 0.02)
		other, otherTok, theirs := e.otherGroupsReservation(item, 3)
		ids := map[string]int64{"/api/v1/organisations/": other.ID, "/api/v1/reservations/": theirs.ID}
		member := e.as(models.RoleMember)
		checked := 0
		for _, r := range e.srv.routes {
			if !slices.Contains(r.roles, models.RoleMember) || !strings.Contains(r.path, ":id") {
				continue
			}
			for prefix, id := range ids {
				if !strings.HasPrefix(r.path, prefix) {
					continue
				}
				path := strings.Replace(r.path, ":id", itoa(id), 1)
				var body any
				if r.method == http.MethodPatch {
					body = map[string]any{"notes": "mine", "slot_start": e.tomorrowSlot().Add(time.Hour)}
					if prefix == "/api/v1/organisations/" {
						body = map[string]any{"phone": "0121 000 0000"}
					}
				}
				p := e.do(r.method, path, member, body).problem(http.StatusNotFound, "")
				missing := e.do(r.method, strings.Replace(r.path, ":id", "987654", 1), member, body).problem(http.StatusNotFound, "")
				if p.Title != missing.Title || strings.Contains(p.Detail, other.Name) {
					t.Errorf("%s %s says more than a missing object would: %q", r.method, r.path, p.Detail)
				}
				checked++
			}
		}
		if checked < 6 {
			t.Fatalf("only %d member routes checked", checked)
		}
		var still models.Reservation
		e.do(http.MethodGet, "/api/v1/reservations/"+itoa(theirs.ID), otherTok, nil).want(http.StatusOK).decode(&still)
		if still.Status != "pending" || still.Notes != "" || e.stockItem(item).ReservedMilli.Quantity() != 3 {
			t.Fatalf("the other group's reservation changed: %+v", still)
		}
	})
}

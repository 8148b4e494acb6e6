package api

import (
	"net/http"
	"testing"

	"github.com/scrapstore/scrapstore/models"
)

// The reason sent to cancel is kept; a field an action does not take is a 400 naming
// it, on cancel and confirm alike, and changes nothing.
func TestCancelKeepsItsReason(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.openEveryDay(3)
		card := e.newStock("Card tubes", 20, 0.2)
		member, staff := e.as(models.RoleMember), e.as(models.RoleStaff)
		var r models.Reservation
		e.reserve(member, line(card, 2)).want(http.StatusCreated).decode(&r)
		path := "/api/v1/reservations/" + itoa(r.ID)

		e.do(http.MethodPost, path+"/confirm", staff, map[string]any{"reason": "ok"}).problem(http.StatusBadRequest, "reason")
		e.do(http.MethodPost, path+"/cancel", member, map[string]any{"why": "trip off"}).problem(http.StatusBadRequest, "why")
		e.do(http.MethodGet, path, member, nil).want(http.StatusOK).decode(&r)
		if r.Status != models.StatusPending {
			t.Fatalf("refused actions changed the reservation: %+v", r)
		}

		e.do(http.MethodPost, path+"/cancel", member, map[string]any{"reason": "  the coach fell through  "}).want(http.StatusOK).decode(&r)
		if r.Status != models.StatusCancelled || r.CancelReason != "the coach fell through" {
			t.Fatalf("after cancelling with a reason: %+v", r)
		}
		var kept models.Reservation
		e.do(http.MethodGet, path, staff, nil).want(http.StatusOK).decode(&kept)
		if kept.CancelReason != "the coach fell through" {
			t.Fatalf("the reason was not kept: %+v", kept)
		}

		// Without a body, cancelling still works and the reason is empty.
		var other models.Reservation
		e.do(http.MethodPost, "/api/v1/reservations", member, map[string]any{"slot_start": e.tomorrowSlot().AddDate(0, 0, 1), "lines": []any{line(card, 1)}}).
			want(http.StatusCreated).decode(&other)
		e.do(http.MethodPost, "/api/v1/reservations/"+itoa(other.ID)+"/cancel", member, nil).want(http.StatusOK).decode(&other)
		if other.Status != models.StatusCancelled || other.CancelReason != "" {
			t.Fatalf("cancelled without a body: %+v", other)
		}
	})
}

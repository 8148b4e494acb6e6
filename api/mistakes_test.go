package api

import (
	"net/http"
	"testing"

	"github.com/scrapstore/scrapstore/models"
)

// The reason sent to cancel is kept; a field an action does not take is a 400 naming
// it, on cancel, confirm and every other action alike, and changes nothing.
func TestCancelKeepsItsReason(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		card, r := e.twoCardTubes()
		member, staff := e.as(models.RoleMember), e.as(models.RoleStaff)
		path := "/api/v1/reservations/" + itoa(r.ID)

		if p := e.do(http.MethodPost, path+"/confirm", staff, map[string]any{"reason": "ok"}).
			problem(http.StatusBadRequest, "reason"); p.Detail != "reason is not a field of this request, which takes no fields" {
			t.Errorf("confirm with a reason: %q", p.Detail)
		}
		if p := e.do(http.MethodPost, path+"/cancel", member, map[string]any{"why": "trip off"}).
			problem(http.StatusBadRequest, "why"); p.Detail != "why is not a field of this request, which takes reason" {
			t.Errorf("cancel with why: %q", p.Detail)
		}
		// The same on every action that takes no body.
		e.do(http.MethodPost, "/api/v1/stocktakes/999/close", staff, map[string]any{"force": true}).problem(http.StatusBadRequest, "force")
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
		e.do(http.MethodPost, "/api/v1/reservations", member, map[string]any{"slot_start": e.tomorrowSlot().AddDate(0, 0, 1),
			"lines": []any{line(card, 1)}}).
			want(http.StatusCreated).decode(&other)
		e.do(http.MethodPost, "/api/v1/reservations/"+itoa(other.ID)+"/cancel", member, nil).want(http.StatusOK).decode(&other)
		if other.Status != models.StatusCancelled || other.CancelReason != "" {
			t.Fatalf("cancelled without a body: %+v", other)
		}
	})
}

// Validation messages say what is accepted, at the field that is wrong.
func TestMessagesListWhatIsAccepted(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.seedOneOfEach() // stop 1 is a planned pickup, furniture item 1 is received
		staff := e.as(models.RoleStaff)
		textiles := e.newCategory("Textiles", "bag", map[string]float64{"bag": 3}, 2.1)
		shelf := e.newLocation("T1")
		message := func(res *result, field string) string {
			t.Helper()
			msg, ok := fieldMessage(res, field)
			if !ok {
				t.Fatalf("no 422 at %s: %d %s", field, res.status, res.body)
			}
			return msg
		}
		donation := func(unit string) *result {
			return e.do(http.MethodPost, "/api/v1/donations", staff, map[string]any{"lines": []any{map[string]any{
				"category_id": textiles.ID, "description": "offcuts", "quantity": 2, "unit": unit, "location_id": shelf.ID}}})
		}
		cases := []struct {
			name, field, want string
			res               *result
		}{
			{"a unit that does not exist", "lines[0].unit", "must be one of each, bag, box, sheet, roll, metre, kg", donation("metres")},
			{"a unit the category has no weight for", "lines[0].unit", "Textiles has no weight per metre: give weight_kg, or count it in one of bag, kg",
				donation("metre")},
			{"a stop completed without its location", "location_id", "is required: the id of the location the collection is put away at",
				e.do(http.MethodPost, "/api/v1/stops/1/complete", staff, map[string]any{"lines": []any{map[string]any{"category_id": textiles.ID,
					"description": "offcuts", "quantity": 1, "weight_kg": 5}}})},
			{"a stop completed at a location that does not exist", "location_id", "no location with id 999",
				e.do(http.MethodPost, "/api/v1/stops/1/complete", staff, map[string]any{"location_id": 999,
					"lines": []any{map[string]any{"category_id": textiles.ID, "description": "offcuts", "quantity": 1, "weight_kg": 5}}})},
			{"an empty list", "ids", "must have at least 1 item", e.do(http.MethodPost, "/api/v1/furniture/labels.pdf", staff,
				map[string]any{"ids": []int64{}})},
			{"a furniture status that does not exist", "status", "must be one of received, checking, in_repair, available, reserved, passed_on, disposed",
				e.do(http.MethodPost, "/api/v1/furniture/1/status", staff, map[string]any{"status": "sold"})},
		}
		for _, c := range cases {
			if got := message(c.res, c.field); got != c.want {
				t.Errorf("%s: %s says %q, want %q", c.name, c.field, got, c.want)
			}
		}
	})
}

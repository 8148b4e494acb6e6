package api

import (
	"net/http"
	"testing"

	"github.com/scrapstore/scrapstore/models"
)

func TestSlotsAPI(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		staff, member := e.as(models.RoleStaff), e.as(models.RoleMember)
		var rule models.SlotRule
		e.do(http.MethodPost, "/api/v1/slot-rules", staff, map[string]any{"weekday": 4, "starts": "16:00", "ends": "18:00", "slot_minutes": 60,
			"places": 2, "label": "Schools evening"}).
			want(http.StatusCreated).decode(&rule)
		e.do(http.MethodPost, "/api/v1/slot-rules", staff, map[string]any{"weekday": 4, "starts": "16:00", "ends": "25:00", "slot_minutes": 60,
			"places": 2}).problem(http.StatusUnprocessableEntity, "ends")
		e.do(http.MethodPost, "/api/v1/slot-rules", member, map[string]any{"weekday": 4, "starts": "16:00", "ends": "18:00", "slot_minutes": 60,
			"places": 2}).problem(http.StatusForbidden, "")
		e.do(http.MethodPost, "/api/v1/closed-days", staff, map[string]any{"day": "2026-12-24", "reason": "Christmas Eve"}).want(http.StatusCreated)
		e.do(http.MethodPost, "/api/v1/closed-days", staff, map[string]any{"day": "2026-12-24"}).problem(http.StatusConflict, "")

		var slots List[models.Slot]
		e.do(http.MethodGet, "/api/v1/slots?from=2026-12-17&to=2026-12-31", member, nil).want(http.StatusOK).decode(&slots)
		// Thursdays 17th, 24th (closed) and 31st: two slots each on the open days.
		if len(slots.Items) != 4 || slots.Items[0].Free != 2 || slots.Items[0].Label != "Schools evening" || slots.Items[2].Start.Day() != 31 {
			t.Fatalf("slots = %+v", slots.Items)
		}
		var closed List[models.ClosedDay]
		e.do(http.MethodGet, "/api/v1/closed-days?from=2026-12-01", member, nil).want(http.StatusOK).decode(&closed)
		if len(closed.Items) != 1 || closed.Items[0].Reason != "Christmas Eve" {
			t.Fatalf("closed = %+v", closed.Items)
		}
		e.do(http.MethodGet, "/api/v1/slots?from=tomorrow", member, nil).problem(http.StatusUnprocessableEntity, "from")
		e.do(http.MethodGet, "/api/v1/slots?from=2026-12-17&to=2026-12-01", member, nil).problem(http.StatusUnprocessableEntity, "to")
		e.do(http.MethodGet, "/api/v1/slots?from=2026-01-01&to=2026-12-01", member, nil).problem(http.StatusUnprocessableEntity, "to")

		e.do(http.MethodDelete, "/api/v1/slot-rules/999999", staff, nil).problem(http.StatusNotFound, "")
		e.do(http.MethodDelete, "/api/v1/slot-rules/"+itoa(rule.ID), staff, nil).want(http.StatusNoContent)
		e.do(http.MethodGet, "/api/v1/slots?from=2026-12-17&to=2026-12-31", member, nil).want(http.StatusOK).decode(&slots)
		if len(slots.Items) != 0 {
			t.Fatalf("slots after removing the rule: %+v", slots.Items)
		}
	})
}

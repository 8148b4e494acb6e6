package api

import (
	"net/http"
	"testing"

	"github.com/scrapstore/scrapstore/models"
)

// Stock items and reservation lines carry the names people read beside the ids: the
// category's name, the location's code, the unit and the description.
func TestAnswersCarryNames(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.openEveryDay(3)
		cat := e.newCategory("Fabric offcuts", "bag", map[string]float64{"bag": 2.5}, 2.1)
		loc := e.newLocation("B3-S2")
		staff, member := e.as(models.RoleStaff), e.as(models.RoleMember)
		var d models.Donation
		e.do(http.MethodPost, "/api/v1/donations", staff, map[string]any{"lines": []any{map[string]any{
			"category_id": cat.ID, "description": "Velvet, mixed colours", "quantity": 4, "location_id": loc.ID}}}).want(http.StatusCreated).decode(&d)
		item := d.Lines[0].StockItemID

		check := func(where string, got models.StockItem) {
			t.Helper()
			if got.ID != item || got.CategoryID != cat.ID || got.Category != "Fabric offcuts" || got.LocationID != loc.ID || got.Location != "B3-S2" ||
				got.Unit != "bag" || got.Description != "Velvet, mixed colours" {
				t.Errorf("%s: %+v", where, got)
			}
		}
		check("GET /stock/{id}", e.stockItem(item))
		var list List[models.StockItem]
		e.do(http.MethodGet, "/api/v1/stock", member, nil).want(http.StatusOK).decode(&list)
		if len(list.Items) != 1 {
			t.Fatalf("stock list %+v", list)
		}
		check("GET /stock", list.Items[0])
		var patched models.StockItem
		e.do(http.MethodPatch, "/api/v1/stock/"+itoa(item), staff, map[string]any{"kg_per_unit": 2.6}).want(http.StatusOK).decode(&patched)
		check("PATCH /stock/{id}", patched)

		var r models.Reservation
		e.reserve(member, line(item, 2)).want(http.StatusCreated).decode(&r)
		want := models.ReservationLine{StockItemID: item, Description: "Velvet, mixed colours", Unit: "bag", Category: "Fabric offcuts", Location: "B3-S2"}
		checkLine := func(where string, r models.Reservation) {
			t.Helper()
			if len(r.Lines) != 1 {
				t.Fatalf("%s: lines %+v", where, r.Lines)
			}
			l := r.Lines[0]
			if l.StockItemID != want.StockItemID || l.Description != want.Description || l.Unit != want.Unit || l.Category != want.Category ||
				l.Location != want.Location {
				t.Errorf("%s: line %+v, want the names of %+v", where, l, want)
			}
		}
		checkLine("POST /reservations", r)
		var got models.Reservation
		e.do(http.MethodGet, "/api/v1/reservations/"+itoa(r.ID), member, nil).want(http.StatusOK).decode(&got)
		checkLine("GET /reservations/{id}", got)
		var rs List[models.Reservation]
		e.do(http.MethodGet, "/api/v1/reservations", staff, nil).want(http.StatusOK).decode(&rs)
		checkLine("GET /reservations", rs.Items[0])
	})
}

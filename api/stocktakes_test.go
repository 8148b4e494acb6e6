package api

import (
	"net/http"
	"testing"

	"github.com/scrapstore/scrapstore/models"
)

// A stocktake's differences become adjustments, and stock that moves while it is open
// is not mistaken for a difference.
func TestStocktake(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		staff := e.as(models.RoleStaff)
		cat := e.newCategory("Craft", "each", map[string]float64{"each": 0.1}, 1)
		shelf, other := e.newLocation("B1-S1"), e.newLocation("B2-S1")
		var d models.Donation
		e.do(http.MethodPost, "/api/v1/donations", staff, map[string]any{"lines": []map[string]any{
			{"category_id": cat.ID, "description": "Pipe cleaners", "location_id": shelf.ID, "quantity": 50},
			{"category_id": cat.ID, "description": "Pom poms", "location_id": shelf.ID, "quantity": 30},
			{"category_id": cat.ID, "description": "Glitter", "location_id": other.ID, "quantity": 5},
		}}).want(http.StatusCreated).decode(&d)
		cleaners, poms, glitter := d.Lines[0].StockItemID, d.Lines[1].StockItemID, d.Lines[2].StockItemID

		var st models.Stocktake
		e.do(http.MethodPost, "/api/v1/stocktakes", staff, map[string]any{"location_id": shelf.ID}).want(http.StatusCreated).decode(&st)
		if len(st.Lines) != 2 || st.Lines[0].ExpectedMilli.Quantity() != 50 {
			t.Fatalf("opened %+v", st.Lines)
		}
		path := "/api/v1/stocktakes/" + itoa(st.ID)
		// Ten more pipe cleaners arrive while the count goes on, after they were counted.
		e.do(http.MethodPut, path+"/lines", staff, map[string]any{"lines": []map[string]any{{"stock_item_id": cleaners, "counted": 47}}}).
			want(http.StatusOK)
		e.do(http.MethodPost, "/api/v1/donations", staff, map[string]any{"lines": []map[string]any{{"stock_item_id": cleaners, "quantity": 10}}}).
			want(http.StatusCreated)
		// An item on another shelf is not part of this count.
		e.do(http.MethodPut, path+"/lines", staff, map[string]any{"lines": []map[string]any{{"stock_item_id": glitter, "counted": 4}}}).
			problem(http.StatusUnprocessableEntity, "lines[0].stock_item_id")
		// Pom poms are counted after 5 went to a workshop.
		e.do(http.MethodPost, "/api/v1/stock/"+itoa(poms)+"/adjustments", staff, map[string]any{"delta": -5, "reason": "used_in_workshop"}).
			want(http.StatusOK)
		e.do(http.MethodPut, path+"/lines", staff, map[string]any{"lines": []map[string]any{{"stock_item_id": poms, "counted": 25}}}).
			want(http.StatusOK).decode(&st)
		if len(st.Lines) != 2 || st.Lines[0].Difference.Quantity() != -3 || st.Lines[1].Difference.Quantity() != 0 {
			t.Fatalf("counted %+v", st.Lines)
		}
		e.do(http.MethodPut, path+"/lines", staff, map[string]any{"lines": []map[string]any{{"stock_item_id": poms, "counted": -1}}}).
			problem(http.StatusUnprocessableEntity, "lines[0].counted")
		// Two closes at once book the differences once.
		closes := make([]int, 4)
		parallel(4, func(i int) { closes[i] = e.do(http.MethodPost, path+"/close", staff, nil).status })
		okCloses := 0
		for _, c := range closes {
			if c == http.StatusOK {
				okCloses++
			}
		}
		e.do(http.MethodGet, path, staff, nil).want(http.StatusOK).decode(&st)
		if st.Status != "closed" || okCloses != 1 {
			t.Fatalf("status %s after %d successful closes", st.Status, okCloses)
		}
		// 50 + 10 received - 3 missing = 57; pom poms as counted; glitter untouched.
		for item, want := range map[int64]float64{cleaners: 57, poms: 25, glitter: 5} {
			if got := e.stockItem(item).OnHandMilli.Quantity(); got != want {
				t.Errorf("item %d: %v on hand, want %v", item, got, want)
			}
		}
		var moves List[models.Movement]
		e.do(http.MethodGet, "/api/v1/stock/"+itoa(cleaners)+"/movements", staff, nil).want(http.StatusOK).decode(&moves)
		if moves.Items[0].Kind != "adjusted" || moves.Items[0].Reason != "stocktake" || moves.Items[0].QuantityMilli.Quantity() != -3 {
			t.Fatalf("last movement %+v", moves.Items[0])
		}
		e.do(http.MethodPost, path+"/close", staff, nil).problem(http.StatusConflict, "")
		e.do(http.MethodPut, path+"/lines", staff, map[string]any{"lines": []map[string]any{{"stock_item_id": poms, "counted": 1}}}).
			problem(http.StatusConflict, "")
		e.do(http.MethodPost, "/api/v1/stocktakes", staff, map[string]any{}).problem(http.StatusUnprocessableEntity, "location_id")
		e.do(http.MethodPost, "/api/v1/stocktakes", e.as(models.RoleDriver), map[string]any{"location_id": shelf.ID}).problem(http.StatusForbidden, "")
		e.checkLedger()
	})
}

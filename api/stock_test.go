package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gorm.io/gorm"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/models/testdb"
)

// newCategory is a builder: a category with unit weights in kg and a CO2e factor.
func (e *testEnv) newCategory(name, unit string, weights map[string]float64, factor float64) *models.CategoryView {
	return e.fx.Category(name, unit, weights, factor)
}

func (e *testEnv) newLocation(code string) *models.Location { return e.fx.Location(code) }

func (e *testEnv) stockItem(id int64) models.StockItem {
	e.t.Helper()
	var it models.StockItem
	e.do(http.MethodGet, "/api/v1/stock/"+itoa(id), e.as(models.RoleStaff), nil).want(http.StatusOK).decode(&it)
	return it
}

// checkLedger fails the test when any item disagrees with its movements.
func (e *testEnv) checkLedger() {
	e.t.Helper()
	bad, _, err := e.store.CheckLedger(context.Background())
	if err != nil || len(bad) > 0 {
		e.t.Fatalf("ledger disagrees: %+v %v", bad, err)
	}
}

// A donation in mixed units lands as the right kg on the right shelves, and a void
// reverses it.
func TestDonationMixedUnitsAndVoid(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		paper := e.newCategory("Paper and card", "box", map[string]float64{"box": 4, "sheet": 0.02}, 0.92)
		fabric := e.newCategory("Textiles", "bag", map[string]float64{"bag": 5, "metre": 0.3}, 22.31)
		s1, s2 := e.newLocation("B1-S1"), e.newLocation("C1")
		staff := e.as(models.RoleStaff)
		var d models.Donation
		e.do(http.MethodPost, "/api/v1/donations", staff, map[string]any{
			"channel": "drop_off", "notes": "school clear-out",
			"lines": []map[string]any{
				{"category_id": paper.ID, "description": "A4 card, mixed colours", "location_id": s1.ID, "quantity": 3, "unit": "box"},
				{"category_id": paper.ID, "description": "Sugar paper", "location_id": s1.ID, "quantity": 250, "unit": "sheet"},
				{"category_id": fabric.ID, "description": "Felt offcuts", "location_id": s2.ID, "quantity": 2.5, "unit": "metre", "weight_kg": 1.1},
				{"category_id": fabric.ID, "description": "Felt offcuts", "location_id": s2.ID, "quantity": 1, "unit": "kg"},
			},
		}).want(http.StatusCreated).decode(&d)
		wantKg := []models.Kg{12, 5, 1.1, 1}
		// Counted in boxes or sheets, the weight is estimated; given, or counted in kg, it
		// was weighed. The CSV says the same.
		wantEst := []bool{true, true, false, false}
		for i, l := range d.Lines {
			if l.WeightG.Kg() != wantKg[i] || l.WeightEstimated != wantEst[i] {
				t.Errorf("line %d: %v kg (estimated %v), want %v (%v)", i, l.WeightG.Kg(), l.WeightEstimated, wantKg[i], wantEst[i])
			}
		}
		recs, err := csv.NewReader(bytes.NewReader(e.do(http.MethodGet, "/api/v1/donations.csv", staff, nil).want(http.StatusOK).body)).ReadAll()
		if err != nil || len(recs) != 5 {
			t.Fatalf("donations.csv: %v %q", err, recs)
		}
		for i, want := range wantEst {
			if rec := recs[i+1]; rec[13] != strconv.FormatBool(want) {
				t.Errorf("donations.csv line %d (%s %s): weight_estimated %s, want %v", i, rec[10], rec[11], rec[13], want)
			}
		}
		if d.Lines[0].LocationID != s1.ID || d.Lines[2].LocationID != s2.ID || d.Lines[2].StockItemID == d.Lines[3].StockItemID {
			t.Fatalf("lines went to the wrong items or shelves: %+v", d.Lines)
		}
		card := e.stockItem(d.Lines[0].StockItemID)
		if card.OnHandMilli.Quantity() != 3 || card.Available.Quantity() != 3 || card.AvailableG.Kg() != 12 || card.Unit != "box" {
			t.Fatalf("card item %+v", card)
		}
		// A second donation of the same thing joins the same item.
		var d2 models.Donation
		e.do(http.MethodPost, "/api/v1/donations", staff, map[string]any{"lines": []map[string]any{
			{"category_id": paper.ID, "description": "A4 card, mixed colours", "location_id": s1.ID, "quantity": 2},
		}}).want(http.StatusCreated).decode(&d2)
		if d2.Lines[0].StockItemID != card.ID || e.stockItem(card.ID).OnHandMilli.Quantity() != 5 {
			t.Fatalf("second donation did not join item %d: %+v", card.ID, d2.Lines)
		}
		e.checkLedger()

		e.do(http.MethodPost, "/api/v1/donations/"+itoa(d.ID)+"/void", staff, map[string]any{}).problem(http.StatusUnprocessableEntity, "reason")
		var voided models.Donation
		e.do(http.MethodPost, "/api/v1/donations/"+itoa(d.ID)+"/void", staff, map[string]any{"reason": "logged twice"}).want(http.StatusOK).decode(&voided)
		if !voided.Voided || voided.VoidReason != "logged twice" {
			t.Fatalf("voided %+v", voided)
		}
		if got := e.stockItem(card.ID).OnHandMilli.Quantity(); got != 2 {
			t.Fatalf("after the void the card item has %v, want 2", got)
		}
		e.do(http.MethodPost, "/api/v1/donations/"+itoa(d.ID)+"/void", staff, map[string]any{"reason": "again"}).problem(http.StatusConflict, "")
		var moves List[models.Movement]
		e.do(http.MethodGet, "/api/v1/stock/"+itoa(card.ID)+"/movements", staff, nil).want(http.StatusOK).decode(&moves)
		if len(moves.Items) != 3 || moves.Items[0].QuantityMilli.Quantity() != -3 || moves.Items[0].Reason != "void" {
			t.Fatalf("movements %+v", moves.Items)
		}
		e.checkLedger()
	})
}

// A void is refused once the stock it brought has gone.
func TestVoidAfterStockLeft(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		wood := e.newCategory("Wood", "each", map[string]float64{"each": 1.5}, 0.31)
		loc := e.newLocation("YARD")
		staff := e.as(models.RoleStaff)
		var d models.Donation
		e.do(http.MethodPost, "/api/v1/donations", staff, map[string]any{"lines": []map[string]any{
			{"category_id": wood.ID, "description": "Pallet slats", "location_id": loc.ID, "quantity": 10},
		}}).want(http.StatusCreated).decode(&d)
		item := d.Lines[0].StockItemID
		e.do(http.MethodPost, "/api/v1/stock/"+itoa(item)+"/adjustments", staff, map[string]any{"delta": -4, "reason": "used_in_workshop"}).
			want(http.StatusOK)
		e.do(http.MethodPost, "/api/v1/donations/"+itoa(d.ID)+"/void", staff, map[string]any{"reason": "mistake"}).problem(http.StatusConflict, "")
		if got := e.stockItem(item).OnHandMilli.Quantity(); got != 6 {
			t.Fatalf("a refused void changed stock: %v", got)
		}
		e.checkLedger()
	})
}

func TestDonationBadInput(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		paper := e.newCategory("Paper", "box", map[string]float64{"box": 4}, 0.92)
		loc := e.newLocation("B2")
		staff := e.as(models.RoleStaff)
		line := func(k string, v any) map[string]any {
			l := map[string]any{"category_id": paper.ID, "description": "Card", "location_id": loc.ID, "quantity": 1}
			l[k] = v
			return map[string]any{"lines": []map[string]any{l}}
		}
		for field, body := range map[string]map[string]any{
			"lines[0].quantity":    line("quantity", -2),
			"lines[0].category_id": line("category_id", 999999),
			"lines[0].location_id": line("location_id", 999999),
			"lines[0].unit":        line("unit", "roll"),
			"lines[0].weight_kg":   line("weight_kg", -1),
			"lines[0].description": line("description", "  "),
			"lines":                {"lines": []map[string]any{}},
			"donor_id":             {"donor_id": 999999, "lines": line("quantity", 1)["lines"]},
			"channel":              {"channel": "pigeon", "lines": line("quantity", 1)["lines"]},
		} {
			e.do(http.MethodPost, "/api/v1/donations", staff, body).problem(http.StatusUnprocessableEntity, field)
		}
		e.do(http.MethodPost, "/api/v1/donations", e.as(models.RoleMember), line("quantity", 1)).problem(http.StatusForbidden, "")
		var n int64
		e.store.DB(t.Context()).Model(&models.Donation{}).Count(&n)
		var items int64
		e.store.DB(t.Context()).Model(&models.StockItem{}).Count(&items)
		if n != 0 || items != 0 {
			t.Fatalf("bad input left %d donations and %d items", n, items)
		}
	})
}

func TestCatalogRules(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		mgr, staff := e.as(models.RoleManager), e.as(models.RoleStaff)
		var cat models.CategoryView
		e.do(http.MethodPost, "/api/v1/categories", mgr, map[string]any{"name": "Foam", "default_unit": "bag",
			"unit_weights_kg": map[string]float64{"bag": 1.5}, "co2e_kg_per_kg": 3.12, "co2e_source": "DEFRA 2023",
			"factor_effective_from": "2025-01-01", "min_stock_kg": 30}).
			want(http.StatusCreated).decode(&cat)
		if cat.CO2eKgPerKg != 3.12 || cat.UnitWeightsKg["bag"] != 1.5 || cat.UnitWeightsKg["kg"] != 1 || cat.MinStock.Kg() != 30 {
			t.Fatalf("category %+v", cat)
		}
		e.do(http.MethodPost, "/api/v1/categories", mgr, map[string]any{"name": "Bad", "default_unit": "crate", "co2e_kg_per_kg": 1,
			"co2e_source": "x"}).problem(http.StatusUnprocessableEntity, "default_unit")
		e.do(http.MethodPost, "/api/v1/categories", mgr, map[string]any{"name": "Bad", "default_unit": "bag",
			"unit_weights_kg": map[string]float64{"bag": -1}, "co2e_kg_per_kg": 1, "co2e_source": "x"}).
			problem(http.StatusUnprocessableEntity, "unit_weights_kg.bag")
		// A new factor applies from its date; the old one stays for the past.
		e.do(http.MethodPost, "/api/v1/categories/"+itoa(cat.ID)+"/factors", mgr, map[string]any{"co2e_kg_per_kg": 3.5, "source": "DESNZ 2026",
			"effective_from": "2000-01-02"}).want(http.StatusCreated)
		e.do(http.MethodPost, "/api/v1/categories/"+itoa(cat.ID)+"/factors", mgr, map[string]any{"co2e_kg_per_kg": 4, "source": "DESNZ next year",
			"effective_from": models.NewDate(time.Now()).AddDays(400).String()}).want(http.StatusCreated).decode(&cat)
		if cat.CO2eKgPerKg != 3.12 || len(cat.Factors) != 3 {
			t.Fatalf("after adding factors: %+v", cat)
		}
		e.do(http.MethodPost, "/api/v1/categories/"+itoa(cat.ID)+"/factors", mgr, map[string]any{"co2e_kg_per_kg": -4, "source": "x",
			"effective_from": "2030-01-01"}).problem(http.StatusUnprocessableEntity, "co2e_kg_per_kg")

		var donor models.Donor
		e.do(http.MethodPost, "/api/v1/donors", staff, map[string]any{"name": "Albion Printers", "postcode": "b70 7pa", "latitude": 52.51,
			"longitude": -1.99,
			"opening_hours": map[string]any{"mon": []map[string]string{{"from": "09:00", "to": "12:30"},
				{"from": "13:30", "to": "17:00"}}}}).want(http.StatusCreated).decode(&donor)
		if donor.Postcode != "B70 7PA" || len(donor.OpeningHours["mon"]) != 2 {
			t.Fatalf("donor %+v", donor)
		}
		e.do(http.MethodPost, "/api/v1/donors", staff, map[string]any{"name": "X", "postcode": "ZZ"}).problem(http.StatusUnprocessableEntity, "postcode")
		e.do(http.MethodPost, "/api/v1/donors", staff, map[string]any{"name": "X", "latitude": 91, "longitude": 0}).
			problem(http.StatusUnprocessableEntity, "latitude")
		e.do(http.MethodPost, "/api/v1/donors", staff, map[string]any{"name": "X",
			"opening_hours": map[string]any{"tue": []map[string]string{{"from": "09:00", "to": "13:00"},
				{"from": "12:00", "to": "17:00"}}}}).problem(http.StatusUnprocessableEntity, "opening_hours.tue[1]")
		var found List[models.Donor]
		e.do(http.MethodGet, "/api/v1/donors?q=b707", staff, nil).want(http.StatusOK).decode(&found)
		if len(found.Items) != 1 {
			t.Fatalf("postcode search found %d", len(found.Items))
		}

		// A location holding stock cannot be deactivated.
		loc := e.newLocation("B9")
		e.do(http.MethodPost, "/api/v1/donations", staff, map[string]any{"donor_id": donor.ID, "lines": []map[string]any{{"category_id": cat.ID,
			"description": "Foam blocks", "location_id": loc.ID, "quantity": 2}}}).want(http.StatusCreated)
		p := e.do(http.MethodPatch, "/api/v1/locations/"+itoa(loc.ID), staff, map[string]any{"active": false}).problem(http.StatusConflict, "")
		if p.Detail != "location B9 holds 1 stock items: move them first" {
			t.Fatalf("409 says %q", p.Detail)
		}
		var imp models.Impact
		e.do(http.MethodGet, "/api/v1/donors/"+itoa(donor.ID)+"/impact", staff, nil).want(http.StatusOK).decode(&imp)
		if imp.Kg != 3 || imp.CO2eKg != 9.36 || imp.Donations != 1 {
			t.Fatalf("impact %+v", imp)
		}
		e.do(http.MethodGet, "/api/v1/donors/"+itoa(donor.ID)+"/impact?year=nineteen", staff, nil).problem(http.StatusUnprocessableEntity, "year")

		// The wanted list is public: foam has 3 kg of its 30.
		var wanted List[models.Wanted]
		e.do(http.MethodGet, "/api/v1/stock/wanted", "", nil).want(http.StatusOK).decode(&wanted)
		if len(wanted.Items) != 1 || wanted.Items[0].NeededKg != 27 {
			t.Fatalf("wanted %+v", wanted.Items)
		}
	})
}

// The list shows each category with its own units and the factor in force today, not
// a later one nor another category's.
func TestCategoryListFactorsAndUnits(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		mgr := e.as(models.RoleManager)
		paper := e.newCategory("Paper", "box", map[string]float64{"box": 4}, 0.92)
		foam := e.newCategory("Foam", "bag", map[string]float64{"bag": 1.5, "sheet": 0.2}, 3.12)
		e.do(http.MethodPost, "/api/v1/categories/"+itoa(paper.ID)+"/factors", mgr, map[string]any{"co2e_kg_per_kg": 1.1, "source": "DESNZ 2030",
			"effective_from": "2030-01-01"}).want(http.StatusCreated)
		e.do(http.MethodPost, "/api/v1/categories/"+itoa(foam.ID)+"/factors", mgr, map[string]any{"co2e_kg_per_kg": 2.5, "source": "DESNZ 2024",
			"effective_from": "2024-01-01"}).want(http.StatusCreated)
		var list List[models.CategoryView]
		e.do(http.MethodGet, "/api/v1/categories", e.as(models.RoleMember), nil).want(http.StatusOK).decode(&list)
		type view struct {
			Name   string
			Factor float64
			Source string
			Units  map[string]float64
		}
		var got []view
		for _, c := range list.Items {
			got = append(got, view{c.Name, c.CO2eKgPerKg, c.CO2eSource, c.UnitWeightsKg})
		}
		want := []view{
			{"Foam", 2.5, "DESNZ 2024", map[string]float64{"bag": 1.5, "sheet": 0.2, "kg": 1}},
			{"Paper", 0.92, "test factor", map[string]float64{"box": 4, "kg": 1}},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("categories (-want +got):\n%s", diff)
		}
	})
}

// Thousands of random receipts, adjustments, moves and voids, some refused: after each,
// every item's figures equal the sums of its movements and none goes below zero.
func TestLedgerProperty(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		cat := e.newCategory("Craft", "each", map[string]float64{"each": 0.1}, 1.2)
		locs := []*models.Location{e.newLocation("L1"), e.newLocation("L2"), e.newLocation("L3")}
		staff := e.users[models.RoleStaff]
		rng := rand.New(rand.NewPCG(1, 2))
		var donations []int64
		steps := 600
		if testing.Short() {
			steps = 150
		}
		for i := 0; i < steps; i++ {
			var items []models.StockItem
			e.store.DB(ctx).Find(&items)
			switch op := rng.IntN(10); {
			case op < 4 || len(items) == 0:
				d, err := e.store.ReceiveDonation(ctx, staff, models.DonationInput{Lines: []models.DonationLineInput{{
					CategoryID: &cat.ID, Description: fmt.Sprint("thing ", rng.IntN(4)), LocationID: &locs[rng.IntN(3)].ID, Quantity: float64(1+rng.IntN(20)) / 2,
				}}})
				if err != nil {
					t.Fatal(err)
				}
				donations = append(donations, d.ID)
			case op < 7:
				it := items[rng.IntN(len(items))]
				_, _ = e.store.AdjustStock(ctx, staff, it.ID, float64(rng.IntN(21)-10)/2, "miscounted", "")
			case op < 8:
				it := items[rng.IntN(len(items))]
				_, _ = e.store.MoveStock(ctx, staff, it.ID, locs[rng.IntN(3)].ID)
			default:
				if len(donations) > 0 {
					_, _ = e.store.VoidDonation(ctx, staff, donations[rng.IntN(len(donations))], "property test")
				}
			}
			e.checkLedger()
		}
		var negative int64
		e.store.DB(ctx).Model(&models.StockItem{}).Where("on_hand_milli < 0 OR reserved_milli < 0").Count(&negative)
		if negative > 0 {
			t.Fatalf("%d items below zero", negative)
		}
	})
}

// Many donations and adjustments at once leave the ledger and the figures in step.
func TestLedgerConcurrent(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		cat := e.newCategory("Tubes", "each", map[string]float64{"each": 0.15}, 0.92)
		loc := e.newLocation("T1")
		staff := e.as(models.RoleStaff)
		var first models.Donation
		e.do(http.MethodPost, "/api/v1/donations", staff, map[string]any{"lines": []map[string]any{{"category_id": cat.ID, "description": "Cores",
			"location_id": loc.ID, "quantity": 10}}}).
			want(http.StatusCreated).decode(&first)
		item := first.Lines[0].StockItemID
		statuses := make([]int, 40)
		parallel(40, func(i int) {
			if i%2 == 0 {
				statuses[i] = e.do(http.MethodPost, "/api/v1/donations", staff, map[string]any{"lines": []map[string]any{{"stock_item_id": item,
					"quantity": 1}}}).status
			} else {
				statuses[i] = e.do(http.MethodPost, "/api/v1/stock/"+itoa(item)+"/adjustments", staff, map[string]any{"delta": -2,
					"reason": "used_in_workshop"}).status
			}
		})
		took := 0
		for i, st := range statuses {
			if i%2 == 1 && st == http.StatusOK {
				took++
			} else if st >= 500 {
				t.Fatalf("request %d: %d", i, st)
			}
		}
		e.checkLedger()
		if got := e.stockItem(item).OnHandMilli.Quantity(); got != float64(10+20-2*took) {
			t.Fatalf("on hand %v, want %d", got, 10+20-2*took)
		}
		// Donations of something new at once make one item between them.
		parallel(20, func(i int) {
			if res := e.do(http.MethodPost, "/api/v1/donations", staff, map[string]any{"lines": []map[string]any{{"category_id": cat.ID,
				"description": "Brand new cones", "location_id": loc.ID, "quantity": 1}}}); res.status != http.StatusCreated {
				t.Errorf("status %d: %s", res.status, res.body)
			}
		})
		var items []models.StockItem
		e.store.DB(t.Context()).Where("description = ?", "Brand new cones").Find(&items)
		if len(items) != 1 || items[0].OnHandMilli != 20_000 {
			t.Fatalf("new items %+v", items)
		}
		e.checkLedger()
	})
}

// The ledger check through the API: managers only; it finds an item whose on-hand
// figure was changed without a movement.
func TestLedgerCheckRoute(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		paper := e.newCategory("Paper and card", "box", map[string]float64{"box": 4}, 0.92)
		shelf := e.newLocation("B1-S1")
		var d models.Donation
		e.do(http.MethodPost, "/api/v1/donations", e.as(models.RoleStaff), map[string]any{
			"lines": []map[string]any{{"category_id": paper.ID, "description": "A4 card", "location_id": shelf.ID, "quantity": 3, "unit": "box"}},
		}).want(http.StatusCreated).decode(&d)
		e.do(http.MethodGet, "/api/v1/stock/check", e.as(models.RoleStaff), nil).problem(http.StatusForbidden, "")

		var got ledgerCheck
		e.do(http.MethodGet, "/api/v1/stock/check", e.as(models.RoleManager), nil).want(http.StatusOK).decode(&got)
		if got.Checked != 1 || len(got.Disagreements) != 0 {
			t.Fatalf("before: %+v, want 1 item checked and no disagreements", got)
		}

		item := d.Lines[0].StockItemID
		testdb.Write(t, e.store, func(tx *gorm.DB) *gorm.DB {
			return tx.Exec("UPDATE stock_items SET on_hand_milli = 5000 WHERE id = ?", item)
		})
		e.do(http.MethodGet, "/api/v1/stock/check", e.as(models.RoleManager), nil).want(http.StatusOK).decode(&got)
		want := []ledgerDisagreement{{StockItemID: item, OnHand: 5000, MovementsOnHand: 3000}}
		if diff := cmp.Diff(want, got.Disagreements); diff != "" {
			t.Fatalf("after a change without a movement (-want +got):\n%s", diff)
		}
	})
}

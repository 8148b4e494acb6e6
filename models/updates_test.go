package models_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/models/testdb"
)

// wantProblem fails unless err is a validation problem naming field.
func wantProblem(t *testing.T, err error, field string) {
	t.Helper()
	var v *models.ValidationError
	if !errors.As(err, &v) || !slices.ContainsFunc(v.Errors, func(f models.FieldError) bool { return f.Field == field }) {
		t.Fatalf("want a problem with %s, got %v", field, err)
	}
}

// wantIs fails unless err is (or wraps) target.
func wantIs(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("want %v, got %v", target, err)
	}
}

// lastChanges is the latest audit entry's changes for an entity.
func lastChanges(t *testing.T, s *models.Store, entity string, id int64) map[string]any {
	t.Helper()
	list, _, err := s.ListAudit(context.Background(), models.AuditFilter{EntityType: entity, EntityID: id}, models.Page{Limit: 1})
	if err != nil || len(list) == 0 {
		t.Fatalf("no audit entry for %s %d: %v", entity, id, err)
	}
	var changes map[string]any
	if err := json.Unmarshal(list[0].Changes, &changes); err != nil {
		t.Fatal(err)
	}
	return changes
}

func ptr[T any](v T) *T { return &v }

// Updating a category changes what is given, replaces its unit weights, keeps its factor,
// and refuses a clashing name, bad input and a category that is not there.
func TestUpdateCategory(t *testing.T) {
	testdb.EachFixture(t, func(t *testing.T, f *testdb.Fixture) {
		ctx, s := context.Background(), f.Store
		paper := f.Category("Paper", "box", map[string]float64{"box": 4, "sheet": 0.02}, 0.92)
		f.Category("Textiles", "bag", map[string]float64{"bag": 5}, 22.31)

		v, err := s.UpdateCategory(ctx, f.Staff(), paper.ID, models.CategoryInput{Name: ptr("Paper and card"), DefaultUnit: ptr("kg"),
			UnitWeightsKg: map[string]float64{"kg": 1, "box": 3.5}, Diverted: ptr(true), MinStockKg: ptr(150.0)}, f.Today())
		if err != nil {
			t.Fatal(err)
		}
		if v.Name != "Paper and card" || v.DefaultUnit != "kg" || !v.Diverted || v.MinStock.Kg() != 150 || v.CO2eKgPerKg != 0.92 ||
			!cmp.Equal(v.UnitWeightsKg, map[string]float64{"kg": 1, "box": 3.5}) {
			t.Fatalf("updated category %+v", v)
		}
		if got := lastChanges(t, s, "category", paper.ID); got["name"] == nil || got["unit_weights_kg"] == nil {
			t.Fatalf("audit changes %v", got)
		}
		again, err := s.GetCategory(ctx, paper.ID, f.Today())
		if err != nil || again.Name != "Paper and card" || len(again.UnitWeightsKg) != 2 {
			t.Fatalf("read back %+v, %v", again, err)
		}

		_, err = s.UpdateCategory(ctx, f.Staff(), paper.ID, models.CategoryInput{Name: ptr("Textiles")}, f.Today())
		wantIs(t, err, models.ErrConflict)
		_, err = s.UpdateCategory(ctx, f.Staff(), paper.ID, models.CategoryInput{Name: ptr(" ")}, f.Today())
		wantProblem(t, err, "name")
		_, err = s.UpdateCategory(ctx, f.Staff(), paper.ID+100, models.CategoryInput{Name: ptr("Wood")}, f.Today())
		wantIs(t, err, models.ErrNotFound)
	})
}

// Updating a donor: what is given changes and the rest stays; a new postcode without
// coordinates, with no geocoder to place it, leaves none rather than the old address's;
// bad input is refused field by field.
func TestUpdateDonor(t *testing.T) {
	testdb.EachFixture(t, func(t *testing.T, f *testdb.Fixture) {
		ctx, s := context.Background(), f.Store
		d := f.Donor("Albion Printers Ltd")

		got, err := s.UpdateDonor(ctx, f.Staff(), d.ID, models.DonorInput{Phone: ptr(" 0121 555 0101 "), Email: ptr("Goods-In@Albion.example")})
		if err != nil {
			t.Fatal(err)
		}
		if got.Phone != "0121 555 0101" || got.Email != "goods-in@albion.example" || got.Name != d.Name || got.Latitude == nil ||
			*got.Latitude != 52.51 || len(got.OpeningHours["mon"]) != 1 {
			t.Fatalf("updated donor %+v", got)
		}
		if c := lastChanges(t, s, "donor", d.ID); c["phone"] == nil || c["name"] != nil {
			t.Fatalf("audit changes %v", c)
		}

		moved, err := s.UpdateDonor(ctx, f.Staff(), d.ID, models.DonorInput{Postcode: ptr("b69 4aa")})
		if err != nil || moved.Postcode != "B69 4AA" || moved.Latitude != nil || moved.Longitude != nil {
			t.Fatalf("moved donor %+v, %v", moved, err)
		}
		placed, err := s.UpdateDonor(ctx, f.Staff(), d.ID, models.DonorInput{Latitude: ptr(52.50), Longitude: ptr(-2.02)})
		if err != nil || placed.Latitude == nil || *placed.Longitude != -2.02 {
			t.Fatalf("placed donor %+v, %v", placed, err)
		}

		for field, in := range map[string]models.DonorInput{
			"name":                 {Name: ptr("")},
			"email":                {Email: ptr("not an address")},
			"postcode":             {Postcode: ptr("NOWHERE")},
			"longitude":            {Longitude: ptr(200.0)},
			"opening_hours.mon[0]": {OpeningHours: &models.OpeningHours{"mon": {{From: "17:00", To: "09:00"}}}},
		} {
			_, err := s.UpdateDonor(ctx, f.Staff(), d.ID, in)
			wantProblem(t, err, field)
		}
		_, err = s.UpdateDonor(ctx, f.Staff(), d.ID+100, models.DonorInput{Phone: ptr("1")})
		wantIs(t, err, models.ErrNotFound)
	})
}

// Updating a recipient: a household becomes a member group's recipient only with the
// group named, and an erased recipient cannot be changed.
func TestUpdateRecipient(t *testing.T) {
	testdb.EachFixture(t, func(t *testing.T, f *testdb.Fixture) {
		ctx, s := context.Background(), f.Store
		r, err := s.CreateRecipient(ctx, f.Staff(), models.RecipientInput{Kind: ptr("household"), Name: ptr("Mr Evans"), Agency: ptr("Sandwell Council"),
			Address: ptr("9 Park Lane, Oldbury"), Postcode: ptr("B69 4AA"), Latitude: ptr(52.50), Longitude: ptr(-2.02)})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.UpdateRecipient(ctx, f.Staff(), r.ID, models.RecipientInput{Needs: ptr(" a bed and a wardrobe "), Contact: ptr("07700 900123")})
		if err != nil || got.Needs != "a bed and a wardrobe" || got.Name != "Mr Evans" || got.Agency != "Sandwell Council" || got.Latitude == nil {
			t.Fatalf("updated recipient %+v, %v", got, err)
		}
		if c := lastChanges(t, s, "recipient", r.ID); c["contact"] != nil || c["needs"] != nil {
			t.Fatalf("the audit log keeps personal details: %v", c)
		}

		_, err = s.UpdateRecipient(ctx, f.Staff(), r.ID, models.RecipientInput{Kind: ptr("organisation")})
		wantProblem(t, err, "organisation_id")
		_, err = s.UpdateRecipient(ctx, f.Staff(), r.ID, models.RecipientInput{Kind: ptr("organisation"), OrganisationID: ptr(int64(999))})
		wantProblem(t, err, "organisation_id")
		_, err = s.UpdateRecipient(ctx, f.Staff(), r.ID, models.RecipientInput{Kind: ptr("shop")})
		wantProblem(t, err, "kind")
		group := f.Organisation("Tipton Play Group")
		got, err = s.UpdateRecipient(ctx, f.Staff(), r.ID, models.RecipientInput{Kind: ptr("organisation"), OrganisationID: &group.ID})
		if err != nil || got.Kind != "organisation" || got.OrganisationID == nil || *got.OrganisationID != group.ID {
			t.Fatalf("recipient as a group %+v, %v", got, err)
		}

		gone, err := s.CreateRecipient(ctx, f.Staff(), models.RecipientInput{Kind: ptr("household"), Name: ptr("Ms Khan")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.EraseRecipient(ctx, f.Staff(), gone.ID); err != nil {
			t.Fatal(err)
		}
		_, err = s.UpdateRecipient(ctx, f.Staff(), gone.ID, models.RecipientInput{Needs: ptr("a sofa")})
		wantIs(t, err, models.ErrConflict)
	})
}

// Updating a stock item: a new description and weight a unit; the weight on hand follows
// the new weight; a description that another item on the shelf has is a conflict.
func TestUpdateStockItem(t *testing.T) {
	testdb.EachFixture(t, func(t *testing.T, f *testdb.Fixture) {
		ctx, s := context.Background(), f.Store
		tubes := f.Stock("Card tubes", 20, 0.2)

		it, err := s.UpdateStockItem(ctx, f.Staff(), tubes, ptr("  Long card tubes "), ptr(0.25))
		if err != nil {
			t.Fatal(err)
		}
		if it.Description != "Long card tubes" || it.GramsPerUnit.Kg() != 0.25 || it.OnHandMilli.Quantity() != 20 || it.AvailableG.Kg() != 5 {
			t.Fatalf("updated item %+v", it)
		}
		if c := lastChanges(t, s, "stock_item", tubes); c["description"] == nil || c["kg_per_unit"] == nil {
			t.Fatalf("audit changes %v", c)
		}
		if bad, _, err := s.CheckLedger(ctx); err != nil || len(bad) > 0 {
			t.Fatalf("ledger after a new weight: %+v, %v", bad, err)
		}

		// A second item on the same shelf and in the same category cannot take its name.
		d, err := s.ReceiveDonation(ctx, f.Staff(), models.DonationInput{Lines: []models.DonationLineInput{{CategoryID: &it.CategoryID,
			Description: "Short card tubes", LocationID: &it.LocationID, Quantity: 5, Unit: "each"}}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.UpdateStockItem(ctx, f.Staff(), d.Lines[0].StockItemID, ptr("Long card tubes"), nil)
		wantIs(t, err, models.ErrConflict)
		_, err = s.UpdateStockItem(ctx, f.Staff(), tubes, ptr(""), nil)
		wantProblem(t, err, "description")
		_, err = s.UpdateStockItem(ctx, f.Staff(), tubes, nil, ptr(0.0))
		wantProblem(t, err, "kg_per_unit")
		_, err = s.UpdateStockItem(ctx, f.Staff(), tubes+100, nil, ptr(1.0))
		wantIs(t, err, models.ErrNotFound)
	})
}

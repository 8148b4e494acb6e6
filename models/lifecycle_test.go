package models_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/models/testdb"
)

// An item of furniture moves only along its allowed moves, each recorded; a refused move
// says which are allowed; an upholstered item is not available before its fire label is
// checked.
func TestFurnitureMoves(t *testing.T) {
	testdb.EachFixture(t, func(t *testing.T, f *testdb.Fixture) {
		ctx, s := context.Background(), f.Store
		sofa := f.Furniture(f.FurnitureType("Two-seat sofa", 37, true, false).ID)
		if sofa.Status != models.FurnReceived || sofa.Tag == "" {
			t.Fatalf("registered %+v", sofa)
		}
		_, err := s.ChangeFurnitureStatus(ctx, f.Staff(), sofa.ID, models.FurnAvailable, "", "")
		var conflict *models.ConflictError
		if !errors.As(err, &conflict) || !cmp.Equal(conflict.Allowed, []string{models.FurnChecking, models.FurnDisposed}) {
			t.Fatalf("received to available: %v", err)
		}
		if _, err := s.ChangeFurnitureStatus(ctx, f.Staff(), sofa.ID, models.FurnChecking, "in the workshop", ""); err != nil {
			t.Fatal(err)
		}
		_, err = s.ChangeFurnitureStatus(ctx, f.Staff(), sofa.ID, models.FurnAvailable, "", "")
		wantIs(t, err, models.ErrConflict)
		_, err = s.ChangeFurnitureStatus(ctx, f.Staff(), sofa.ID, models.FurnDisposed, "torn", "")
		wantProblem(t, err, "disposal_route")
		gone, err := s.ChangeFurnitureStatus(ctx, f.Staff(), sofa.ID, models.FurnDisposed, "torn", "recycled")
		if err != nil || gone.Status != models.FurnDisposed || gone.DisposalRoute != "recycled" {
			t.Fatalf("disposed %+v, %v", gone, err)
		}
		history, err := s.StatusHistory(ctx, sofa.ID)
		if err != nil {
			t.Fatal(err)
		}
		var moves []string
		for _, h := range history {
			moves = append(moves, string(h.FromStatus)+">"+string(h.ToStatus))
		}
		if !cmp.Equal(moves, []string{">received", "received>checking", "checking>disposed"}) {
			t.Fatalf("history %q", moves)
		}
	})
}

// A reservation holds its stock and a place in its slot; what is held cannot be reserved
// again, and cancelling gives both back.
func TestReservationHoldsStockAndPlace(t *testing.T) {
	testdb.EachFixture(t, func(t *testing.T, f *testdb.Fixture) {
		ctx, s := context.Background(), f.Store
		f.OpenEveryDay(1)
		tubes := f.Stock("Card tubes", 20, 0.2)
		member := f.User(models.RoleMember, f.Organisation("Greets Green Primary School"))
		other := f.User(models.RoleMember, f.Organisation("Tipton Play Group"))

		r := f.Reservation(member, f.Slot(1), 15, tubes)
		if r.Status != models.StatusPending || len(r.Lines) != 1 {
			t.Fatalf("reservation %+v", r)
		}
		available := func() float64 {
			t.Helper()
			it, err := s.StockItem(ctx, tubes)
			if err != nil {
				t.Fatal(err)
			}
			return it.Available.Quantity()
		}
		if got := available(); got != 5 {
			t.Fatalf("%v available while 15 of 20 are held", got)
		}
		slot2 := f.Slot(2)
		_, err := s.CreateReservation(ctx, other, models.ReservationInput{OrganisationID: other.OrganisationID, SlotStart: &slot2,
			Lines: []models.LineInput{{StockItemID: tubes, Quantity: 6}}}, models.ReservationRules{Location: testdb.London})
		wantIs(t, err, models.ErrConflict)
		slot1 := f.Slot(1)
		_, err = s.CreateReservation(ctx, other, models.ReservationInput{OrganisationID: other.OrganisationID, SlotStart: &slot1,
			Lines: []models.LineInput{{StockItemID: tubes, Quantity: 1}}}, models.ReservationRules{Location: testdb.London})
		wantIs(t, err, models.ErrConflict)

		if _, err := s.CancelReservation(ctx, member, r.ID, "the trip is off"); err != nil {
			t.Fatal(err)
		}
		if got := available(); got != 20 {
			t.Fatalf("%v available after the cancel", got)
		}
		again := f.Reservation(other, f.Slot(1), 20, tubes)
		if again.Status != models.StatusPending {
			t.Fatalf("the freed place and stock: %+v", again)
		}
		if bad, _, err := s.CheckLedger(ctx); err != nil || len(bad) > 0 {
			t.Fatalf("ledger: %+v, %v", bad, err)
		}
	})
}

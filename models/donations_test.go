package models_test

import (
	"sync"
	"testing"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/models/testdb"
)

// Donations naming the same items in opposite orders, many at once, all go through: the
// items are locked in one order, so neither waits for the other for ever, and the
// stock ends up with every one of them.
func TestDonationsInOppositeOrdersDoNotDeadlock(t *testing.T) {
	testdb.EachFixture(t, func(t *testing.T, f *testdb.Fixture) {
		a, b := f.Stock("Card tubes", 1, 0.2), f.Stock("Foam blocks", 1, 0.5)
		const each = 20
		errs := make(chan error, 2*each)
		var wg sync.WaitGroup
		for _, order := range [][]int64{{a, b}, {b, a}} {
			wg.Go(func() {
				for range each {
					_, err := f.Store.ReceiveDonation(t.Context(), nil, models.DonationInput{Lines: []models.DonationLineInput{
						{StockItemID: &order[0], Quantity: 1}, {StockItemID: &order[1], Quantity: 1}}})
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("a donation failed: %v", err)
			}
		}
		for _, id := range []int64{a, b} {
			it, err := f.Store.StockItem(t.Context(), id)
			if err != nil {
				t.Fatal(err)
			}
			if it.OnHandMilli.Quantity() != 1+2*each {
				t.Errorf("item %d has %v on hand, want %d", id, it.OnHandMilli.Quantity(), 1+2*each)
			}
		}
	})
}

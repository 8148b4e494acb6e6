package models_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/models/testdb"
)

var (
	london = testdb.London
	day    = testdb.Day
)

// Slots keep their wall-clock times across the clock change, and closed days have none.
func TestSlotsAcrossTheClockChange(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		if _, err := s.CreateSlotRule(ctx, nil, models.SlotRule{Weekday: int(time.Thursday), Starts: "16:00", Ends: "19:00",
			SlotMinutes: 60, Places: 3, Label: "Late opening for schools"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CloseDay(ctx, nil, day("2026-11-05"), "Bonfire night stocktake"); err != nil {
			t.Fatal(err)
		}
		// Thursdays 22 and 29 October straddle the change (25 October); 5 November is closed.
		slots, err := s.Slots(ctx, day("2026-10-20"), day("2026-11-06"), london)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, sl := range slots {
			got = append(got, sl.Start.Format(time.RFC3339)+" "+sl.End.In(london).Format("15:04"))
		}
		want := []string{
			"2026-10-22T15:00:00Z 17:00", "2026-10-22T16:00:00Z 18:00", "2026-10-22T17:00:00Z 19:00",
			"2026-10-29T16:00:00Z 17:00", "2026-10-29T17:00:00Z 18:00", "2026-10-29T18:00:00Z 19:00",
		}
		if len(got) != len(want) {
			t.Fatalf("slots %v, want %v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("slot %d = %s, want %s", i, got[i], want[i])
			}
		}
	})
}

func TestSlotRuleRules(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		if _, err := s.CreateSlotRule(ctx, nil, models.SlotRule{Weekday: 2, Starts: "09:00", Ends: "12:00", SlotMinutes: 30, Places: 2}); err != nil {
			t.Fatal(err)
		}
		for field, r := range map[string]models.SlotRule{
			"weekday":      {Weekday: 7, Starts: "09:00", Ends: "10:00", SlotMinutes: 30, Places: 1},
			"starts":       {Weekday: 1, Starts: "9am", Ends: "10:00", SlotMinutes: 30, Places: 1},
			"ends":         {Weekday: 1, Starts: "10:00", Ends: "09:00", SlotMinutes: 30, Places: 1},
			"slot_minutes": {Weekday: 1, Starts: "09:00", Ends: "10:00", SlotMinutes: 45, Places: 1},
			"places":       {Weekday: 1, Starts: "09:00", Ends: "10:00", SlotMinutes: 30, Places: 0},
		} {
			var ve *models.ValidationError
			if _, err := s.CreateSlotRule(ctx, nil, r); !errors.As(err, &ve) || ve.Errors[0].Field != field {
				t.Errorf("%s: %v", field, err)
			}
		}
		// Overlapping the Tuesday opening is refused.
		if _, err := s.CreateSlotRule(ctx, nil, models.SlotRule{Weekday: 2, Starts: "11:30", Ends: "13:00", SlotMinutes: 30, Places: 2}); err == nil {
			t.Error("an overlapping opening was accepted")
		}
	})
}

// However many book at once, a slot takes exactly its places and the rest are refused.
func TestSlotNeverOverbooked(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		rule := models.SlotRule{Weekday: int(time.Monday), Starts: "10:00", Ends: "11:00", SlotMinutes: 60, Places: 4}
		if _, err := s.CreateSlotRule(ctx, nil, rule); err != nil {
			t.Fatal(err)
		}
		start := time.Date(2026, 12, 7, 10, 0, 0, 0, london)
		var ok, full atomic.Int32
		var wg sync.WaitGroup
		for i := 0; i < 30; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				switch err := s.BookSlot(ctx, start, london); {
				case err == nil:
					ok.Add(1)
				case errors.Is(err, models.ErrConflict):
					full.Add(1)
				default:
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if ok.Load() != 4 || full.Load() != 26 {
			t.Fatalf("%d booked and %d refused, want 4 and 26", ok.Load(), full.Load())
		}
		slots, _ := s.Slots(ctx, day("2026-12-07"), day("2026-12-07"), london)
		if len(slots) != 1 || slots[0].Free != 0 {
			t.Fatalf("slots = %+v", slots)
		}
		// Not a slot start, and a closed day, are refused with the field named.
		var ve *models.ValidationError
		if err := s.BookSlot(ctx, start.Add(15*time.Minute), london); !errors.As(err, &ve) {
			t.Fatalf("off-slot booking: %v", err)
		}
	})
}

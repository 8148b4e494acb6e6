package api

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/models/testdb"
	"gorm.io/gorm"
)

// A member's reservations start with the latest slot; ?sort=slot_start gives the
// earliest first, and pages follow on in either order.
func TestReservationsStartWithTheLatest(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.openEveryDay(3)
		card := e.newStock("Card tubes", 20, 0.2)
		member := e.as(models.RoleMember)
		var made []int64
		for days := 1; days <= 3; days++ {
			slot := e.tomorrowSlot().AddDate(0, 0, days-1)
			var r models.Reservation
			e.do(http.MethodPost, "/api/v1/reservations", member, map[string]any{"slot_start": slot.Format(time.RFC3339), "lines": []any{line(card, 1)}}).
				want(http.StatusCreated).decode(&r)
			made = append(made, r.ID)
		}
		pages := func(query string) []int64 {
			return pageIDs(e, "/api/v1/reservations?limit=2"+query, member, func(r models.Reservation) int64 { return r.ID })
		}
		if got, want := pages(""), []int64{made[2], made[1], made[0]}; !slices.Equal(got, want) {
			t.Errorf("default order %v, want latest slot first %v", got, want)
		}
		if got := pages("&sort=slot_start"); !slices.Equal(got, made) {
			t.Errorf("sort=slot_start gave %v, want %v", got, made)
		}
		p := e.do(http.MethodGet, "/api/v1/reservations?sort=soonest", member, nil).problem(http.StatusUnprocessableEntity, "sort")
		if p.Errors[0].Message != "must be one of -slot_start, slot_start" {
			t.Errorf("sort message %q", p.Errors[0].Message)
		}
		p = e.do(http.MethodGet, "/api/v1/reservations?status=bogus", member, nil).problem(http.StatusUnprocessableEntity, "status")
		if p.Errors[0].Message != "must be one of pending, confirmed, collected, cancelled, expired" {
			t.Errorf("status message %q", p.Errors[0].Message)
		}
	})
}

// Runs start with the latest day; ?sort=date gives the earliest first.
func TestRunsStartWithTheLatest(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		var van models.Vehicle
		e.do(http.MethodPost, "/api/v1/vehicles", e.as(models.RoleManager), map[string]any{"name": "Transit", "registration": "BV21RDE",
			"capacity_kg": 900, "capacity_m3": 8}).want(http.StatusCreated).decode(&van)
		march := models.NewDate(time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC))
		var made []int64
		for _, day := range []models.Date{march, march.AddDays(200), march.AddDays(100)} {
			r := models.Run{Day: day, VehicleID: van.ID, Status: "finished", CreatedAt: time.Now()}
			testdb.Write(t, e.store, func(tx *gorm.DB) *gorm.DB { return tx.Create(&r) })
			made = append(made, r.ID)
		}
		staff := e.as(models.RoleStaff)
		order := func(query string) []int64 {
			return pageIDs(e, "/api/v1/runs?limit=1"+query, staff, func(r models.Run) int64 { return r.ID })
		}
		if got, want := order(""), []int64{made[1], made[2], made[0]}; !slices.Equal(got, want) {
			t.Errorf("default order %v, want latest day first %v", got, want)
		}
		if got, want := order("&sort=date"), []int64{made[0], made[2], made[1]}; !slices.Equal(got, want) {
			t.Errorf("sort=date gave %v, want %v", got, want)
		}
	})
}

// pageIDs follows a list's pages from url to the last, collecting the items' ids.
func pageIDs[T any](e *testEnv, url, token string, id func(T) int64) []int64 {
	e.t.Helper()
	var ids []int64
	cursor := ""
	for {
		var page List[T]
		e.do(http.MethodGet, url+cursor, token, nil).want(http.StatusOK).decode(&page)
		for _, it := range page.Items {
			ids = append(ids, id(it))
		}
		if page.NextCursor == nil {
			return ids
		}
		cursor = "&cursor=" + *page.NextCursor
	}
}

// Donations start with the newest; ?sort=received_at gives the oldest first.
func TestDonationsStartWithTheNewest(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		cat := e.newCategory("Paper and card", "box", map[string]float64{"box": 4}, 0.92)
		loc := e.newLocation("B1")
		staff := e.as(models.RoleStaff)
		var made []int64
		for _, daysAgo := range []int{3, 1, 2} {
			var d models.Donation
			e.do(http.MethodPost, "/api/v1/donations", staff, map[string]any{"received_at": time.Now().AddDate(0, 0, -daysAgo).Format(time.RFC3339),
				"lines": []any{map[string]any{"category_id": cat.ID, "description": "card", "quantity": 1,
					"location_id": loc.ID}}}).want(http.StatusCreated).decode(&d)
			made = append(made, d.ID)
		}
		id := func(d models.Donation) int64 { return d.ID }
		if got, want := pageIDs(e, "/api/v1/donations?limit=2", staff, id), []int64{made[1], made[2], made[0]}; !slices.Equal(got, want) {
			t.Errorf("default order %v, want newest first %v", got, want)
		}
		if got, want := pageIDs(e, "/api/v1/donations?limit=2&sort=received_at", staff, id), []int64{made[0], made[2], made[1]}; !slices.Equal(got, want) {
			t.Errorf("sort=received_at gave %v, want %v", got, want)
		}
	})
}

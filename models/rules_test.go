package models

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scrapstore/scrapstore/jobs/planner"
)

// problemsOf runs a check and gives its problems as "field: message".
func problemsOf(check func(p *Problems)) []string {
	var p Problems
	check(&p)
	var out []string
	for _, f := range p.list {
		out = append(out, f.Field+": "+f.Message)
	}
	return out
}

func mustDay(t *testing.T, s string) Date {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestCheckText(t *testing.T) {
	cases := []struct {
		v        string
		required bool
		want     []string
	}{
		{"Felt offcuts", true, nil},
		{"", false, nil},
		{"", true, []string{"note: is required"}},
		{"   ", true, []string{"note: is required"}},
		{"a\x00b", false, []string{"note: must not contain NUL characters"}},
		{"caf\xe9", false, []string{"note: is not valid UTF-8 text"}},
		{strings.Repeat("x", MaxText), false, nil},
		{strings.Repeat("x", MaxText+1), false, []string{"note: must be at most 2000 characters"}},
	}
	for _, c := range cases {
		got := problemsOf(func(p *Problems) { checkText(p, "note", c.v, c.required) })
		if !cmp.Equal(got, c.want) {
			t.Errorf("checkText(%.20q, %v) = %q, want %q", c.v, c.required, got, c.want)
		}
	}
}

func TestCheckDay(t *testing.T) {
	today := mustDay(t, "2026-11-26")
	cases := []struct {
		day         string
		back, ahead int
		want        []string
	}{
		{"2026-11-26", 1, 0, nil},
		{"2025-11-26", 1, 0, nil},
		{"2025-11-25", 1, 0, []string{"on: must not be before 2025-11-26"}},
		{"2026-11-27", 1, 0, []string{"on: cannot be in the future"}},
		{"2027-11-26", 1, 1, nil},
		{"2027-11-27", 1, 1, []string{"on: must not be after 2027-11-26"}},
		{"0026-11-26", 5, 5, []string{"on: must not be before 2021-11-26"}},
	}
	for _, c := range cases {
		got := problemsOf(func(p *Problems) { checkDay(p, "on", mustDay(t, c.day), today, c.back, c.ahead) })
		if !cmp.Equal(got, c.want) {
			t.Errorf("checkDay(%s, back %d, ahead %d) = %q, want %q", c.day, c.back, c.ahead, got, c.want)
		}
	}
}

func TestCheckCoordinates(t *testing.T) {
	cases := []struct {
		lat, lon float64
		want     []string
	}{
		{52.5187, -1.9945, nil},
		{90, 180, nil},
		{-90.1, 0, []string{"latitude: must be between -90 and 90"}},
		{0, 181, []string{"longitude: must be between -180 and 180"}},
		{math.NaN(), math.NaN(), []string{"latitude: must be between -90 and 90", "longitude: must be between -180 and 180"}},
	}
	for _, c := range cases {
		if got := problemsOf(func(p *Problems) { checkCoordinates(p, c.lat, c.lon) }); !cmp.Equal(got, c.want) {
			t.Errorf("checkCoordinates(%v, %v) = %q, want %q", c.lat, c.lon, got, c.want)
		}
	}
}

func TestParseClock(t *testing.T) {
	cases := []struct {
		s    string
		want int
		ok   bool
	}{
		{"00:00", 0, true}, {"09:30", 570, true}, {"23:59", 1439, true},
		{"9:30", 0, false}, {"24:00", 0, false}, {"09:60", 0, false}, {"09.30", 0, false}, {"", 0, false},
	}
	for _, c := range cases {
		if got, ok := parseClock(c.s); got != c.want || ok != c.ok {
			t.Errorf("parseClock(%q) = %d, %v; want %d, %v", c.s, got, ok, c.want, c.ok)
		}
	}
}

// A business's opening hours become the times a van may start its call there: the
// service must end by closing time.
func TestWindowsOn(t *testing.T) {
	cases := []struct {
		name  string
		hours OpeningHours
		want  []planner.Window
	}{
		{"open all day", OpeningHours{"mon": {{From: "08:00", To: "16:00"}}}, []planner.Window{{Start: 480, End: 960 - DefaultService}}},
		{"closed for lunch", OpeningHours{"mon": {{From: "09:00", To: "12:30"}, {From: "13:30", To: "17:00"}}},
			[]planner.Window{{Start: 540, End: 750 - DefaultService}, {Start: 810, End: 1020 - DefaultService}}},
		{"an opening too short for a call", OpeningHours{"mon": {{From: "09:00", To: "09:10"}, {From: "10:00", To: "11:00"}}},
			[]planner.Window{{Start: 600, End: 660 - DefaultService}}},
		{"no hours given: 08:00 to 17:00", OpeningHours{}, []planner.Window{{Start: 480, End: 1020 - DefaultService}}},
		{"closed that day", OpeningHours{"tue": {{From: "08:00", To: "16:00"}}}, []planner.Window{{Start: 0, End: -1}}},
		{"hours that do not read as times", OpeningHours{"mon": {{From: "8am", To: "4pm"}}}, []planner.Window{{Start: 0, End: -1}}},
	}
	for _, c := range cases {
		if got := windowsOn(c.hours, "mon"); !cmp.Equal(got, c.want) {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

// A request that can wait ranks by staff's priority, then by the days it has waited (up
// to nine), then rises over its last four working days.
func TestRequestPriority(t *testing.T) {
	day := mustDay(t, "2026-11-26")
	made := func(daysAgo int) time.Time { return day.Start(time.UTC).AddDate(0, 0, -daysAgo) }
	cases := []struct {
		priority, waited, daysLeft int
		want                       int
	}{
		{1, 0, 10, 10},
		{3, 0, 10, 30},
		{1, 4, 10, 14},
		{1, 30, 10, 19},
		{1, -2, 10, 10}, // made after the day: no negative age
		{1, 0, 4, 10},
		{1, 0, 3, 15},
		{1, 0, 0, 30},
		{5, 9, 1, 74},
	}
	for _, c := range cases {
		r := PickupRequest{Priority: c.priority, CreatedAt: made(c.waited)}
		if got := requestPriority(r, day, c.daysLeft); got != c.want {
			t.Errorf("priority %d, waited %d days, %d left: %d, want %d", c.priority, c.waited, c.daysLeft, got, c.want)
		}
	}
}

// A member may change only the group's contact details; every other field is refused by
// name, in order.
func TestMemberMayChange(t *testing.T) {
	cases := []struct {
		changes map[string]any
		refused []string
	}{
		{map[string]any{}, nil},
		{map[string]any{"email": "a@example.org", "phone": "0121 555 0000", "address": "1 High Street", "postcode": "B70 6AA",
			"contact_name": "Sam"}, nil},
		{map[string]any{"phone": "0121", "name": "New name", "band_id": 2}, []string{"band_id", "name"}},
	}
	for _, c := range cases {
		err := memberMayChange(c.changes)
		var refused []string
		var fe *ForbiddenFieldsError
		if errors.As(err, &fe) {
			for _, f := range fe.Errors {
				refused = append(refused, f.Field)
			}
		} else if err != nil {
			t.Fatalf("%v: %v", c.changes, err)
		}
		if !cmp.Equal(refused, c.refused) {
			t.Errorf("%v: refused %q, want %q", c.changes, refused, c.refused)
		}
	}
}

// Opening hours name weekdays, give times as HH:MM, and keep each day's intervals in
// order without overlaps.
func TestOpeningHoursCheck(t *testing.T) {
	cases := []struct {
		hours OpeningHours
		want  []string
	}{
		{OpeningHours{}, nil},
		{OpeningHours{"mon": {{From: "08:00", To: "12:30"}, {From: "13:30", To: "17:00"}}, "sat": {{From: "09:00", To: "12:00"}}}, nil},
		{OpeningHours{"monday": {{From: "08:00", To: "12:00"}}}, []string{"hours.monday: is not a weekday (mon to sun)"}},
		{OpeningHours{"tue": {{From: "8:00", To: "12:00"}}}, []string{"hours.tue[0]: times must be HH:MM"}},
		{OpeningHours{"wed": {{From: "12:00", To: "12:00"}}}, []string{"hours.wed[0]: must end after it starts"}},
		{OpeningHours{"thu": {{From: "09:00", To: "13:00"}, {From: "12:00", To: "17:00"}}},
			[]string{"hours.thu[1]: must start after the previous interval ends, in order, without overlapping"}},
		{OpeningHours{"fri": {{From: "13:00", To: "17:00"}, {From: "09:00", To: "12:00"}}},
			[]string{"hours.fri[1]: must start after the previous interval ends, in order, without overlapping"}},
		{OpeningHours{"sun": make([]Interval, maxIntervals+1)}, []string{"hours.sun: must have at most 12 intervals"}},
	}
	for _, c := range cases {
		if got := problemsOf(func(p *Problems) { c.hours.Check(p, "hours") }); !cmp.Equal(got, c.want) {
			t.Errorf("%v: %q, want %q", c.hours, got, c.want)
		}
	}
}

// A van's input: what is given is tidied and checked, each field on its own.
func TestVehicleApply(t *testing.T) {
	name, reg := "Transit", " bv21 rde "
	cases := []struct {
		in     VehicleInput
		fields []string
	}{
		{VehicleInput{Name: &name, Registration: &reg, CapacityKg: ptr(900.0), CapacityM3: ptr(8.3)}, nil},
		{VehicleInput{Name: new(string), Registration: &reg}, []string{"name"}},
		{VehicleInput{Name: &name, Registration: &reg, CapacityKg: ptr(0.0), CapacityM3: ptr(51.0)}, []string{"capacity_kg", "capacity_m3"}},
		{VehicleInput{Name: &name, Registration: &reg, Skills: &[]string{"tail_lift", "Tail Lift"}}, []string{"skills[1]"}},
		{VehicleInput{Name: &name, Registration: &reg, Shifts: &map[string]Interval{"mon": {From: "16:00", To: "08:00"}}}, []string{"shifts.mon[0]"}},
		{VehicleInput{Name: &name, Registration: &reg, UnloadMinutes: ptr(241)}, []string{"unload_minutes"}},
		{VehicleInput{Name: &name, Registration: ptr("ABCDEFGHIJKLM")}, []string{"registration"}},
	}
	for i, c := range cases {
		var v Vehicle
		var p Problems
		v.apply(&p, c.in)
		err := p.Err()
		var fields []string
		var invalid *ValidationError
		if errors.As(err, &invalid) {
			for _, f := range invalid.Errors {
				fields = append(fields, f.Field)
			}
		}
		if !cmp.Equal(fields, c.fields) {
			t.Errorf("case %d: problems with %q (%v), want %q", i, fields, err, c.fields)
		}
		if c.fields == nil && (v.Registration != "BV21RDE" || v.CapacityG != 900_000) {
			t.Errorf("case %d: van %+v", i, v)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// stringMoves is a typed table of moves with its states as strings.
func stringMoves[T ~string](moves map[T][]T) map[string][]string {
	out := map[string][]string{}
	for from, tos := range moves {
		out[string(from)] = names(tos)
	}
	return out
}

// Each table of allowed moves names only states of its thing, and the states it leaves
// out are the ends: nothing moves from them.
func TestStatusMoves(t *testing.T) {
	for _, c := range []struct {
		thing    string
		moves    map[string][]string
		statuses []string
		ends     []string
	}{
		{"furniture", stringMoves(furnitureMoves), FurnitureStatuses, names([]FurnitureStatus{FurnPassedOn, FurnDisposed})},
		{"pickup request", stringMoves(pickupMoves), PickupStatuses, names([]PickupStatus{PickupCollected, PickupCancelled})},
		{"reservation", stringMoves(reservationMoves), ReservationStatuses, names([]ReservationStatus{StatusCollected, StatusCancelled, StatusExpired})},
		{"run", stringMoves(runMoves), RunStatuses, names([]RunStatus{RunFinished})},
		{"stop", stringMoves(stopMoves), StopStatuses, names([]StopStatus{StopCompleted, StopMissed})},
	} {
		var ends []string
		for _, from := range c.statuses {
			if _, ok := c.moves[from]; !ok {
				ends = append(ends, from)
			}
		}
		if !cmp.Equal(ends, c.ends) {
			t.Errorf("%s: the ends are %q, want %q", c.thing, ends, c.ends)
		}
		for from, tos := range c.moves {
			for _, to := range append([]string{from}, tos...) {
				if !slices.Contains(c.statuses, to) {
					t.Errorf("%s: the move %s to %s names an unknown state", c.thing, from, to)
				}
			}
		}
	}
}

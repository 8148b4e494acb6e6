package models

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// sumView is the part of the figures a case of TestSum looks at.
type sumView struct {
	DonationKg, DivertedKg, AvoidedKg, VanKg, NetKg Kg
	Donations, Lines, Collected, Served             int64
	ByKind                                          map[string]int64
	PassedOn, Households, Groups, Disposed          int64
	Hours                                           float64
	Volunteers, Placements, Runs, Stops, Attendees  int64
	Km                                              Km
	Factors                                         []string
}

func viewOf(f *Figures) sumView {
	v := sumView{DonationKg: f.Donations.Kg, DivertedKg: f.DivertedKg, AvoidedKg: f.CO2e.AvoidedKg, VanKg: f.CO2e.VanKg, NetKg: f.CO2e.NetKg,
		Donations: f.Donations.Count, Collected: f.Reservations.Collected, Served: f.Members.GroupsServed, ByKind: f.Members.ByKind,
		PassedOn: f.Furniture.PassedOn, Households: f.Furniture.HouseholdsHelped, Groups: f.Furniture.GroupsHelped, Disposed: f.Furniture.Disposed,
		Hours: f.Volunteering.Hours, Volunteers: f.Volunteering.Volunteers, Placements: f.Volunteering.Placements, Runs: f.Logistics.Runs,
		Stops: f.Logistics.StopsCompleted, Attendees: f.Workshops.Attendees, Km: f.Logistics.Km}
	for _, c := range f.Donations.ByCategory {
		v.Lines += c.Lines
	}
	for _, u := range f.CO2e.Factors {
		v.Factors = append(v.Factors, u.What+" from "+u.From)
	}
	return v
}

// sum adds up the facts of a period: each kind of fact into its figures, the CO2e with
// the factor in force on the fact's day, and groups, households and volunteers once each.
func TestSum(t *testing.T) {
	d := func(s string) Date { return mustDay(t, s) }
	ref := refData{
		cats: map[int64]Category{1: {ID: 1, Name: "Paper", Diverted: true}, 2: {ID: 2, Name: "Sundries"}},
		factors: map[int64][]CategoryFactor{1: {
			{ID: 1, CategoryID: 1, CO2eKgPerKg: 1, EffectiveFrom: d("2026-01-01")},
			{ID: 2, CategoryID: 1, CO2eKgPerKg: 2, EffectiveFrom: d("2026-11-15")},
		}},
		types: map[string]FurnitureType{"Sofa": {Name: "Sofa", CO2eKgPerKg: 1.5}},
	}
	november := Period{From: d("2026-11-01"), To: d("2026-11-30")}
	cases := []struct {
		name  string
		facts []fact
		want  sumView
	}{
		{"nothing", nil, sumView{ByKind: map[string]int64{}}},
		{"facts outside the period are left out", []fact{
			{day: d("2026-10-31"), kind: "line", key: 1, n: 1, g: 5000},
			{day: d("2026-12-01"), kind: "donation", n: 1},
		}, sumView{ByKind: map[string]int64{}}},
		{"donations: diverted weight and the factor of each line's day", []fact{
			{day: d("2026-11-01"), kind: "donation", n: 2},
			{day: d("2026-11-01"), kind: "line", key: 1, n: 2, g: 10_000},
			{day: d("2026-11-15"), kind: "line", key: 1, n: 1, g: 1000},
			{day: d("2026-11-30"), kind: "line", key: 2, n: 1, g: 4000},
		}, sumView{DonationKg: 15, DivertedKg: 11, AvoidedKg: 12, NetKg: 12, Donations: 2, Lines: 4, ByKind: map[string]int64{},
			Factors: []string{"Paper from 2026-01-01", "Paper from 2026-11-15"}}},
		{"visits: each group served once, by kind", []fact{
			{day: d("2026-11-02"), kind: "visit", key: 7, name: "school", n: 1, g: 2500},
			{day: d("2026-11-09"), kind: "visit", key: 7, name: "school", n: 2, g: 500},
			{day: d("2026-11-09"), kind: "visit", key: 8, name: "charity", n: 1},
			{day: d("2026-11-09"), kind: "member", key: 8, name: "charity", n: 1},
		}, sumView{Collected: 4, Served: 2, ByKind: map[string]int64{"school": 1, "charity": 1}}},
		{"furniture: households and groups once each, the type's factor", []fact{
			{day: d("2026-11-03"), kind: "handover", key: 1, name: "Sofa", sub: "household", n: 1, g: 40_000},
			{day: d("2026-11-04"), kind: "handover", key: 1, name: "Sofa", sub: "household", n: 1, g: 40_000},
			{day: d("2026-11-04"), kind: "handover", key: 2, name: "Lamp", sub: "organisation", n: 2, g: 4000},
			{day: d("2026-11-05"), kind: "disposal", name: "recycled", n: 1, g: 9000},
		}, sumView{DivertedKg: 84, AvoidedKg: 120, NetKg: 120, ByKind: map[string]int64{}, PassedOn: 4, Households: 1, Groups: 1, Disposed: 1,
			Factors: []string{"Furniture: Sofa from "}}},
		{"volunteers: quarters make hours, each volunteer once", []fact{
			{day: d("2026-11-03"), kind: "hours", key: 1, name: "volunteer", n: 10},
			{day: d("2026-11-04"), kind: "hours", key: 1, name: "volunteer", n: 6},
			{day: d("2026-11-04"), kind: "hours", key: 2, name: "placement", n: 2},
			{day: d("2026-11-06"), kind: "workshop", n: 2, g: 15},
		}, sumView{ByKind: map[string]int64{}, Hours: 4.5, Volunteers: 2, Placements: 1, Attendees: 15}},
		{"runs: metres make km, and the van's CO2e is taken off", []fact{
			{day: d("2026-11-03"), kind: "run", key: 1, n: 5, g: 40_000},
			{day: d("2026-11-04"), kind: "run", key: 2, n: 3, g: 60_000},
		}, sumView{ByKind: map[string]int64{}, Runs: 2, Stops: 8, Km: 100, VanKg: 100 * VanCO2ePerKm, NetKg: -100 * VanCO2ePerKm}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := ref.sum(c.facts, november)
			if f.Donations.ByCategory == nil || f.CO2e.Factors == nil {
				t.Error("empty lists must be [] in JSON, not null")
			}
			if diff := cmp.Diff(c.want, viewOf(f), cmpopts.EquateEmpty(), cmpopts.EquateApprox(0, 1e-9)); diff != "" {
				t.Errorf("figures (-want +got):\n%s", diff)
			}
		})
	}
}

package testdb

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/scrapstore/scrapstore/jobs/planner"
	"github.com/scrapstore/scrapstore/models"
	"gorm.io/gorm"
)

// Clock is the time a fixture's store stands still at: Thursday 26 November 2026, 09:00 in
// London (which is UTC in winter).
var Clock = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

// London is the store's time zone in tests.
var London = mustLoad("Europe/London")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// Password is the password of every user a fixture makes.
const Password = "correct horse battery"

// Fixture builds what tests start from (groups, users, categories, shelves, stock,
// furniture, reservations) through the Store, failing the test when a builder fails.
type Fixture struct {
	t     testing.TB
	Store *models.Store
	seq   int
	staff *models.User
}

// Planning plans runs from a depot in West Bromwich, with straight-line travel and a
// short budget for the solver.
var Planning = models.PlanSettings{Depot: planner.Point{Lat: 52.518, Lon: -1.995}, Travel: planner.GreatCircle{}, Location: London,
	Budget: 300 * time.Millisecond}

// EachFixture is Each with a fixture over a store whose clock stands still at Clock.
func EachFixture(t *testing.T, fn func(t *testing.T, f *Fixture)) {
	EachWith(t, func() time.Time { return Clock }, func(t *testing.T, s *models.Store) { fn(t, NewFixture(t, s)) })
}

// NewFixture builds on a store opened elsewhere, on whatever clock it has.
func NewFixture(t testing.TB, s *models.Store) *Fixture { return &Fixture{t: t, Store: s} }

// Today is the store's day in London.
func (f *Fixture) Today() models.Date { return models.NewDate(f.Store.Now().In(London)) }

// Day is a date written as 2026-11-26, for tests' constants: a bad one panics.
func Day(s string) models.Date {
	d, err := models.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// next numbers the names of things a test does not name itself.
func (f *Fixture) next() int {
	f.seq++
	return f.seq
}

// check fails the test when a builder's Store call fails.
func (f *Fixture) check(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

// Organisation is a member school whose membership is in date for 200 days more.
func (f *Fixture) Organisation(name string) *models.Organisation {
	f.t.Helper()
	expires := f.Today().AddDays(200)
	o := &models.Organisation{Name: name, Kind: "school", MembershipExpiresOn: &expires}
	Write(f.t, f.Store, func(tx *gorm.DB) *gorm.DB { return tx.Create(o) })
	return o
}

// User is an active user of the role, with Password; a member belongs to org.
func (f *Fixture) User(role models.Role, org *models.Organisation) *models.User {
	f.t.Helper()
	n := f.next()
	in := models.NewUser{Email: fmt.Sprintf("%s%d@example.org", role, n), Name: fmt.Sprintf("Test %s %d", role, n), Role: role, Password: Password}
	if role == models.RoleMember {
		in.OrganisationID = &org.ID
	}
	v, err := f.Store.CreateUser(context.Background(), nil, in)
	f.check(err)
	return v
}

// Staff is a member of staff, the same one each time: the actor of builders that need one.
func (f *Fixture) Staff() *models.User {
	if f.staff == nil {
		f.staff = f.User(models.RoleStaff, nil)
	}
	return f.staff
}

// Category is a category with unit weights in kg and a CO2e factor from today.
func (f *Fixture) Category(name, unit string, weights map[string]float64, factor float64) *models.CategoryView {
	f.t.Helper()
	src := "test factor"
	in := models.CategoryInput{Name: &name, DefaultUnit: &unit, UnitWeightsKg: weights, CO2eKgPerKg: &factor, CO2eSource: &src}
	v, err := f.Store.CreateCategory(context.Background(), nil, in, f.Today())
	f.check(err)
	return v
}

// Location is a shelf with the code.
func (f *Fixture) Location(code string) *models.Location {
	f.t.Helper()
	name, kind := "Shelf "+code, "shelf"
	v, err := f.Store.CreateLocation(context.Background(), nil, models.LocationInput{Code: &code, Name: &name, Kind: &kind})
	f.check(err)
	return v
}

// Stock receives quantity units, weighing kgPerUnit each, of a new item in a category and
// on a shelf of its own, and gives the item's id.
func (f *Fixture) Stock(desc string, quantity, kgPerUnit float64) int64 {
	f.t.Helper()
	n := f.next()
	cat := f.Category(fmt.Sprintf("Cat %d", n), "each", map[string]float64{"each": kgPerUnit}, 1)
	loc := f.Location(fmt.Sprintf("L%d", n))
	d, err := f.Store.ReceiveDonation(context.Background(), nil, models.DonationInput{Lines: []models.DonationLineInput{{CategoryID: &cat.ID,
		Description: desc, LocationID: &loc.ID, Quantity: quantity}}})
	f.check(err)
	return d.Lines[0].StockItemID
}

// FurnitureType is a type of furniture weighing kg, 1.2 m3, reused at WRAP's 1.45 kg CO2e a kg.
func (f *Fixture) FurnitureType(name string, kg float64, upholstered, electrical bool) *models.FurnitureType {
	f.t.Helper()
	v, err := f.Store.CreateFurnitureType(context.Background(), nil, models.FurnitureTypeInput{Name: name, DefaultWeightKg: kg,
		DefaultVolumeM3: 1.2, Upholstered: upholstered, Electrical: electrical, CO2eKgPerKg: 1.45, CO2eSource: "WRAP"})
	f.check(err)
	return v
}

// Furniture registers an item of the type, in good condition, received today.
func (f *Fixture) Furniture(typeID int64) *models.FurnitureItem {
	f.t.Helper()
	condition, colour := "good", "green"
	v, err := f.Store.RegisterFurniture(context.Background(), nil, models.FurnitureInput{TypeID: &typeID, Condition: &condition,
		Colour: &colour}, f.Today())
	f.check(err)
	return v
}

// OpenEveryDay opens visit slots 10:00-12:00 every day, an hour long, with places.
func (f *Fixture) OpenEveryDay(places int) {
	f.t.Helper()
	for wd := range 7 {
		_, err := f.Store.CreateSlotRule(context.Background(), nil, models.SlotRule{Weekday: wd, Starts: "10:00", Ends: "12:00", SlotMinutes: 60,
			Places: places})
		f.check(err)
	}
}

// Slot is a day's 10:00 slot in London, days after today.
func (f *Fixture) Slot(days int) time.Time {
	d := f.Today().AddDays(days)
	return time.Date(d.Year(), d.Month(), d.Day(), 10, 0, 0, 0, London)
}

// Reservation is a member's reservation of quantity of each item, for the slot.
func (f *Fixture) Reservation(member *models.User, slot time.Time, quantity float64, items ...int64) *models.Reservation {
	f.t.Helper()
	in := models.ReservationInput{OrganisationID: member.OrganisationID, SlotStart: &slot}
	for _, id := range items {
		in.Lines = append(in.Lines, models.LineInput{StockItemID: id, Quantity: quantity})
	}
	v, err := f.Store.CreateReservation(context.Background(), member, in, models.ReservationRules{Location: London})
	f.check(err)
	return v
}

// Donor is an active business in West Bromwich, open 08:00-16:00 on weekdays.
func (f *Fixture) Donor(name string) *models.Donor {
	f.t.Helper()
	hours := models.OpeningHours{}
	for _, d := range models.Weekdays[:5] {
		hours[d] = []models.Interval{{From: "08:00", To: "16:00"}}
	}
	address, postcode, lat, lon := "1 High Street, West Bromwich", "B70 6AU", 52.51, -1.99
	v, err := f.Store.CreateDonor(context.Background(), f.Staff(), models.DonorInput{Name: &name, Address: &address, Postcode: &postcode,
		Latitude: &lat, Longitude: &lon, OpeningHours: &hours})
	f.check(err)
	return v
}

// Van is a van of 900 kg and 8 m3 that works the given days (mon..sun) from 08:00 to 17:00.
func (f *Fixture) Van(reg string, days ...string) *models.Vehicle {
	f.t.Helper()
	shifts := map[string]models.Interval{}
	for _, d := range days {
		shifts[d] = models.Interval{From: "08:00", To: "17:00"}
	}
	kg, m3 := 900.0, 8.0
	v, err := f.Store.CreateVehicle(context.Background(), f.Staff(), models.VehicleInput{Name: &reg, Registration: &reg, CapacityKg: &kg,
		CapacityM3: &m3, Shifts: &shifts})
	f.check(err)
	return v
}

// AcceptedRequest is a donor's request for a collection of 100 kg, made by staff and
// accepted, collectable from earliest to latest.
func (f *Fixture) AcceptedRequest(donor *models.Donor, earliest, latest models.Date) *models.PickupRequest {
	f.t.Helper()
	ctx := context.Background()
	r, err := f.Store.RequestPickup(ctx, f.Staff(), models.PickupInput{DonorID: &donor.ID, BusinessName: donor.Name, ContactName: "Sam",
		Email: "sam@example.co.uk", Address: donor.Address, Postcode: donor.Postcode, Description: "card and tubes", ApproxKg: 100, ApproxM3: 1,
		EarliestDate: earliest, LatestDate: latest}, "", f.Today())
	f.check(err)
	r, err = f.Store.AcceptPickup(ctx, f.Staff(), r.ID, models.AcceptInput{DonorID: &donor.ID})
	f.check(err)
	return r
}

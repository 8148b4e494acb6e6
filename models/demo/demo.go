// Package demo fills an empty database with a year of made-up but plausible data (a
// scrapstore in Sandwell), through the Store and its transaction, for trying the service
// and for benchmarks.
package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"gorm.io/gorm"

	"github.com/scrapstore/scrapstore/models"
)

// User is a demo account and its password, printed once when the demo is loaded.
type User struct {
	Email, Password string
	Role            models.Role
}

// demo carries what the demo loaders share: the random source (so a seed gives the same
// data every time), the scale, and the ids made so far.
type demo struct {
	store   *models.Store // bound to the demo's transaction
	ctx     context.Context
	staffID int64
	tx      *gorm.DB
	rng     *rand.Rand
	scale   int
	today   models.Date
	now     time.Time
	orgIDs  []int64
	bandIDs []int64
	users   []User
	// pastRuns are the collection runs of the past year, planned with the donations
	// (stock) and made into runs once those have ids (runs).
	pastRuns []demoRun
}

// Load fills an empty database with demo data that looks like a Sandwell scrapstore:
// deterministic for a seed, and scale times larger for benchmarks. It returns the demo
// accounts with their passwords. today is the store's current day.
func Load(ctx context.Context, s *models.Store, seed uint64, scale int, today models.Date) ([]User, error) {
	if scale < 1 {
		return nil, models.Invalid("scale", "must be at least 1")
	}
	empty, err := s.IsEmpty(ctx)
	if err != nil {
		return nil, err
	}
	if !empty {
		return nil, models.Conflict("the database already has data; demo data goes into an empty database only")
	}
	d := &demo{ctx: ctx, rng: rand.New(rand.NewPCG(seed, seed^0x5ca7)), scale: scale, today: today, now: s.Now()}
	err = s.InTx(ctx, func(tx *gorm.DB) error {
		d.tx, d.store = tx, s.Bound(tx)
		for _, load := range []func() error{d.bands, d.categories, d.locations, d.donors, d.organisations, d.accounts, d.visitRules, d.vans, d.stock,
			d.reservations, d.furniture, d.people, d.runs} {
			if err := load(); err != nil {
				return err
			}
		}
		// Most of the demo's rows are written in bulk, around the Store's methods.
		return d.store.RefillTotals(ctx)
	})
	if err != nil {
		return nil, err
	}
	return d.users, s.RefreshStatistics(ctx)
}

func (d *demo) pick(list []string) string { return list[d.rng.IntN(len(list))] }

// Sandwell and Black Country postcode districts, each with a point near its centre.
var demoAreas = []struct {
	district, town string
	lat, lon       float64
}{
	{"B70", "West Bromwich", 52.5187, -1.9945},
	{"B71", "West Bromwich", 52.5330, -1.9870},
	{"B66", "Smethwick", 52.4930, -1.9700},
	{"B67", "Smethwick", 52.4850, -1.9780},
	{"B68", "Oldbury", 52.4720, -2.0130},
	{"B69", "Oldbury", 52.5040, -2.0200},
	{"B64", "Cradley Heath", 52.4720, -2.0820},
	{"B65", "Rowley Regis", 52.4850, -2.0500},
	{"DY4", "Tipton", 52.5290, -2.0660},
	{"WS10", "Wednesbury", 52.5520, -2.0230},
}

func (d *demo) address() (street, postcode string, lat, lon float64) {
	a := demoAreas[d.rng.IntN(len(demoAreas))]
	streets := []string{"High Street", "Church Lane", "Birmingham Road", "Dudley Road", "Spon Lane", "Park Lane", "Union Street", "Oldbury Road",
		"Bridge Street", "Hill Top", "Halesowen Road", "Lodge Road", "Wood Lane", "Brickhouse Lane", "Greets Green Road"}
	street = fmt.Sprintf("%d %s, %s", 1+d.rng.IntN(240), d.pick(streets), a.town)
	const unitLetters = "ABDEFGHJLNPQRSTUWXYZ" // the letters a postcode's last two may be
	postcode = fmt.Sprintf("%s %d%c%c", a.district, 1+d.rng.IntN(9), unitLetters[d.rng.IntN(len(unitLetters))],
		unitLetters[d.rng.IntN(len(unitLetters))])
	// To six decimals (about 10 cm), as a geocoder gives them.
	lat = math.Round((a.lat+(d.rng.Float64()-0.5)*0.02)*1e6) / 1e6
	lon = math.Round((a.lon+(d.rng.Float64()-0.5)*0.03)*1e6) / 1e6
	return street, postcode, lat, lon
}

func (d *demo) phone() string {
	return fmt.Sprintf("0121 %03d %04d", 500+d.rng.IntN(400), d.rng.IntN(10000))
}

func (d *demo) bands() error {
	bands := []models.Band{
		{Name: "Small group", AnnualFeePence: 4000, AllowanceG: 30_000},
		{Name: "Standard", AnnualFeePence: 7500, AllowanceG: 60_000},
		{Name: "Large school", AnnualFeePence: 12000, AllowanceG: 100_000},
	}
	if err := d.tx.Create(&bands).Error; err != nil {
		return err
	}
	for _, b := range bands {
		d.bandIDs = append(d.bandIDs, b.ID)
	}
	return nil
}

// demoCategories carry reuse factors derived from the UK government's greenhouse gas
// conversion factors (DESNZ/DEFRA 2023, "material use", primary production): reusing a
// kilogram avoids making a kilogram new. The values are data and can be edited.
var demoCategories = []struct {
	name, unit string
	units      map[string]models.Grams // per unit
	factor     float64
	source     string
	diverted   bool
	minKg      int64
}{
	{"Paper and card", "box", map[string]models.Grams{"box": 4000, "sheet": 20, "bag": 3000, "kg": 1000}, 0.92,
		"DESNZ/DEFRA 2023 GHG conversion factors, material use: paper and board (mixed)", true, 150},
	{"Textiles", "bag", map[string]models.Grams{"bag": 5000, "metre": 300, "roll": 8000, "kg": 1000}, 22.31,
		"DESNZ/DEFRA 2023 GHG conversion factors, material use: clothing", true, 80},
	{"Foam", "bag", map[string]models.Grams{"bag": 1500, "sheet": 200, "each": 50, "kg": 1000}, 3.12,
		"DESNZ/DEFRA 2023 GHG conversion factors, material use: plastics (average), as a proxy for foam", true, 30},
	{"Plastics", "bag", map[string]models.Grams{"bag": 2500, "each": 40, "box": 3000, "kg": 1000}, 3.12,
		"DESNZ/DEFRA 2023 GHG conversion factors, material use: plastics (average)", true, 60},
	{"Wood", "each", map[string]models.Grams{"each": 1500, "metre": 800, "box": 10000, "kg": 1000}, 0.31,
		"DESNZ/DEFRA 2023 GHG conversion factors, material use: wood", true, 100},
	{"Tubes and cores", "each", map[string]models.Grams{"each": 150, "box": 3000, "bag": 2000, "kg": 1000}, 0.92,
		"DESNZ/DEFRA 2023 GHG conversion factors, material use: paper and board (mixed)", true, 40},
	{"Containers", "each", map[string]models.Grams{"each": 60, "box": 2500, "bag": 2000, "kg": 1000}, 1.50,
		"DESNZ/DEFRA 2023 GHG conversion factors, material use: mixed plastics and metal cans (weighted average)", true, 40},
	{"Craft", "box", map[string]models.Grams{"box": 2000, "bag": 1500, "each": 100, "kg": 1000}, 1.20,
		"DESNZ/DEFRA 2023 GHG conversion factors, material use: mixed (average of paper, plastics and textiles)", true, 30},
	{"Furniture", "each", map[string]models.Grams{"each": 27000, "kg": 1000}, 1.45,
		"DESNZ/DEFRA 2023 GHG conversion factors, material use: furniture (WRAP re-use factor for sofas)", true, 0},
	{"Electricals", "each", map[string]models.Grams{"each": 4000, "box": 8000, "kg": 1000}, 3.27,
		"DESNZ/DEFRA 2023 GHG conversion factors, material use: WEEE (mixed)", true, 0},
}

func (d *demo) categories() error {
	from := models.NewDate(time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC))
	for _, c := range demoCategories {
		cat := models.Category{Name: c.name, DefaultUnit: c.unit, Diverted: c.diverted, MinStockG: models.Grams(c.minKg) * 1000}
		for u, g := range c.units {
			cat.Units = append(cat.Units, models.CategoryUnit{Unit: u, GramsPerUnit: g})
		}
		if err := d.tx.Create(&cat).Error; err != nil {
			return err
		}
		f := models.CategoryFactor{CategoryID: cat.ID, CO2eKgPerKg: c.factor, Source: c.source, EffectiveFrom: from, CreatedAt: d.now}
		if err := d.tx.Create(&f).Error; err != nil {
			return err
		}
	}
	return nil
}

func (d *demo) locations() error {
	var locs []models.Location
	for bay := 1; bay <= 6; bay++ {
		locs = append(locs, models.Location{Code: fmt.Sprintf("B%d", bay), Name: fmt.Sprintf("Bay %d floor", bay), Kind: "bay", Active: true})
		for shelf := 1; shelf <= 4; shelf++ {
			locs = append(locs, models.Location{Code: fmt.Sprintf("B%d-S%d", bay, shelf), Name: fmt.Sprintf("Bay %d shelf %d", bay, shelf),
				Kind:   "shelf",
				Active: true})
		}
	}
	locs = append(locs,
		models.Location{Code: "YARD", Name: "Yard", Kind: "yard", Active: true},
		models.Location{Code: "C1", Name: "Fabric cage", Kind: "container", Active: true},
		models.Location{Code: "C2", Name: "Foam cage", Kind: "container", Active: true},
		models.Location{Code: "VAN1", Name: "Van 1 (unloading)", Kind: "van", Active: true},
		models.Location{Code: "FURN", Name: "Furniture warehouse", Kind: "bay", Active: true},
	)
	return d.tx.CreateInBatches(&locs, 100).Error
}

func (d *demo) donors() error {
	trades := []string{"Printers", "Packaging", "Textiles", "Upholstery", "Joinery", "Signs", "Foam Products", "Framing", "Plastics", "Paper Mill",
		"Displays", "Carpets", "Engineering", "Tiles", "Shopfitters", "Labels"}
	names := []string{"Sandwell", "Black Country", "Tame Valley", "Albion", "Hawthorns", "Rowley", "Oldbury", "Smethwick", "Tipton", "Galton", "Soho",
		"Dartmouth", "Midland", "Brunswick", "Wednesbury", "Greets Green", "Cape Hill", "Lyng", "Victoria", "Churchbridge"}
	suffix := []string{"Ltd", "Ltd", "& Sons", "Co.", "UK Ltd", "Group"}
	var donors []models.Donor
	for i := 0; i < 30*d.scale; i++ {
		street, pc, lat, lon := d.address()
		name := fmt.Sprintf("%s %s %s", d.pick(names), d.pick(trades), d.pick(suffix))
		if i >= 30 {
			name = fmt.Sprintf("%s %d", name, i)
		}
		donors = append(donors, models.Donor{
			Name: name, ContactName: d.person(), Email: fmt.Sprintf("donations%d@example.co.uk", i+1), Phone: d.phone(),
			Address: street, Postcode: pc, Latitude: &lat, Longitude: &lon,
			OpeningHours: d.openingHours(), Active: d.rng.IntN(20) != 0,
		})
	}
	return d.tx.CreateInBatches(&donors, 500).Error
}

func (d *demo) openingHours() models.OpeningHours {
	h := models.OpeningHours{}
	start := []string{"07:30", "08:00", "08:30", "09:00"}[d.rng.IntN(4)]
	end := []string{"16:00", "16:30", "17:00", "17:30"}[d.rng.IntN(4)]
	lunch := d.rng.IntN(3) == 0
	for _, day := range []string{"mon", "tue", "wed", "thu", "fri"} {
		if lunch {
			h[day] = []models.Interval{{From: start, To: "12:30"}, {From: "13:30", To: end}}
		} else {
			h[day] = []models.Interval{{From: start, To: end}}
		}
	}
	if d.rng.IntN(4) == 0 {
		h["sat"] = []models.Interval{{From: "09:00", To: "12:00"}}
	}
	return h
}

func (d *demo) person() string {
	first := []string{"Amrit", "Sarah", "Dave", "Priya", "Tom", "Jas", "Karen", "Mohammed", "Lucy", "Gary", "Aisha", "Stephen", "Harjit", "Emma",
		"Wayne", "Zofia", "Chloé", "Seán"}
	last := []string{"Patel", "Smith", "Kaur", "Jones", "Hussain", "Taylor", "Bains", "Williams", "Brown", "Khan", "Davies", "Singh", "Evans",
		"Nowak",
		"O'Brien"}
	return d.pick(first) + " " + d.pick(last)
}

func (d *demo) organisations() error {
	kinds := []struct {
		kind   string
		names  []string
		suffix string
		people [2]int
	}{
		{"school", []string{"Greets Green", "Ryders Green", "Holy Trinity", "Lyng", "Hateley Heath", "Yew Tree", "Cape", "Victoria Park",
			"Albert Pritchard", "Ocker Hill", "Causeway Green", "Old Hill"}, "Primary School", [2]int{180, 450}},
		{"early_years", []string{"Little Acorns", "Sunshine", "Rainbow", "Busy Bees", "Tiny Steps", "Ladybird"}, "Nursery", [2]int{20, 80}},
		{"play_group", []string{"Tipton", "Smethwick", "Oldbury", "Rowley", "Wednesbury", "Friar Park"}, "Play Group", [2]int{15, 50}},
		{"community_group", []string{"Lion Farm", "Tividale", "Cradley Heath", "Hill Top", "Brandhall", "Langley"}, "Community Centre",
			[2]int{50, 400}},
		{"charity", []string{"Sandwell Young Carers", "Black Country Women's Aid", "Smethwick Youth Arts", "Wednesbury Men's Shed"}, "",
			[2]int{30, 300}},
	}
	var orgs []models.Organisation
	for i := 0; i < 40*d.scale; i++ {
		k := kinds[i%len(kinds)]
		name := d.pick(k.names)
		if k.suffix != "" {
			name += " " + k.suffix
		}
		if i >= len(kinds)*8 {
			name = fmt.Sprintf("%s (%d)", name, i)
		}
		street, pc, _, _ := d.address()
		since := d.today.AddDays(-30 - d.rng.IntN(5*365))
		// Most memberships are in date; about one in eight has lapsed.
		expires := d.today.AddDays(d.rng.IntN(330) + 1)
		if d.rng.IntN(8) == 0 {
			expires = d.today.AddDays(-1 - d.rng.IntN(120))
		}
		band := d.bandIDs[d.rng.IntN(len(d.bandIDs))]
		orgs = append(orgs, models.Organisation{
			Name: name, Kind: k.kind, Address: street, Postcode: pc, ContactName: d.person(),
			Email: fmt.Sprintf("office%d@example.org.uk", i+1), Phone: d.phone(),
			PeopleServed: k.people[0] + d.rng.IntN(k.people[1]-k.people[0]), BandID: &band,
			MemberSince: &since, MembershipExpiresOn: &expires,
		})
	}
	if err := d.tx.CreateInBatches(&orgs, 500).Error; err != nil {
		return err
	}
	for _, o := range orgs {
		d.orgIDs = append(d.orgIDs, o.ID)
	}
	return nil
}

// accounts creates one or two users of each role, members tied to the first groups.
func (d *demo) accounts() error {
	type acct struct {
		email, name string
		role        models.Role
		org         *int64
	}
	list := []acct{
		{"staff@scrapstore.example", "Staff Demo", models.RoleStaff, nil},
		{"volunteer@scrapstore.example", "Volunteer Demo", models.RoleStaff, nil},
		{"driver@scrapstore.example", "Driver Demo", models.RoleDriver, nil},
		{"driver2@scrapstore.example", "Second Driver", models.RoleDriver, nil},
		{"member@scrapstore.example", "Member Demo", models.RoleMember, &d.orgIDs[0]},
		{"member2@scrapstore.example", "Second Member", models.RoleMember, &d.orgIDs[1]},
		{"boss@scrapstore.example", "Manager Demo", models.RoleManager, nil},
	}
	// Every demo account has the same password: quick to try, and printed once.
	pw := models.GeneratePassword()
	hash, err := d.store.HashPassword(pw)
	if err != nil {
		return err
	}
	for _, a := range list {
		u := models.User{Email: a.email, Name: a.name, Role: a.role, OrganisationID: a.org, PasswordHash: hash, Active: true}
		if err := d.tx.Create(&u).Error; err != nil {
			return fmt.Errorf("demo user %s: %w", a.email, err)
		}
		d.users = append(d.users, User{Email: a.email, Password: pw, Role: a.role})
		if a.role == models.RoleStaff && d.staffID == 0 {
			d.staffID = u.ID
		}
	}
	return nil
}

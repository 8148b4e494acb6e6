package models

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/scrapstore/scrapstore/jobs/planner"
)

// CategoryView is a category as the API shows it: its unit weights in kg and the CO2e
// factor in force today.
type CategoryView struct {
	Category
	UnitWeightsKg map[string]float64 `json:"unit_weights_kg"`
	CO2eKgPerKg   float64            `json:"co2e_kg_per_kg"`
	CO2eSource    string             `json:"co2e_source"`
	MinStock      Grams              `json:"min_stock_kg"`
	Factors       []CategoryFactor   `json:"factors,omitempty"`
}

// CategoryInput creates or changes a category; nil fields stay as they are.
type CategoryInput struct {
	Name          *string            `json:"name"`
	DefaultUnit   *string            `json:"default_unit"`
	UnitWeightsKg map[string]float64 `json:"unit_weights_kg"`
	Diverted      *bool              `json:"diverted"`
	MinStockKg    *float64           `json:"min_stock_kg"`
	// Only on creation: the first factor, in force from FactorFrom.
	CO2eKgPerKg *float64 `json:"co2e_kg_per_kg"`
	CO2eSource  *string  `json:"co2e_source"`
	FactorFrom  *Date    `json:"factor_effective_from"`
}

func (s *Store) categoryView(tx *gorm.DB, c *Category, day Date, withHistory bool) (*CategoryView, error) {
	views, err := s.categoryViews(tx, []Category{*c}, day, withHistory)
	if err != nil {
		return nil, err
	}
	return &views[0], nil
}

// categoryViews presents categories with their units and factors, read for all of them
// at once (two queries, however many categories).
func (s *Store) categoryViews(tx *gorm.DB, cats []Category, day Date, withHistory bool) ([]CategoryView, error) {
	ids := make([]int64, len(cats))
	for i, c := range cats {
		ids[i] = c.ID
	}
	var units []CategoryUnit
	if err := tx.Where("category_id IN ?", ids).Find(&units).Error; err != nil {
		return nil, err
	}
	var factors []CategoryFactor
	if err := tx.Where("category_id IN ?", ids).Order("effective_from DESC").Find(&factors).Error; err != nil {
		return nil, err
	}
	views := make([]CategoryView, len(cats))
	at := make(map[int64]*CategoryView, len(cats))
	for i, c := range cats {
		views[i] = CategoryView{Category: c, UnitWeightsKg: map[string]float64{}, MinStock: c.MinStockG}
		at[c.ID] = &views[i]
	}
	for _, u := range units {
		at[u.CategoryID].UnitWeightsKg[u.Unit] = float64(u.GramsPerUnit.Kg())
	}
	inForce := map[int64]bool{}
	for _, f := range factors { // newest first: the first in force on day is the one
		v := at[f.CategoryID]
		if !inForce[f.CategoryID] && !f.EffectiveFrom.After(day.Time) {
			v.CO2eKgPerKg, v.CO2eSource = f.CO2eKgPerKg, f.Source
			inForce[f.CategoryID] = true
		}
		if withHistory {
			v.Factors = append(v.Factors, f)
		}
	}
	return views, nil
}

// checkFactor checks a CO2e factor and the source given for it in sourceField.
func checkFactor(p *Problems, factor float64, source, sourceField string) {
	if factor < 0 || factor > 1000 || math.IsNaN(factor) {
		p.Add("co2e_kg_per_kg", "must be between 0 and 1000")
	}
	checkTextUpTo(p, sourceField, source, MaxLine, true)
}

// CreateCategory adds a kind of material with its unit weights and first CO2e factor.
func (s *Store) CreateCategory(ctx context.Context, actor *User, in CategoryInput, today Date) (*CategoryView, error) {
	c := &Category{Diverted: true}
	var view *CategoryView
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		var p Problems
		if in.CO2eKgPerKg == nil {
			p.Add("co2e_kg_per_kg", "is required")
		}
		if in.CO2eSource == nil {
			p.Add("co2e_source", "is required: say where the factor comes from")
		}
		s.applyCategory(&p, c, in)
		if in.FactorFrom != nil {
			checkDay(&p, "factor_effective_from", *in.FactorFrom, today, 40, 5)
		}
		if in.CO2eKgPerKg != nil && in.CO2eSource != nil {
			checkFactor(&p, *in.CO2eKgPerKg, *in.CO2eSource, "co2e_source")
		}
		if err := p.Err(); err != nil {
			return err
		}
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Omit("Units").Create(c)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return Conflict("a category named %q already exists", c.Name)
		}
		if err := s.saveUnits(tx, c.ID, in.UnitWeightsKg); err != nil {
			return err
		}
		from := Date{time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)}
		if in.FactorFrom != nil {
			from = *in.FactorFrom
		}
		f := CategoryFactor{CategoryID: c.ID, CO2eKgPerKg: *in.CO2eKgPerKg, Source: strings.TrimSpace(*in.CO2eSource), EffectiveFrom: from,
			CreatedAt: s.Now()}
		if err := tx.Create(&f).Error; err != nil {
			return err
		}
		var err error
		if view, err = s.categoryView(tx, c, today, false); err != nil {
			return err
		}
		return s.audit(tx, actor, "create", "category", c.ID,
			map[string]any{"name": c.Name, "default_unit": c.DefaultUnit, "unit_weights_kg": in.UnitWeightsKg, "co2e_kg_per_kg": f.CO2eKgPerKg,
				"source": f.Source})
	})
	return view, err
}

// checkNoFactor refuses a factor in a change to a category: a new factor is added with
// AddFactor, so that past periods keep theirs.
func (in CategoryInput) checkNoFactor(p *Problems) {
	given := []struct {
		field string
		set   bool
	}{{"co2e_kg_per_kg", in.CO2eKgPerKg != nil}, {"co2e_source", in.CO2eSource != nil}, {"factor_effective_from", in.FactorFrom != nil}}
	for _, g := range given {
		if g.set {
			p.Add(g.field, "is set only when the category is created; add a factor to change it")
		}
	}
}

func (s *Store) applyCategory(p *Problems, c *Category, in CategoryInput) {
	if in.Name != nil {
		c.Name = strings.TrimSpace(*in.Name)
	}
	checkTextUpTo(p, "name", c.Name, MaxTitle, true)
	if in.DefaultUnit != nil {
		c.DefaultUnit = *in.DefaultUnit
	}
	if !slices.Contains(Units, c.DefaultUnit) {
		p.Add("default_unit", "must be one of %s", strings.Join(Units, ", "))
	}
	if in.Diverted != nil {
		c.Diverted = *in.Diverted
	}
	if in.MinStockKg != nil {
		if *in.MinStockKg < 0 || *in.MinStockKg > 1_000_000 {
			p.Add("min_stock_kg", "must be between 0 and 1000000")
		}
		c.MinStockG = GramsFromKg(*in.MinStockKg)
	}
	for u, kg := range in.UnitWeightsKg {
		if !slices.Contains(Units, u) {
			p.Add("unit_weights_kg."+u, "is not a unit (%s)", strings.Join(Units, ", "))
		} else if kg <= 0 || kg > 10_000 || math.IsNaN(kg) {
			p.Add("unit_weights_kg."+u, "must be more than 0 and at most 10000 kg")
		}
	}
	if in.UnitWeightsKg != nil || in.DefaultUnit != nil {
		if _, ok := in.UnitWeightsKg[c.DefaultUnit]; !ok && c.DefaultUnit != "kg" && in.UnitWeightsKg != nil {
			p.Add("unit_weights_kg", "must give the weight of the default unit (%s)", c.DefaultUnit)
		}
	}
}

// saveUnits replaces a category's unit weights; kg always weighs 1 kg.
func (s *Store) saveUnits(tx *gorm.DB, categoryID int64, weights map[string]float64) error {
	if weights == nil {
		return nil
	}
	if err := tx.Where("category_id = ?", categoryID).Delete(&CategoryUnit{}).Error; err != nil {
		return err
	}
	units := []CategoryUnit{{CategoryID: categoryID, Unit: "kg", GramsPerUnit: 1000}}
	for u, kg := range weights {
		if u != "kg" {
			units = append(units, CategoryUnit{CategoryID: categoryID, Unit: u, GramsPerUnit: GramsFromKg(kg)})
		}
	}
	return tx.Create(&units).Error
}

// UpdateCategory changes a category. A new CO2e factor is added with AddFactor instead,
// so that figures for past periods keep the factor that was in force.
func (s *Store) UpdateCategory(ctx context.Context, actor *User, id int64, in CategoryInput, today Date) (*CategoryView, error) {
	var view *CategoryView
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		var c Category
		if err := tx.First(&c, id).Error; err != nil {
			return notFound(err, "category", id)
		}
		before := map[string]any{"name": c.Name, "default_unit": c.DefaultUnit, "diverted": c.Diverted, "min_stock_kg": c.MinStockG.Kg()}
		var p Problems
		in.checkNoFactor(&p)
		s.applyCategory(&p, &c, in)
		if err := p.Err(); err != nil {
			return err
		}
		var clash int64
		if err := tx.Model(&Category{}).Where("name = ? AND id <> ?", c.Name, c.ID).Count(&clash).Error; err != nil {
			return err
		}
		if clash > 0 {
			return Conflict("a category named %q already exists", c.Name)
		}
		if err := tx.Omit("Units").Save(&c).Error; err != nil {
			return err
		}
		if err := s.saveUnits(tx, c.ID, in.UnitWeightsKg); err != nil {
			return err
		}
		after := map[string]any{"name": c.Name, "default_unit": c.DefaultUnit, "diverted": c.Diverted, "min_stock_kg": c.MinStockG.Kg()}
		changes := diff(before, after)
		if in.UnitWeightsKg != nil {
			changes["unit_weights_kg"] = in.UnitWeightsKg
		}
		var err error
		if view, err = s.categoryView(tx, &c, today, true); err != nil {
			return err
		}
		return s.audit(tx, actor, "update", "category", c.ID, changes)
	})
	return view, err
}

// AddFactor adds a version of a category's CO2e factor in force from a date; older
// versions stay for the periods they covered.
func (s *Store) AddFactor(ctx context.Context, actor *User, id int64, factor float64, source string, from Date, today Date) (*CategoryView, error) {
	var p Problems
	checkFactor(&p, factor, source, "source")
	checkDay(&p, "effective_from", from, today, 40, 5)
	if err := p.Err(); err != nil {
		return nil, err
	}
	var view *CategoryView
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		var c Category
		if err := tx.First(&c, id).Error; err != nil {
			return notFound(err, "category", id)
		}
		f := CategoryFactor{CategoryID: id, CO2eKgPerKg: factor, Source: strings.TrimSpace(source), EffectiveFrom: from, CreatedAt: s.Now()}
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&f)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return Conflict("category %d already has a factor from %s", id, from)
		}
		var err error
		if view, err = s.categoryView(tx, &c, today, true); err != nil {
			return err
		}
		return s.audit(tx, actor, "add_factor", "category", id, map[string]any{"co2e_kg_per_kg": factor, "source": f.Source, "effective_from": from})
	})
	return view, err
}

// GetCategory fetches a category with its factor history.
func (s *Store) GetCategory(ctx context.Context, id int64, today Date) (*CategoryView, error) {
	var c Category
	if err := s.DB(ctx).First(&c, id).Error; err != nil {
		return nil, notFound(err, "category", id)
	}
	return s.categoryView(s.DB(ctx), &c, today, true)
}

// ListCategories lists categories by name.
func (s *Store) ListCategories(ctx context.Context, page Page, today Date) ([]CategoryView, string, error) {
	cats, next, err := Paginate[Category](s.DB(ctx).Model(&Category{}), page, Order{Column: "name"},
		func(c Category) Key { return Key{Sort: c.Name, ID: c.ID} })
	if err != nil {
		return nil, "", err
	}
	out, err := s.categoryViews(s.DB(ctx), cats, today, false)
	return out, next, err
}

// CategoryName is what the public pickup form shows of a category.
type CategoryName struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// CategoryNames lists categories' ids and names by name, for the public pickup form.
func (s *Store) CategoryNames(ctx context.Context, page Page) ([]CategoryName, string, error) {
	q := s.DB(ctx).Model(&Category{}).Select("id, name")
	return Paginate[CategoryName](q, page, Order{Column: "name"}, func(c CategoryName) Key { return Key{Sort: c.Name, ID: c.ID} })
}

// LocationInput creates or changes a location.
type LocationInput struct {
	Code   *string `json:"code"`
	Name   *string `json:"name"`
	Kind   *string `json:"kind"`
	Active *bool   `json:"active"`
}

func (l *Location) apply(p *Problems, in LocationInput) {
	if in.Code != nil {
		l.Code = strings.ToUpper(strings.TrimSpace(*in.Code))
	}
	if l.Code == "" || len(l.Code) > MaxCode || strings.ContainsAny(l.Code, " \t/") {
		p.Add("code", "must be a short code without spaces, e.g. B3-S2")
	}
	if in.Name != nil {
		l.Name = strings.TrimSpace(*in.Name)
	}
	checkTextUpTo(p, "name", l.Name, MaxTitle, true)
	if in.Kind != nil {
		l.Kind = *in.Kind
	}
	if !slices.Contains(LocationKinds, l.Kind) {
		p.Add("kind", "must be one of %s", strings.Join(LocationKinds, ", "))
	}
}

// CreateLocation adds a place stock can sit.
func (s *Store) CreateLocation(ctx context.Context, actor *User, in LocationInput) (*Location, error) {
	l := &Location{Active: true}
	var p Problems
	l.apply(&p, in)
	if err := p.Err(); err != nil {
		return nil, err
	}
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(l)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return Conflict("a location with code %s already exists", l.Code)
		}
		return s.audit(tx, actor, "create", "location", l.ID, map[string]any{"code": l.Code, "name": l.Name, "kind": l.Kind})
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// UpdateLocation changes a location. One that holds stock cannot be deactivated.
func (s *Store) UpdateLocation(ctx context.Context, actor *User, id int64, in LocationInput) (*Location, error) {
	var l Location
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		if err := tx.First(&l, id).Error; err != nil {
			return notFound(err, "location", id)
		}
		before := map[string]any{"code": l.Code, "name": l.Name, "kind": l.Kind, "active": l.Active}
		var p Problems
		l.apply(&p, in)
		if err := p.Err(); err != nil {
			return err
		}
		if in.Active != nil && !*in.Active && l.Active {
			var n int64
			if err := tx.Model(&StockItem{}).Where("location_id = ? AND on_hand_milli > 0", id).Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				return Conflict("location %s holds %d stock items: move them first", l.Code, n)
			}
		}
		if in.Active != nil {
			l.Active = *in.Active
		}
		var clash int64
		if err := tx.Model(&Location{}).Where("code = ? AND id <> ?", l.Code, l.ID).Count(&clash).Error; err != nil {
			return err
		}
		if clash > 0 {
			return Conflict("a location with code %s already exists", l.Code)
		}
		if err := tx.Save(&l).Error; err != nil {
			return err
		}
		return s.audit(tx, actor, "update", "location", l.ID,
			diff(before, map[string]any{"code": l.Code, "name": l.Name, "kind": l.Kind, "active": l.Active}))
	})
	if err != nil {
		return nil, err
	}
	return &l, nil
}

// ListLocations lists locations by code.
func (s *Store) ListLocations(ctx context.Context, active *bool, page Page) ([]Location, string, error) {
	q := s.DB(ctx).Model(&Location{})
	if active != nil {
		q = q.Where("active = ?", *active)
	}
	return Paginate[Location](q, page, Order{Column: "code"}, func(l Location) Key { return Key{Sort: l.Code, ID: l.ID} })
}

// activeLocation checks a location exists and is in use.
func (s *Store) activeLocation(tx *gorm.DB, id int64, field string) error {
	var l Location
	if err := tx.First(&l, id).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return Invalid(field, "no location with id %d", id)
		}
		return err
	}
	if !l.Active {
		return Invalid(field, "location %s is not in use", l.Code)
	}
	return nil
}

// DonorInput creates or changes a donor; nil fields stay.
type DonorInput struct {
	Name         *string       `json:"name"`
	ContactName  *string       `json:"contact_name"`
	Email        *string       `json:"email"`
	Phone        *string       `json:"phone"`
	Address      *string       `json:"address"`
	Postcode     *string       `json:"postcode"`
	Latitude     *float64      `json:"latitude"`
	Longitude    *float64      `json:"longitude"`
	OpeningHours *OpeningHours `json:"opening_hours"`
	Notes        *string       `json:"notes"`
	Active       *bool         `json:"active"`
}

// apply applies an edit; at is where the input's postcode is, when known.
func (d *Donor) apply(p *Problems, in DonorInput, at *planner.Point) {
	oldPostcode := d.Postcode
	setText(p, "name", &d.Name, in.Name, MaxName, true)
	setText(p, "contact_name", &d.ContactName, in.ContactName, MaxName, false)
	setText(p, "phone", &d.Phone, in.Phone, MaxPhone, false)
	setText(p, "address", &d.Address, in.Address, MaxLine, false)
	setText(p, "notes", &d.Notes, in.Notes, MaxText, false)
	if in.Email != nil {
		d.Email = normaliseEmail(*in.Email)
		if d.Email != "" {
			checkEmail(p, "email", d.Email)
		}
	}
	setPostcode(p, &d.Postcode, in.Postcode)
	if in.Latitude != nil {
		d.Latitude = in.Latitude
	}
	if in.Longitude != nil {
		d.Longitude = in.Longitude
	}
	if (d.Latitude == nil) != (d.Longitude == nil) {
		p.Add("longitude", "give both latitude and longitude, or neither")
	} else if d.Latitude != nil {
		checkCoordinates(p, *d.Latitude, *d.Longitude)
	}
	settlePlace(&d.Latitude, &d.Longitude, in.Latitude != nil || in.Longitude != nil, d.Postcode != oldPostcode && d.ID != 0, at)
	if in.OpeningHours != nil {
		d.OpeningHours = *in.OpeningHours
		d.OpeningHours.Check(p, "opening_hours")
	}
	if d.OpeningHours == nil {
		d.OpeningHours = OpeningHours{}
	}
	if in.Active != nil {
		d.Active = *in.Active
	}
}

func donorFields(d *Donor) map[string]any {
	return map[string]any{"name": d.Name, "contact_name": d.ContactName, "email": d.Email, "phone": d.Phone, "address": d.Address,
		"postcode": d.Postcode, "latitude": d.Latitude, "longitude": d.Longitude, "opening_hours": d.OpeningHours, "notes": d.Notes, "active": d.Active}
}

// CreateDonor adds a business that gives waste.
func (s *Store) CreateDonor(ctx context.Context, actor *User, in DonorInput) (*Donor, error) {
	at, err := s.placeFor(ctx, in.Postcode, in.Latitude, in.Longitude)
	if err != nil {
		return nil, err
	}
	d := &Donor{Active: true}
	var p Problems
	d.apply(&p, in, at)
	if err := p.Err(); err != nil {
		return nil, err
	}
	err = s.InTx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(d).Error; err != nil {
			return err
		}
		return s.audit(tx, actor, "create", "donor", d.ID, donorFields(d))
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// UpdateDonor changes a donor.
func (s *Store) UpdateDonor(ctx context.Context, actor *User, id int64, in DonorInput) (*Donor, error) {
	var d Donor
	at, err := s.placeFor(ctx, in.Postcode, in.Latitude, in.Longitude)
	if err != nil {
		return nil, err
	}
	err = s.InTx(ctx, func(tx *gorm.DB) error {
		if err := tx.First(&d, id).Error; err != nil {
			return notFound(err, "donor", id)
		}
		before := donorFields(&d)
		var p Problems
		d.apply(&p, in, at)
		if err := p.Err(); err != nil {
			return err
		}
		if err := tx.Save(&d).Error; err != nil {
			return err
		}
		return s.audit(tx, actor, "update", "donor", d.ID, diff(before, donorFields(&d)))
	})
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// Donor fetches one donor.
func (s *Store) Donor(ctx context.Context, id int64) (*Donor, error) {
	var d Donor
	if err := s.DB(ctx).First(&d, id).Error; err != nil {
		return nil, notFound(err, "donor", id)
	}
	return &d, nil
}

// ListDonors pages through donors by name, searching name and postcode.
func (s *Store) ListDonors(ctx context.Context, q string, active *bool, page Page) ([]Donor, string, error) {
	db := s.DB(ctx).Model(&Donor{})
	if q != "" {
		like := "%" + strings.ToLower(escapeLike(strings.TrimSpace(q))) + "%"
		compact := "%" + strings.ToLower(escapeLike(strings.Join(strings.Fields(q), ""))) + "%"
		db = db.Where("(LOWER(name) LIKE ? ESCAPE '\\' OR LOWER(REPLACE(postcode, ' ', '')) LIKE ? ESCAPE '\\')", like, compact)
	}
	if active != nil {
		db = db.Where("active = ?", *active)
	}
	return Paginate[Donor](db, page, Order{Column: "name"}, func(d Donor) Key { return Key{Sort: d.Name, ID: d.ID} })
}

// Impact is what a donor gave in a year and the CO2e it saved, with the factors used.
type Impact struct {
	DonorID    int64            `json:"donor_id"`
	Year       int              `json:"year"`
	Donations  int64            `json:"donations"`
	Kg         Kg               `json:"kg"`
	CO2eKg     Kg               `json:"co2e_saved_kg"`
	ByCategory []CategoryImpact `json:"by_category"`
	Factors    []factorUse      `json:"factors"`
}

// CategoryImpact is one category's part of an Impact.
type CategoryImpact struct {
	CategoryID int64  `json:"category_id"`
	Name       string `json:"name"`
	Kg         Kg     `json:"kg"`
	CO2eKg     Kg     `json:"co2e_saved_kg"`
}

// DonorImpact adds up a donor's donations in a year (the store's calendar year), by
// category, with the CO2e factor in force on each donation's day. Voided donations do not
// count.
func (s *Store) DonorImpact(ctx context.Context, id int64, year int, loc *time.Location) (*Impact, error) {
	if _, err := s.Donor(ctx, id); err != nil {
		return nil, err
	}
	if year < 2000 || year > 2100 {
		return nil, Invalid("year", "must be between 2000 and 2100")
	}
	from := time.Date(year, 1, 1, 0, 0, 0, 0, loc).UTC()
	to := time.Date(year+1, 1, 1, 0, 0, 0, 0, loc).UTC()
	// The factor for a line is the latest version that took effect on or before the
	// donation's day; the donation's day is compared as a date in UTC, which for the
	// store's zone is at most an hour off and factors change on whole days.
	var rows []struct {
		CategoryID    int64
		Name          string
		Factor        float64
		Source        string
		EffectiveFrom *Date
		Grams         Grams
	}
	err := s.DB(ctx).Raw(`SELECT x.category_id, c.name, COALESCE(f.co2e_kg_per_kg, 0) AS factor, COALESCE(f.source, '') AS source, f.effective_from,
		SUM(x.weight_g) AS grams
		FROM (SELECT l.category_id, l.weight_g, (SELECT f.id FROM category_factors f WHERE f.category_id = l.category_id
				AND f.effective_from <= `+s.dateOf("d.received_at")+` ORDER BY f.effective_from DESC LIMIT 1) AS factor_id
			FROM donation_lines l JOIN donations d ON d.id = l.donation_id
			WHERE d.donor_id = ? AND d.voided_at IS NULL AND d.received_at >= ? AND d.received_at < ?) x
		JOIN categories c ON c.id = x.category_id LEFT JOIN category_factors f ON f.id = x.factor_id
		GROUP BY x.category_id, c.name, x.factor_id, f.co2e_kg_per_kg, f.source, f.effective_from
		ORDER BY c.name, f.effective_from`, id, from, to).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := &Impact{DonorID: id, Year: year, ByCategory: []CategoryImpact{}, Factors: []factorUse{}}
	var grams Grams
	for _, r := range rows {
		kg, co2e := r.Grams.Kg(), r.Grams.Kg()*Kg(r.Factor)
		if n := len(out.ByCategory); n > 0 && out.ByCategory[n-1].CategoryID == r.CategoryID {
			out.ByCategory[n-1].Kg += kg
			out.ByCategory[n-1].CO2eKg += co2e
		} else {
			out.ByCategory = append(out.ByCategory, CategoryImpact{CategoryID: r.CategoryID, Name: r.Name, Kg: kg, CO2eKg: co2e})
		}
		if r.EffectiveFrom != nil {
			out.Factors = append(out.Factors, factorUse{What: r.Name, CO2eKgPerKg: r.Factor, Source: r.Source, From: r.EffectiveFrom.String(), Kg: kg,
				CO2eKg: co2e})
		}
		grams += r.Grams
		out.CO2eKg += co2e
	}
	out.Kg = grams.Kg()
	err = s.DB(ctx).Model(&Donation{}).Where("donor_id = ? AND voided_at IS NULL AND received_at >= ? AND received_at < ?", id, from, to).
		Count(&out.Donations).Error
	return out, err
}

func (s *Store) dateOf(col string) string {
	if s.dialect == Postgres {
		return fmt.Sprintf("(%s AT TIME ZONE 'UTC')::date", col)
	}
	return fmt.Sprintf("substr(%s, 1, 10)", col)
}

package models

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
)

// Units a category can be counted in.
var Units = []string{"each", "bag", "box", "sheet", "roll", "metre", "kg"}

// Category is a kind of material, with the weight of each unit it is counted in.
type Category struct {
	ID          int64          `json:"id"`
	Name        string         `json:"name"`
	DefaultUnit string         `json:"default_unit"`
	Diverted    bool           `json:"diverted"`
	MinStockG   Grams          `json:"-"`
	Units       []CategoryUnit `json:"-" gorm:"foreignKey:CategoryID"`
	CreatedAt   time.Time      `json:"created_at"`
	UpdatedAt   time.Time      `json:"updated_at"`
}

// CategoryUnit is how many grams one unit of a category weighs.
type CategoryUnit struct {
	CategoryID   int64  `gorm:"primaryKey"`
	Unit         string `gorm:"primaryKey"`
	GramsPerUnit Grams
}

// CategoryFactor is one version of a category's CO2e factor, in force from a date.
type CategoryFactor struct {
	ID            int64     `json:"id"`
	CategoryID    int64     `json:"category_id"`
	CO2eKgPerKg   float64   `json:"co2e_kg_per_kg" gorm:"column:co2e_kg_per_kg"`
	Source        string    `json:"source"`
	EffectiveFrom Date      `json:"effective_from"`
	CreatedAt     time.Time `json:"created_at"`
}

// Interval is a span of opening time within a day, "HH:MM" to "HH:MM".
type Interval struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// OpeningHours maps a weekday (mon..sun) to its opening intervals, in order.
type OpeningHours map[string][]Interval

func (h OpeningHours) Value() (driver.Value, error) {
	b, err := json.Marshal(h)
	return string(b), err
}

func (h *OpeningHours) Scan(v any) error { return scanJSON(v, h) }

// Donor is a business that gives waste.
type Donor struct {
	ID           int64        `json:"id"`
	Name         string       `json:"name"`
	ContactName  string       `json:"contact_name"`
	Email        string       `json:"email"`
	Phone        string       `json:"phone"`
	Address      string       `json:"address"`
	Postcode     string       `json:"postcode"`
	Latitude     *float64     `json:"latitude"`
	Longitude    *float64     `json:"longitude"`
	OpeningHours OpeningHours `json:"opening_hours" gorm:"type:text"`
	Notes        string       `json:"notes"`
	Active       bool         `json:"active"`
	CreatedAt    time.Time    `json:"created_at"`
	UpdatedAt    time.Time    `json:"updated_at"`
	// CoordinatesNeeded says the donor has no latitude and longitude yet (its postcode
	// could not be looked up): collections from it cannot be planned until it has.
	CoordinatesNeeded bool `json:"coordinates_needed" gorm:"-"`
}

func (d *Donor) AfterFind(*gorm.DB) error {
	d.CoordinatesNeeded = d.Latitude == nil || d.Longitude == nil
	return nil
}

func (d *Donor) AfterSave(tx *gorm.DB) error { return d.AfterFind(tx) }

// LocationKinds are the kinds of place stock sits.
var LocationKinds = []string{"bay", "shelf", "container", "yard", "van"}

// Location is where stock sits.
type Location struct {
	ID        int64     `json:"id"`
	Code      string    `json:"code"`
	Name      string    `json:"name"`
	Kind      string    `json:"kind"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Weekdays are the keys of OpeningHours, in order.
var Weekdays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// maxIntervals is the most opening intervals a day may have: a list inside a body gets a
// length rule like any text field.
const maxIntervals = 12

// Check reports intervals that are not HH:MM, end before they start, are out of order or
// overlap, and unknown days.
func (h OpeningHours) Check(p *Problems, field string) {
	for day, list := range h {
		if !slices.Contains(Weekdays, day) {
			p.Add(field+"."+day, "is not a weekday (mon to sun)")
			continue
		}
		if len(list) > maxIntervals {
			p.Add(field+"."+day, "must have at most %d intervals", maxIntervals)
			continue
		}
		prevEnd := -1
		for i, iv := range list {
			f := fmt.Sprintf("%s.%s[%d]", field, day, i)
			from, ok1 := parseClock(iv.From)
			to, ok2 := parseClock(iv.To)
			switch {
			case !ok1 || !ok2:
				p.Add(f, "times must be HH:MM")
			case to <= from:
				p.Add(f, "must end after it starts")
			case from < prevEnd:
				p.Add(f, "must start after the previous interval ends, in order, without overlapping")
			}
			prevEnd = to
		}
	}
}

// On gives the intervals of a day of the week.
func (h OpeningHours) On(d time.Weekday) []Interval {
	return h[weekdayKey(d)]
}

// weekdayKey is a day of the week's key in opening hours and shifts: Weekdays starts on
// Monday, time.Weekday on Sunday.
func weekdayKey(d time.Weekday) string { return Weekdays[(int(d)+6)%7] }

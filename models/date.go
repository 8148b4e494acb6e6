package models

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"
)

// Date is a calendar day (YYYY-MM-DD) with no time zone, stored as an SQL DATE.
type Date struct{ time.Time }

const dateLayout = "2006-01-02"

// NewDate is the day of t in t's location.
func NewDate(t time.Time) Date {
	y, m, d := t.Date()
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// The years any date or time the store deals in can fall in; each field narrows this to
// what makes sense for it.
const (
	MinYear = 1900
	MaxYear = 2199
)

// YearProblem says why a year is out of all reason, or "" when it is not.
func YearProblem(y int) string {
	if y < MinYear || y > MaxYear {
		return fmt.Sprintf("must be in the years %d to %d", MinYear, MaxYear)
	}
	return ""
}

// checkDay adds a problem unless d is given and falls from back years before today to
// ahead years after it. The windows are wide: they catch a mistyped year (0026, 2062),
// not a doubtful day.
func checkDay(p *Problems, field string, d, today Date, back, ahead int) {
	if !requireDay(p, field, d) {
		return
	}
	earliest, latest := Date{today.AddDate(-back, 0, 0)}, Date{today.AddDate(ahead, 0, 0)}
	switch {
	case d.Before(earliest.Time):
		p.Add(field, "must not be before %s", earliest)
	case d.After(latest.Time) && ahead == 0:
		p.Add(field, "cannot be in the future")
	case d.After(latest.Time):
		p.Add(field, "must not be after %s", latest)
	}
}

// requireDay adds a problem when d was left out, and says whether it was given.
func requireDay(p *Problems, field string, d Date) bool {
	if d.IsZero() {
		p.Add(field, "is required")
		return false
	}
	return true
}

// ParseDate reads YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a date (YYYY-MM-DD)", s)
	}
	return Date{t}, nil
}

func (d Date) String() string { return d.Format(dateLayout) }

// AddDays is the day n days later.
func (d Date) AddDays(n int) Date { return Date{d.Time.AddDate(0, 0, n)} }

// Start is the first instant of the day in loc.
func (d Date) Start(loc *time.Location) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
}

func (d Date) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil // as encoding/json does: null leaves the value as it is
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a date must be a string YYYY-MM-DD")
	}
	v, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

func (d Date) Value() (driver.Value, error) { return d.String(), nil }

func (d *Date) Scan(v any) error {
	switch x := v.(type) {
	case time.Time:
		*d = NewDate(x)
		return nil
	case string:
		return d.scanText(x)
	case []byte:
		return d.scanText(string(x))
	}
	return fmt.Errorf("cannot read a date from %T", v)
}

func (d *Date) scanText(s string) error {
	if len(s) > len(dateLayout) {
		s = s[:len(dateLayout)]
	}
	v, err := ParseDate(s)
	if err == nil {
		*d = v
	}
	return err
}

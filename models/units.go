package models

import (
	"fmt"
	"math"
	"strconv"
)

// Grams and Milli are what the database keeps: weights to the gram and quantities in
// thousandths of a unit, exact and summed without rounding. At the edge (JSON, text) a
// Grams is its kilograms as Kg writes them (2500 is 2.5) and a Milli is its quantity
// (1500 is 1.5).
type (
	Grams int64
	Milli int64
)

// GramsFromKg turns kilograms from the edge into grams, rounded to the gram.
func GramsFromKg(kg float64) Grams { return Grams(roundThousandths(kg)) }

// MilliFromQuantity turns a quantity from the edge into thousandths, rounded.
func MilliFromQuantity(q float64) Milli { return Milli(roundThousandths(q)) }

// roundThousandths is v times 1000, rounded half away from zero.
func roundThousandths(v float64) int64 {
	if v < 0 {
		return -int64(-v*1000 + 0.5)
	}
	return int64(v*1000 + 0.5)
}

// LineGrams is the weight of thousandths of a unit weighing gramsPerUnit.
func LineGrams(m Milli, gramsPerUnit Grams) Grams {
	return Grams(int64(m) * int64(gramsPerUnit) / 1000)
}

// Kg is the weight in kilograms.
func (g Grams) Kg() Kg { return Kg(g) / 1000 }

// Quantity is the quantity in units.
func (m Milli) Quantity() float64 { return float64(m) / 1000 }

func (g Grams) String() string { return g.Kg().String() }

// String writes the quantity as encoding/json writes a float64, to the thousandth.
func (m Milli) String() string { return strconv.FormatFloat(m.Quantity(), 'f', -1, 64) }

func (g Grams) MarshalJSON() ([]byte, error) { return g.Kg().MarshalJSON() }
func (m Milli) MarshalJSON() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalJSON reads kilograms, as a plan kept as JSON is read back when it is made
// and as Go clients read the API's answers.
func (g *Grams) UnmarshalJSON(b []byte) error {
	v, ok, err := finiteJSON(b, 1000, maxStoredGrams, "kilograms")
	if ok {
		*g = GramsFromKg(v)
	}
	return err
}

// UnmarshalJSON reads a quantity.
func (m *Milli) UnmarshalJSON(b []byte) error {
	v, ok, err := finiteJSON(b, 1000, maxStoredMilli, "a quantity")
	if ok {
		*m = MilliFromQuantity(v)
	}
	return err
}

// finiteJSON reads a JSON number for a value kept in scale parts of its unit, refusing
// what is not a finite number or is beyond limit parts either way. ok is false for null
// and for an error, which leave the value as it was.
func finiteJSON(b []byte, scale, limit float64, what string) (v float64, ok bool, err error) {
	s := string(b)
	if s == "null" {
		return 0, false, nil
	}
	v, err = strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v*scale) > limit {
		return 0, false, fmt.Errorf("%s is not %s that can be kept", s, what)
	}
	return v, true, nil
}

// Metres is a distance kept to the metre; at the edge it is kilometres as Km writes
// them (48_300 is 48.3).
type Metres int64

// MetresFromKm turns kilometres into metres, rounded to the metre.
func MetresFromKm(km float64) Metres { return Metres(math.Round(km * 1000)) }

// Km is the distance in kilometres.
func (m Metres) Km() Km { return Km(m) / 1000 }

func (m Metres) String() string               { return m.Km().String() }
func (m Metres) MarshalJSON() ([]byte, error) { return m.Km().MarshalJSON() }

// UnmarshalJSON reads kilometres, as a plan kept as JSON is read back when it is made.
func (m *Metres) UnmarshalJSON(b []byte) error {
	v, ok, err := finiteJSON(b, 1000, maxStoredMilli, "kilometres")
	if ok {
		*m = MetresFromKm(v)
	}
	return err
}

// Quarters is volunteers' time, and the timebank credits it earns, kept in quarter
// hours; at the edge it is the hours (or credits): 9 is 2.25.
type Quarters int64

// Hours is the time in hours, or the credits (one an hour).
func (q Quarters) Hours() float64 { return float64(q) / 4 }

// String writes the hours as encoding/json writes a float64.
func (q Quarters) String() string { return strconv.FormatFloat(q.Hours(), 'f', -1, 64) }

func (q Quarters) MarshalJSON() ([]byte, error) { return []byte(q.String()), nil }

// UnmarshalJSON reads hours, to the nearest quarter.
func (q *Quarters) UnmarshalJSON(b []byte) error {
	v, ok, err := finiteJSON(b, 4, maxStoredMilli, "hours")
	if ok {
		*q = Quarters(math.Round(v * 4))
	}
	return err
}

// Kg, M3 and Km are weights, volumes and distances as the API, the CSV files and the
// reports show them: to the gram, the litre and 100 metres. Sums and products of them
// carry binary noise (2.6999999999999997); these types write the figure a person would,
// wherever the value came from, so nothing has to remember to round it.
type (
	Kg float64
	M3 float64
	Km float64
)

func (v Kg) MarshalJSON() ([]byte, error) { return decimalJSON(float64(v), 3) }
func (v M3) MarshalJSON() ([]byte, error) { return decimalJSON(float64(v), 3) }
func (v Km) MarshalJSON() ([]byte, error) { return decimalJSON(float64(v), 1) }

func (v Kg) String() string { return decimal(float64(v), 3) }
func (v M3) String() string { return decimal(float64(v), 3) }
func (v Km) String() string { return decimal(float64(v), 1) }

// decimal writes v rounded to places decimals, with no trailing zeros.
func decimal(v float64, places int) string {
	scale := math.Pow10(places)
	// Adding zero turns a rounded -0 into 0.
	return strconv.FormatFloat(math.Round(v*scale)/scale+0, 'f', -1, 64)
}

func decimalJSON(v float64, places int) ([]byte, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil, fmt.Errorf("%v is not a number JSON can hold", v)
	}
	return []byte(decimal(v, places)), nil
}

package models

import (
	"fmt"
	"math"
	"strconv"
)

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

package models_test

import (
	"encoding/json"
	"testing"

	"github.com/scrapstore/scrapstore/models"
)

// Weights are written to the gram, volumes to the litre and distances to 100 m, without
// binary noise, in JSON and as text alike.
func TestUnitsAreWrittenWithoutNoise(t *testing.T) {
	for _, c := range []struct {
		v    any
		want string
	}{
		{models.Kg(0.1 + 0.2), "0.3"},
		{models.Kg(1554.9449), "1554.945"},
		{models.Kg(5857.926), "5857.926"},
		{models.Kg(12), "12"},
		{models.Kg(-0.0001), "0"},
		{models.M3(2.6999999999999997), "2.7"},
		{models.M3(0.0004), "0"},
		{models.Km(48171.76815824047), "48171.8"},
		{models.Km(42), "42"},
	} {
		b, err := json.Marshal(c.v)
		if err != nil || string(b) != c.want || c.v.(interface{ String() string }).String() != c.want {
			t.Errorf("%T(%v): JSON %s (%v), text %s, want %s", c.v, c.v, b, err, c.v.(interface{ String() string }).String(), c.want)
		}
	}
	km := models.Km(48171.76815824047)
	b, err := json.Marshal(struct {
		Odometer *models.Km `json:"odometer_km"`
		None     *models.Km `json:"none"`
	}{&km, nil})
	if err != nil || string(b) != `{"odometer_km":48171.8,"none":null}` {
		t.Errorf("pointers: %s %v", b, err)
	}
}

package models_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/scrapstore/scrapstore/models"
)

// written is a value and the text it must be written as, in JSON and by String.
type written struct {
	v    fmt.Stringer
	want string
}

func checkWritten(t *testing.T, cases []written) {
	t.Helper()
	for _, c := range cases {
		b, err := json.Marshal(c.v)
		if err != nil || string(b) != c.want || c.v.String() != c.want {
			t.Errorf("%T(%v): JSON %s (%v), text %s, want %s", c.v, c.v, b, err, c.v.String(), c.want)
		}
	}
}

// Weights are written to the gram, volumes to the litre and distances to 100 m, without
// binary noise, in JSON and as text alike.
func TestUnitsAreWrittenWithoutNoise(t *testing.T) {
	checkWritten(t, []written{
		{models.Kg(0.1 + 0.2), "0.3"},
		{models.Kg(1554.9449), "1554.945"},
		{models.Kg(5857.926), "5857.926"},
		{models.Kg(12), "12"},
		{models.Kg(-0.0001), "0"},
		{models.M3(2.6999999999999997), "2.7"},
		{models.M3(0.0004), "0"},
		{models.Km(48171.76815824047), "48171.8"},
		{models.Km(42), "42"},
	})
	km := models.Km(48171.76815824047)
	b, err := json.Marshal(struct {
		Odometer *models.Km `json:"odometer_km"`
		None     *models.Km `json:"none"`
	}{&km, nil})
	if err != nil || string(b) != `{"odometer_km":48171.8,"none":null}` {
		t.Errorf("pointers: %s %v", b, err)
	}
}

// Grams and Milli are kept exact and written as kilograms and quantities: the same text
// a float64 of the figure gives, to the thousandth, in JSON and as text.
func TestGramsAndMilliAreWrittenAsKgAndQuantities(t *testing.T) {
	checkWritten(t, []written{
		{models.Grams(2500), "2.5"},
		{models.Grams(0), "0"},
		{models.Grams(1), "0.001"},
		{models.Grams(-1250), "-1.25"},
		{models.Grams(1_272_332), "1272.332"},
		{models.Grams(1e12), "1000000000"},
		{models.Milli(1500), "1.5"},
		{models.Milli(318_083), "318.083"},
		{models.Milli(-250), "-0.25"},
		{models.Milli(0), "0"},
		{models.Milli(1e15), "1000000000000"},
	})
	// A quantity reads as a float64 of it always did.
	for _, m := range []models.Milli{1, 7, 333, 1001, 318_083, 999_999_999, -2_000_001} {
		want, _ := json.Marshal(float64(m) / 1000)
		if got, _ := json.Marshal(m); string(got) != string(want) {
			t.Errorf("Milli(%d) is %s, a float64 of it %s", m, got, want)
		}
	}
}

func TestGramsAndMilliFromTheEdgeAreRounded(t *testing.T) {
	for _, c := range []struct {
		in   float64
		want int64
	}{
		{2.5, 2500}, {0.0004, 0}, {0.0005, 1}, {1.2345, 1235}, {1.2344, 1234}, {-0.0005, -1}, {-2.5, -2500}, {0.1 + 0.2, 300}, {0, 0},
	} {
		if g := models.GramsFromKg(c.in); int64(g) != c.want {
			t.Errorf("GramsFromKg(%v) = %d, want %d", c.in, g, c.want)
		}
		if m := models.MilliFromQuantity(c.in); int64(m) != c.want {
			t.Errorf("MilliFromQuantity(%v) = %d, want %d", c.in, m, c.want)
		}
	}
	for _, c := range []struct {
		m    models.Milli
		gpu  models.Grams
		want models.Grams
	}{
		{1500, 4000, 6000}, {1, 20, 0}, {333, 3000, 999}, {-2500, 1000, -2500}, {0, 5000, 0},
	} {
		if got := models.LineGrams(c.m, c.gpu); got != c.want {
			t.Errorf("LineGrams(%d, %d) = %d, want %d", c.m, c.gpu, got, c.want)
		}
	}
	if kg := models.Grams(1554945).Kg(); kg != 1554.945 {
		t.Errorf("Kg() = %v", kg)
	}
	if q := models.Milli(2250).Quantity(); q != 2.25 {
		t.Errorf("Quantity() = %v", q)
	}
}

// What is read from JSON is rounded to the thousandth as GramsFromKg rounds it, and
// what is not a number that can be kept is refused.
func TestGramsAndMilliReadFromJSON(t *testing.T) {
	type row struct {
		W  models.Grams  `json:"weight_kg"`
		Q  models.Milli  `json:"quantity"`
		C  *models.Milli `json:"counted"`
		NW *models.Grams `json:"none"`
	}
	var r row
	in := `{"weight_kg":1272.332,"quantity":0.0015,"counted":3.5,"none":null}`
	if err := json.Unmarshal([]byte(in), &r); err != nil {
		t.Fatal(err)
	}
	if r.W != 1_272_332 || r.Q != 2 || r.C == nil || *r.C != 3500 || r.NW != nil {
		t.Fatalf("read %+v", r)
	}
	out, err := json.Marshal(row{W: r.W, Q: 1500, C: r.C})
	if err != nil || string(out) != `{"weight_kg":1272.332,"quantity":1.5,"counted":3.5,"none":null}` {
		t.Fatalf("round trip %s %v", out, err)
	}
	kept := row{W: 5, Q: 6}
	if err := json.Unmarshal([]byte(`{"weight_kg":null,"quantity":null}`), &kept); err != nil || kept.W != 5 || kept.Q != 6 {
		t.Errorf("null changed %+v (%v)", kept, err)
	}
	for _, bad := range []string{`{"weight_kg":"2"}`, `{"weight_kg":true}`, `{"weight_kg":1e10}`, `{"quantity":-1e13}`, `{"quantity":1e400}`} {
		var r row
		if err := json.Unmarshal([]byte(bad), &r); err == nil {
			t.Errorf("%s was read as %+v", bad, r)
		}
	}
	var g models.Grams
	for _, bad := range []string{"NaN", "Inf", "-Inf", "+Inf"} {
		if err := g.UnmarshalJSON([]byte(bad)); err == nil {
			t.Errorf("%s was read as %d", bad, g)
		}
	}
}

// Quarter hours are written as hours and read back to the nearest quarter.
func TestQuartersAreHours(t *testing.T) {
	for q, want := range map[models.Quarters]string{9: "2.25", 0: "0", 2: "0.5", -6: "-1.5", 48: "12"} {
		b, err := json.Marshal(q)
		if err != nil || string(b) != want || q.String() != want {
			t.Errorf("Quarters(%d): JSON %s (%v), text %s, want %s", q, b, err, q.String(), want)
		}
	}
	var got struct {
		H models.Quarters `json:"hours"`
	}
	if err := json.Unmarshal([]byte(`{"hours":2.75}`), &got); err != nil || got.H != 11 || got.H.Hours() != 2.75 {
		t.Errorf("read %d (%v)", got.H, err)
	}
	var q models.Quarters
	for _, bad := range []string{`"2"`, "NaN", "1e300"} {
		if err := q.UnmarshalJSON([]byte(bad)); err == nil {
			t.Errorf("%s was read as %d", bad, q)
		}
	}
}

// Metres are written as kilometres to 100 m, as Km writes them, and read back to the metre.
func TestMetresAreKm(t *testing.T) {
	for m, want := range map[models.Metres]string{48_300: "48.3", 48_171: "48.2", 0: "0", 50: "0.1", 12_345_678: "12345.7"} {
		b, err := json.Marshal(m)
		if err != nil || string(b) != want || m.String() != want {
			t.Errorf("Metres(%d): JSON %s (%v), text %s, want %s", m, b, err, m.String(), want)
		}
	}
	var m models.Metres
	if err := m.UnmarshalJSON([]byte("50.9")); err != nil || m != 50_900 || models.MetresFromKm(0.0005) != 1 {
		t.Errorf("read %d (%v)", m, err)
	}
	for _, bad := range []string{`"2"`, "NaN", "1e300"} {
		if err := m.UnmarshalJSON([]byte(bad)); err == nil {
			t.Errorf("%s was read as %d", bad, m)
		}
	}
}

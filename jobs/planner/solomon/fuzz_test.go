package solomon

import (
	"bytes"
	"math"
	"os"
	"testing"
)

// Instance files come from whoever runs the benchmark: reading one never panics, and an
// instance accepted is one the planner can be given (finite numbers, a sane fleet, the
// depot first, customers numbered in order, windows that open before they close).
func FuzzParse(f *testing.F) {
	for _, name := range []string{"C101", "R201"} {
		b, err := os.ReadFile("testdata/" + name + ".txt")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	head := "X\nVEHICLE\nNUMBER CAPACITY\n 2 200\nCUSTOMER\n"
	for _, s := range []string{
		head + "0 40 50 0 0 1236 0\n1 45 68 10 912 967 90\n",
		head + "0 40 50 0 0 1236 0\n1 NaN 68 10 912 967 90\n",
		head + "0 40 50 0 0 1236 0\n1 45 68 -10 912 967 90\n",
		head + "0 40 50 0 0 1236 0\n1 45 68 10 967 912 90\n",
		head + "0 40 50 0 0 1236 0\n5 45 68 10 912 967 90\n",
		head + "0 40 50 0 0 1236 0\n1 45 68 10 912 Inf 90\n",
		"X\nVEHICLE\nNUMBER CAPACITY\n 1000000000 200\n0 40 50 0 0 1236 0\n1 45 68 10 912 967 90\n",
		"X\nVEHICLE\nNUMBER CAPACITY\n 2 NaN\n0 40 50 0 0 1236 0\n1 45 68 10 912 967 90\n",
		"X\nVEHICLE\nNUMBER CAPACITY\n -2 200\n0 40 50 0 0 1236 0\n1 45 68 10 912 967 90\n",
		"NUMBER", "", "\x00\xff",
	} {
		f.Add([]byte(s))
	}
	finite := func(v ...float64) bool {
		for _, x := range v {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return false
			}
		}
		return true
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		inst, err := Parse(bytes.NewReader(b))
		if err != nil {
			return
		}
		if inst.Vehicles < 1 || inst.Vehicles > MaxVehicles || !finite(inst.Capacity) || inst.Capacity <= 0 || len(inst.Customers) < 2 ||
			len(inst.Customers) > MaxCustomers {
			t.Fatalf("accepted %d vehicles of %g for %d customers", inst.Vehicles, inst.Capacity, len(inst.Customers))
		}
		for i, c := range inst.Customers {
			if c.No != i || !finite(c.X, c.Y, c.Demand, c.Ready, c.Due, c.Service) || c.Demand < 0 || c.Service < 0 || c.Ready < 0 || c.Ready > c.Due {
				t.Fatalf("accepted customer %d: %+v", i, c)
			}
		}
		p := inst.Problem()
		if len(p.Jobs) != len(inst.Customers)-1 || len(p.Vehicles) != inst.Vehicles {
			t.Fatalf("problem of %d jobs and %d vehicles from %d customers and %d vehicles", len(p.Jobs), len(p.Vehicles), len(inst.Customers), inst.Vehicles)
		}
	})
}

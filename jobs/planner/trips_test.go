package planner

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// The shortcut check of an insertion into a van that makes several trips agrees with
// driving the whole new route, at every position, for every job.
func TestInsertTripsAgreesWithDriving(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		p, err := Generate(40, 3, seed)
		if err != nil {
			t.Fatal(err)
		}
		for v := range p.Vehicles {
			p.Vehicles[v].Capacity[0], p.Vehicles[v].Trips, p.Vehicles[v].Unload = 250, 3, 15
		}
		s := newSearch(p, Options{Seed: seed, Iterations: 1})
		st := s.empty()
		s.recreate(st, s.allJobs(), rand.New(rand.NewPCG(seed, 1)), 0, true)
		checked, trips := 0, 0
		for v, seq := range st.routes {
			trips += st.cache[v].drives[len(seq)].trip
			for u := range p.Jobs {
				if slices.Contains(seq, u) {
					continue
				}
				for k := 0; k <= len(seq); k++ {
					got, ok := s.insertTrips(st, v, u, k)
					want, wantOK := s.simulate(v, slices.Insert(slices.Clone(seq), k, u))
					if ok != wantOK || (ok && math.Abs(got-(want-st.cache[v].dist)) > 1e-9) {
						t.Fatalf("seed %d, van %d, job %d at %d: %.6f %v, driving says %.6f %v", seed, v, u, k, got, ok, want-st.cache[v].dist, wantOK)
					}
					checked++
				}
			}
		}
		if checked < 100 || trips <= len(st.routes) {
			t.Fatalf("only %d insertions checked, %d trips", checked, trips)
		}
	}
}

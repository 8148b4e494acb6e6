package planner

import "fmt"

// Evaluate drives one vehicle along a given order of jobs and gives the route with its
// times, loads and returns to the depot. When the order breaks a window, a capacity or the
// shift, it still gives the route (waiting where it can, late where it must, overloaded
// when no trip is left) and an error saying what breaks first, so that a person can
// decide to force it.
func Evaluate(p *Problem, v int, seq []int) (Route, error) {
	veh := &p.Vehicles[v]
	m := &p.Matrix
	r := Route{Vehicle: v}
	var broken error
	fail := func(format string, args ...any) {
		if broken == nil {
			broken = fmt.Errorf(format, args...)
		}
	}
	trip := newTripLoad(nil, len(veh.Capacity))
	first := 0 // the trip's first stop
	closeTrip := func() {
		setLoads(p, r.Stops[first:], len(veh.Capacity))
		first = len(r.Stops)
		trip.clear()
	}
	t, prev := veh.Shift.Start, veh.Start
	for _, ji := range seq {
		j := &p.Jobs[ji]
		if !trip.fits(j, veh.Capacity) {
			if len(r.Stops) > first && len(r.Unloads) < veh.maxTrips()-1 {
				closeTrip()
				arrive := t + m.Time[prev][veh.Start]
				r.Distance += m.Dist[prev][veh.Start]
				t, prev = arrive+veh.Unload, veh.Start
				r.Unloads = append(r.Unloads, Unload{Before: len(r.Stops), Arrival: arrive, Departure: t})
			}
			if !trip.fits(j, veh.Capacity) {
				fail("the van would be over capacity at %s", j.ID)
			}
		}
		trip.add(j)
		arrive := t + m.Time[prev][j.Loc]
		r.Distance += m.Dist[prev][j.Loc]
		start, ok := window(j, arrive)
		if !ok {
			fail("%s would be reached at %s, after it closes", j.ID, clock(arrive))
			start = arrive
		}
		r.Stops = append(r.Stops, Stop{Job: ji, Arrival: arrive, Wait: start - arrive, Start: start, Departure: start + j.Service})
		t, prev = start+j.Service, j.Loc
	}
	closeTrip()
	end := t + m.Time[prev][veh.End]
	r.Distance += m.Dist[prev][veh.End]
	r.Duration = end - veh.Shift.Start
	if end > veh.Shift.End+eps {
		fail("the run would end at %s, after the shift ends at %s", clock(end), clock(veh.Shift.End))
	}
	if veh.MaxDuration > 0 && r.Duration > veh.MaxDuration+eps {
		fail("the run would last %.0f minutes, more than %.0f", r.Duration, veh.MaxDuration)
	}
	return r, broken
}

// setLoads gives the stops of one trip the load after each: the trip's deliveries are on
// board when it leaves the depot.
func setLoads(p *Problem, stops []Stop, dims int) {
	load := make([]float64, dims)
	for _, st := range stops {
		if j := &p.Jobs[st.Job]; j.Delivery {
			for d := range load {
				load[d] += j.Amount[d]
			}
		}
	}
	for i := range stops {
		j := &p.Jobs[stops[i].Job]
		for d := range load {
			if j.Delivery {
				load[d] -= j.Amount[d]
			} else {
				load[d] += j.Amount[d]
			}
		}
		stops[i].Load = append([]float64(nil), load...)
	}
}

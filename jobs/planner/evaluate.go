package planner

import "fmt"

// Evaluate drives one vehicle along a given order of jobs and gives the route with its
// times and loads. When the order breaks a window, a capacity or the shift, it still
// gives the route (waiting where it can, late where it must) and an error saying what
// breaks first, so that a person can decide to force it.
func Evaluate(p *Problem, v int, seq []int) (Route, error) {
	veh := &p.Vehicles[v]
	m := &p.Matrix
	r := Route{Vehicle: v}
	load := make([]float64, len(veh.Capacity))
	for _, j := range seq {
		if p.Jobs[j].Delivery {
			for d := range load {
				load[d] += p.Jobs[j].Amount[d]
			}
		}
	}
	var broken error
	fail := func(format string, args ...any) {
		if broken == nil {
			broken = fmt.Errorf(format, args...)
		}
	}
	t, prev := veh.Shift.Start, veh.Start
	for _, ji := range seq {
		j := &p.Jobs[ji]
		arrive := t + m.Time[prev][j.Loc]
		r.Distance += m.Dist[prev][j.Loc]
		start, ok := window(j, arrive)
		if !ok {
			fail("%s would be reached at %s, after it closes", j.ID, clock(arrive))
			start = arrive
		}
		for d := range load {
			if j.Delivery {
				load[d] -= j.Amount[d]
			} else {
				load[d] += j.Amount[d]
			}
			if load[d] > veh.Capacity[d]+eps {
				fail("the van would be over capacity after %s (%.1f of %.1f)", j.ID, load[d], veh.Capacity[d])
			}
		}
		r.Stops = append(r.Stops, Stop{Job: ji, Arrival: arrive, Wait: start - arrive, Start: start, Departure: start + j.Service, Load: append([]float64(nil), load...)})
		t, prev = start+j.Service, j.Loc
	}
	end := t + m.Time[prev][veh.End]
	r.Distance += m.Dist[prev][veh.End]
	r.Duration = end - veh.Shift.Start
	if end > veh.Shift.End+eps {
		fail("the run would end at %s, after the shift ends at %s", clock(end), clock(veh.Shift.End))
	}
	return r, broken
}

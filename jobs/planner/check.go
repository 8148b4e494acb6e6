package planner

import (
	"fmt"
	"math"
)

// Check replays a plan's routes as they are written, returns to the depot included, and
// reports the first rule it breaks: a job served twice or not at all, a window, a
// capacity at any point of a trip, the number of trips, a shift's end, a duration, a
// skill, a distance that does not add up. The API and the benchmark command use it; the
// tests have a checker of their own.
func Check(p *Problem, s *Solution) error {
	served := make([]bool, len(p.Jobs))
	for _, u := range s.Unassigned {
		served[u.Job] = true
	}
	for _, r := range s.Routes {
		veh := &p.Vehicles[r.Vehicle]
		for _, st := range r.Stops {
			if served[st.Job] {
				return fmt.Errorf("job %s is planned twice", p.Jobs[st.Job].ID)
			}
			served[st.Job] = true
			if !hasSkills(veh.Skills, p.Jobs[st.Job].Skills) {
				return fmt.Errorf("job %s needs a skill vehicle %s lacks", p.Jobs[st.Job].ID, veh.ID)
			}
		}
		if err := replay(p, &r); err != nil {
			return fmt.Errorf("vehicle %s: %w", veh.ID, err)
		}
	}
	for j, ok := range served {
		if !ok {
			return fmt.Errorf("job %s is neither planned nor unassigned", p.Jobs[j].ID)
		}
	}
	return nil
}

// replay drives a route as written: each trip leaves the depot with its deliveries, and
// between trips the van goes back to its start and unloads.
func replay(p *Problem, r *Route) error {
	veh := &p.Vehicles[r.Vehicle]
	m := &p.Matrix
	if len(r.Unloads) >= veh.maxTrips() {
		return fmt.Errorf("%d trips, more than %d", len(r.Unloads)+1, veh.maxTrips())
	}
	t, prev, dist := veh.Shift.Start, veh.Start, 0.0
	for k := 0; k <= len(r.Unloads); k++ {
		from, to := 0, len(r.Stops)
		if k > 0 {
			from = r.Unloads[k-1].Before
			t += m.Time[prev][veh.Start] + veh.Unload
			dist += m.Dist[prev][veh.Start]
			prev = veh.Start
		}
		if k < len(r.Unloads) {
			to = r.Unloads[k].Before
		}
		if from >= to || to > len(r.Stops) {
			return fmt.Errorf("trip %d has no stops", k+1)
		}
		load := make([]float64, len(veh.Capacity))
		for _, st := range r.Stops[from:to] {
			if j := &p.Jobs[st.Job]; j.Delivery {
				for d := range load {
					load[d] += j.Amount[d]
				}
			}
		}
		for _, st := range r.Stops[from:to] {
			j := &p.Jobs[st.Job]
			t += m.Time[prev][j.Loc]
			dist += m.Dist[prev][j.Loc]
			start, ok := window(j, t)
			if !ok {
				return fmt.Errorf("job %s is reached at %s, after it closes", j.ID, clock(t))
			}
			for d := range load {
				if load[d] > veh.Capacity[d]+eps {
					return fmt.Errorf("trip %d is over capacity before job %s", k+1, j.ID)
				}
				if j.Delivery {
					load[d] -= j.Amount[d]
				} else {
					load[d] += j.Amount[d]
				}
				if load[d] > veh.Capacity[d]+eps {
					return fmt.Errorf("trip %d is over capacity after job %s", k+1, j.ID)
				}
			}
			t, prev = start+j.Service, j.Loc
		}
	}
	t += m.Time[prev][veh.End]
	dist += m.Dist[prev][veh.End]
	if t > veh.Shift.End+eps {
		return fmt.Errorf("the route ends at %s, after the shift", clock(t))
	}
	if veh.MaxDuration > 0 && t-veh.Shift.Start > veh.MaxDuration+eps {
		return fmt.Errorf("the route lasts longer than %.0f", veh.MaxDuration)
	}
	if math.Abs(dist-r.Distance) > 1e-6 {
		return fmt.Errorf("the route is %.3f long, not %.3f", dist, r.Distance)
	}
	return nil
}

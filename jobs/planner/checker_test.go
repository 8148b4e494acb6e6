package planner_test

import (
	"fmt"
	"github.com/scrapstore/scrapstore/jobs/planner"
	"math"
	"slices"
)

// check recomputes from the routes alone, without the solver's bookkeeping, that a plan
// is feasible: every job once (served or unassigned), every capacity dimension at every
// point of every trip, the trips and the returns to the depot between them, a window for
// every service start, shifts, durations and skills.
func check(p *planner.Problem, s *planner.Solution) error {
	seen := make([]int, len(p.Jobs))
	for _, u := range s.Unassigned {
		seen[u.Job]++
	}
	usedVehicles := map[int]bool{}
	total := 0.0
	for ri, r := range s.Routes {
		if usedVehicles[r.Vehicle] {
			return fmt.Errorf("vehicle %d has two routes", r.Vehicle)
		}
		usedVehicles[r.Vehicle] = true
		v := p.Vehicles[r.Vehicle]
		if len(r.Unloads) >= max(v.Trips, 1) {
			return fmt.Errorf("route %d makes %d trips, the van may make %d", ri, len(r.Unloads)+1, max(v.Trips, 1))
		}
		// Trip k runs from stop cut[k] to cut[k+1]; between trips the van unloads at its start.
		cut := []int{0}
		for _, u := range r.Unloads {
			cut = append(cut, u.Before)
		}
		cut = append(cut, len(r.Stops))
		t, prev, dist := v.Shift.Start, v.Start, 0.0
		for k := 0; k+1 < len(cut); k++ {
			if cut[k] >= cut[k+1] {
				return fmt.Errorf("route %d: trip %d is empty", ri, k+1)
			}
			if k > 0 {
				back := t + p.Matrix.Time[prev][v.Start]
				dist += p.Matrix.Dist[prev][v.Start]
				if u := r.Unloads[k-1]; math.Abs(u.Arrival-back) > 1e-6 || math.Abs(u.Departure-back-v.Unload) > 1e-6 {
					return fmt.Errorf("route %d: back at the depot at %.2f, not %.2f", ri, back, u.Arrival)
				}
				t, prev = back+v.Unload, v.Start
			}
			load := make([]float64, len(v.Capacity))
			for _, st := range r.Stops[cut[k]:cut[k+1]] {
				if p.Jobs[st.Job].Delivery {
					for d := range load {
						load[d] += p.Jobs[st.Job].Amount[d]
					}
				}
			}
			for d := range load {
				if load[d] > v.Capacity[d]+1e-9 {
					return fmt.Errorf("route %d: trip %d leaves overloaded in dimension %d", ri, k+1, d)
				}
			}
			for _, st := range r.Stops[cut[k]:cut[k+1]] {
				j := p.Jobs[st.Job]
				seen[st.Job]++
				if !hasAll(v.Skills, j.Skills) {
					return fmt.Errorf("route %d: job %s needs skills %v", ri, j.ID, j.Skills)
				}
				arrive := t + p.Matrix.Time[prev][j.Loc]
				dist += p.Matrix.Dist[prev][j.Loc]
				start := math.Inf(1)
				for _, w := range j.Windows {
					if arrive <= w.End+1e-9 {
						start = math.Max(arrive, w.Start)
						break
					}
				}
				if math.IsInf(start, 1) {
					return fmt.Errorf("route %d: job %s reached at %.2f, after its windows", ri, j.ID, arrive)
				}
				for d := range load {
					if j.Delivery {
						load[d] -= j.Amount[d]
					} else {
						load[d] += j.Amount[d]
					}
					if load[d] > v.Capacity[d]+1e-9 || load[d] < -1e-9 || math.Abs(load[d]-st.Load[d]) > 1e-9 {
						return fmt.Errorf("route %d: load %.2f after job %s in dimension %d (the plan says %.2f)", ri, load[d], j.ID, d, st.Load[d])
					}
				}
				t, prev = start+j.Service, j.Loc
			}
		}
		end := t + p.Matrix.Time[prev][v.End]
		dist += p.Matrix.Dist[prev][v.End]
		if end > v.Shift.End+1e-9 {
			return fmt.Errorf("route %d ends at %.2f, after the shift (%.2f)", ri, end, v.Shift.End)
		}
		if v.MaxDuration > 0 && end-v.Shift.Start > v.MaxDuration+1e-9 {
			return fmt.Errorf("route %d lasts %.2f, more than %.2f", ri, end-v.Shift.Start, v.MaxDuration)
		}
		if math.Abs(dist-r.Distance) > 1e-6 {
			return fmt.Errorf("route %d says %.4f, drives %.4f", ri, r.Distance, dist)
		}
		total += dist
	}
	for j, n := range seen {
		if n != 1 {
			return fmt.Errorf("job %s appears %d times", p.Jobs[j].ID, n)
		}
	}
	if math.Abs(total-s.Distance) > 1e-6 || len(s.Routes) != s.Vehicles {
		return fmt.Errorf("totals disagree: %.4f vs %.4f, %d routes vs %d", total, s.Distance, len(s.Routes), s.Vehicles)
	}
	return nil
}

func hasAll(have, need []string) bool {
	for _, n := range need {
		if !slices.Contains(have, n) {
			return false
		}
	}
	return true
}

package planner

import (
	"fmt"
	"math"
	"sort"
)

// solution turns the search's best state into routes with times and loads, and
// reasons for what is left out.
func (s *search) solution(st *state) *Solution {
	out := &Solution{}
	for v, seq := range st.routes {
		if len(seq) == 0 {
			continue
		}
		r, _ := Evaluate(s.p, v, seq)
		out.Routes = append(out.Routes, r)
		out.Distance += r.Distance
		out.Vehicles++
	}
	sort.Ints(st.unass)
	for _, j := range st.unass {
		code, why := s.reason(j)
		out.Unassigned = append(out.Unassigned, Unassigned{Job: j, Code: code, Reason: why})
	}
	return out
}

// reason says why a job could not be served, as a person can act on it.
func (s *search) reason(j int) (string, string) {
	job := &s.p.Jobs[j]
	skilled := false
	for _, v := range s.p.Vehicles {
		if hasSkills(v.Skills, job.Skills) {
			skilled = true
		}
	}
	if !skilled {
		return ReasonSkill, fmt.Sprintf("needs %v, which no vehicle has", job.Skills)
	}
	fits := false
	for v := range s.p.Vehicles {
		fits = fits || s.serves[j][v]
	}
	if !fits {
		return ReasonCapacity, "bigger than any vehicle that could take it"
	}
	for v := range s.p.Vehicles {
		if s.serves[j][v] {
			if _, ok := s.simulate(v, []int{j}); ok {
				return ReasonNoRoom, "no room left that day: the vehicles are full or their shifts are taken"
			}
		}
	}
	w := job.Windows[0]
	return ReasonWindow, fmt.Sprintf("no vehicle can reach it inside its opening hours (from %s) and get back before its shift ends", clock(w.Start))
}

// clock shows a time in minutes after midnight as HH:MM, when it is one.
func clock(minutes float64) string {
	if minutes < 0 || minutes >= 24*60 {
		return fmt.Sprintf("%.0f", minutes)
	}
	m := int(math.Round(minutes))
	return fmt.Sprintf("%02d:%02d", m/60, m%60)
}

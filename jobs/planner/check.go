package planner

import (
	"fmt"
	"math"
)

// Check replays a plan's routes and reports the first rule it breaks: a job served twice
// or not at all, a window, a capacity at any point, a shift's end, a duration, a skill.
// The API and the benchmark command use it; the tests have a checker of their own.
func Check(p *Problem, s *Solution) error {
	served := make([]bool, len(p.Jobs))
	for _, u := range s.Unassigned {
		served[u.Job] = true
	}
	for _, r := range s.Routes {
		seq := make([]int, len(r.Stops))
		for i, st := range r.Stops {
			if served[st.Job] {
				return fmt.Errorf("job %s is planned twice", p.Jobs[st.Job].ID)
			}
			served[st.Job] = true
			seq[i] = st.Job
			if !hasSkills(p.Vehicles[r.Vehicle].Skills, p.Jobs[st.Job].Skills) {
				return fmt.Errorf("job %s needs a skill vehicle %s lacks", p.Jobs[st.Job].ID, p.Vehicles[r.Vehicle].ID)
			}
		}
		sr := &search{p: p}
		dist, ok := sr.simulate(r.Vehicle, seq)
		if !ok {
			return fmt.Errorf("vehicle %s's route breaks a window, a capacity or its shift", p.Vehicles[r.Vehicle].ID)
		}
		if math.Abs(dist-r.Distance) > 1e-6 {
			return fmt.Errorf("vehicle %s's route is %.3f long, not %.3f", p.Vehicles[r.Vehicle].ID, dist, r.Distance)
		}
	}
	for j, ok := range served {
		if !ok {
			return fmt.Errorf("job %s is neither planned nor unassigned", p.Jobs[j].ID)
		}
	}
	return nil
}

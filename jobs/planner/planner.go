// Package planner plans a day's collection runs: which van visits which business, in
// what order, so that no van is overloaded, every stop is reached inside one of its time
// windows and every shift ends on time, serving as many jobs as possible (by priority),
// with as few vans and as little driving as possible. It is a vehicle routing solver with
// no database in it: regret insertion to start, then ruin and recreate (string removals
// after Christiaens and Vanden Berghe's SISR) under simulated annealing.
package planner

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// Window is a span of time in which service may start.
type Window struct{ Start, End float64 }

// Vehicle is a van: where it starts and ends (matrix indices), its shift, its capacity in
// each dimension (e.g. kg and m3), the skills it has, and a longest route duration (0: no
// limit).
type Vehicle struct {
	ID          string
	Start, End  int
	Shift       Window
	Capacity    []float64
	Skills      []string
	MaxDuration float64
	CostPerKm   float64
}

// Job is a stop: a pickup loads the van there, a delivery is on the van from the start.
type Job struct {
	ID       string
	Loc      int
	Service  float64
	Amount   []float64
	Windows  []Window
	Priority int
	Skills   []string
	Delivery bool
}

// Matrix gives the distance and travel time between locations, by index.
type Matrix struct {
	Dist [][]float64
	Time [][]float64
}

// Problem is a day to plan.
type Problem struct {
	Vehicles []Vehicle
	Jobs     []Job
	Matrix   Matrix
}

// Objective says what counts after serving as many jobs as possible.
type Objective int

const (
	// VehiclesThenDistance uses as few vehicles as possible, then drives as little as possible.
	VehiclesThenDistance Objective = iota
	// DistanceOnly minimises the distance driven (the Solomon distance benchmark).
	DistanceOnly
)

// Options bound the search. The same problem, seed and iteration budget give the same
// answer; a time limit stops earlier on a slow machine.
type Options struct {
	Seed       uint64
	TimeLimit  time.Duration
	Iterations int
	Objective  Objective
}

// Stop is a job on a route with its times and the load after it.
type Stop struct {
	Job       int
	Arrival   float64
	Wait      float64
	Start     float64
	Departure float64
	Load      []float64
}

// Route is one vehicle's stops in order.
type Route struct {
	Vehicle  int
	Stops    []Stop
	Distance float64
	Duration float64
}

// Reason codes for unassigned jobs.
const (
	ReasonSkill    = "skill"
	ReasonCapacity = "capacity"
	ReasonWindow   = "window"
	ReasonNoRoom   = "no_room"
)

// Unassigned is a job left out, with a reason a person can act on.
type Unassigned struct {
	Job    int
	Code   string
	Reason string
}

// Solution is a plan.
type Solution struct {
	Routes     []Route
	Unassigned []Unassigned
	Distance   float64
	Vehicles   int
}

// Validate checks that a problem is well formed.
func (p *Problem) Validate() error {
	n := len(p.Matrix.Dist)
	if n == 0 || len(p.Matrix.Time) != n {
		return errors.New("the matrix is empty or its distance and time parts differ in size")
	}
	for i := range p.Matrix.Dist {
		if len(p.Matrix.Dist[i]) != n || len(p.Matrix.Time[i]) != n {
			return fmt.Errorf("matrix row %d is not %d long", i, n)
		}
	}
	dims := -1
	for i, v := range p.Vehicles {
		if v.Start < 0 || v.Start >= n || v.End < 0 || v.End >= n {
			return fmt.Errorf("vehicle %d: start or end is not in the matrix", i)
		}
		if dims >= 0 && len(v.Capacity) != dims {
			return fmt.Errorf("vehicle %d: %d capacity dimensions, others have %d", i, len(v.Capacity), dims)
		}
		dims = len(v.Capacity)
	}
	for i, j := range p.Jobs {
		if j.Loc < 0 || j.Loc >= n {
			return fmt.Errorf("job %d: location is not in the matrix", i)
		}
		if dims >= 0 && len(j.Amount) != dims {
			return fmt.Errorf("job %d: %d amount dimensions, vehicles have %d", i, len(j.Amount), dims)
		}
		if len(j.Windows) == 0 {
			return fmt.Errorf("job %d: no time window", i)
		}
	}
	return nil
}

const eps = 1e-9

// Solve plans the problem. It stops at the iteration budget, the time limit or when ctx
// ends, and returns the best plan found.
func Solve(ctx context.Context, p *Problem, o Options) (*Solution, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if o.Iterations <= 0 && o.TimeLimit <= 0 {
		o.TimeLimit = 2 * time.Second
	}
	s := newSearch(p, o)
	best := s.run(ctx)
	return s.solution(best), nil
}

// avgEdge is the mean distance between job locations and the first depot, to scale the
// annealing temperature to the problem's units.
func avgEdge(p *Problem) float64 {
	if len(p.Jobs) == 0 || len(p.Vehicles) == 0 {
		return 1
	}
	sum, n := 0.0, 0
	for i := range p.Jobs {
		for k := i + 1; k < len(p.Jobs) && k < i+20; k++ {
			sum += p.Matrix.Dist[p.Jobs[i].Loc][p.Jobs[k].Loc]
			n++
		}
		sum += p.Matrix.Dist[p.Vehicles[0].Start][p.Jobs[i].Loc]
		n++
	}
	return math.Max(sum/float64(n), 1e-6)
}

func hasSkills(have, need []string) bool {
	for _, s := range need {
		if !slices.Contains(have, s) {
			return false
		}
	}
	return true
}

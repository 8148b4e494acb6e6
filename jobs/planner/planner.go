// Package planner plans a day's collection runs: which van visits which business, in
// what order, so that no van is overloaded, every stop is reached inside one of its time
// windows and every shift ends on time, serving as many jobs as possible (by priority),
// with as few vans and as little driving as possible. It is a vehicle routing solver with
// no database in it: insertion to start, then (when vans count) a phase that empties
// routes, then ruin and recreate (string removals after Christiaens and Vanden Berghe's
// SISR) under simulated annealing until the plan stops improving.
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
// limit). A van may make up to Trips trips in its shift (0 or 1: one), coming back to its
// start between them to unload, which takes Unload; it goes back when the next stop
// would not fit.
type Vehicle struct {
	ID          string
	Start, End  int
	Shift       Window
	Capacity    []float64
	Skills      []string
	MaxDuration float64
	CostPerKm   float64
	Trips       int
	Unload      float64
}

func (v *Vehicle) maxTrips() int { return max(v.Trips, 1) }

// endBy is when the van must be back: the shift's end, or sooner with a duration limit
// (vans leave at the start of their shift).
func (v *Vehicle) endBy() float64 {
	if v.MaxDuration > 0 {
		return math.Min(v.Shift.End, v.Shift.Start+v.MaxDuration)
	}
	return v.Shift.End
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

// Options bound the search. By default it anneals in rounds and stops when a round finds
// nothing better (it has converged); the same problem and seed then give the same plan,
// however fast the machine. TimeLimit bounds the time all the same: a search it stops
// may differ from run to run.
type Options struct {
	Seed      uint64
	TimeLimit time.Duration
	// Iterations, when set, is the whole search's length in iterations instead of
	// rounds until converged.
	Iterations int
	// UntilTimeLimit spends the whole time limit on one round whose temperature falls
	// with the clock: the longest search, for benchmarks; not repeatable.
	UntilTimeLimit bool
	Objective      Objective
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

// Route is one vehicle's stops in order, with its returns to the depot between trips.
// A stop's load is the van's load on the stop's trip.
type Route struct {
	Vehicle  int
	Stops    []Stop
	Unloads  []Unload
	Distance float64
	Duration float64
}

// Unload is a return to the depot between two trips: the van arrives, unloads (and loads
// the next trip's deliveries) and leaves again for the stop at index Before.
type Unload struct {
	Before    int
	Arrival   float64
	Departure float64
}

// Trip is the trip (1, 2, ...) on which the route's stop i is made.
func (r *Route) Trip(i int) int {
	n := 1
	for _, u := range r.Unloads {
		if u.Before <= i {
			n++
		}
	}
	return n
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
		if v.Trips < 0 || v.Unload < 0 {
			return fmt.Errorf("vehicle %d: trips and unloading time cannot be negative", i)
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

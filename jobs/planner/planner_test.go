package planner_test

import (
	"context"
	"github.com/scrapstore/scrapstore/jobs/planner"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

// line builds a problem on a line: location i is at x = i, time equals distance.
func line(n int) planner.Matrix {
	m := planner.Matrix{Dist: make([][]float64, n), Time: make([][]float64, n)}
	for i := range m.Dist {
		m.Dist[i] = make([]float64, n)
		for j := range m.Dist[i] {
			m.Dist[i][j] = math.Abs(float64(i - j))
		}
		m.Time[i] = m.Dist[i]
	}
	return m
}

func van(capKg float64, skills ...string) planner.Vehicle {
	return planner.Vehicle{Start: 0, End: 0, Shift: planner.Window{0, 100}, Capacity: []float64{capKg, 10}, Skills: skills}
}

func job(id string, loc int, kg float64, w ...planner.Window) planner.Job {
	if len(w) == 0 {
		w = []planner.Window{{0, 100}}
	}
	return planner.Job{ID: id, Loc: loc, Service: 1, Amount: []float64{kg, 1}, Windows: w}
}

func solve(t *testing.T, p *planner.Problem, o planner.Options) *planner.Solution {
	t.Helper()
	if o.Iterations == 0 {
		o.Iterations = 2000
	}
	s, err := planner.Solve(context.Background(), p, o)
	if err != nil {
		t.Fatal(err)
	}
	if err := check(p, s); err != nil {
		t.Fatalf("infeasible plan: %v", err)
	}
	return s
}

func TestUnassignedReasons(t *testing.T) {
	p := &planner.Problem{Matrix: line(60), Vehicles: []planner.Vehicle{van(100)}, Jobs: []planner.Job{
		job("ok", 5, 10),
		job("skill", 6, 10), job("heavy", 7, 500), job("far", 55, 10, planner.Window{0, 20}),
	}}
	p.Jobs[1].Skills = []string{"tail_lift"}
	s := solve(t, p, planner.Options{Seed: 1})
	got := map[string]string{}
	for _, u := range s.Unassigned {
		got[p.Jobs[u.Job].ID] = u.Code
		if u.Reason == "" {
			t.Errorf("no reason for %s", p.Jobs[u.Job].ID)
		}
	}
	want := map[string]string{"skill": planner.ReasonSkill, "heavy": planner.ReasonCapacity, "far": planner.ReasonWindow}
	if !reflect.DeepEqual(got, want) || s.Vehicles != 1 {
		t.Fatalf("unassigned %v, want %v", got, want)
	}
}

// When one van cannot carry everything, higher priorities are served.
func TestPriorityWinsWhenShort(t *testing.T) {
	p := &planner.Problem{Matrix: line(10), Vehicles: []planner.Vehicle{van(100)}}
	for i := 1; i <= 6; i++ {
		j := job(string(rune('a'+i)), i, 30)
		if i%2 == 0 {
			j.Priority = 3
		}
		p.Jobs = append(p.Jobs, j)
	}
	s := solve(t, p, planner.Options{Seed: 2})
	for _, u := range s.Unassigned {
		if p.Jobs[u.Job].Priority != 0 || u.Code != planner.ReasonNoRoom {
			t.Fatalf("left out %+v", u)
		}
	}
	if len(s.Unassigned) != 3 {
		t.Fatalf("%d unassigned, want 3", len(s.Unassigned))
	}
}

// Deliveries ride from the depot and pickups fill the van: the load must fit at every
// point, and a second window (after lunch) can be used.
func TestMixedLoadsAndWindows(t *testing.T) {
	p := &planner.Problem{Matrix: line(10), Vehicles: []planner.Vehicle{van(50), van(50)}, Jobs: []planner.Job{
		{ID: "sofa", Loc: 3, Service: 1, Amount: []float64{40, 2}, Windows: []planner.Window{{0, 100}}, Delivery: true},
		job("card", 4, 40),
		job("lunch", 6, 5, planner.Window{0, 2}, planner.Window{30, 40}),
	}}
	s := solve(t, p, planner.Options{Seed: 3})
	if len(s.Unassigned) != 0 {
		t.Fatalf("unassigned %+v", s.Unassigned)
	}
	for _, r := range s.Routes {
		for _, st := range r.Stops {
			if p.Jobs[st.Job].ID == "lunch" && st.Start < 30 {
				t.Fatalf("lunch served at %.1f", st.Start)
			}
		}
	}
}

func TestSkillsAndMaxDuration(t *testing.T) {
	lift := van(100, "tail_lift")
	short := van(100)
	short.MaxDuration = 10
	p := &planner.Problem{Matrix: line(20), Vehicles: []planner.Vehicle{short, lift}, Jobs: []planner.Job{job("piano", 9, 50), job("near", 2, 5)}}
	p.Jobs[0].Skills = []string{"tail_lift"}
	s := solve(t, p, planner.Options{Seed: 4})
	for _, r := range s.Routes {
		for _, st := range r.Stops {
			if p.Jobs[st.Job].ID == "piano" && r.Vehicle != 1 {
				t.Fatal("the piano went on a van without a tail lift")
			}
		}
	}
}

// The same problem and seed give the same plan, for a fixed number of iterations and
// when the search stops because it has converged (long before the time limit).
func TestDeterministic(t *testing.T) {
	p := &planner.Problem{Matrix: line(40), Vehicles: []planner.Vehicle{van(60), van(60), van(60)}}
	for i := 1; i < 40; i++ {
		p.Jobs = append(p.Jobs, job(string(rune('A'+i)), i, float64(5+i%7), planner.Window{float64(i % 13), float64(i%13 + 40)}))
	}
	for _, o := range []planner.Options{{Seed: 9, Iterations: 800}, {Seed: 9, TimeLimit: time.Minute}} {
		a := solve(t, p, o)
		b := solve(t, p, o)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("%+v: two runs with one seed differ", o)
		}
	}
	day, err := planner.Generate(40, 3, 5)
	if err != nil {
		t.Fatal(err)
	}
	o := planner.Options{Seed: 5, TimeLimit: time.Minute}
	if a, b := solve(t, day, o), solve(t, day, o); !reflect.DeepEqual(a, b) {
		t.Fatal("two plans of a generated day with one seed differ")
	}
}

// Days with lunch breaks (two windows), a duration limit, and small vans that go back
// to unload are planned feasibly: the search's checks agree with the independent
// checker (taking stops out of a van's trips can make a later stop late).
func TestGeneratedDaysFeasible(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		p, err := planner.Generate(40, 3, seed)
		if err != nil {
			t.Fatal(err)
		}
		p.Vehicles[0].MaxDuration = 300
		for v := range p.Vehicles[1:] {
			p.Vehicles[1+v].Capacity[0], p.Vehicles[1+v].Trips, p.Vehicles[1+v].Unload = 300, 3, 20
		}
		s := solve(t, p, planner.Options{Seed: seed, Iterations: 800})
		if len(s.Unassigned) == len(p.Jobs) {
			t.Fatalf("seed %d: nothing planned", seed)
		}
	}
}

func TestValidate(t *testing.T) {
	bad := &planner.Problem{Matrix: line(3), Vehicles: []planner.Vehicle{van(10)}, Jobs: []planner.Job{job("x", 7, 1)}}
	if _, err := planner.Solve(context.Background(), bad, planner.Options{Iterations: 10}); err == nil {
		t.Fatal("a job outside the matrix was accepted")
	}
}

// One van that may go back to unload serves in two trips what one trip cannot carry,
// within its shift and its unloading time; without a second trip, or without the time
// to unload, it cannot.
func TestSecondTrip(t *testing.T) {
	day := func(trips int, unload float64) *planner.Problem {
		v := van(100)
		v.Trips, v.Unload = trips, unload
		p := &planner.Problem{Matrix: line(20), Vehicles: []planner.Vehicle{v}}
		for i, id := range []string{"a", "b", "c", "d"} {
			p.Jobs = append(p.Jobs, job(id, 10+i, 50))
		}
		// A sofa for a household rides out on whichever trip passes it.
		p.Jobs = append(p.Jobs, planner.Job{ID: "sofa", Loc: 9, Service: 1, Amount: []float64{40, 2}, Windows: []planner.Window{{0, 100}}, Delivery: true})
		return p
	}
	s := solve(t, day(1, 10), planner.Options{Seed: 1})
	// One trip: the sofa goes first, then two pickups fill the van.
	if len(s.Unassigned) != 2 || s.Unassigned[0].Code != planner.ReasonNoRoom {
		t.Fatalf("one trip: unassigned %+v, want two jobs with no room", s.Unassigned)
	}
	s = solve(t, day(3, 10), planner.Options{Seed: 1})
	if len(s.Unassigned) != 0 || s.Vehicles != 1 || len(s.Routes[0].Unloads) < 1 {
		t.Fatalf("three trips allowed: %d unassigned, routes %+v", len(s.Unassigned), s.Routes)
	}
	r := s.Routes[0]
	u := r.Unloads[0]
	// On the line, the way back to the depot from location x takes x.
	if last := r.Stops[u.Before-1]; u.Arrival != last.Departure+float64(day(3, 10).Jobs[last.Job].Loc) || u.Departure-u.Arrival != 10 {
		t.Fatalf("unload %+v after a stop leaving at %.1f", u, last.Departure)
	}
	if r.Trip(0) != 1 || r.Trip(u.Before) != 2 || r.Trip(len(r.Stops)-1) != len(r.Unloads)+1 {
		t.Fatalf("trip numbers %d %d for unloads %+v", r.Trip(0), r.Trip(u.Before), r.Unloads)
	}
	if err := planner.Check(day(3, 10), s); err != nil {
		t.Fatalf("the library's checker refuses the plan: %v", err)
	}
	// Unloading for an hour leaves no time for the second trip: the shift ends at 100.
	s = solve(t, day(3, 60), planner.Options{Seed: 1})
	if len(s.Unassigned) == 0 {
		t.Fatalf("a 60-minute unload fitted: %+v", s.Routes)
	}
}

// The library's checker refuses a route that goes back to the depot more often than
// the van may, or whose stated return does not add up.
func TestCheckTrips(t *testing.T) {
	v := van(100)
	v.Trips, v.Unload = 2, 5
	p := &planner.Problem{Matrix: line(20), Vehicles: []planner.Vehicle{v}, Jobs: []planner.Job{job("a", 3, 60), job("b", 4, 60)}}
	r, err := planner.Evaluate(p, 0, []int{0, 1})
	if err != nil || len(r.Unloads) != 1 || r.Unloads[0].Before != 1 || r.Distance != 3+3+4+4 {
		t.Fatalf("evaluate: %v %+v", err, r)
	}
	good := &planner.Solution{Routes: []planner.Route{r}, Distance: r.Distance, Vehicles: 1}
	if err := planner.Check(p, good); err != nil {
		t.Fatal(err)
	}
	p.Vehicles[0].Trips = 1
	if err := planner.Check(p, good); err == nil {
		t.Fatal("two trips passed for a van that makes one")
	}
	if _, err := planner.Evaluate(p, 0, []int{0, 1}); err == nil || !strings.Contains(err.Error(), "over capacity") {
		t.Fatalf("one trip: %v", err)
	}
	p.Vehicles[0].Trips = 2
	bad := *good
	bad.Routes = []planner.Route{r}
	bad.Routes[0].Unloads = nil
	if err := planner.Check(p, &bad); err == nil {
		t.Fatal("a route without its return to the depot passed")
	}
}

package planner_test

import (
	"context"
	"github.com/scrapstore/scrapstore/jobs/planner"
	"math"
	"reflect"
	"testing"
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

// The same problem and seed give the same plan.
func TestDeterministic(t *testing.T) {
	p := &planner.Problem{Matrix: line(40), Vehicles: []planner.Vehicle{van(60), van(60), van(60)}}
	for i := 1; i < 40; i++ {
		p.Jobs = append(p.Jobs, job(string(rune('A'+i)), i, float64(5+i%7), planner.Window{float64(i % 13), float64(i%13 + 40)}))
	}
	a := solve(t, p, planner.Options{Seed: 9, Iterations: 800})
	b := solve(t, p, planner.Options{Seed: 9, Iterations: 800})
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two runs with one seed differ")
	}
}

func TestValidate(t *testing.T) {
	bad := &planner.Problem{Matrix: line(3), Vehicles: []planner.Vehicle{van(10)}, Jobs: []planner.Job{job("x", 7, 1)}}
	if _, err := planner.Solve(context.Background(), bad, planner.Options{Iterations: 10}); err == nil {
		t.Fatal("a job outside the matrix was accepted")
	}
}

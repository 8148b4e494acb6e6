package planner

import (
	"context"
	"fmt"
	"math/rand/v2"
)

// Generate makes a day's problem around the West Bromwich depot for trying the planner
// at scale: jobs at businesses within about 12 km, open 08:00-17:30 (some closed at
// lunch), of 10-120 kg and up to 1 m3, and vans of 1,100 kg and 11 m3 on 07:30-18:00
// shifts. Times are minutes after midnight; distances come from the great-circle provider.
func Generate(jobs, vehicles int, seed uint64) (*Problem, error) {
	rng := rand.New(rand.NewPCG(seed, 77))
	points := []Point{{52.518, -1.995}}
	p := &Problem{}
	for i := 0; i < jobs; i++ {
		points = append(points, Point{52.518 + (rng.Float64()-0.5)*0.2, -1.995 + (rng.Float64()-0.5)*0.3})
		open := float64(480 + 30*rng.IntN(3))
		w := []Window{{open, 1050}}
		if rng.IntN(3) == 0 {
			w = []Window{{open, 750}, {810, 1050}}
		}
		p.Jobs = append(p.Jobs, Job{ID: fmt.Sprint(i + 1), Loc: i + 1, Service: float64(10 + rng.IntN(11)), Windows: w,
			Amount: []float64{float64(10 + rng.IntN(110)), 0.1 + float64(rng.IntN(10))/10}, Priority: rng.IntN(3)})
	}
	for v := 0; v < vehicles; v++ {
		p.Vehicles = append(p.Vehicles, Vehicle{ID: fmt.Sprint(v + 1), Shift: Window{450, 1080}, Capacity: []float64{1100, 11}})
	}
	m, err := GreatCircle{}.Matrix(context.Background(), points)
	p.Matrix = m
	return p, err
}

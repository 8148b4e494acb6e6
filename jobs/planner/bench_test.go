package planner_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/scrapstore/scrapstore/jobs/planner"
	"github.com/scrapstore/scrapstore/jobs/planner/solomon"
)

// BenchmarkSolveR101 is a full solve of one Solomon instance at a fixed iteration budget.
func BenchmarkSolveR101(b *testing.B) {
	inst, err := solomon.ParseFile("solomon/testdata/R101.txt")
	if err != nil {
		b.Fatal(err)
	}
	p := inst.Problem()
	for i := 0; i < b.N; i++ {
		s, err := planner.Solve(context.Background(), p, planner.Options{Seed: 1, Iterations: 5000, Objective: planner.DistanceOnly})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(s.Distance, "distance")
	}
	b.ReportMetric(float64(b.N*5000*2)/b.Elapsed().Seconds(), "iterations/s")
}

// BenchmarkGenerated1000 plans 1,000 jobs with 20 vans in the West Midlands within 30
// seconds and reports the time, the memory and what was served.
func BenchmarkGenerated1000(b *testing.B) {
	p, err := planner.Generate(1000, 20, 1)
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		s, err := planner.Solve(context.Background(), p, planner.Options{Seed: 1, TimeLimit: 25 * time.Second})
		if err != nil {
			b.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		if err := check(p, s); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "seconds")
		b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/(1<<20), "alloc-MiB")
		b.ReportMetric(float64(after.HeapInuse)/(1<<20), "heap-MiB")
		b.ReportMetric(float64(1000-len(s.Unassigned)), "served")
		b.ReportMetric(float64(s.Vehicles), "vans")
	}
}

// BenchmarkDemoDay plans a day like the demo store's (its 3 vans, which may go back to
// unload, and 40 requests) as a preview does, stopping when the search has converged,
// and as a 30-second search does, and reports the first's time (on the clock, and the
// processor time of its two searches together) and both distances and the gap.
func BenchmarkDemoDay(b *testing.B) {
	p, err := planner.Generate(40, 3, 1)
	if err != nil {
		b.Fatal(err)
	}
	for v, kg := range []float64{1100, 900, 600} {
		p.Vehicles[v].Capacity[0] = kg
		p.Vehicles[v].Trips, p.Vehicles[v].Unload = 3, 20
	}
	for i := 0; i < b.N; i++ {
		start, cpu := time.Now(), cpuTime()
		quick, err := planner.Solve(context.Background(), p, planner.Options{Seed: 1, TimeLimit: 5 * time.Second})
		if err != nil {
			b.Fatal(err)
		}
		took, used := time.Since(start), cpuTime()-cpu
		long, err := planner.Solve(context.Background(), p, planner.Options{Seed: 1, TimeLimit: 30 * time.Second, UntilTimeLimit: true})
		if err != nil {
			b.Fatal(err)
		}
		for _, s := range []*planner.Solution{quick, long} {
			if err := check(p, s); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(took.Seconds(), "seconds")
		b.ReportMetric(used.Seconds(), "cpu-seconds")
		b.ReportMetric(quick.Distance, "km")
		b.ReportMetric(long.Distance, "km-30s")
		b.ReportMetric(100*(quick.Distance-long.Distance)/long.Distance, "gap-pct")
		b.ReportMetric(float64(quick.Vehicles), "vans")
		b.ReportMetric(float64(long.Vehicles), "vans-30s")
	}
}

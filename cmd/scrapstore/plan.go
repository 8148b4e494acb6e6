package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/scrapstore/scrapstore/jobs/planner"
	"github.com/scrapstore/scrapstore/jobs/planner/solomon"
)

// planCmd runs the route planner on benchmark instances:
//
//	scrapstore plan solomon [--seconds S] [--seed N] [--objective distance|vehicles] [--bks FILE] [--out DIR] [--trips N --unload M] FILE...
//	scrapstore plan generated [--jobs N] [--vehicles N] [--seconds S] [--seed N]
func planCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "solomon" && args[0] != "generated") {
		return usagef("usage: scrapstore plan solomon [flags] FILE... | scrapstore plan generated [flags]")
	}
	fs := flag.NewFlagSet("plan "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	seconds := fs.Float64("seconds", 2, "time budget an instance")
	seed := fs.Uint64("seed", 1, "random seed")
	if args[0] == "generated" {
		jobs := fs.Int("jobs", 1000, "jobs")
		vans := fs.Int("vehicles", 20, "vehicles")
		*seconds = 25
		if err := parseFlags(fs, args[1:]); err != nil {
			return err
		}
		if *jobs < 1 || *jobs > 20000 || *vans < 1 || *vans > 500 {
			return usagef("--jobs must be 1 to 20000 and --vehicles 1 to 500")
		}
		return planGenerated(ctx, stdout, *jobs, *vans, *seconds, *seed)
	}
	objective := fs.String("objective", "distance", "distance, or vehicles (then distance)")
	bksPath := fs.String("bks", "", "best-known solutions (default: the table next to the instances)")
	out := fs.String("out", "", "write each instance's routes to DIR/<instance>.sol")
	trips := fs.Int("trips", 1, "trips a vehicle may make, going back to the depot to unload between them")
	unload := fs.Float64("unload", 0, "time to unload at the depot between trips")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if *trips < 1 || *trips > 10 || *unload < 0 {
		return usagef("--trips must be 1 to 10 and --unload at least 0")
	}
	if fs.NArg() == 0 {
		return usagef("give one or more Solomon instance files")
	}
	o := solomon.Options{Seconds: *seconds, Seed: *seed, OutDir: *out, Objective: planner.DistanceOnly, Trips: *trips, Unload: *unload}
	table := "BKS_distance_only.tsv"
	switch *objective {
	case "distance":
	case "vehicles":
		o.Objective, table = planner.VehiclesThenDistance, "BKS.tsv"
	default:
		return usagef("--objective must be distance or vehicles")
	}
	if *seconds <= 0 || *seconds > 3600 {
		return usagef("--seconds must be more than 0 and at most 3600")
	}
	path := *bksPath
	if path == "" {
		path = filepath.Join(filepath.Dir(fs.Arg(0)), table)
	}
	if bks, err := solomon.ReadBKS(path); err == nil {
		o.BKS = bks
	} else if *bksPath != "" || !os.IsNotExist(err) {
		return err
	}
	return solomon.Run(ctx, stdout, fs.Args(), o)
}

func planGenerated(ctx context.Context, w io.Writer, jobs, vans int, seconds float64, seed uint64) error {
	p, err := planner.Generate(jobs, vans, seed)
	if err != nil {
		return err
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	s, err := planner.Solve(ctx, p, planner.Options{Seed: seed, TimeLimit: time.Duration(seconds * float64(time.Second))})
	if err != nil {
		return err
	}
	took := time.Since(start)
	runtime.ReadMemStats(&after)
	feasible := "yes"
	if err := planner.Check(p, s); err != nil {
		feasible = "no: " + err.Error()
	}
	fmt.Fprintf(w, "jobs\t%d\nvehicles available\t%d\nvehicles used\t%d\nserved\t%d\nunassigned\t%d\n"+
		"distance km\t%.1f\nseconds\t%.2f\nallocated MiB\t%.1f\nheap MiB\t%.1f\nfeasible\t%s\n",
		jobs, vans, s.Vehicles, jobs-len(s.Unassigned), len(s.Unassigned), s.Distance, took.Seconds(),
		float64(after.TotalAlloc-before.TotalAlloc)/(1<<20), float64(after.HeapInuse)/(1<<20), feasible)
	return nil
}

package planner_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scrapstore/scrapstore/jobs/planner"
	"github.com/scrapstore/scrapstore/jobs/planner/solomon"
)

// Solomon instances of each kind are solved feasibly (by the independent checker) and
// close to the best-known distance.
func TestSolomonInstances(t *testing.T) {
	bks, err := solomon.ReadBKS("solomon/testdata/BKS_distance_only.tsv")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"C101", "R101", "RC201"} {
		inst, err := solomon.ParseFile(filepath.Join("solomon/testdata", name+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		p := inst.Problem()
		s, err := planner.Solve(context.Background(), p, planner.Options{Seed: 1, Iterations: 4000, Objective: planner.DistanceOnly})
		if err != nil {
			t.Fatal(err)
		}
		if err := check(p, s); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(s.Unassigned) > 0 || s.Distance > bks[name].Distance*1.05 {
			t.Errorf("%s: %d unassigned, %.2f against %.2f", name, len(s.Unassigned), s.Distance, bks[name].Distance)
		}
	}
}

func TestSolomonParserAndOutput(t *testing.T) {
	raw, err := os.ReadFile("solomon/testdata/C101.txt")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(raw, []byte("\r\n")) {
		t.Fatal("the test file lost its CRLF line ends")
	}
	inst, err := solomon.Parse(bytes.NewReader(raw))
	if err != nil || inst.Vehicles != 25 || inst.Capacity != 200 || len(inst.Customers) != 101 || inst.Customers[1].Due != 967 {
		t.Fatalf("parsed %v %+v", err, inst)
	}
	if _, err := solomon.Parse(strings.NewReader("not an instance\n")); err == nil {
		t.Fatal("junk parsed")
	}
	var out bytes.Buffer
	dir := t.TempDir()
	bks, _ := solomon.ReadBKS("solomon/testdata/BKS_distance_only.tsv")
	err = solomon.Run(context.Background(), &out, []string{"solomon/testdata/C101.txt"},
		solomon.Options{Seconds: 0.3, Seed: 1, Objective: planner.DistanceOnly, BKS: bks, OutDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || lines[0] != "instance\tvehicles\tdistance\tseconds\tfeasible\tbks_vehicles\tbks_distance\tgap_pct" ||
		!strings.HasPrefix(lines[1], "C101\t") || len(strings.Split(lines[1], "\t")) != 8 || !strings.HasPrefix(lines[2], "mean gap") {
		t.Fatalf("output:\n%s", out.String())
	}
	sol, err := os.ReadFile(filepath.Join(dir, "C101.sol"))
	if err != nil || !strings.HasPrefix(string(sol), "Route 1 : ") {
		t.Fatalf("C101.sol: %v %q", err, sol)
	}
	// Every customer appears once in the routes.
	seen := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(string(sol)), "\n") {
		_, stops, _ := strings.Cut(l, " : ")
		for _, c := range strings.Fields(stops) {
			if seen[c] {
				t.Fatalf("customer %s twice", c)
			}
			seen[c] = true
		}
	}
	if len(seen) != 100 {
		t.Fatalf("%d customers in the routes", len(seen))
	}
}

// With vans counting first, the planner empties routes until it reaches the best-known
// fleet: 14 vans on RC101, where insertion and annealing alone stay at 15.
func TestSolomonFleetMinimisation(t *testing.T) {
	bks, err := solomon.ReadBKS("solomon/testdata/BKS.tsv")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"RC101"} {
		inst, err := solomon.ParseFile(filepath.Join("solomon/testdata", name+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		p := inst.Problem()
		s, err := planner.Solve(context.Background(), p, planner.Options{Seed: 1, Iterations: 6000})
		if err != nil {
			t.Fatal(err)
		}
		if err := check(p, s); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(s.Unassigned) > 0 || s.Vehicles > bks[name].Vehicles {
			t.Errorf("%s: %d vans, %d unassigned; best known %d vans", name, s.Vehicles, len(s.Unassigned), bks[name].Vehicles)
		}
	}
}

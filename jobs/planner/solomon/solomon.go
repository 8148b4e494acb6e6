// Package solomon reads Solomon VRPTW benchmark instances and measures the planner on
// them against best-known solutions.
package solomon

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/scrapstore/scrapstore/jobs/planner"
)

// Instance is a Solomon instance: customer 0 is the depot.
type Instance struct {
	Name      string
	Vehicles  int
	Capacity  float64
	Customers []Customer
}

// Customer is a row of the instance.
type Customer struct {
	No                  int
	X, Y, Demand        float64
	Ready, Due, Service float64
}

// Parse reads the standard text format (CRLF or LF, any spacing).
func Parse(r io.Reader) (*Instance, error) {
	sc := bufio.NewScanner(r)
	var lines [][]string
	for sc.Scan() {
		if f := strings.Fields(strings.TrimSpace(sc.Text())); len(f) > 0 {
			lines = append(lines, f)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	inst := &Instance{}
	if len(lines) > 0 {
		inst.Name = lines[0][0]
	}
	for i := 0; i < len(lines); i++ {
		if strings.EqualFold(lines[i][0], "NUMBER") && i+1 < len(lines) && len(lines[i+1]) >= 2 {
			v, err1 := strconv.Atoi(lines[i+1][0])
			c, err2 := strconv.ParseFloat(lines[i+1][1], 64)
			if err1 != nil || err2 != nil {
				return nil, fmt.Errorf("line %d: vehicle number and capacity are not numbers", i+2)
			}
			inst.Vehicles, inst.Capacity = v, c
		}
		if len(lines[i]) == 7 {
			var nums [7]float64
			ok := true
			for k, f := range lines[i] {
				n, err := strconv.ParseFloat(f, 64)
				if err != nil {
					ok = false
					break
				}
				nums[k] = n
			}
			if ok {
				inst.Customers = append(inst.Customers, Customer{
					No: int(nums[0]), X: nums[1], Y: nums[2], Demand: nums[3], Ready: nums[4], Due: nums[5], Service: nums[6],
				})
			}
		}
	}
	if inst.Vehicles == 0 || inst.Capacity == 0 || len(inst.Customers) < 2 || inst.Customers[0].No != 0 {
		return nil, fmt.Errorf("not a Solomon instance: needs the vehicle line and a depot row numbered 0")
	}
	if err := inst.check(); err != nil {
		return nil, fmt.Errorf("not a Solomon instance: %w", err)
	}
	return inst, nil
}

// The largest instances read: the extended Solomon sets stop at 1,000 customers, and the
// planner's matrices grow with the square of the customers.
const (
	MaxVehicles  = 10_000
	MaxCustomers = 5_000
)

// check refuses what the planner cannot be given: numbers that are not finite, a fleet
// out of reason, customers out of order, negative demands and windows that close before
// they open.
func (inst *Instance) check() error {
	if inst.Vehicles < 1 || inst.Vehicles > MaxVehicles {
		return fmt.Errorf("the number of vehicles must be 1 to %d", MaxVehicles)
	}
	if !(inst.Capacity > 0 && inst.Capacity <= math.MaxFloat64) {
		return fmt.Errorf("the capacity must be a positive number")
	}
	if len(inst.Customers) > MaxCustomers {
		return fmt.Errorf("more than %d customers", MaxCustomers)
	}
	for i, c := range inst.Customers {
		switch {
		case c.No != i:
			return fmt.Errorf("customer %d is numbered %d: rows must be numbered 0, 1, 2... in order", i, c.No)
		case math.IsNaN(c.X+c.Y) || math.IsInf(c.X+c.Y, 0) || math.IsInf(c.X, 0) || math.IsInf(c.Y, 0):
			return fmt.Errorf("customer %d: coordinates must be numbers", i)
		case !(c.Demand >= 0 && c.Demand <= math.MaxFloat64) || !(c.Service >= 0 && c.Service <= math.MaxFloat64):
			return fmt.Errorf("customer %d: demand and service time must be numbers from 0", i)
		case !(c.Ready >= 0 && c.Ready <= c.Due && c.Due <= math.MaxFloat64):
			return fmt.Errorf("customer %d: the window must open at 0 or later and close after it opens", i)
		}
	}
	return nil
}

// ParseFile reads an instance file; its name is the file's base name.
func ParseFile(path string) (*Instance, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	inst, err := Parse(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	inst.Name = strings.ToUpper(strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)))
	return inst, nil
}

// Problem is the instance as a planner problem: Euclidean distances in double
// precision, travel time equal to distance, a homogeneous fleet.
func (inst *Instance) Problem() *planner.Problem {
	n := len(inst.Customers)
	m := planner.Matrix{Dist: make([][]float64, n), Time: make([][]float64, n)}
	for i, a := range inst.Customers {
		m.Dist[i] = make([]float64, n)
		for j, b := range inst.Customers {
			m.Dist[i][j] = math.Hypot(a.X-b.X, a.Y-b.Y)
		}
		m.Time[i] = m.Dist[i]
	}
	depot := inst.Customers[0]
	p := &planner.Problem{Matrix: m}
	for v := 0; v < inst.Vehicles; v++ {
		p.Vehicles = append(p.Vehicles, planner.Vehicle{
			ID: strconv.Itoa(v + 1), Start: 0, End: 0,
			Shift: planner.Window{Start: depot.Ready, End: depot.Due}, Capacity: []float64{inst.Capacity},
		})
	}
	for i, c := range inst.Customers[1:] {
		p.Jobs = append(p.Jobs, planner.Job{
			ID: strconv.Itoa(c.No), Loc: i + 1, Service: c.Service, Amount: []float64{c.Demand},
			Windows: []planner.Window{{Start: c.Ready, End: c.Due}},
		})
	}
	return p
}

// BKS is a best-known solution: vehicles and distance.
type BKS struct {
	Vehicles int
	Distance float64
}

// ReadBKS reads a tab-separated table with a header: instance, vehicles, distance, ...
func ReadBKS(path string) (map[string]BKS, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]BKS{}
	sc := bufio.NewScanner(f)
	for line := 0; sc.Scan(); line++ {
		cols := strings.Split(strings.TrimRight(sc.Text(), "\r"), "\t")
		if line == 0 || len(cols) < 3 {
			continue
		}
		v, err1 := strconv.Atoi(cols[1])
		d, err2 := strconv.ParseFloat(cols[2], 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("%s line %d: vehicles and distance must be numbers", path, line+1)
		}
		out[strings.ToUpper(cols[0])] = BKS{Vehicles: v, Distance: d}
	}
	return out, sc.Err()
}

// Options for a benchmark run. Trips above 1 lets each vehicle go back to the depot to
// unload (taking Unload) and go out again: not the benchmark's rules, a way to try them.
type Options struct {
	Seconds   float64
	Seed      uint64
	Objective planner.Objective
	BKS       map[string]BKS
	OutDir    string
	Trips     int
	Unload    float64
}

// Run solves each instance, searching for the whole time given (a benchmark measures
// what a budget buys), and writes one tab-separated row each, then the mean and
// median gap. With the vehicles objective, when the vehicle count differs from the
// best-known one, the gap given is the vehicles' (as a percentage), not the distance's.
func Run(ctx context.Context, w io.Writer, files []string, o Options) error {
	fmt.Fprintln(w, "instance\tvehicles\tdistance\tseconds\tfeasible\tbks_vehicles\tbks_distance\tgap_pct")
	var gaps []float64
	for _, path := range files {
		inst, err := ParseFile(path)
		if err != nil {
			return err
		}
		p := inst.Problem()
		for v := range p.Vehicles {
			p.Vehicles[v].Trips, p.Vehicles[v].Unload = o.Trips, o.Unload
		}
		start := time.Now()
		sol, err := planner.Solve(ctx, p, planner.Options{
			Seed: o.Seed, TimeLimit: time.Duration(o.Seconds * float64(time.Second)), UntilTimeLimit: true, Objective: o.Objective,
		})
		if err != nil {
			return fmt.Errorf("%s: %w", inst.Name, err)
		}
		secs := time.Since(start).Seconds()
		feasible := "yes"
		if len(sol.Unassigned) > 0 {
			feasible = "no"
		}
		if err := planner.Check(p, sol); err != nil {
			feasible = "no"
		}
		row := fmt.Sprintf("%s\t%d\t%.2f\t%.2f\t%s", inst.Name, sol.Vehicles, sol.Distance, secs, feasible)
		if b, ok := o.BKS[inst.Name]; ok {
			var gap float64
			if o.Objective == planner.VehiclesThenDistance && sol.Vehicles != b.Vehicles {
				gap = 100 * float64(sol.Vehicles-b.Vehicles) / float64(b.Vehicles)
			} else {
				gap = 100 * (math.Round(sol.Distance*100)/100 - b.Distance) / b.Distance
			}
			gaps = append(gaps, gap)
			row += fmt.Sprintf("\t%d\t%.2f\t%.2f", b.Vehicles, b.Distance, gap)
		} else {
			row += "\t\t\t"
		}
		fmt.Fprintln(w, row)
		if o.OutDir != "" {
			if err := writeSol(o.OutDir, inst, p, sol); err != nil {
				return err
			}
		}
	}
	if len(gaps) > 0 {
		mean := 0.0
		for _, g := range gaps {
			mean += g
		}
		mean /= float64(len(gaps))
		sort.Float64s(gaps)
		median := gaps[len(gaps)/2]
		if len(gaps)%2 == 0 {
			median = (gaps[len(gaps)/2-1] + gaps[len(gaps)/2]) / 2
		}
		fmt.Fprintf(w, "mean gap %.2f%%\tmedian gap %.2f%%\n", mean, median)
	}
	return nil
}

// writeSol writes the routes in the usual text form, "Route 1 : 12 5 77", with a 0 (the
// depot) where a vehicle goes back to unload between trips.
func writeSol(dir string, inst *Instance, p *planner.Problem, sol *planner.Solution) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var b strings.Builder
	for i, r := range sol.Routes {
		fmt.Fprintf(&b, "Route %d :", i+1)
		for i, s := range r.Stops {
			if i > 0 && r.Trip(i) != r.Trip(i-1) {
				b.WriteString(" 0")
			}
			fmt.Fprintf(&b, " %s", p.Jobs[s.Job].ID)
		}
		b.WriteString("\n")
	}
	return os.WriteFile(filepath.Join(dir, inst.Name+".sol"), []byte(b.String()), 0o644)
}

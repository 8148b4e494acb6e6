package planner

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"
	"time"
)

// routeCache holds what makes an insertion check constant-time: the earliest service
// start at each stop, the latest start that keeps the rest of the route feasible, and
// the load along the route with its prefix and suffix maxima.
type routeCache struct {
	dist     float64
	es, ls   []float64   // by stop
	load     [][]float64 // [d][i]: load leaving the start (i=0) and after stop i (i=1..m)
	pre, suf [][]float64 // running maxima of load
	slow     bool        // the van can make several trips: check by driving
	drives   []drive     // for such a van, the drive after each number of stops,
	loads    []float64   // its trip's load then (peaks, then ends, per dimension)
	latest   []float64   // and the latest it may leave then
}

// state is a plan in the search. Clones share their routes until one changes a route
// (copy on write: see own), since an iteration touches only a few of them.
type state struct {
	routes [][]int
	cache  []routeCache
	shared []bool // route v's slices may be another state's too
	unass  []int
	cost   float64
}

type search struct {
	p        *Problem
	o        Options
	n        int
	near     [][]int
	serves   [][]bool  // [job][vehicle]
	busy     []float64 // the least time a job takes a van: its service and the way there
	wUnass   float64
	wVehicle float64
	temp0    float64
	tempF    float64
	round    int       // iterations in a round of annealing
	attempt  int       // iterations spent trying to empty a route
	deadline time.Time // the time limit, if any
	// fleetDeadline ends the fleet minimisation, so that distance has at least half the time.
	fleetDeadline time.Time
}

func newSearch(p *Problem, o Options) *search {
	// Emptying a route takes longer than a round: jobs have to find their way in one
	// by one (RC101's fifteenth route takes thousands of iterations).
	s := &search{p: p, o: o, n: len(p.Jobs), round: roundLength(len(p.Jobs)), attempt: min(max(100*len(p.Jobs), 2500), 100000)}
	if o.Iterations > 0 {
		s.round, s.attempt = o.Iterations, o.Iterations
	}
	if o.TimeLimit > 0 {
		now := time.Now()
		s.deadline, s.fleetDeadline = now.Add(o.TimeLimit), now.Add(o.TimeLimit/2)
	}
	scale := avgEdge(p)
	s.wVehicle = 0
	if o.Objective == VehiclesThenDistance {
		s.wVehicle = 1e3 * scale
	}
	s.wUnass = 1e6 * scale
	s.temp0, s.tempF = 3*scale, 0.03*scale
	s.serves = make([][]bool, s.n)
	for i, j := range p.Jobs {
		s.serves[i] = make([]bool, len(p.Vehicles))
		for v, veh := range p.Vehicles {
			ok := hasSkills(veh.Skills, j.Skills)
			for d := range j.Amount {
				if j.Amount[d] > veh.Capacity[d]+eps {
					ok = false
				}
			}
			s.serves[i][v] = ok
		}
	}
	const k = 30
	s.near = make([][]int, s.n)
	s.busy = make([]float64, s.n)
	for i := range p.Jobs {
		li := p.Jobs[i].Loc
		others := make([]int, 0, s.n-1)
		reach := math.Inf(1)
		for _, v := range p.Vehicles {
			reach = math.Min(reach, p.Matrix.Time[v.Start][li])
		}
		for j := range p.Jobs {
			if j != i {
				others = append(others, j)
				reach = math.Min(reach, p.Matrix.Time[p.Jobs[j].Loc][li])
			}
		}
		s.busy[i] = p.Jobs[i].Service + reach
		sort.SliceStable(others, func(a, b int) bool {
			return p.Matrix.Dist[li][p.Jobs[others[a]].Loc] < p.Matrix.Dist[li][p.Jobs[others[b]].Loc]
		})
		s.near[i] = others[:min(k, len(others))]
	}
	return s
}

// run searches from two seeds at once, one on each core, and keeps the better plan (by
// cost, then seed). Each search counts iterations, never the clock, so a seed gives the
// same plan unless the time limit or ctx stops a search first.
func (s *search) run(ctx context.Context) *state {
	results := make([]*state, 2)
	var wg sync.WaitGroup
	for w := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[w] = s.work(ctx, rand.New(rand.NewPCG(s.o.Seed, uint64(w)*0x9e3779b97f4a7c15+1)))
		}()
	}
	wg.Wait()
	best := results[0]
	if results[1].cost < best.cost-eps {
		best = results[1]
	}
	return best
}

// work builds a plan, empties routes when vans count, then improves the plan: over the
// iterations asked for, over the whole time limit, or in rounds until it has converged.
func (s *search) work(ctx context.Context, rng *rand.Rand) *state {
	cur := s.empty()
	s.recreate(cur, s.allJobs(), rng, 0, true)
	if s.o.Objective == VehiclesThenDistance {
		cur = s.minimiseFleet(ctx, rng, cur)
	}
	switch {
	case s.o.Iterations > 0:
		best, _ := s.anneal(ctx, rng, cur, s.o.Iterations)
		return best
	case s.o.UntilTimeLimit:
		best, _ := s.anneal(ctx, rng, cur, 0)
		return best
	}
	best := cur
	for idle := 0; idle < patience; {
		next, stopped := s.anneal(ctx, rng, best, s.round)
		idle++
		if next.cost < best.cost-converged*s.distance(best) {
			idle = 0
		}
		if next.cost < best.cost-eps {
			best = next
		}
		if stopped {
			break
		}
	}
	return best
}

// The search has converged when patience rounds in a row have not saved a share
// converged of the distance (one round often ends in a dip the next climbs out of).
const (
	converged = 1e-4
	patience  = 2
)

// roundLength is how many iterations a round of annealing takes: enough for the ruins to
// have touched every job many times over.
func roundLength(jobs int) int {
	return min(max(60*jobs, 1000), 40000)
}

func (s *search) allJobs() []int {
	all := make([]int, s.n)
	for i := range all {
		all[i] = i
	}
	return all
}

// stop says whether the search must end now: the time limit has passed or ctx ended.
func (s *search) stop(ctx context.Context, it int) bool {
	if !s.deadline.IsZero() && time.Now().After(s.deadline) {
		return true
	}
	return it%256 == 0 && ctx.Err() != nil
}

// anneal improves a plan by ruin and recreate under simulated annealing, the temperature
// falling over iters iterations (or, when iters is 0, over the time left), and returns
// the best plan it saw and whether the time limit or ctx cut it short.
func (s *search) anneal(ctx context.Context, rng *rand.Rand, cur *state, iters int) (*state, bool) {
	best := cur
	began := time.Now()
	for it := 0; iters == 0 || it < iters; it++ {
		if s.stop(ctx, it) {
			return best, true
		}
		progress := float64(it) / float64(iters)
		if iters == 0 {
			progress = float64(time.Since(began)) / float64(s.deadline.Sub(began))
		}
		temp := s.temp0 * math.Pow(s.tempF/s.temp0, math.Min(progress, 1))
		next := cur.clone()
		removed := s.ruin(next, rng)
		// Jobs left out are tried again, a few at a time on a large day.
		rng.Shuffle(len(next.unass), func(i, k int) { next.unass[i], next.unass[k] = next.unass[k], next.unass[i] })
		retry := min(len(next.unass), 40)
		removed = append(removed, next.unass[:retry]...)
		next.unass = next.unass[retry:]
		s.recreate(next, removed, rng, 0.01, true)
		if next.cost < cur.cost-temp*math.Log(rng.Float64()) {
			cur = next
			if cur.cost < best.cost-eps {
				best = cur
			}
		}
	}
	return best, false
}

// minimiseFleet empties routes one at a time (SISR's fleet minimisation): the smallest
// route's jobs are taken out and the plan is ruined and recreated without opening a
// van, keeping a plan that leaves out fewer jobs (by priority), or jobs that have been
// out less often (each job counts the iterations it spent out, so jobs that resist
// insertion go in first at the cost of easier ones), or the same jobs with less driving
// (annealed, so that the plan keeps moving). When every job the plan served is back,
// the van is saved and the next route goes; when a route resists (no fewer jobs out for
// a third of an attempt, or the whole attempt), or half the time limit has passed, the
// phase ends with the best plan.
func (s *search) minimiseFleet(ctx context.Context, rng *rand.Rand, best *state) *state {
	absent := make([]int, s.n)
	outFor := func(st *state) int {
		n := 0
		for _, j := range st.unass {
			n += absent[j]
		}
		return n
	}
	for {
		v := -1
		for r, seq := range best.routes {
			if len(seq) > 0 && (v < 0 || len(seq) < len(best.routes[v])) {
				v = r
			}
		}
		if v < 0 || s.vans(best) < 2 || !s.couldServe(best, v) {
			return best
		}
		target := s.missed(best)
		cur := best.clone()
		cur.unass = append(cur.unass, cur.routes[v]...)
		cur.routes[v] = nil
		s.refresh(cur, v)
		done := false
		fewest, since := s.missed(cur), 0
		for it := 0; it < s.attempt && it-since < s.attempt/3 && !done; it++ {
			if s.stop(ctx, it) || (!s.fleetDeadline.IsZero() && time.Now().After(s.fleetDeadline)) {
				return best
			}
			next := cur.clone()
			removed := append(s.ruin(next, rng), next.unass...)
			next.unass = nil
			s.recreate(next, removed, rng, 0.01, false)
			m, mc := s.missed(next), s.missed(cur)
			on, oc := outFor(next), outFor(cur)
			if m < mc-eps || (m < mc+eps && (on < oc || (on == oc && s.distance(next) < s.distance(cur)-s.temp0*math.Log(rng.Float64())))) {
				cur = next
			}
			for _, j := range cur.unass {
				absent[j]++
			}
			if s.missed(cur) < fewest-eps {
				fewest, since = s.missed(cur), it
			}
			done = s.missed(cur) <= target+eps
		}
		if !done {
			return best
		}
		best = cur
	}
}

// couldServe says whether the vans in use other than v could carry, over all their
// trips, what the plan collects and, apart, what it delivers (deliveries ride out from
// the depot, pickups back to it), and have the time for it: when they could not,
// emptying v is hopeless.
func (s *search) couldServe(st *state, v int) bool {
	dims := len(s.p.Vehicles[v].Capacity)
	pick, drop, room := make([]float64, dims), make([]float64, dims), make([]float64, dims)
	busy, hours := 0.0, 0.0
	for r, seq := range st.routes {
		for _, j := range seq {
			load := pick
			if s.p.Jobs[j].Delivery {
				load = drop
			}
			for d, a := range s.p.Jobs[j].Amount {
				load[d] += a
			}
			busy += s.busy[j]
		}
		if veh := &s.p.Vehicles[r]; r != v && len(seq) > 0 {
			for d, c := range veh.Capacity {
				room[d] += c * float64(veh.maxTrips())
			}
			hours += veh.endBy() - veh.Shift.Start
		}
	}
	for d := range room {
		if pick[d] > room[d]+eps || drop[d] > room[d]+eps {
			return false
		}
	}
	return busy <= hours+eps
}

// missed weighs the jobs a plan leaves out by their priority.
func (s *search) missed(st *state) float64 {
	c := 0.0
	for _, j := range st.unass {
		c += float64(1 + s.p.Jobs[j].Priority)
	}
	return c
}

// vans counts the routes in use.
func (s *search) vans(st *state) int {
	n := 0
	for _, r := range st.routes {
		if len(r) > 0 {
			n++
		}
	}
	return n
}

// distance is the plan's total distance.
func (s *search) distance(st *state) float64 {
	d := 0.0
	for v, r := range st.routes {
		if len(r) > 0 {
			d += st.cache[v].dist
		}
	}
	return d
}

func (s *search) empty() *state {
	st := &state{routes: make([][]int, len(s.p.Vehicles)), cache: make([]routeCache, len(s.p.Vehicles)), shared: make([]bool, len(s.p.Vehicles))}
	for v := range st.routes {
		s.refresh(st, v)
	}
	return st
}

func (st *state) clone() *state {
	c := &state{
		routes: slices.Clone(st.routes), cache: slices.Clone(st.cache), shared: make([]bool, len(st.routes)),
		unass: slices.Clone(st.unass), cost: st.cost,
	}
	for v := range st.routes {
		st.shared[v], c.shared[v] = true, true
	}
	return c
}

// own gives route v slices of its own, before it changes.
func (st *state) own(v int) {
	if st.shared[v] {
		st.routes[v] = slices.Clone(st.routes[v])
		st.cache[v] = st.cache[v].clone()
		st.shared[v] = false
	}
}

func (rc routeCache) clone() routeCache {
	out := routeCache{
		dist: rc.dist, slow: rc.slow, es: slices.Clone(rc.es), ls: slices.Clone(rc.ls),
		drives: slices.Clone(rc.drives), loads: slices.Clone(rc.loads), latest: slices.Clone(rc.latest),
	}
	deep := func(a [][]float64) [][]float64 {
		b := make([][]float64, len(a))
		for i := range a {
			b[i] = slices.Clone(a[i])
		}
		return b
	}
	out.load, out.pre, out.suf = deep(rc.load), deep(rc.pre), deep(rc.suf)
	return out
}

// total is the plan's cost: unassigned jobs weighted by priority, vehicles used (unless
// the objective is distance only), and distance.
func (s *search) total(st *state) float64 {
	return s.distance(st) + s.wVehicle*float64(s.vans(st)) + s.wUnass*s.missed(st)
}

// window is the first of a job's windows in which service can start at or after t.
func window(j *Job, t float64) (float64, bool) {
	for _, w := range j.Windows {
		if t <= w.End+eps {
			return math.Max(t, w.Start), true
		}
	}
	return 0, false
}

// latestStart is the latest a job may start for its service to end by limit: in the
// last window that opens by then. Arriving any earlier is no later anywhere after, so
// it is also the latest arrival.
func latestStart(j *Job, limit float64) float64 {
	for i := len(j.Windows) - 1; i >= 0; i-- {
		if w := j.Windows[i]; w.Start <= limit+eps {
			return math.Min(w.End, limit)
		}
	}
	return math.Inf(-1)
}

// refresh recomputes a route's cache after it changed, and the plan's cost.
func (s *search) refresh(st *state, v int) {
	st.own(v)
	veh := &s.p.Vehicles[v]
	seq := st.routes[v]
	m := &s.p.Matrix
	c := &st.cache[v]
	n := len(seq)
	c.slow = veh.maxTrips() > 1
	if c.slow {
		s.refreshTrips(c, veh, seq)
		st.cost = s.total(st)
		return
	}
	c.es = resize(c.es, n)
	c.ls = resize(c.ls, n)
	dims := len(veh.Capacity)
	if len(c.load) != dims {
		c.load, c.pre, c.suf = make([][]float64, dims), make([][]float64, dims), make([][]float64, dims)
	}
	t, dist, prev := veh.Shift.Start, 0.0, veh.Start
	for i, ji := range seq {
		j := &s.p.Jobs[ji]
		t += m.Time[prev][j.Loc]
		dist += m.Dist[prev][j.Loc]
		st, _ := window(j, t)
		c.es[i] = st
		t = st + j.Service
		prev = j.Loc
	}
	c.dist = dist + m.Dist[prev][veh.End]
	next, nextLoc := veh.endBy(), veh.End
	for i := n - 1; i >= 0; i-- {
		j := &s.p.Jobs[seq[i]]
		c.ls[i] = latestStart(j, next-j.Service-m.Time[j.Loc][nextLoc])
		next, nextLoc = c.ls[i], j.Loc
	}
	for d := 0; d < dims; d++ {
		c.load[d] = resize(c.load[d], n+1)
		c.pre[d] = resize(c.pre[d], n+1)
		c.suf[d] = resize(c.suf[d], n+1)
		l := 0.0
		for _, ji := range seq {
			if s.p.Jobs[ji].Delivery {
				l += s.p.Jobs[ji].Amount[d]
			}
		}
		c.load[d][0] = l
		for i, ji := range seq {
			if s.p.Jobs[ji].Delivery {
				l -= s.p.Jobs[ji].Amount[d]
			} else {
				l += s.p.Jobs[ji].Amount[d]
			}
			c.load[d][i+1] = l
		}
		for i := 0; i <= n; i++ {
			c.pre[d][i] = c.load[d][i]
			if i > 0 {
				c.pre[d][i] = math.Max(c.pre[d][i], c.pre[d][i-1])
			}
		}
		for i := n; i >= 0; i-- {
			c.suf[d][i] = c.load[d][i]
			if i < n {
				c.suf[d][i] = math.Max(c.suf[d][i], c.suf[d][i+1])
			}
		}
	}
	st.cost = s.total(st)
}

func resize(b []float64, n int) []float64 {
	if cap(b) < n {
		return make([]float64, n)
	}
	return b[:n]
}

// insertion checks putting job u at position k of route v (before the stop now at k)
// and returns the added distance, in constant time unless the van makes several trips;
// false when it breaks a rule or would add limit or more.
func (s *search) insertion(st *state, v, u, k int, limit float64) (float64, bool) {
	veh := &s.p.Vehicles[v]
	seq := st.routes[v]
	c := &st.cache[v]
	j := &s.p.Jobs[u]
	m := &s.p.Matrix
	a, b := veh.Start, veh.End
	if k > 0 {
		a = s.p.Jobs[seq[k-1]].Loc
	}
	if k < len(seq) {
		b = s.p.Jobs[seq[k]].Loc
	}
	// For a van that makes several trips the detour is a guess (it may go back to
	// unload elsewhere), but rarely shorter than the drive: no better than limit, the
	// place is not driven.
	delta := m.Dist[a][j.Loc] + m.Dist[j.Loc][b] - m.Dist[a][b]
	if delta >= limit {
		return 0, false
	}
	if c.slow {
		return s.insertTrips(st, v, u, k)
	}
	for d := range veh.Capacity {
		amt := j.Amount[d]
		if j.Delivery {
			if c.pre[d][k]+amt > veh.Capacity[d]+eps {
				return 0, false
			}
		} else if c.suf[d][k]+amt > veh.Capacity[d]+eps {
			return 0, false
		}
	}
	depart := veh.Shift.Start
	if k > 0 {
		depart = c.es[k-1] + s.p.Jobs[seq[k-1]].Service
	}
	start, ok := window(j, depart+m.Time[a][j.Loc])
	if !ok {
		return 0, false
	}
	arrive := start + j.Service + m.Time[j.Loc][b]
	latest := veh.endBy()
	if k < len(seq) {
		latest = c.ls[k]
	}
	return delta, arrive <= latest+eps
}

// ruin removes strings of consecutive stops from routes near a random seed job (SISR).
func (s *search) ruin(st *state, rng *rand.Rand) []int {
	const cbar, lmax = 10.0, 10.0
	where := make([]int, s.n)
	for i := range where {
		where[i] = -1
	}
	used, total := 0, 0
	for v, r := range st.routes {
		for _, j := range r {
			where[j] = v
		}
		if len(r) > 0 {
			used++
			total += len(r)
		}
	}
	if used == 0 {
		return nil
	}
	lsmax := math.Min(lmax, float64(total)/float64(used))
	ksmax := 4*cbar/(1+lsmax) - 1
	ks := int(rng.Float64()*ksmax) + 1
	seed := rng.IntN(s.n)
	var removed []int
	ruined := map[int]bool{}
	for _, c := range append([]int{seed}, s.near[seed]...) {
		if len(ruined) >= ks {
			break
		}
		v := where[c]
		if v < 0 || ruined[v] {
			continue
		}
		r := st.routes[v]
		l := int(rng.Float64()*math.Min(float64(len(r)), lsmax)) + 1
		pos := slices.Index(r, c)
		from := pos - rng.IntN(l)
		from = max(0, min(from, len(r)-l))
		ruined[v] = true
		removed = append(removed, r[from:from+l]...)
		rest := slices.Concat(r[:from], r[from+l:])
		// Taking stops out of a van that makes several trips can move where it goes back
		// to unload, and so make a later stop late: such stops come out too.
		for st.cache[v].slow {
			_, i := s.breaks(v, rest)
			if i < 0 {
				break
			}
			removed = append(removed, rest[i])
			rest = slices.Delete(rest, i, i+1)
		}
		st.own(v)
		st.routes[v] = rest
		s.refresh(st, v)
	}
	return removed
}

// recreate puts jobs back one by one at their cheapest feasible place, skipping a place
// now and then (blinks), in one of several orders chosen at random; those that fit
// nowhere join the unassigned. Unless open, empty vans stay empty.
func (s *search) recreate(st *state, jobs []int, rng *rand.Rand, blink float64, open bool) {
	jobs = slices.Clone(jobs)
	depot := s.p.Matrix.Dist[s.p.Vehicles[0].Start]
	switch rng.IntN(5) {
	case 0:
		rng.Shuffle(len(jobs), func(i, k int) { jobs[i], jobs[k] = jobs[k], jobs[i] })
	case 1:
		sort.SliceStable(jobs, func(i, k int) bool { return s.size(jobs[i]) > s.size(jobs[k]) })
	case 2:
		sort.SliceStable(jobs, func(i, k int) bool { return depot[s.p.Jobs[jobs[i]].Loc] > depot[s.p.Jobs[jobs[k]].Loc] })
	case 3:
		sort.SliceStable(jobs, func(i, k int) bool { return depot[s.p.Jobs[jobs[i]].Loc] < depot[s.p.Jobs[jobs[k]].Loc] })
	default:
		sort.SliceStable(jobs, func(i, k int) bool { return s.p.Jobs[jobs[i]].Windows[0].End < s.p.Jobs[jobs[k]].Windows[0].End })
	}
	// Higher priorities go first whatever the order.
	sort.SliceStable(jobs, func(i, k int) bool { return s.p.Jobs[jobs[i]].Priority > s.p.Jobs[jobs[k]].Priority })
	for _, u := range jobs {
		bestV, bestK, bestCost := -1, 0, math.Inf(1)
		triedEmpty := false
		for v := range st.routes {
			if !s.serves[u][v] {
				continue
			}
			empty := len(st.routes[v]) == 0
			if empty && !open {
				continue
			}
			if empty {
				// Empty vans of the same kind are alike: try one of each only.
				if triedEmpty && s.o.Objective == DistanceOnly {
					continue
				}
				triedEmpty = true
			}
			for k := 0; k <= len(st.routes[v]); k++ {
				if blink > 0 && rng.Float64() < blink {
					continue
				}
				extra := 0.0
				if empty {
					extra = s.wVehicle
				}
				d, ok := s.insertion(st, v, u, k, bestCost-extra)
				if !ok {
					continue
				}
				if d += extra; d < bestCost {
					bestV, bestK, bestCost = v, k, d
				}
			}
		}
		if bestV < 0 {
			st.unass = append(st.unass, u)
			continue
		}
		st.own(bestV)
		st.routes[bestV] = slices.Insert(st.routes[bestV], bestK, u)
		s.refresh(st, bestV)
	}
	st.cost = s.total(st)
}

func (s *search) size(j int) float64 {
	t := 0.0
	for _, a := range s.p.Jobs[j].Amount {
		t += a
	}
	return t
}

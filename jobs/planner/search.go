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
	slow     bool        // multiple windows or a duration limit: check by simulation
}

type state struct {
	routes [][]int
	cache  []routeCache
	unass  []int
	cost   float64
}

type search struct {
	p          *Problem
	o          Options
	n          int
	near       [][]int
	serves     [][]bool // [job][vehicle]
	wUnass     float64
	wVehicle   float64
	temp0      float64
	tempF      float64
	start      time.Time
	iterations int
}

func newSearch(p *Problem, o Options) *search {
	s := &search{p: p, o: o, n: len(p.Jobs), start: time.Now()}
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
	for i := range p.Jobs {
		others := make([]int, 0, s.n-1)
		for j := range p.Jobs {
			if j != i {
				others = append(others, j)
			}
		}
		li := p.Jobs[i].Loc
		sort.SliceStable(others, func(a, b int) bool {
			return p.Matrix.Dist[li][p.Jobs[others[a]].Loc] < p.Matrix.Dist[li][p.Jobs[others[b]].Loc]
		})
		s.near[i] = others[:min(k, len(others))]
	}
	s.iterations = o.Iterations
	return s
}

// run searches from two seeds at once and keeps the better plan (by cost, then seed),
// so a seed gives the same answer for the same budget.
func (s *search) run(ctx context.Context) *state {
	results := make([]*state, 2)
	var wg sync.WaitGroup
	for w := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[w] = s.anneal(ctx, rand.New(rand.NewPCG(s.o.Seed, uint64(w)*0x9e3779b97f4a7c15+1)))
		}()
	}
	wg.Wait()
	best := results[0]
	if results[1].cost < best.cost-eps {
		best = results[1]
	}
	return best
}

func (s *search) anneal(ctx context.Context, rng *rand.Rand) *state {
	cur := s.empty()
	all := make([]int, s.n)
	for i := range all {
		all[i] = i
	}
	s.recreate(cur, all, rng, 1)
	best := cur.clone()
	deadline := time.Time{}
	if s.o.TimeLimit > 0 {
		deadline = s.start.Add(s.o.TimeLimit)
	}
	for it := 0; ; it++ {
		progress := 0.0
		switch {
		case s.iterations > 0:
			if it >= s.iterations {
				return best
			}
			progress = float64(it) / float64(s.iterations)
			if !deadline.IsZero() && time.Now().After(deadline) {
				return best
			}
		default:
			if time.Now().After(deadline) || ctx.Err() != nil {
				return best
			}
			progress = float64(time.Since(s.start)) / float64(s.o.TimeLimit)
		}
		if it%256 == 0 && ctx.Err() != nil {
			return best
		}
		temp := s.temp0 * math.Pow(s.tempF/s.temp0, math.Min(progress, 1))
		next := cur.clone()
		removed := s.ruin(next, rng)
		// Jobs left out are tried again, a few at a time on a large day.
		rng.Shuffle(len(next.unass), func(i, k int) { next.unass[i], next.unass[k] = next.unass[k], next.unass[i] })
		retry := min(len(next.unass), 40)
		removed = append(removed, next.unass[:retry]...)
		next.unass = next.unass[retry:]
		s.recreate(next, removed, rng, 0.01)
		if next.cost < cur.cost-temp*math.Log(rng.Float64()) {
			cur = next
			if cur.cost < best.cost-eps {
				best = cur.clone()
			}
		}
	}
}

func (s *search) empty() *state {
	st := &state{routes: make([][]int, len(s.p.Vehicles)), cache: make([]routeCache, len(s.p.Vehicles))}
	for v := range st.routes {
		s.refresh(st, v)
	}
	return st
}

func (st *state) clone() *state {
	c := &state{routes: make([][]int, len(st.routes)), cache: make([]routeCache, len(st.cache)), unass: slices.Clone(st.unass), cost: st.cost}
	for i, r := range st.routes {
		c.routes[i] = slices.Clone(r)
		c.cache[i] = st.cache[i].clone()
	}
	return c
}

func (rc routeCache) clone() routeCache {
	out := routeCache{dist: rc.dist, slow: rc.slow, es: slices.Clone(rc.es), ls: slices.Clone(rc.ls)}
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
	c := 0.0
	for v, r := range st.routes {
		if len(r) > 0 {
			c += st.cache[v].dist + s.wVehicle
		}
	}
	for _, j := range st.unass {
		c += s.wUnass * float64(1+s.p.Jobs[j].Priority)
	}
	return c
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

// simulate drives a vehicle along a sequence and reports its distance, or false when a
// window, a capacity, the shift's end or the longest duration is broken.
func (s *search) simulate(v int, seq []int) (float64, bool) {
	veh := &s.p.Vehicles[v]
	m := &s.p.Matrix
	dims := len(veh.Capacity)
	var loadArr [4]float64
	load := loadArr[:0]
	if dims > len(loadArr) {
		load = make([]float64, 0, dims)
	}
	for d := 0; d < dims; d++ {
		l := 0.0
		for _, j := range seq {
			if s.p.Jobs[j].Delivery {
				l += s.p.Jobs[j].Amount[d]
			}
		}
		if l > veh.Capacity[d]+eps {
			return 0, false
		}
		load = append(load, l)
	}
	t, dist, prev := veh.Shift.Start, 0.0, veh.Start
	for _, ji := range seq {
		j := &s.p.Jobs[ji]
		t += m.Time[prev][j.Loc]
		dist += m.Dist[prev][j.Loc]
		st, ok := window(j, t)
		if !ok {
			return 0, false
		}
		t = st + j.Service
		for d := 0; d < dims; d++ {
			if j.Delivery {
				load[d] -= j.Amount[d]
			} else if load[d] += j.Amount[d]; load[d] > veh.Capacity[d]+eps {
				return 0, false
			}
		}
		prev = j.Loc
	}
	t += m.Time[prev][veh.End]
	dist += m.Dist[prev][veh.End]
	if t > veh.Shift.End+eps || (veh.MaxDuration > 0 && t-veh.Shift.Start > veh.MaxDuration+eps) {
		return 0, false
	}
	return dist, true
}

// refresh recomputes a route's cache after it changed, and the plan's cost.
func (s *search) refresh(st *state, v int) {
	veh := &s.p.Vehicles[v]
	seq := st.routes[v]
	m := &s.p.Matrix
	c := &st.cache[v]
	n := len(seq)
	c.slow = veh.MaxDuration > 0
	c.es = resize(c.es, n)
	c.ls = resize(c.ls, n)
	dims := len(veh.Capacity)
	if len(c.load) != dims {
		c.load, c.pre, c.suf = make([][]float64, dims), make([][]float64, dims), make([][]float64, dims)
	}
	t, dist, prev := veh.Shift.Start, 0.0, veh.Start
	for i, ji := range seq {
		j := &s.p.Jobs[ji]
		if len(j.Windows) > 1 {
			c.slow = true
		}
		t += m.Time[prev][j.Loc]
		dist += m.Dist[prev][j.Loc]
		st, _ := window(j, t)
		c.es[i] = st
		t = st + j.Service
		prev = j.Loc
	}
	c.dist = dist + m.Dist[prev][veh.End]
	next, nextLoc := veh.Shift.End, veh.End
	for i := n - 1; i >= 0; i-- {
		j := &s.p.Jobs[seq[i]]
		last := j.Windows[len(j.Windows)-1].End
		c.ls[i] = math.Min(last, next-j.Service-m.Time[j.Loc][nextLoc])
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
// and returns the added distance, in constant time unless the route needs simulating.
func (s *search) insertion(st *state, v, u, k int) (float64, bool) {
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
	delta := m.Dist[a][j.Loc] + m.Dist[j.Loc][b] - m.Dist[a][b]
	if c.slow || len(j.Windows) > 1 {
		trial := slices.Insert(slices.Clone(seq), k, u)
		d, ok := s.simulate(v, trial)
		return d - c.dist, ok
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
	start := math.Max(depart+m.Time[a][j.Loc], j.Windows[0].Start)
	if start > j.Windows[0].End+eps {
		return 0, false
	}
	arrive := start + j.Service + m.Time[j.Loc][b]
	latest := veh.Shift.End
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
		removed = append(removed, r[from:from+l]...)
		st.routes[v] = slices.Delete(r, from, from+l)
		ruined[v] = true
		s.refresh(st, v)
	}
	return removed
}

// recreate puts jobs back one by one at their cheapest feasible place, skipping a place
// now and then (blinks), in one of several orders chosen at random; those that fit
// nowhere join the unassigned.
func (s *search) recreate(st *state, jobs []int, rng *rand.Rand, blink float64) {
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
				d, ok := s.insertion(st, v, u, k)
				if !ok {
					continue
				}
				if empty {
					d += s.wVehicle
				}
				if d < bestCost {
					bestV, bestK, bestCost = v, k, d
				}
			}
		}
		if bestV < 0 {
			st.unass = append(st.unass, u)
			continue
		}
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

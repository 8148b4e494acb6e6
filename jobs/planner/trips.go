package planner

import "math"

// A van that makes several trips goes back to its start to unload when the next job
// would not fit; where it goes back depends on the whole order, so such routes are
// checked by driving them, from a record of the drive before each stop.

// tripLoad follows a trip's load in each capacity dimension as jobs join it: a delivery
// rides from the depot, so it weighs on the whole trip so far; a pickup from its stop on.
type tripLoad struct{ peak, end []float64 }

// newTripLoad keeps its figures in buf when buf is big enough, so that the search's hot
// loop does not allocate.
func newTripLoad(buf []float64, dims int) tripLoad {
	if len(buf) < 2*dims {
		buf = make([]float64, 2*dims)
	}
	return tripLoad{peak: buf[:dims:dims], end: buf[dims : 2*dims]}
}

func (t tripLoad) fits(j *Job, capacity []float64) bool {
	for d, c := range capacity {
		base := t.end[d]
		if j.Delivery {
			base = t.peak[d]
		}
		if base+j.Amount[d] > c+eps {
			return false
		}
	}
	return true
}

func (t tripLoad) add(j *Job) {
	for d, a := range j.Amount {
		if j.Delivery {
			t.peak[d] += a
		} else {
			t.end[d] += a
			t.peak[d] = math.Max(t.peak[d], t.end[d])
		}
	}
}

func (t tripLoad) clear() {
	clear(t.peak)
	clear(t.end)
}

// drive is a van's state on its way: when and where it left its last stop, the
// distance so far, the trip it is on and how many stops that trip has made.
type drive struct {
	t, dist      float64
	at           int
	trip, onTrip int
}

func startDrive(veh *Vehicle) drive {
	return drive{t: veh.Shift.Start, at: veh.Start, trip: 1}
}

// step takes job j next, going back to unload first when j would not fit; false when
// the van cannot take j (no trip left, or j's windows have closed).
func (s *search) step(veh *Vehicle, d *drive, load tripLoad, j *Job) bool {
	m := &s.p.Matrix
	if !load.fits(j, veh.Capacity) {
		if d.onTrip == 0 || d.trip == veh.maxTrips() {
			return false
		}
		d.t += m.Time[d.at][veh.Start] + veh.Unload
		d.dist += m.Dist[d.at][veh.Start]
		d.at, d.trip, d.onTrip = veh.Start, d.trip+1, 0
		load.clear()
		if !load.fits(j, veh.Capacity) {
			return false
		}
	}
	load.add(j)
	d.onTrip++
	d.t += m.Time[d.at][j.Loc]
	d.dist += m.Dist[d.at][j.Loc]
	start, ok := window(j, d.t)
	d.t, d.at = start+j.Service, j.Loc
	return ok
}

// finish drives back to the van's end and gives the route's distance; false when the
// shift or the longest duration is broken.
func (s *search) finish(veh *Vehicle, d drive) (float64, bool) {
	t := d.t + s.p.Matrix.Time[d.at][veh.End]
	return d.dist + s.p.Matrix.Dist[d.at][veh.End], t <= veh.endBy()+eps
}

// simulate drives a vehicle along a sequence, back to the depot whenever the next job
// would not fit, and reports its distance, or false when a window, a capacity, the
// trips, the shift's end or the longest duration is broken.
func (s *search) simulate(v int, seq []int) (float64, bool) {
	dist, broken := s.breaks(v, seq)
	return dist, broken < 0
}

// breaks drives a sequence and gives its distance and the first stop the van cannot
// make, the last when it cannot be back in time, or -1 when it can drive it all (an
// empty sequence always can: the van stays at the depot).
func (s *search) breaks(v int, seq []int) (float64, int) {
	veh := &s.p.Vehicles[v]
	var buf [8]float64
	load := newTripLoad(buf[:], len(veh.Capacity))
	d := startDrive(veh)
	for i, j := range seq {
		if !s.step(veh, &d, load, &s.p.Jobs[j]) {
			return 0, i
		}
	}
	dist, ok := s.finish(veh, d)
	if !ok {
		return 0, len(seq) - 1
	}
	return dist, -1
}

// refreshTrips records the drive of a van that makes several trips: the state after
// each number of stops, with its trip's load.
func (s *search) refreshTrips(c *routeCache, veh *Vehicle, seq []int) {
	dims := len(veh.Capacity)
	c.drives = append(c.drives[:0], startDrive(veh))
	c.loads = resize(c.loads, 2*dims*(len(seq)+1))
	clear(c.loads[:2*dims])
	load := newTripLoad(nil, dims)
	d := c.drives[0]
	for i, ji := range seq {
		s.step(veh, &d, load, &s.p.Jobs[ji])
		c.drives = append(c.drives, d)
		copy(c.loads[2*dims*(i+1):], load.peak)
		copy(c.loads[2*dims*(i+1)+dims:], load.end)
	}
	c.dist, _ = s.finish(veh, d)
	// Backwards, the latest the van may leave after each number of stops and still make
	// the rest, going back to unload where it does now.
	m := &s.p.Matrix
	n := len(seq)
	c.latest = resize(c.latest, n+1)
	c.latest[n] = veh.endBy() - m.Time[c.drives[n].at][veh.End]
	for i := n - 1; i >= 0; i-- {
		j := &s.p.Jobs[seq[i]]
		at := c.drives[i].at
		travel := m.Time[at][j.Loc]
		if c.drives[i+1].trip > c.drives[i].trip {
			travel = m.Time[at][veh.Start] + veh.Unload + m.Time[veh.Start][j.Loc]
		}
		c.latest[i] = latestStart(j, c.latest[i+1]-j.Service) - travel
	}
}

// insertTrips checks putting job u at position k of a van that makes several trips: it
// drives on from the record before stop k, and stops early once the van is on the
// same trip with the same stops as before: from there on it drives as before, only
// perhaps later.
func (s *search) insertTrips(st *state, v, u, k int) (float64, bool) {
	veh := &s.p.Vehicles[v]
	c := &st.cache[v]
	seq := st.routes[v]
	dims := len(veh.Capacity)
	var buf [8]float64
	load := newTripLoad(buf[:], dims)
	copy(load.peak, c.loads[2*dims*k:])
	copy(load.end, c.loads[2*dims*k+dims:])
	d := c.drives[k]
	if !s.step(veh, &d, load, &s.p.Jobs[u]) {
		return 0, false
	}
	for i := k; i < len(seq); i++ {
		if !s.step(veh, &d, load, &s.p.Jobs[seq[i]]) {
			return 0, false
		}
		// On the same trip with the same stops as before, the van goes back where it did
		// before: the rest is made if it leaves by the latest it may.
		if o := &c.drives[i+1]; d.trip == o.trip && d.onTrip == o.onTrip && d.onTrip <= i-k+1 {
			return d.dist - o.dist, d.t <= c.latest[i+1]+eps
		}
	}
	dist, ok := s.finish(veh, d)
	return dist - c.dist, ok
}

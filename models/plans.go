package models

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/scrapstore/scrapstore/jobs/planner"
)

// PlanPreviewTTL is how long a previewed plan may be made: long enough to look it over,
// short enough that the day it was made for has not moved on much.
const PlanPreviewTTL = time.Hour

// Plan is a previewed plan, kept so that making it makes exactly what was shown. Its
// fingerprint is a digest of each input it was made from, by name ("request PR-…",
// "van …", "delivery …"), to tell what changed since.
type Plan struct {
	ID          int64
	Day         Date
	VehicleIDs  string
	Body        string
	Fingerprint string
	CreatedBy   *int64
	CreatedAt   time.Time
	ExpiresAt   time.Time
	CommittedAt *time.Time
}

// planInputs is what a day's plan is made from: the vans that work that day without a
// run yet, the accepted requests and waiting deliveries with their places, as a planner
// problem (without its matrix), and a digest of each input.
type planInputs struct {
	problem    planner.Problem
	points     []planner.Point // index 0 is the depot
	vans       []Vehicle       // by planner vehicle index
	reqs       []PickupRequest // the first jobs
	due        []bool          // per request: the day is its last working day
	dels       []delivery      // the jobs after the requests
	unassigned []PlanUnassigned
	digests    map[string]string
}

// Priorities the planner weighs a left-out job by (it leaves out the lowest first).
const (
	priorityStep     = 10 // per step of staff's priority, 1 (normal) to 5 (urgent)
	priorityMaxAge   = 9  // one a day waited, up to this
	priorityNearStep = 5  // per working day nearer its latest date, over the last few
	priorityNearDays = 4
	deliveryPriority = 10
)

// requestPriority ranks a request that can wait: staff's priority, then how long it has
// waited, then a rise as its latest date nears (working days left after the day).
func requestPriority(r PickupRequest, day Date, daysLeft int) int {
	age := int(math.Min(priorityMaxAge, day.Sub(r.CreatedAt).Hours()/24))
	return r.Priority*priorityStep + max(age, 0) + priorityNearStep*max(priorityNearDays-daysLeft, 0)
}

// planInputs reads what planning day needs. Requests on their last working day outrank
// every job that can wait put together: the planner weighs each left-out job by one
// plus its priority and adds them up, so no number of waiting jobs served makes up for
// one that is due.
func (s *Store) planInputs(tx *gorm.DB, day Date, vehicleIDs []int64) (*planInputs, error) {
	var active []Vehicle
	if err := tx.Where("active = ?", true).Order("id").Find(&active).Error; err != nil {
		return nil, err
	}
	var busy []int64
	if err := tx.Model(&Run{}).Where("day = ?", day).Pluck("vehicle_id", &busy).Error; err != nil {
		return nil, err
	}
	var reqs []PickupRequest
	if err := tx.Where("status = ? AND earliest_date <= ? AND latest_date >= ?", PickupAccepted, day, day).
		Order("priority DESC, created_at, id").Find(&reqs).Error; err != nil {
		return nil, err
	}
	dels, err := s.deliveriesOn(tx, day)
	if err != nil {
		return nil, err
	}
	last := day
	for _, r := range reqs {
		if r.LatestDate.After(last.Time) {
			last = r.LatestDate
		}
	}
	cal, err := s.calendar(tx, active, day.AddDays(1), last)
	if err != nil {
		return nil, err
	}
	in := &planInputs{points: []planner.Point{{}}, unassigned: []PlanUnassigned{}, digests: map[string]string{}}
	weekday := weekdayOf(day)
	for _, v := range active {
		shift, ok := v.Shifts[weekday]
		from, ok1 := parseClock(shift.From)
		to, ok2 := parseClock(shift.To)
		if !ok || !ok1 || !ok2 || slices.Contains(busy, v.ID) || (len(vehicleIDs) > 0 && !slices.Contains(vehicleIDs, v.ID)) {
			continue
		}
		pv := planVehicle(v, from, to)
		in.problem.Vehicles = append(in.problem.Vehicles, pv)
		in.vans = append(in.vans, v)
		in.digest("van "+v.Registration, pv)
	}
	waiting := 0 // one plus the priority of each job that can wait, added up
	for _, r := range reqs {
		left := cal.workingDays(day.AddDays(1), r.LatestDate)
		if r.Latitude == nil || r.Longitude == nil {
			in.unassigned = append(in.unassigned, requestLeftOut(r, day, left == 0, "no_coordinates",
				"the request has no latitude and longitude: accept it again with them"))
			in.digest("request "+r.Reference, nil)
			continue
		}
		pr := requestPriority(r, day, left)
		if left > 0 {
			waiting += 1 + pr
		}
		j := requestJob(r, weekday)
		j.Priority = pr
		in.addJob(planner.Point{Lat: *r.Latitude, Lon: *r.Longitude}, j, left == 0)
		in.reqs = append(in.reqs, r)
		in.due = append(in.due, left == 0)
	}
	for _, d := range dels {
		name := fmt.Sprintf("delivery %d", d.ID)
		if d.Latitude == nil || d.Longitude == nil {
			in.unassigned = append(in.unassigned, PlanUnassigned{HandoverID: d.ID, Reference: name, Code: "no_coordinates",
				Reason: "the household has no latitude and longitude: add them to the recipient"})
			in.digest(name, nil)
			continue
		}
		waiting += 1 + deliveryPriority
		j := d.job()
		j.Priority = deliveryPriority
		in.addJob(planner.Point{Lat: *d.Latitude, Lon: *d.Longitude}, j, false)
		in.dels = append(in.dels, d)
	}
	// Done after the digests: a due job's rise follows the other jobs, not its own inputs.
	for i := range in.reqs {
		if in.due[i] {
			in.problem.Jobs[i].Priority += waiting
		}
	}
	return in, nil
}

// addJob adds a job at a place, with its digest named "delivery N" or "request PR-…".
func (in *planInputs) addJob(at planner.Point, j planner.Job, due bool) {
	in.points = append(in.points, at)
	name := j.ID
	if !j.Delivery {
		name = "request " + j.ID
	}
	in.digest(name, struct {
		Job planner.Job
		At  planner.Point
		Due bool
	}{j, at, due})
	j.Loc = len(in.points) - 1
	in.problem.Jobs = append(in.problem.Jobs, j)
}

// digest records one input's digest under its name.
func (in *planInputs) digest(name string, v any) {
	b, _ := json.Marshal(v) // plain structs of numbers and strings always marshal
	sum := sha256.Sum256(b)
	in.digests[name] = hex.EncodeToString(sum[:12])
}

// calendar says which days the vans go out: the weekdays on which some active van has a
// shift, less the days the store is closed. A store whose vans have no shifts yet works
// Monday to Friday.
type calendar struct {
	weekdays map[string]bool
	closed   map[string]bool
}

func (s *Store) calendar(tx *gorm.DB, vans []Vehicle, from, to Date) (*calendar, error) {
	c := &calendar{weekdays: map[string]bool{}, closed: map[string]bool{}}
	for _, v := range vans {
		for d := range v.Shifts {
			c.weekdays[d] = true
		}
	}
	if len(c.weekdays) == 0 {
		for _, d := range Weekdays[:5] {
			c.weekdays[d] = true
		}
	}
	var closed []Date
	if err := tx.Model(&ClosedDay{}).Where("day >= ? AND day <= ?", from, to).Pluck("day", &closed).Error; err != nil {
		return nil, err
	}
	for _, d := range closed {
		c.closed[d.String()] = true
	}
	return c, nil
}

func (c *calendar) working(d Date) bool { return c.weekdays[weekdayOf(d)] && !c.closed[d.String()] }

// workingDays counts the working days from from to to, both included.
func (c *calendar) workingDays(from, to Date) int {
	n := 0
	for d := from; !d.After(to.Time); d = d.AddDays(1) {
		if c.working(d) {
			n++
		}
	}
	return n
}

// NextWorkingDay is the first working day after a day (within a year; else the next day).
func (s *Store) NextWorkingDay(ctx context.Context, after Date) (Date, error) {
	var vans []Vehicle
	if err := s.DB(ctx).Where("active = ?", true).Find(&vans).Error; err != nil {
		return Date{}, err
	}
	cal, err := s.calendar(s.DB(ctx), vans, after.AddDays(1), after.AddDays(366))
	if err != nil {
		return Date{}, err
	}
	for d := after.AddDays(1); !d.After(after.AddDays(366).Time); d = d.AddDays(1) {
		if cal.working(d) {
			return d, nil
		}
	}
	return after.AddDays(1), nil
}

// previewPlan keeps a proposed plan to be made later, and clears out old previews.
func (s *Store) previewPlan(ctx context.Context, actor *User, res *PlanResult, vehicleIDs []int64, in *planInputs) error {
	body, err := json.Marshal(res)
	if err != nil {
		return err
	}
	ids, _ := json.Marshal(vehicleIDs)
	fp, _ := json.Marshal(in.digests)
	now := s.Now()
	p := &Plan{Day: res.Date, VehicleIDs: string(ids), Body: string(body), Fingerprint: string(fp), CreatedAt: now, ExpiresAt: now.Add(PlanPreviewTTL)}
	if actor != nil {
		p.CreatedBy = &actor.ID
	}
	err = s.InTx(ctx, func(tx *gorm.DB) error {
		// Expired previews stay a day, so that making one late says "expired", not "not found".
		if err := tx.Where("expires_at < ?", now.Add(-24*time.Hour)).Delete(&Plan{}).Error; err != nil {
			return err
		}
		return tx.Create(p).Error
	})
	if err != nil {
		return err
	}
	res.ID, res.ExpiresAt = p.ID, &p.ExpiresAt
	return nil
}

// CommitPlan makes a previewed plan: exactly its runs and stops, when nothing it was made
// from has changed since (a request cancelled or newly accepted, a van taken, a delivery
// moved); otherwise a conflict that says what changed. A plan is made once.
func (s *Store) CommitPlan(ctx context.Context, actor *User, id int64) (*PlanResult, error) {
	var res PlanResult
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		var p Plan
		if err := tx.First(&p, id).Error; err != nil {
			return notFound(err, "plan", id)
		}
		if p.CommittedAt != nil {
			return Conflict("plan %d was made already, at %s", id, p.CommittedAt.UTC().Format(time.RFC3339))
		}
		if !s.Now().Before(p.ExpiresAt) {
			return Conflict("plan %d expired at %s: preview the day again", id, p.ExpiresAt.UTC().Format(time.RFC3339))
		}
		var vehicleIDs []int64
		var was map[string]string
		if err := json.Unmarshal([]byte(p.VehicleIDs), &vehicleIDs); err != nil {
			return fmt.Errorf("plan %d vehicle ids: %w", id, err)
		}
		if err := json.Unmarshal([]byte(p.Fingerprint), &was); err != nil {
			return fmt.Errorf("plan %d fingerprint: %w", id, err)
		}
		in, err := s.planInputs(tx, p.Day, vehicleIDs)
		if err != nil {
			return err
		}
		if changes, err := planChanges(tx, p.Day, was, in.digests); err != nil {
			return err
		} else if len(changes) > 0 {
			return Conflict("%s changed since plan %d was previewed: %s; preview the day again", p.Day, id, strings.Join(changes, "; "))
		}
		if err := json.Unmarshal([]byte(p.Body), &res); err != nil {
			return fmt.Errorf("plan %d body: %w", id, err)
		}
		now := s.Now()
		for i := range res.Runs {
			r := &res.Runs[i]
			r.CreatedAt = now
		}
		upd := tx.Model(&Plan{}).Where("id = ? AND committed_at IS NULL", id).Update("committed_at", now)
		if upd.Error != nil || upd.RowsAffected == 0 {
			return cmpErr(upd.Error, Conflict("plan %d was made meanwhile", id))
		}
		return s.makePlan(tx, actor, &res)
	})
	if err != nil {
		return nil, err
	}
	res.ID, res.DryRun, res.ExpiresAt = id, false, nil
	return &res, nil
}

// planChanges says, input by input, how the day differs from when a plan was previewed.
func planChanges(tx *gorm.DB, day Date, was, now map[string]string) ([]string, error) {
	var out []string
	for _, name := range slices.Sorted(maps.Keys(was)) {
		switch d, ok := now[name]; {
		case !ok:
			why, err := whyGone(tx, day, name)
			if err != nil {
				return nil, err
			}
			out = append(out, name+" "+why)
		case d != was[name]:
			out = append(out, name+" was changed")
		}
	}
	for _, name := range slices.Sorted(maps.Keys(now)) {
		if _, ok := was[name]; !ok {
			out = append(out, name+" is new")
		}
	}
	return out, nil
}

func ignoreNotFound(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil
	}
	return err
}

// whyGone explains why an input of a previewed plan is no longer one.
func whyGone(tx *gorm.DB, day Date, name string) (string, error) {
	kind, label, _ := strings.Cut(name, " ")
	switch kind {
	case "van":
		var v Vehicle
		if err := tx.Where("registration = ?", label).Take(&v).Error; err != nil {
			return "is gone", ignoreNotFound(err)
		}
		var runs int64
		if err := tx.Model(&Run{}).Where("day = ? AND vehicle_id = ?", day, v.ID).Count(&runs).Error; err != nil {
			return "", err
		}
		switch {
		case runs > 0:
			return "was taken: it has a run that day now", nil
		case !v.Active:
			return "is no longer active", nil
		}
		return "no longer works that day", nil
	case "request":
		var r PickupRequest
		if err := tx.Where("reference = ?", label).Take(&r).Error; err != nil {
			return "is gone", ignoreNotFound(err)
		}
		return "is " + string(r.Status) + " now", nil
	}
	var status []string
	if err := tx.Model(&Handover{}).Where("id = ?", label).Pluck("delivery_status", &status).Error; err != nil || len(status) == 0 {
		return "is gone", err
	}
	return "is " + status[0] + " now", nil
}

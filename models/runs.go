package models

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/scrapstore/scrapstore/jobs/planner"
)

// Run is a collection run: one van, one driver, one day.
type Run struct {
	ID               int64      `json:"id"`
	Day              Date       `json:"date"`
	VehicleID        int64      `json:"vehicle_id"`
	DriverID         *int64     `json:"driver_id"`
	Status           string     `json:"status"` // planned, started, finished
	PlannedM         int64      `json:"-"`
	PlannedKm        float64    `json:"planned_km" gorm:"-"`
	PlannedMinutes   int        `json:"planned_minutes"`
	StartOdometerKm  *float64   `json:"start_odometer_km"`
	FinishOdometerKm *float64   `json:"finish_odometer_km"`
	StartedAt        *time.Time `json:"started_at"`
	FinishedAt       *time.Time `json:"finished_at"`
	Stops            []RunStop  `json:"stops" gorm:"foreignKey:RunID"`
	CreatedAt        time.Time  `json:"created_at"`
}

func (Run) TableName() string { return "collection_runs" }

func (r *Run) AfterFind(*gorm.DB) error {
	r.PlannedKm = float64(r.PlannedM) / 1000
	return nil
}

// RunStop is a stop on a run, with its planned times.
type RunStop struct {
	ID          int64      `json:"id"`
	RunID       int64      `json:"run_id"`
	Sequence    int        `json:"sequence"`
	Kind        string     `json:"kind"`
	RequestID   *int64     `json:"request_id"`
	HandoverID  *int64     `json:"handover_id"`
	ArriveAt    time.Time  `json:"arrive_at"`
	StartAt     time.Time  `json:"start_at"`
	DepartAt    time.Time  `json:"depart_at"`
	LoadG       int64      `json:"-"`
	LoadKg      float64    `json:"load_kg" gorm:"-"`
	Status      string     `json:"status"` // planned, completed, missed
	Reason      string     `json:"reason"`
	DonationID  *int64     `json:"donation_id"`
	CompletedAt *time.Time `json:"completed_at"`
}

func (s *RunStop) AfterFind(*gorm.DB) error {
	s.LoadKg = KgFromGrams(s.LoadG)
	return nil
}

// PlanSettings are what planning needs from the service.
type PlanSettings struct {
	Depot    planner.Point
	Travel   planner.TravelProvider
	Location *time.Location
	Budget   time.Duration
}

// PlanResult is a proposed (or made) plan for a day.
type PlanResult struct {
	Date       Date             `json:"date"`
	DryRun     bool             `json:"dry_run"`
	Runs       []Run            `json:"runs"`
	Unassigned []PlanUnassigned `json:"unassigned"`
}

// PlanUnassigned is a request left for another day, and why.
type PlanUnassigned struct {
	RequestID  int64  `json:"request_id,omitempty"`
	HandoverID int64  `json:"handover_id,omitempty"`
	Reference  string `json:"reference"`
	Code       string `json:"code"`
	Reason     string `json:"reason"`
}

// How long a collection and a furniture delivery take at the door, in minutes.
const (
	DefaultService  = 15
	DeliveryService = 20
)

// delivery is a hand-over waiting to be delivered, with where it goes.
type delivery struct {
	ID                  int64
	Latitude, Longitude *float64
	WeightG             int64
	VolumeM3            float64
}

// deliveriesOn lists the furniture hand-overs waiting to be delivered on a day.
func (s *Store) deliveriesOn(ctx context.Context, day Date) ([]delivery, error) {
	var out []delivery
	err := s.DB(ctx).Table("handovers h").Select("h.id, r.latitude, r.longitude, h.weight_g, h.volume_m3").
		Joins("JOIN recipients r ON r.id = h.recipient_id").
		Where("h.delivery_status = ? AND h.handed_on = ?", "waiting", day).Order("h.id").Scan(&out).Error
	return out, err
}

// PlanDay plans a day's collections: accepted requests whose dates include the day, on
// the active vans (or those named) that work that day and have no run yet. Without dry
// run it creates the runs and stops and marks the requests scheduled, in one
// transaction; requests left out stay accepted for another day.
func (s *Store) PlanDay(ctx context.Context, actor *User, day Date, vehicleIDs []int64, dryRun bool, set PlanSettings) (*PlanResult, error) {
	var dp Problems
	if checkDay(&dp, "date", day, NewDate(s.Now().In(set.Location)), 1, 1); dp.Err() != nil {
		return nil, dp.Err()
	}
	var vans []Vehicle
	q := s.DB(ctx).Where("active = ?", true)
	if len(vehicleIDs) > 0 {
		q = q.Where("id IN ?", vehicleIDs)
	}
	if err := q.Order("id").Find(&vans).Error; err != nil {
		return nil, err
	}
	var busy []int64
	if err := s.DB(ctx).Model(&Run{}).Where("day = ?", day).Pluck("vehicle_id", &busy).Error; err != nil {
		return nil, err
	}
	weekday := Weekdays[(int(day.Weekday())+6)%7]
	var reqs []PickupRequest
	if err := s.DB(ctx).Where("status = ? AND earliest_date <= ? AND latest_date >= ? AND latitude IS NOT NULL", PickupAccepted, day, day).
		Order("priority DESC, created_at, id").Find(&reqs).Error; err != nil {
		return nil, err
	}
	res := &PlanResult{Date: day, DryRun: dryRun, Runs: []Run{}, Unassigned: []PlanUnassigned{}}
	p := &planner.Problem{}
	points := []planner.Point{set.Depot}
	var vanIdx []Vehicle
	for _, v := range vans {
		shift, ok := v.Shifts[weekday]
		from, ok1 := parseClock(shift.From)
		to, ok2 := parseClock(shift.To)
		if !ok || !ok1 || !ok2 || contains(busy, v.ID) {
			continue
		}
		p.Vehicles = append(p.Vehicles, planner.Vehicle{ID: v.Registration, Shift: planner.Window{Start: float64(from), End: float64(to)},
			Capacity: []float64{KgFromGrams(v.CapacityG), v.CapacityM3}, Skills: v.Skills})
		vanIdx = append(vanIdx, v)
	}
	dels, err := s.deliveriesOn(ctx, day)
	if err != nil {
		return nil, err
	}
	for _, r := range reqs {
		w := windowsOn(r.OpeningHours, weekday)
		age := int(math.Min(9, day.Sub(r.CreatedAt).Hours()/24))
		points = append(points, planner.Point{Lat: *r.Latitude, Lon: *r.Longitude})
		p.Jobs = append(p.Jobs, planner.Job{ID: r.Reference, Loc: len(points) - 1, Service: DefaultService, Windows: w,
			Amount: []float64{KgFromGrams(r.ApproxG), r.ApproxM3}, Priority: r.Priority*10 + max(age, 0)})
	}
	var planned []delivery
	for _, d := range dels {
		if d.Latitude == nil || d.Longitude == nil {
			res.Unassigned = append(res.Unassigned, PlanUnassigned{HandoverID: d.ID, Reference: fmt.Sprintf("delivery %d", d.ID), Code: "no_coordinates",
				Reason: "the household has no latitude and longitude: add them to the recipient"})
			continue
		}
		points = append(points, planner.Point{Lat: *d.Latitude, Lon: *d.Longitude})
		p.Jobs = append(p.Jobs, planner.Job{ID: fmt.Sprintf("delivery %d", d.ID), Loc: len(points) - 1, Service: DeliveryService, Delivery: true,
			Windows: []planner.Window{{Start: 540, End: 1020 - DeliveryService}}, Amount: []float64{KgFromGrams(d.WeightG), d.VolumeM3}, Priority: 10})
		planned = append(planned, d)
	}
	if len(p.Jobs) == 0 {
		return res, nil
	}
	if len(p.Vehicles) == 0 {
		for _, r := range reqs {
			res.Unassigned = append(res.Unassigned, PlanUnassigned{RequestID: r.ID, Reference: r.Reference, Code: "no_vehicle", Reason: "no van works that day without a run already"})
		}
		return res, nil
	}
	m, err := set.Travel.Matrix(ctx, points)
	if err != nil {
		return nil, fmt.Errorf("travel times: %w", err)
	}
	p.Matrix = m
	sol, err := planner.Solve(ctx, p, planner.Options{Seed: uint64(day.Unix()), TimeLimit: set.Budget})
	if err != nil {
		return nil, err
	}
	at := func(minutes float64) time.Time {
		return day.Start(set.Location).Add(time.Duration(minutes * float64(time.Minute))).UTC()
	}
	for _, rt := range sol.Routes {
		v := vanIdx[rt.Vehicle]
		run := Run{Day: day, VehicleID: v.ID, Status: "planned", PlannedM: int64(math.Round(rt.Distance * 1000)), PlannedMinutes: int(math.Round(rt.Duration)), CreatedAt: s.Now()}
		run.PlannedKm = float64(run.PlannedM) / 1000
		for i, st := range rt.Stops {
			stop := RunStop{Sequence: i + 1, Kind: "pickup", ArriveAt: at(st.Arrival), StartAt: at(st.Start), DepartAt: at(st.Departure),
				LoadG: GramsFromKg(st.Load[0]), LoadKg: st.Load[0], Status: "planned"}
			if st.Job < len(reqs) {
				stop.RequestID = &reqs[st.Job].ID
			} else {
				stop.Kind, stop.HandoverID = "delivery", &planned[st.Job-len(reqs)].ID
			}
			run.Stops = append(run.Stops, stop)
		}
		res.Runs = append(res.Runs, run)
	}
	for _, u := range sol.Unassigned {
		if u.Job < len(reqs) {
			r := reqs[u.Job]
			res.Unassigned = append(res.Unassigned, PlanUnassigned{RequestID: r.ID, Reference: r.Reference, Code: u.Code, Reason: u.Reason})
		} else {
			d := planned[u.Job-len(reqs)]
			res.Unassigned = append(res.Unassigned, PlanUnassigned{HandoverID: d.ID, Reference: fmt.Sprintf("delivery %d", d.ID), Code: u.Code, Reason: u.Reason})
		}
	}
	if dryRun {
		return res, nil
	}
	err = s.InTx(ctx, func(tx *gorm.DB) error {
		for i := range res.Runs {
			run := &res.Runs[i]
			var n int64
			if err := tx.Model(&Run{}).Where("day = ? AND vehicle_id = ?", day, run.VehicleID).Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				return Conflict("vehicle %d already has a run on %s: plans never replace runs", run.VehicleID, day)
			}
			if err := tx.Create(run).Error; err != nil {
				return err
			}
			for _, st := range run.Stops {
				var res *gorm.DB
				if st.RequestID != nil {
					res = tx.Model(&PickupRequest{}).Where("id = ? AND status = ?", *st.RequestID, PickupAccepted).Updates(map[string]any{"status": PickupScheduled, "updated_at": s.Now()})
				} else {
					res = tx.Model(&Handover{}).Where("id = ? AND delivery_status = ?", *st.HandoverID, "waiting").Update("delivery_status", "planned")
				}
				if res.Error != nil {
					return res.Error
				}
				if res.RowsAffected == 0 {
					return Conflict("a request or delivery on run %d changed while planning; plan again", run.VehicleID)
				}
			}
			if err := s.audit(tx, actor, "plan", "collection_run", run.ID, map[string]any{"date": day, "vehicle_id": run.VehicleID, "stops": len(run.Stops)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// unplan puts what a stop was for back to wait for another run: a request to accepted,
// a delivery to waiting.
func (s *Store) unplan(tx *gorm.DB, st *RunStop, why string) error {
	if st.RequestID != nil {
		return tx.Model(&PickupRequest{}).Where("id = ? AND status = ?", *st.RequestID, PickupScheduled).Updates(map[string]any{"status": PickupAccepted, "status_reason": why}).Error
	}
	return tx.Model(&Handover{}).Where("id = ?", *st.HandoverID).Update("delivery_status", "waiting").Error
}

// cmpErr is err when there is one, else the conflict.
func cmpErr(err, conflict error) error {
	if err != nil {
		return err
	}
	return conflict
}

func contains(list []int64, v int64) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// windowsOn turns a day's opening hours into planner windows (minutes after midnight);
// a business with no hours given is taken as open 08:00-17:00.
func windowsOn(h OpeningHours, day string) []planner.Window {
	var out []planner.Window
	for _, iv := range h[day] {
		from, ok1 := parseClock(iv.From)
		to, ok2 := parseClock(iv.To)
		if ok1 && ok2 && to-from > DefaultService {
			// Service must start early enough to finish before closing.
			out = append(out, planner.Window{Start: float64(from), End: float64(to - DefaultService)})
		}
	}
	if len(out) == 0 && len(h) == 0 {
		out = []planner.Window{{Start: 480, End: 1020 - DefaultService}}
	}
	if len(out) == 0 {
		out = []planner.Window{{Start: 0, End: -1}} // closed that day: no window can be met
	}
	return out
}

// RunFilter narrows ListRuns.
type RunFilter struct {
	Day      *Date
	DriverID int64
}

// ListRuns lists runs with their stops.
func (s *Store) ListRuns(ctx context.Context, f RunFilter, page Page) ([]Run, string, error) {
	q := s.DB(ctx).Model(&Run{}).Preload("Stops", func(db *gorm.DB) *gorm.DB { return db.Order("sequence") })
	if f.Day != nil {
		q = q.Where("day = ?", *f.Day)
	}
	if f.DriverID != 0 {
		q = q.Where("driver_id = ?", f.DriverID)
	}
	return Paginate[Run](q, page, KeyID, func(r Run) Key { return Key{ID: r.ID} })
}

// GetRun fetches a run; a driver sees only runs assigned to them.
func (s *Store) GetRun(ctx context.Context, actor *User, id int64) (*Run, error) {
	var r Run
	q := s.DB(ctx).Preload("Stops", func(db *gorm.DB) *gorm.DB { return db.Order("sequence") })
	if actor.Role == RoleDriver {
		q = q.Where("driver_id = ?", actor.ID)
	}
	if err := q.First(&r, id).Error; err != nil {
		return nil, notFound(err, "run", id)
	}
	return &r, nil
}

// AssignDriver gives a run to a driver who is available that day.
func (s *Store) AssignDriver(ctx context.Context, actor *User, id, driverID int64) (*Run, error) {
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		var r Run
		if err := tx.First(&r, id).Error; err != nil {
			return notFound(err, "run", id)
		}
		var u User
		if err := tx.First(&u, driverID).Error; err != nil || u.Role != RoleDriver || !u.Active {
			return Invalid("driver_id", "no active driver with id %d", driverID)
		}
		var away int64
		if err := tx.Model(&DriverAbsence{}).Where("user_id = ? AND day = ?", driverID, r.Day).Count(&away).Error; err != nil {
			return err
		}
		if away > 0 {
			return Invalid("driver_id", "%s is away on %s", u.Name, r.Day)
		}
		var other int64
		if err := tx.Model(&Run{}).Where("driver_id = ? AND day = ? AND id <> ?", driverID, r.Day, id).Count(&other).Error; err != nil {
			return err
		}
		if other > 0 {
			return Conflict("%s already drives another run on %s", u.Name, r.Day)
		}
		if err := tx.Model(&r).Update("driver_id", driverID).Error; err != nil {
			return err
		}
		return s.audit(tx, actor, "assign_driver", "collection_run", id, map[string]any{"driver_id": driverID})
	})
	if err != nil {
		return nil, err
	}
	return s.GetRun(ctx, actor, id)
}

// StartRun and FinishRun record the odometer and the times.
func (s *Store) StartRun(ctx context.Context, actor *User, id int64, odometer float64) (*Run, error) {
	return s.moveRun(ctx, actor, id, "planned", "started", map[string]any{"start_odometer_km": odometer, "started_at": s.Now()}, odometer)
}

func (s *Store) FinishRun(ctx context.Context, actor *User, id int64, odometer float64) (*Run, error) {
	return s.moveRun(ctx, actor, id, "started", "finished", map[string]any{"finish_odometer_km": odometer, "finished_at": s.Now()}, odometer)
}

func (s *Store) moveRun(ctx context.Context, actor *User, id int64, from, to string, fields map[string]any, odometer float64) (*Run, error) {
	if odometer < 0 || odometer > 10_000_000 || math.IsNaN(odometer) {
		return nil, Invalid("odometer_km", "must be between 0 and 10000000")
	}
	r, err := s.GetRun(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if to == "finished" && r.StartOdometerKm != nil && odometer < *r.StartOdometerKm {
		return nil, Invalid("odometer_km", "is less than at the start (%.1f)", *r.StartOdometerKm)
	}
	err = s.InTx(ctx, func(tx *gorm.DB) error {
		fields["status"] = to
		res := tx.Model(&Run{}).Where("id = ? AND status = ?", id, from).Updates(fields)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return &ConflictError{Detail: fmt.Sprintf("run %d is %s, not %s", id, r.Status, from), Allowed: []string{}}
		}
		return s.audit(tx, actor, to, "collection_run", id, map[string]any{"odometer_km": odometer})
	})
	if err != nil {
		return nil, err
	}
	return s.GetRun(ctx, actor, id)
}

// stopForDriver loads a stop a driver (or staff) may act on.
func (s *Store) stopForDriver(tx *gorm.DB, actor *User, id int64) (*RunStop, *Run, error) {
	var st RunStop
	if err := tx.First(&st, id).Error; err != nil {
		return nil, nil, notFound(err, "stop", id)
	}
	var r Run
	if err := tx.First(&r, st.RunID).Error; err != nil {
		return nil, nil, err
	}
	if actor.Role == RoleDriver && (r.DriverID == nil || *r.DriverID != actor.ID) {
		return nil, nil, fmt.Errorf("stop %d: %w", id, ErrNotFound)
	}
	return &st, &r, nil
}

// CompleteStop records what a stop gave: a donation (channel collection) from the
// request's donor and the stock, in one transaction; the request becomes collected.
// A stop is completed once: a second try is a conflict and changes nothing.
func (s *Store) CompleteStop(ctx context.Context, actor *User, id int64, lines []DonationLineInput, locationID int64) (*RunStop, error) {
	for i := range lines {
		lines[i].LocationID = &locationID
	}
	var st *RunStop
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		var r *Run
		var err error
		if st, r, err = s.stopForDriver(tx, actor, id); err != nil {
			return err
		}
		if st.Status != "planned" {
			return Conflict("stop %d is %s already", id, st.Status)
		}
		if r.Status == "finished" {
			return Conflict("run %d is finished", r.ID)
		}
		now := s.Now()
		if st.Kind == "delivery" {
			if err := tx.Model(&Handover{}).Where("id = ?", *st.HandoverID).Update("delivery_status", "delivered").Error; err != nil {
				return err
			}
			res := tx.Model(&RunStop{}).Where("id = ? AND status = ?", id, "planned").Updates(map[string]any{"status": "completed", "completed_at": now})
			if res.Error != nil || res.RowsAffected == 0 {
				return cmpErr(res.Error, Conflict("stop %d was completed meanwhile", id))
			}
			st.Status, st.CompletedAt = "completed", &now
			return s.audit(tx, actor, "deliver", "run_stop", id, map[string]any{"handover_id": *st.HandoverID})
		}
		if len(lines) == 0 {
			return Invalid("lines", "say what the collection gave")
		}
		var req PickupRequest
		if err := tx.First(&req, *st.RequestID).Error; err != nil {
			return err
		}
		inTx := s.bound(tx)
		d, err := inTx.ReceiveDonation(ctx, actor, DonationInput{DonorID: req.DonorID, Channel: "collection", Notes: "collection " + req.Reference, Lines: lines})
		if err != nil {
			return err
		}
		res := tx.Model(&RunStop{}).Where("id = ? AND status = ?", id, "planned").Updates(map[string]any{"status": "completed", "donation_id": d.ID, "completed_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return Conflict("stop %d was completed meanwhile", id)
		}
		if err := tx.Model(&PickupRequest{}).Where("id = ?", req.ID).Updates(map[string]any{"status": PickupCollected, "updated_at": now}).Error; err != nil {
			return err
		}
		st.Status, st.DonationID, st.CompletedAt = "completed", &d.ID, &now
		return s.audit(tx, actor, "complete", "run_stop", id, map[string]any{"donation_id": d.ID})
	})
	if err != nil {
		return nil, err
	}
	return st, nil
}

// MissStop records a stop that could not be done; its request goes back to accepted.
func (s *Store) MissStop(ctx context.Context, actor *User, id int64, reason string) (*RunStop, error) {
	reason = strings.TrimSpace(reason)
	var p Problems
	checkText(&p, "reason", reason, true)
	if err := p.Err(); err != nil {
		return nil, err
	}
	var st *RunStop
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		var err error
		if st, _, err = s.stopForDriver(tx, actor, id); err != nil {
			return err
		}
		res := tx.Model(&RunStop{}).Where("id = ? AND status = ?", id, "planned").Updates(map[string]any{"status": "missed", "reason": reason, "completed_at": s.Now()})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return Conflict("stop %d is %s already", id, st.Status)
		}
		if err := s.unplan(tx, st, "missed: "+reason); err != nil {
			return err
		}
		st.Status, st.Reason = "missed", reason
		return s.audit(tx, actor, "miss", "run_stop", id, map[string]any{"reason": reason})
	})
	if err != nil {
		return nil, err
	}
	return st, nil
}

// RunSheet is what a driver's sheet shows.
type RunSheet struct {
	Run     Run
	Vehicle Vehicle
	Driver  string
	Stops   []SheetStop
}

// SheetStop is a stop with the request's details, or the delivery's.
type SheetStop struct {
	RunStop
	Request  PickupRequest
	Delivery *Handover
}

// Sheet gathers a run's sheet.
func (s *Store) Sheet(ctx context.Context, actor *User, id int64) (*RunSheet, error) {
	r, err := s.GetRun(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	sh := &RunSheet{Run: *r, Driver: "(not assigned)"}
	if err := s.DB(ctx).First(&sh.Vehicle, r.VehicleID).Error; err != nil {
		return nil, err
	}
	if r.DriverID != nil {
		var u User
		if err := s.DB(ctx).First(&u, *r.DriverID).Error; err == nil {
			sh.Driver = u.Name
		}
	}
	for _, st := range r.Stops {
		stop := SheetStop{RunStop: st}
		if st.RequestID != nil {
			if err := s.DB(ctx).First(&stop.Request, *st.RequestID).Error; err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
				return nil, err
			}
		} else {
			stop.Delivery = &Handover{}
			if err := s.DB(ctx).First(stop.Delivery, *st.HandoverID).Error; err != nil {
				return nil, err
			}
			stop.Delivery.WeightKg = KgFromGrams(stop.Delivery.WeightG)
		}
		sh.Stops = append(sh.Stops, stop)
	}
	return sh, nil
}

// StopChange edits a planned run: move a stop to a run and position, add an accepted
// request at a position, or remove a stop. The times are recomputed; a change that
// breaks a window, a capacity or the shift is refused with the reason unless forced.
type StopChange struct {
	StopID    int64 // move or remove this stop
	RequestID int64 // or add this request
	RunID     int64 // to this run (for a move or an add)
	Position  int   // 1-based; 0 or past the end puts it last
	Remove    bool
	Force     bool
}

// ChangeStops applies a StopChange in one transaction and returns the runs it touched.
func (s *Store) ChangeStops(ctx context.Context, actor *User, ch StopChange, set PlanSettings) ([]Run, error) {
	var touched []int64
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		var st RunStop
		from := int64(0)
		switch {
		case ch.StopID != 0:
			if err := tx.First(&st, ch.StopID).Error; err != nil {
				return notFound(err, "stop", ch.StopID)
			}
			if st.Status != "planned" {
				return Conflict("stop %d is %s: only planned stops move", st.ID, st.Status)
			}
			from = st.RunID
			if err := tx.Delete(&st).Error; err != nil {
				return err
			}
			if ch.Remove {
				if err := s.unplan(tx, &st, "taken off the run"); err != nil {
					return err
				}
			}
		case ch.RequestID != 0:
			res := tx.Model(&PickupRequest{}).Where("id = ? AND status = ? AND latitude IS NOT NULL", ch.RequestID, PickupAccepted).Update("status", PickupScheduled)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				return Invalid("request_id", "request %d is not accepted with coordinates", ch.RequestID)
			}
			rid := ch.RequestID
			st = RunStop{Kind: "pickup", RequestID: &rid, Status: "planned"}
		default:
			return Invalid("stop_id", "give a stop to move or remove, or a request to add")
		}
		if from != 0 {
			touched = append(touched, from)
		}
		if !ch.Remove {
			if ch.RunID == 0 {
				ch.RunID = from
			}
			var stops []RunStop
			if err := tx.Where("run_id = ?", ch.RunID).Order("sequence").Find(&stops).Error; err != nil {
				return err
			}
			pos := ch.Position - 1
			if pos < 0 || pos > len(stops) {
				pos = len(stops)
			}
			st.RunID = ch.RunID // a moved stop keeps its id
			stops = slicesInsert(stops, pos, st)
			for i := range stops {
				stops[i].Sequence = i + 1
			}
			if err := tx.Save(&stops).Error; err != nil {
				return err
			}
			if ch.RunID != from {
				touched = append(touched, ch.RunID)
			}
		}
		for _, id := range touched {
			if err := s.retime(tx, id, set, ch.Force); err != nil {
				return err
			}
		}
		return s.audit(tx, actor, "change_stops", "collection_run", ch.RunID, map[string]any{"stop_id": ch.StopID, "request_id": ch.RequestID, "position": ch.Position, "remove": ch.Remove, "force": ch.Force})
	})
	if err != nil {
		return nil, err
	}
	var out []Run
	for _, id := range touched {
		r, err := s.GetRun(ctx, actor, id)
		if err != nil {
			return nil, err
		}
		out = append(out, *r)
	}
	return out, nil
}

func slicesInsert(s []RunStop, i int, v RunStop) []RunStop {
	s = append(s, RunStop{})
	copy(s[i+1:], s[i:])
	s[i] = v
	return s
}

// retime recomputes a run's stop times, km and minutes in its order; unless forced, a
// broken window, capacity or shift refuses the change with the reason.
func (s *Store) retime(tx *gorm.DB, runID int64, set PlanSettings, force bool) error {
	var r Run
	if err := tx.Preload("Stops", func(db *gorm.DB) *gorm.DB { return db.Order("sequence") }).First(&r, runID).Error; err != nil {
		return notFound(err, "run", runID)
	}
	if r.Status == "finished" {
		return Conflict("run %d is finished", runID)
	}
	var v Vehicle
	if err := tx.First(&v, r.VehicleID).Error; err != nil {
		return err
	}
	weekday := Weekdays[(int(r.Day.Weekday())+6)%7]
	shift := v.Shifts[weekday]
	from, _ := parseClock(shift.From)
	to, _ := parseClock(shift.To)
	p := &planner.Problem{Vehicles: []planner.Vehicle{{ID: v.Registration, Shift: planner.Window{Start: float64(from), End: float64(to)}, Capacity: []float64{KgFromGrams(v.CapacityG), v.CapacityM3}}}}
	points := []planner.Point{set.Depot}
	seq := make([]int, len(r.Stops))
	for i, st := range r.Stops {
		seq[i] = i
		if st.RequestID == nil {
			var d delivery
			if err := tx.Table("handovers h").Select("h.id, r.latitude, r.longitude, h.weight_g, h.volume_m3").Joins("JOIN recipients r ON r.id = h.recipient_id").
				Where("h.id = ?", *st.HandoverID).Scan(&d).Error; err != nil {
				return err
			}
			if d.Latitude == nil || d.Longitude == nil {
				return Conflict("delivery %d has no coordinates", d.ID)
			}
			points = append(points, planner.Point{Lat: *d.Latitude, Lon: *d.Longitude})
			p.Jobs = append(p.Jobs, planner.Job{ID: fmt.Sprintf("delivery %d", d.ID), Loc: i + 1, Service: DeliveryService, Delivery: true,
				Windows: []planner.Window{{Start: 540, End: 1020 - DeliveryService}}, Amount: []float64{KgFromGrams(d.WeightG), d.VolumeM3}})
			continue
		}
		var req PickupRequest
		if err := tx.First(&req, *st.RequestID).Error; err != nil {
			return err
		}
		points = append(points, planner.Point{Lat: *req.Latitude, Lon: *req.Longitude})
		p.Jobs = append(p.Jobs, planner.Job{ID: req.Reference, Loc: i + 1, Service: DefaultService, Windows: windowsOn(req.OpeningHours, weekday), Amount: []float64{KgFromGrams(req.ApproxG), req.ApproxM3}})
	}
	m, err := set.Travel.Matrix(tx.Statement.Context, points)
	if err != nil {
		return fmt.Errorf("travel times: %w", err)
	}
	p.Matrix = m
	route, broken := planner.Evaluate(p, 0, seq)
	if broken != nil && !force {
		return &ConflictError{Detail: fmt.Sprintf("run %d: %v; send force to do it anyway", runID, broken)}
	}
	at := func(minutes float64) time.Time {
		return r.Day.Start(set.Location).Add(time.Duration(minutes * float64(time.Minute))).UTC()
	}
	for i, st := range route.Stops {
		if err := tx.Model(&RunStop{}).Where("id = ?", r.Stops[i].ID).Updates(map[string]any{
			"sequence": i + 1, "arrive_at": at(st.Arrival), "start_at": at(st.Start), "depart_at": at(st.Departure), "load_g": GramsFromKg(st.Load[0]),
		}).Error; err != nil {
			return err
		}
	}
	return tx.Model(&Run{}).Where("id = ?", runID).Updates(map[string]any{"planned_m": int64(math.Round(route.Distance * 1000)), "planned_minutes": int(math.Round(route.Duration))}).Error
}

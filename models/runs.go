package models

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/scrapstore/scrapstore/jobs/planner"
)

// RunStatus is where a run is in its day; a run moves only as runMoves allows.
type RunStatus string

const (
	RunPlanned  RunStatus = "planned"
	RunStarted  RunStatus = "started"
	RunFinished RunStatus = "finished"
)

var runMoves = map[RunStatus][]RunStatus{RunPlanned: {RunStarted}, RunStarted: {RunFinished}}

// StopStatus is what became of a stop: planned, then completed or missed.
type StopStatus string

const (
	StopPlanned   StopStatus = "planned"
	StopCompleted StopStatus = "completed"
	StopMissed    StopStatus = "missed"
)

var stopMoves = map[StopStatus][]StopStatus{StopPlanned: {StopCompleted, StopMissed}}

// Run is a collection run: one van, one driver, one day.
type Run struct {
	ID               int64      `json:"id"`
	Day              Date       `json:"date"`
	VehicleID        int64      `json:"vehicle_id"`
	DriverID         *int64     `json:"driver_id"`
	Status           RunStatus  `json:"status"`
	PlannedM         Metres     `json:"planned_km"`
	PlannedMinutes   int        `json:"planned_minutes"`
	StartOdometerKm  *Km        `json:"start_odometer_km"`
	FinishOdometerKm *Km        `json:"finish_odometer_km"`
	KmConfirmed      bool       `json:"km_confirmed"` // a day beyond the store's km limit, confirmed at the finish
	StartedAt        *time.Time `json:"started_at"`
	FinishedAt       *time.Time `json:"finished_at"`
	Stops            []RunStop  `json:"stops" gorm:"foreignKey:RunID"`
	CreatedAt        time.Time  `json:"created_at"`
}

func (Run) TableName() string { return "collection_runs" }

// RunStop is a stop on a run, with its planned times.
type RunStop struct {
	ID          int64      `json:"id"`
	RunID       int64      `json:"run_id"`
	Sequence    int        `json:"sequence"`
	Trip        int        `json:"trip" gorm:"default:1"` // 1, or 2 and 3 after going back to the depot to unload
	Kind        string     `json:"kind"`
	RequestID   *int64     `json:"request_id"`
	HandoverID  *int64     `json:"handover_id"`
	ArriveAt    time.Time  `json:"arrive_at"`
	StartAt     time.Time  `json:"start_at"`
	DepartAt    time.Time  `json:"depart_at"`
	LoadG       Grams      `json:"load_kg"`
	Status      StopStatus `json:"status"`
	Reason      string     `json:"reason"`
	DonationID  *int64     `json:"donation_id"`
	CompletedAt *time.Time `json:"completed_at"`
	// Details are filled in when a run is read: what the driver needs at the stop.
	Details *StopDetails `json:"details" gorm:"-"`
}

// PlanSettings are what planning needs from the service.
type PlanSettings struct {
	Depot    planner.Point
	Travel   planner.TravelProvider
	Location *time.Location
	Budget   time.Duration
}

// clock is the time minutes after midnight on a day in the store's time zone, to the
// second: what a run sheet shows, and what both engines store alike.
func (set PlanSettings) clock(day Date, minutes float64) time.Time {
	return day.Start(set.Location).Add(time.Duration(minutes * float64(time.Minute))).Round(time.Second).UTC()
}

// PlanResult is a proposed (or made) plan for a day. A proposal has an id and an expiry:
// making the plan with that id makes exactly these runs.
type PlanResult struct {
	ID         int64            `json:"id,omitempty"`
	ExpiresAt  *time.Time       `json:"expires_at,omitempty"`
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
	// MissesDeadline is set when the day was the request's last working day.
	MissesDeadline bool  `json:"misses_deadline"`
	LatestDate     *Date `json:"latest_date,omitempty"`
}

// How long a collection and a furniture delivery take at the door, in minutes.
const (
	DefaultService  = 15
	DeliveryService = 20
)

// A van that is full goes back to the depot to unload (DefaultUnload minutes unless the
// van says otherwise) and out again, for at most MaxTrips trips a day.
const (
	MaxTrips      = 3
	DefaultUnload = 20
)

// delivery is a hand-over waiting to be delivered, with where it goes.
type delivery struct {
	ID                  int64
	Latitude, Longitude *float64
	WeightG             Grams
	VolumeM3            float64
}

// deliveriesOn lists the furniture hand-overs waiting to be delivered on a day.
func (s *Store) deliveriesOn(tx *gorm.DB, day Date) ([]delivery, error) {
	var out []delivery
	err := deliveries(tx).Where("h.delivery_status = ? AND h.handed_on = ?", DeliveryWaiting, day).Order("h.id").Scan(&out).Error
	return out, err
}

// deliveries selects hand-overs as deliveries, with the household's place.
func deliveries(tx *gorm.DB) *gorm.DB {
	return tx.Table("handovers h").Select("h.id, r.latitude, r.longitude, h.weight_g, h.volume_m3").
		Joins("JOIN recipients r ON r.id = h.recipient_id")
}

// The planner's day, in minutes after midnight: households take deliveries from 09:00, a
// business that gives no opening hours is taken as open from 08:00, and both until 17:00.
const (
	deliveriesFrom = 9 * 60
	defaultOpens   = 8 * 60
	dayCloses      = 17 * 60
)

// job is the delivery as a planner job: households take deliveries 09:00-17:00.
func (d delivery) job() planner.Job {
	return planner.Job{ID: fmt.Sprintf("delivery %d", d.ID), Service: DeliveryService, Delivery: true,
		Windows: []planner.Window{{Start: deliveriesFrom, End: dayCloses - DeliveryService}},
		Amount:  []float64{float64(d.WeightG.Kg()), float64(d.VolumeM3)}}
}

// requestJob is a collection as a planner job on a day of the week.
func requestJob(r PickupRequest, weekday string) planner.Job {
	return planner.Job{ID: r.Reference, Service: DefaultService, Windows: windowsOn(r.OpeningHours, weekday),
		Amount: []float64{float64(r.ApproxG.Kg()), float64(r.ApproxM3)}}
}

// planVehicle is a van as a planner vehicle working a shift (minutes after midnight).
func planVehicle(v Vehicle, from, to int) planner.Vehicle {
	return planner.Vehicle{ID: v.Registration, Shift: planner.Window{Start: float64(from), End: float64(to)},
		Capacity: []float64{float64(v.CapacityG.Kg()), float64(v.CapacityM3)}, Skills: v.Skills,
		Trips: MaxTrips, Unload: float64(v.UnloadMinutes)}
}

// PlanRequest asks for a day's plan.
type PlanRequest struct {
	Day Date `json:"date"`
	// VehicleIDs are the vans to plan for; none means every active van free that day.
	VehicleIDs []int64 `json:"vehicle_ids"`
	// DryRun keeps the proposal, to be made later with CommitPlan, instead of making it.
	DryRun bool `json:"dry_run"`
}

// PlanDay plans a day's collections: accepted requests whose dates include the day, on
// the active vans (or those named) that work that day and have no run yet, in steps:
// load the inputs, solve, and keep the proposal (a dry run) or make it. Making it creates
// the runs and stops and marks the requests scheduled, in one transaction; requests left
// out stay accepted for another day.
func (s *Store) PlanDay(ctx context.Context, actor *User, req PlanRequest, set PlanSettings) (*PlanResult, error) {
	day, vehicleIDs, dryRun := req.Day, req.VehicleIDs, req.DryRun
	var dp Problems
	if checkDay(&dp, "date", day, NewDate(s.Now().In(set.Location)), 1, 1); dp.Err() != nil {
		return nil, dp.Err()
	}
	in, err := s.planInputs(s.DB(ctx), day, vehicleIDs)
	if err != nil {
		return nil, err
	}
	res := &PlanResult{Date: day, DryRun: dryRun, Runs: []Run{}, Unassigned: in.unassigned}
	if err := s.solveDay(ctx, in, res, set); err != nil {
		return nil, err
	}
	if dryRun {
		if err := s.previewPlan(ctx, actor, res, vehicleIDs, in); err != nil {
			return nil, err
		}
		return res, nil
	}
	if err := s.InTx(ctx, func(tx *gorm.DB) error { return s.makePlan(tx, actor, res) }); err != nil {
		return nil, err
	}
	return res, nil
}

// solveDay plans the inputs and adds the runs and the jobs left out to res.
func (s *Store) solveDay(ctx context.Context, in *planInputs, res *PlanResult, set PlanSettings) error {
	day, reqs, planned, vanIdx, p := res.Date, in.reqs, in.dels, in.vans, &in.problem
	points := in.points
	points[0] = set.Depot
	if len(p.Jobs) == 0 {
		return nil
	}
	if len(p.Vehicles) == 0 {
		for i := range p.Jobs {
			res.Unassigned = append(res.Unassigned, in.leftOut(i, day, "no_vehicle", "no van works that day without a run already"))
		}
		return nil
	}
	m, err := set.Travel.Matrix(ctx, points)
	if err != nil {
		return fmt.Errorf("travel times: %w", err)
	}
	p.Matrix = m
	sol, err := planner.Solve(ctx, p, planner.Options{Seed: uint64(day.Unix()), TimeLimit: set.Budget})
	if err != nil {
		return err
	}
	at := func(minutes float64) time.Time { return set.clock(day, minutes) }
	for _, rt := range sol.Routes {
		v := vanIdx[rt.Vehicle]
		run := Run{Day: day, VehicleID: v.ID, Status: RunPlanned, PlannedM: MetresFromKm(rt.Distance), PlannedMinutes: int(math.Round(rt.Duration)),
			CreatedAt: s.Now()}
		for i, st := range rt.Stops {
			stop := RunStop{Sequence: i + 1, Trip: rt.Trip(i), Kind: "pickup", ArriveAt: at(st.Arrival), StartAt: at(st.Start), DepartAt: at(st.Departure),
				LoadG: GramsFromKg(st.Load[0]), Status: StopPlanned}
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
		res.Unassigned = append(res.Unassigned, in.leftOut(u.Job, day, u.Code, u.Reason))
	}
	return nil
}

// leftOut describes planner job j left unassigned, saying when it misses its deadline.
func (in *planInputs) leftOut(j int, day Date, code, reason string) PlanUnassigned {
	if j >= len(in.reqs) {
		d := in.dels[j-len(in.reqs)]
		return PlanUnassigned{HandoverID: d.ID, Reference: fmt.Sprintf("delivery %d", d.ID), Code: code, Reason: reason}
	}
	return requestLeftOut(in.reqs[j], day, in.due[j], code, reason)
}

// requestLeftOut describes a request left out of a day's plan; when the day was its last
// working day, it says that it misses its deadline.
func requestLeftOut(r PickupRequest, day Date, due bool, code, reason string) PlanUnassigned {
	u := PlanUnassigned{RequestID: r.ID, Reference: r.Reference, Code: code, Reason: reason, LatestDate: &r.LatestDate, MissesDeadline: due}
	if due {
		u.Reason += fmt.Sprintf("; %s was its last working day before its latest date, %s: it misses its deadline", day, r.LatestDate)
	}
	return u
}

// makePlan creates a plan's runs and stops and marks what they serve as planned; a van
// that has a run that day already, or a request or delivery that is no longer waiting,
// is a conflict.
func (s *Store) makePlan(tx *gorm.DB, actor *User, res *PlanResult) error {
	day := res.Date
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
				res = tx.Model(&PickupRequest{}).Where("id = ? AND status = ?", *st.RequestID, PickupAccepted).
					Updates(map[string]any{"status": PickupScheduled, "updated_at": s.Now()})
			} else {
				res = tx.Model(&Handover{}).Where("id = ? AND delivery_status = ?", *st.HandoverID, DeliveryWaiting).Update("delivery_status", DeliveryPlanned)
			}
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				return Conflict("a request or delivery on run %d changed while planning; plan again", run.VehicleID)
			}
		}
		if err := s.audit(tx, actor, "plan", "collection_run", run.ID,
			map[string]any{"date": day, "vehicle_id": run.VehicleID, "stops": len(run.Stops)}); err != nil {
			return err
		}
	}
	return nil
}

// unplan puts what a stop was for back to wait for another run: a request to accepted,
// a delivery to waiting.
func (s *Store) unplan(tx *gorm.DB, st *RunStop, why string) error {
	if st.RequestID != nil {
		return tx.Model(&PickupRequest{}).Where("id = ? AND status = ?", *st.RequestID, PickupScheduled).
			Updates(map[string]any{"status": PickupAccepted, "status_reason": why}).Error
	}
	return tx.Model(&Handover{}).Where("id = ?", *st.HandoverID).Update("delivery_status", DeliveryWaiting).Error
}

// cmpErr is err when there is one, else the conflict.
func cmpErr(err, conflict error) error {
	if err != nil {
		return err
	}
	return conflict
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
		out = []planner.Window{{Start: defaultOpens, End: dayCloses - DefaultService}}
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
	Sort     string // a key of RunSorts
}

// RunSorts are the orders of ListRuns: a history, so the latest day comes first unless
// asked otherwise.
var RunSorts = Sorts{
	"":      {Column: "day", Desc: true},
	"-date": {Column: "day", Desc: true},
	"date":  {Column: "day"},
}

// ListRuns lists runs with their stops and what each stop needs, latest day first by
// default.
func (s *Store) ListRuns(ctx context.Context, f RunFilter, page Page) ([]Run, string, error) {
	order, err := RunSorts.order(f.Sort)
	if err != nil {
		return nil, "", err
	}
	q := s.DB(ctx).Model(&Run{}).Preload("Stops", func(db *gorm.DB) *gorm.DB { return db.Order("sequence") })
	if f.Day != nil {
		q = q.Where("day = ?", *f.Day)
	}
	if f.DriverID != 0 {
		q = q.Where("driver_id = ?", f.DriverID)
	}
	list, next, err := Paginate[Run](q, page, order, func(r Run) Key { return Key{Sort: r.Day, ID: r.ID} })
	if err != nil {
		return nil, "", err
	}
	if err := s.addStopDetails(ctx, list); err != nil {
		return nil, "", err
	}
	return list, next, nil
}

// GetRun fetches a run with what each stop needs; a driver sees only runs assigned to
// them.
func (s *Store) GetRun(ctx context.Context, actor *User, id int64) (*Run, error) {
	r, err := s.runFor(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	runs := []Run{*r}
	if err := s.addStopDetails(ctx, runs); err != nil {
		return nil, err
	}
	return &runs[0], nil
}

// runFor fetches a run and its stops as the actor may see it: another driver's run is
// not found.
func (s *Store) runFor(ctx context.Context, actor *User, id int64) (*Run, error) {
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

// StopDetails is what a driver, who may not open the pickup request itself, needs at a
// stop: who and where, whom to ask, when they are open that day, and what to collect or
// deliver; once a collection is done, what it gave.
type StopDetails struct {
	Name        string `json:"name"`
	Address     string `json:"address"`
	Postcode    string `json:"postcode"`
	ContactName string `json:"contact_name"`
	Phone       string `json:"phone"`
	AccessNotes string `json:"access_notes"`
	// OpeningHours are the intervals open on the run's day: empty when closed that day,
	// null when the business never said.
	OpeningHours []Interval     `json:"opening_hours"`
	Reference    string         `json:"reference"`
	What         string         `json:"what"`
	ApproxG      Grams          `json:"approx_kg"`
	ApproxM3     M3             `json:"approx_m3"`
	Collected    []DonationLine `json:"collected"`
}

// deliveryHours are the hours the planner delivers furniture in.
var deliveryHours = []Interval{{From: "09:00", To: "17:00"}}

// addStopDetails fills in every stop's details, with one query for each kind of thing
// the stops refer to, whatever the number of runs.
func (s *Store) addStopDetails(ctx context.Context, runs []Run) error {
	var reqIDs, handoverIDs, donationIDs []int64
	for _, r := range runs {
		for _, st := range r.Stops {
			if st.RequestID != nil {
				reqIDs = append(reqIDs, *st.RequestID)
			}
			if st.HandoverID != nil {
				handoverIDs = append(handoverIDs, *st.HandoverID)
			}
			if st.DonationID != nil {
				donationIDs = append(donationIDs, *st.DonationID)
			}
		}
	}
	db := s.DB(ctx)
	var reqs []PickupRequest
	if len(reqIDs) > 0 {
		if err := db.Where("id IN ?", reqIDs).Find(&reqs).Error; err != nil {
			return err
		}
	}
	type drop struct {
		ID                                int64
		DeliveryAddress, DeliveryPostcode string
		ReceivedBy, Name, Contact         string
		Tag, Description, TypeName        string
		WeightG                           Grams
		VolumeM3                          float64
	}
	var drops []drop
	if len(handoverIDs) > 0 {
		err := db.Table("handovers h").Select(`h.id, h.delivery_address, h.delivery_postcode, h.received_by, r.name, r.contact,
			i.tag, i.description, t.name AS type_name, h.weight_g, h.volume_m3`).
			Joins("JOIN recipients r ON r.id = h.recipient_id").Joins("JOIN furniture_items i ON i.id = h.item_id").
			Joins("JOIN furniture_types t ON t.id = i.type_id").
			Where("h.id IN ?", handoverIDs).Scan(&drops).Error
		if err != nil {
			return err
		}
	}
	var lines []DonationLine
	if len(donationIDs) > 0 {
		if err := db.Where("donation_id IN ?", donationIDs).Order("id").Find(&lines).Error; err != nil {
			return err
		}
	}
	reqByID := map[int64]*PickupRequest{}
	for i := range reqs {
		reqByID[reqs[i].ID] = &reqs[i]
	}
	dropByID := map[int64]*drop{}
	for i := range drops {
		dropByID[drops[i].ID] = &drops[i]
	}
	linesOf := map[int64][]DonationLine{}
	for _, l := range lines {
		linesOf[l.DonationID] = append(linesOf[l.DonationID], l)
	}
	for i := range runs {
		for j := range runs[i].Stops {
			st := &runs[i].Stops[j]
			var d StopDetails
			if st.RequestID != nil && reqByID[*st.RequestID] != nil {
				r := reqByID[*st.RequestID]
				d = StopDetails{Name: r.BusinessName, Address: r.Address, Postcode: r.Postcode, ContactName: r.ContactName, Phone: r.Phone,
					AccessNotes: r.AccessNotes, Reference: r.Reference, What: r.Description, ApproxG: r.ApproxG, ApproxM3: r.ApproxM3}
				if len(r.OpeningHours) > 0 {
					d.OpeningHours = append([]Interval{}, r.OpeningHours.On(runs[i].Day.Weekday())...)
				}
			}
			if st.HandoverID != nil && dropByID[*st.HandoverID] != nil {
				h := dropByID[*st.HandoverID]
				d = StopDetails{Name: h.Name, Address: h.DeliveryAddress, Postcode: h.DeliveryPostcode,
					ContactName: cmp.Or(h.ReceivedBy, h.Name), Phone: h.Contact, OpeningHours: deliveryHours, Reference: h.Tag,
					What: strings.TrimSuffix(h.TypeName+": "+h.Description, ": "), ApproxG: h.WeightG, ApproxM3: M3(h.VolumeM3)}
			}
			if st.DonationID != nil {
				d.Collected = linesOf[*st.DonationID]
			}
			st.Details = &d
		}
	}
	return nil
}

// AssignDriver gives a run to a driver who is available that day.
func (s *Store) AssignDriver(ctx context.Context, actor *User, id, driverID int64) (*Run, error) {
	if driverID == 0 {
		return nil, Invalid("driver_id", "is required")
	}
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		var r Run
		if err := tx.First(&r, id).Error; err != nil {
			return notFound(err, "run", id)
		}
		var u User
		err := tx.First(&u, driverID).Error
		if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		if err != nil || u.Role != RoleDriver || !u.Active {
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

// RunFinish is what finishing a run takes: the odometer; confirm_km when the day's
// distance is beyond the limit and really was driven; miss_open_stops to mark the stops
// not done as missed (else finishing with open stops is refused).
type RunFinish struct {
	OdometerKm    *float64 `json:"odometer_km"`
	ConfirmKm     bool     `json:"confirm_km"`
	MissOpenStops bool     `json:"miss_open_stops"`
}

// checkOdometer requires a reading: a missing one used to be taken as 0 km and made
// the day's distance the van's whole mileage.
func checkOdometer(km *float64) error {
	switch {
	case km == nil:
		return Invalid("odometer_km", "is required: the reading on the van's odometer, in km")
	case *km < 0 || *km > 10_000_000 || math.IsNaN(*km):
		return Invalid("odometer_km", "must be between 0 and 10000000")
	}
	return nil
}

// StartRun records the odometer as the van leaves.
func (s *Store) StartRun(ctx context.Context, actor *User, id int64, odometer *float64) (*Run, error) {
	if err := checkOdometer(odometer); err != nil {
		return nil, err
	}
	return s.moveRun(ctx, actor, id, RunStarted, func(tx *gorm.DB, r *Run) (map[string]any, error) {
		return map[string]any{"start_odometer_km": *odometer, "started_at": s.Now()}, nil
	})
}

// FinishRun records the odometer as the van comes back. The day's distance must not be
// negative, nor beyond the store's limit unless confirmed. Stops still open refuse the
// finish, listed, unless the caller asks to mark them missed: each request then goes
// back to accepted and each delivery to waiting, for another run.
func (s *Store) FinishRun(ctx context.Context, actor *User, id int64, in RunFinish) (*Run, error) {
	if err := checkOdometer(in.OdometerKm); err != nil {
		return nil, err
	}
	finish := *in.OdometerKm
	return s.moveRun(ctx, actor, id, RunFinished, func(tx *gorm.DB, r *Run) (map[string]any, error) {
		fields := map[string]any{"finish_odometer_km": finish, "finished_at": s.Now()}
		if r.StartOdometerKm != nil {
			km := finish - float64(*r.StartOdometerKm)
			if km < 0 {
				return nil, Invalid("odometer_km", "is less than at the start (%.1f km)", *r.StartOdometerKm)
			}
			if km > s.runKmLimit {
				if !in.ConfirmKm {
					return nil, Invalid("odometer_km", "makes %.1f km for the day (from %.1f), more than the %g km limit: "+
						"check the reading, or send confirm_km true if the van went that far",
						km, *r.StartOdometerKm, s.runKmLimit)
				}
				fields["km_confirmed"] = true
			}
		}
		var open []RunStop
		for _, st := range r.Stops {
			if st.Status == StopPlanned {
				open = append(open, st)
			}
		}
		if len(open) > 0 && !in.MissOpenStops {
			names := make([]string, len(open))
			for i, st := range open {
				names[i] = fmt.Sprintf("%d (stop %d)", st.ID, st.Sequence)
			}
			return nil, Conflict("run %d has %d open stops: %s; complete or miss them, or send miss_open_stops true to mark them missed",
				r.ID, len(open), strings.Join(names, ", "))
		}
		for i := range open {
			if err := s.missStop(tx, actor, &open[i], "run finished"); err != nil {
				return nil, err
			}
		}
		return fields, nil
	})
}

// moveRun moves a run to its next status, as runMoves allows, in one transaction; change
// checks the run as it is in the transaction and gives the fields to set.
func (s *Store) moveRun(ctx context.Context, actor *User, id int64, to RunStatus,
	change func(tx *gorm.DB, r *Run) (map[string]any, error)) (*Run, error) {
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		r, err := s.Bound(tx).runFor(ctx, actor, id)
		if err != nil {
			return err
		}
		from := r.Status
		if !slices.Contains(runMoves[from], to) {
			return &ConflictError{Detail: fmt.Sprintf("run %d is %s and cannot become %s", id, from, to), Allowed: names(runMoves[from])}
		}
		fields, err := change(tx, r)
		if err != nil {
			return err
		}
		fields["status"] = to
		res := tx.Model(&Run{}).Where("id = ? AND status = ?", id, from).Updates(fields)
		if res.Error != nil || res.RowsAffected == 0 {
			return cmpErr(res.Error, Conflict("run %d changed meanwhile; look again", id))
		}
		return s.audit(tx, actor, string(to), "collection_run", id, fields)
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
	var p Problems
	for i := range lines {
		lines[i].LocationID = &locationID
		if c := lines[i].CategoryID; c == nil || *c <= 0 {
			p.Add(fmt.Sprintf("lines[%d].category_id", i), "is required")
		}
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	var st *RunStop
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		var r *Run
		var err error
		if st, r, err = s.stopForDriver(tx, actor, id); err != nil {
			return err
		}
		if !slices.Contains(stopMoves[st.Status], StopCompleted) {
			return Conflict("stop %d is %s already", id, st.Status)
		}
		if r.Status == RunFinished {
			return Conflict("run %d is finished", r.ID)
		}
		now := s.Now()
		if st.Kind == "delivery" {
			if err := tx.Model(&Handover{}).Where("id = ?", *st.HandoverID).Update("delivery_status", DeliveryDelivered).Error; err != nil {
				return err
			}
			res := tx.Model(&RunStop{}).Where("id = ? AND status = ?", id, StopPlanned).Updates(map[string]any{"status": StopCompleted, "completed_at": now})
			if res.Error != nil || res.RowsAffected == 0 {
				return cmpErr(res.Error, Conflict("stop %d was completed meanwhile", id))
			}
			st.Status, st.CompletedAt = StopCompleted, &now
			return s.audit(tx, actor, "deliver", "run_stop", id, map[string]any{"handover_id": *st.HandoverID})
		}
		var p Problems
		if len(lines) == 0 {
			p.Add("lines", "must have at least 1 item: what the collection gave")
		}
		if locationID == 0 {
			p.Add("location_id", "is required: the id of the location the collection is put away at")
		}
		if err := p.Err(); err != nil {
			return err
		}
		// Checked here so that a wrong location is reported at the field given, not at
		// each line it is copied to.
		if err := s.activeLocation(tx, locationID, "location_id"); err != nil {
			return err
		}
		var req PickupRequest
		if err := tx.First(&req, *st.RequestID).Error; err != nil {
			return err
		}
		inTx := s.Bound(tx)
		d, err := inTx.ReceiveDonation(ctx, actor,
			DonationInput{DonorID: req.DonorID, Channel: "collection", Notes: "collection " + req.Reference, Lines: lines})
		if err != nil {
			return err
		}
		res := tx.Model(&RunStop{}).Where("id = ? AND status = ?", id, StopPlanned).
			Updates(map[string]any{"status": StopCompleted, "donation_id": d.ID, "completed_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return Conflict("stop %d was completed meanwhile", id)
		}
		if err := tx.Model(&PickupRequest{}).Where("id = ?", req.ID).Updates(map[string]any{"status": PickupCollected, "updated_at": now}).
			Error; err != nil {
			return err
		}
		st.Status, st.DonationID, st.CompletedAt = StopCompleted, &d.ID, &now
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
		return s.missStop(tx, actor, st, reason)
	})
	if err != nil {
		return nil, err
	}
	return st, nil
}

// missStop marks a planned stop missed and puts what it was for back to wait for
// another run.
func (s *Store) missStop(tx *gorm.DB, actor *User, st *RunStop, reason string) error {
	if !slices.Contains(stopMoves[st.Status], StopMissed) {
		return Conflict("stop %d is %s already", st.ID, st.Status)
	}
	now := s.Now()
	res := tx.Model(&RunStop{}).Where("id = ? AND status = ?", st.ID, StopPlanned).
		Updates(map[string]any{"status": StopMissed, "reason": reason, "completed_at": now})
	if res.Error != nil || res.RowsAffected == 0 {
		return cmpErr(res.Error, Conflict("stop %d is %s already", st.ID, st.Status))
	}
	if err := s.unplan(tx, st, "missed: "+reason); err != nil {
		return err
	}
	st.Status, st.Reason, st.CompletedAt = StopMissed, reason, &now
	return s.audit(tx, actor, "miss", "run_stop", st.ID, map[string]any{"reason": reason})
}

// RunSheet is what a driver's sheet shows.
type RunSheet struct {
	Run     Run
	Vehicle Vehicle
	Driver  string
	// BackAt is when the run is planned to be back at the depot: the van leaves at the
	// start of its shift and takes the planned minutes. Zero when the van has no shift
	// that day.
	BackAt time.Time
}

// Sheet gathers a run's sheet; loc is the store's time zone, where shifts are kept.
func (s *Store) Sheet(ctx context.Context, actor *User, id int64, loc *time.Location) (*RunSheet, error) {
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
	if leave, ok := parseClock(sh.Vehicle.Shifts[weekdayOf(r.Day)].From); ok {
		sh.BackAt = r.Day.Start(loc).Add(time.Duration(leave+r.PlannedMinutes) * time.Minute)
	}
	return sh, nil
}

// weekdayOf is a day's key in opening hours and shifts (mon..sun).
func weekdayOf(d Date) string { return weekdayKey(d.Weekday()) }

// odometerTrusted is when a finished run r's readings give its km: both read, not going
// backwards, and within the store's km limit (its one argument) unless confirmed. Runs
// finished before these rules may break it: they count their planned km instead, and
// CheckRuns lists them.
const odometerTrusted = `(r.start_odometer_km IS NOT NULL AND r.finish_odometer_km >= r.start_odometer_km
	AND (r.km_confirmed OR r.finish_odometer_km - r.start_odometer_km <= ?))`

// RunProblem is something wrong that CheckRuns finds, said so a manager can act on it.
type RunProblem struct {
	What   string // run, request or delivery
	ID     int64
	Detail string
}

// CheckRuns lists finished runs whose km look wrong, and requests and deliveries left
// scheduled without an open stop to do them (no plan would ever take them again).
func (s *Store) CheckRuns(ctx context.Context) ([]RunProblem, error) {
	var runs []Run
	if err := s.DB(ctx).Table("collection_runs r").Where("r.status = ? AND NOT "+odometerTrusted, RunFinished, s.runKmLimit).Order("r.id").Find(&runs).
		Error; err != nil {
		return nil, err
	}
	var out []RunProblem
	for _, r := range runs {
		why := "has no odometer reading at the start or the finish"
		if r.StartOdometerKm != nil && r.FinishOdometerKm != nil {
			km := *r.FinishOdometerKm - *r.StartOdometerKm
			why = fmt.Sprintf("went from %.1f to %.1f km on the odometer, %.1f km", *r.StartOdometerKm, *r.FinishOdometerKm, km)
			if km >= 0 {
				why += fmt.Sprintf(", more than the %g km limit and not confirmed", s.runKmLimit)
			}
		}
		out = append(out, RunProblem{What: "run", ID: r.ID,
			Detail: fmt.Sprintf("on %s %s; the figures count its %.1f planned km instead", r.Day, why, r.PlannedM.Km())})
	}
	open := func(col string) string {
		return `NOT EXISTS (SELECT 1 FROM run_stops s JOIN collection_runs r ON r.id = s.run_id
			WHERE s.` + col + ` = x.id AND s.status = 'planned' AND r.status <> 'finished')`
	}
	var reqs []PickupRequest
	if err := s.DB(ctx).Table("pickup_requests x").Where("x.status = ? AND "+open("request_id"), PickupScheduled).Order("x.id").Find(&reqs).
		Error; err != nil {
		return nil, err
	}
	for _, r := range reqs {
		out = append(out, RunProblem{What: "request", ID: r.ID, Detail: r.Reference + " is scheduled but on no open stop of a run"})
	}
	var drops []Handover
	if err := s.DB(ctx).Table("handovers x").Where("x.delivery_status = ? AND "+open("handover_id"), DeliveryPlanned).Order("x.id").Find(&drops).
		Error; err != nil {
		return nil, err
	}
	for _, h := range drops {
		out = append(out, RunProblem{What: "delivery", ID: h.ID, Detail: "is planned but on no open stop of a run"})
	}
	return out, nil
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
			if st.Status != StopPlanned {
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
			res := tx.Model(&PickupRequest{}).Where("id = ? AND status = ? AND latitude IS NOT NULL", ch.RequestID, PickupAccepted).
				Update("status", PickupScheduled)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				return Invalid("request_id", "request %d is not accepted with coordinates", ch.RequestID)
			}
			rid := ch.RequestID
			st = RunStop{Kind: "pickup", RequestID: &rid, Status: StopPlanned}
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
		return s.audit(tx, actor, "change_stops", "collection_run", ch.RunID,
			map[string]any{"stop_id": ch.StopID, "request_id": ch.RequestID, "position": ch.Position, "remove": ch.Remove, "force": ch.Force})
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
	if r.Status == RunFinished {
		return Conflict("run %d is finished", runID)
	}
	var v Vehicle
	if err := tx.First(&v, r.VehicleID).Error; err != nil {
		return err
	}
	weekday := weekdayOf(r.Day)
	shift := v.Shifts[weekday]
	from, _ := parseClock(shift.From)
	to, _ := parseClock(shift.To)
	p := &planner.Problem{Vehicles: []planner.Vehicle{planVehicle(v, from, to)}}
	points := []planner.Point{set.Depot}
	seq := make([]int, len(r.Stops))
	for i, st := range r.Stops {
		seq[i] = i
		if st.RequestID == nil {
			var d delivery
			if err := deliveries(tx).Where("h.id = ?", *st.HandoverID).Scan(&d).Error; err != nil {
				return err
			}
			if d.Latitude == nil || d.Longitude == nil {
				return Conflict("delivery %d has no coordinates", d.ID)
			}
			points = append(points, planner.Point{Lat: *d.Latitude, Lon: *d.Longitude})
			j := d.job()
			j.Loc = i + 1
			p.Jobs = append(p.Jobs, j)
			continue
		}
		var req PickupRequest
		if err := tx.First(&req, *st.RequestID).Error; err != nil {
			return err
		}
		points = append(points, planner.Point{Lat: *req.Latitude, Lon: *req.Longitude})
		j := requestJob(req, weekday)
		j.Loc = i + 1
		p.Jobs = append(p.Jobs, j)
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
	at := func(minutes float64) time.Time { return set.clock(r.Day, minutes) }
	for i, st := range route.Stops {
		if err := tx.Model(&RunStop{}).Where("id = ?", r.Stops[i].ID).Updates(map[string]any{
			"sequence": i + 1, "trip": route.Trip(i), "arrive_at": at(st.Arrival), "start_at": at(st.Start), "depart_at": at(st.Departure),
			"load_g": GramsFromKg(st.Load[0]),
		}).Error; err != nil {
			return err
		}
	}
	return tx.Model(&Run{}).Where("id = ?", runID).
		Updates(map[string]any{"planned_m": MetresFromKm(route.Distance), "planned_minutes": int(math.Round(route.Duration))}).Error
}

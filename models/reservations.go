package models

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// ReservationStatus is where a reservation is; reservationMoves are the moves between them.
type ReservationStatus string

const (
	StatusPending   ReservationStatus = "pending"
	StatusConfirmed                   = "confirmed"
	StatusCollected                   = "collected"
	StatusCancelled                   = "cancelled"
	StatusExpired                     = "expired"
)

// openReservations are the statuses of reservations that still hold stock and a place.
var openReservations = []ReservationStatus{StatusPending, StatusConfirmed}

var reservationMoves = map[ReservationStatus][]ReservationStatus{
	StatusPending:   {StatusConfirmed, StatusCollected, StatusCancelled, StatusExpired},
	StatusConfirmed: {StatusCollected, StatusCancelled, StatusExpired},
}

// Reservation is a member group's claim on stock for a visit slot. A walk-in issue is a
// reservation that was collected at once.
type Reservation struct {
	ID             int64             `json:"id"`
	OrganisationID int64             `json:"organisation_id"`
	SlotStart      time.Time         `json:"slot_start"`
	SlotEnd        time.Time         `json:"slot_end"`
	SlotBooked     bool              `json:"-"`
	Status         ReservationStatus `json:"status"`
	Notes          string            `json:"notes"`
	OverrideReason string            `json:"override_reason,omitempty"`
	// ChangesToConfirm says what the member changed since staff confirmed it; the
	// reservation is pending again until staff confirm the change.
	ChangesToConfirm string            `json:"changes_to_confirm,omitempty"`
	CancelReason     string            `json:"cancel_reason"`
	CreatedBy        *int64            `json:"created_by"`
	ConfirmedAt      *time.Time        `json:"confirmed_at"`
	CollectedAt      *time.Time        `json:"collected_at"`
	CancelledAt      *time.Time        `json:"cancelled_at"`
	ExpiredAt        *time.Time        `json:"expired_at"`
	Lines            []ReservationLine `json:"lines"`
	WeightG          Grams             `json:"weight_kg" gorm:"-"`
	CreatedAt        time.Time         `json:"created_at"`
	UpdatedAt        time.Time         `json:"updated_at"`
}

// ReservationLine is a quantity of one stock item, and what was collected of it.
type ReservationLine struct {
	ID             int64  `json:"id"`
	ReservationID  int64  `json:"-"`
	StockItemID    int64  `json:"stock_item_id"`
	QuantityMilli  Milli  `json:"quantity"`
	CollectedMilli *Milli `json:"collected_quantity"`
	GramsPerUnit   Grams  `json:"-"`
	WeightG        Grams  `json:"weight_kg" gorm:"-"` // of what was collected, or else of what is reserved
	// What people read of the item, read with the line (see withItemNames).
	Description string `json:"description" gorm:"->"`
	Unit        string `json:"unit" gorm:"->"`
	Category    string `json:"category" gorm:"->"`
	Location    string `json:"location" gorm:"->"`
}

// withItemNames loads reservation lines, in order, with their stock item's description,
// unit, category name and location code.
func withItemNames(db *gorm.DB) *gorm.DB {
	return db.Select("reservation_lines.*, i.description, i.unit, c.name AS category, l.code AS location").
		Joins("JOIN stock_items i ON i.id = reservation_lines.stock_item_id").
		Joins("JOIN categories c ON c.id = i.category_id").
		Joins("JOIN locations l ON l.id = i.location_id").
		Order("reservation_lines.id")
}

func (r *Reservation) AfterFind(*gorm.DB) error {
	r.weigh()
	return nil
}

// weigh works out the weights of the lines and of the whole reservation.
func (r *Reservation) weigh() {
	r.WeightG = 0
	for i := range r.Lines {
		l := &r.Lines[i]
		taken := l.QuantityMilli
		if l.CollectedMilli != nil {
			taken = *l.CollectedMilli
		}
		l.WeightG = LineGrams(taken, l.GramsPerUnit)
		r.WeightG += l.WeightG
	}
}

// LineInput asks for a quantity of a stock item.
type LineInput struct {
	StockItemID int64   `json:"stock_item_id"`
	Quantity    float64 `json:"quantity"`
}

// ReservationInput is what a reservation is made or changed with; nil fields stay.
type ReservationInput struct {
	OrganisationID *int64      `json:"organisation_id"` // only when it is made
	SlotStart      *time.Time  `json:"slot_start"`
	Notes          *string     `json:"notes"`
	Lines          []LineInput `json:"lines"`
	OverrideReason string      `json:"override_reason"`
}

// ReservationRules are the store's settings for reservations.
type ReservationRules struct {
	Location    *time.Location
	AutoConfirm bool
}

func checkLines(p *Problems, lines []LineInput, allowZero bool) {
	if len(lines) == 0 && !allowZero {
		p.Add("lines", "must have at least one line")
	}
	if len(lines) > 100 {
		p.Add("lines", "must have at most 100 lines")
	}
	seen := map[int64]bool{}
	for i, l := range lines {
		f := fmt.Sprintf("lines[%d]", i)
		if l.StockItemID <= 0 {
			p.Add(f+".stock_item_id", "is required")
		} else if seen[l.StockItemID] {
			p.Add(f+".stock_item_id", "is on another line already")
		}
		seen[l.StockItemID] = true
		switch {
		case l.Quantity < 0 || (l.Quantity == 0 && !allowZero):
			p.Add(f+".quantity", "must be more than 0")
		case l.Quantity > 1_000_000:
			p.Add(f+".quantity", "must be at most 1000000")
		case MilliFromQuantity(l.Quantity) == 0 && l.Quantity > 0:
			p.Add(f+".quantity", "must be at least 0.001")
		}
	}
}

// bookingOrg is the group a reservation is for, read with its band's allowance.
type bookingOrg struct {
	Organisation
	BandName       *string
	BandAllowanceG *Grams
}

// reservationOrg finds the organisation a reservation is for: a member's own (naming
// another is refused, not quietly replaced), or the one staff name. It must exist and
// its membership must be in date.
func (s *Store) reservationOrg(tx *gorm.DB, actor *User, orgID *int64, today Date) (*bookingOrg, error) {
	id := orgID
	if actor.Role == RoleMember {
		if orgID != nil && (actor.OrganisationID == nil || *orgID != *actor.OrganisationID) {
			return nil, Invalid("organisation_id", "a member reserves for its own group only: leave organisation_id out")
		}
		id = actor.OrganisationID
	}
	if id == nil {
		return nil, Invalid("organisation_id", "is required")
	}
	var o bookingOrg
	err := tx.Model(&Organisation{}).Select("organisations.*, bands.name AS band_name, bands.allowance_g AS band_allowance_g").
		Joins("LEFT JOIN bands ON bands.id = organisations.band_id").Where("organisations.id = ?", *id).Take(&o).Error
	if err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, Invalid("organisation_id", "no organisation with id %d", *id)
		}
		return nil, err
	}
	return &o, o.CheckMembership(today)
}

// checkAllowance refuses a visit heavier than the group's band allows, unless staff give
// a reason to override it.
func checkAllowance(actor *User, o *bookingOrg, grams Grams, override string) error {
	if o.BandAllowanceG == nil || grams <= *o.BandAllowanceG {
		return nil
	}
	if actor.Role != RoleMember && strings.TrimSpace(override) != "" {
		return nil
	}
	msg := fmt.Sprintf("the visit weighs %.1f kg, over the %s allowance of %.1f kg a visit", grams.Kg(), *o.BandName, o.BandAllowanceG.Kg())
	if actor.Role != RoleMember {
		msg += "; give an override_reason to allow it"
	}
	return Invalid("lines", "%s", msg)
}

// CreateReservation reserves stock for a member group's visit slot, in one
// transaction: the slot's place, every line's quantity (all or none), the weight within
// the band's allowance. A line that is short is a conflict naming it and what is available.
func (s *Store) CreateReservation(ctx context.Context, actor *User, in ReservationInput, rules ReservationRules) (*Reservation, error) {
	var p Problems
	if in.SlotStart == nil {
		p.Add("slot_start", "is required")
	} else if !in.SlotStart.After(s.Now()) {
		p.Add("slot_start", "must be in the future")
	}
	checkLines(&p, in.Lines, false)
	notes := ""
	if in.Notes != nil {
		notes = strings.TrimSpace(*in.Notes)
	}
	checkText(&p, "notes", notes, false)
	checkTextUpTo(&p, "override_reason", in.OverrideReason, MaxLine, false)
	if err := p.Err(); err != nil {
		return nil, err
	}
	today := NewDate(s.Now().In(rules.Location))
	var r Reservation
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		o, err := s.reservationOrg(tx, actor, in.OrganisationID, today)
		if err != nil {
			return err
		}
		slot, err := s.findSlot(tx, *in.SlotStart, rules.Location, "slot_start")
		if err != nil {
			return err
		}
		now := s.Now()
		r = Reservation{OrganisationID: o.ID, SlotStart: slot.Start, SlotEnd: slot.End, SlotBooked: true, Status: StatusPending,
			Notes: notes, OverrideReason: strings.TrimSpace(in.OverrideReason), CreatedBy: &actor.ID}
		if rules.AutoConfirm {
			r.Status, r.ConfirmedAt = StatusConfirmed, &now
		}
		if err := tx.Create(&r).Error; err != nil {
			return err
		}
		if err := s.audit(tx, actor, "create", "reservation", r.ID,
			map[string]any{"organisation_id": o.ID, "slot_start": r.SlotStart, "lines": in.Lines, "override_reason": r.OverrideReason}); err != nil {
			return err
		}
		// The rows other bookings wait for, the slot's and the items', are taken last.
		if err := s.bookSlot(tx, slot, rules.Location); err != nil {
			return err
		}
		if err := s.oneBookingPerSlot(tx, o.ID, slot.Start, r.ID, rules.Location); err != nil {
			return err
		}
		if err := s.addLines(tx, actor, &r, in.Lines, false); err != nil {
			return err
		}
		return checkAllowance(actor, o, r.grams(), r.OverrideReason)
	})
	if err != nil {
		return nil, err
	}
	return s.Reservation(ctx, actor, r.ID)
}

func (r *Reservation) grams() Grams {
	var g Grams
	for _, l := range r.Lines {
		g += LineGrams(l.QuantityMilli, l.GramsPerUnit)
	}
	return g
}

// addLines reserves (or, for a walk-in, issues at once) each new line and appends it.
// Every short line is reported together.
func (s *Store) addLines(tx *gorm.DB, actor *User, r *Reservation, lines []LineInput, issueNow bool) error {
	if len(lines) == 0 {
		return nil
	}
	ids := make([]int64, len(lines))
	for i, l := range lines {
		ids[i] = l.StockItemID
	}
	items, err := s.lockStock(tx, ids)
	if err != nil {
		return err
	}
	var short []string
	for i, l := range lines {
		it, ok := items[l.StockItemID]
		if !ok {
			return Invalid(fmt.Sprintf("lines[%d].stock_item_id", i), "no stock item with id %d", l.StockItemID)
		}
		milli := MilliFromQuantity(l.Quantity)
		available, ok, err := s.takeStock(tx, actor, l.StockItemID, milli, r.ID, issueNow)
		if err != nil {
			return err
		}
		if !ok {
			short = append(short, fmt.Sprintf("lines[%d] (stock item %d): asked for %g, %g available", i, l.StockItemID, l.Quantity, available.Quantity()))
			continue
		}
		line := ReservationLine{ReservationID: r.ID, StockItemID: l.StockItemID, QuantityMilli: milli, GramsPerUnit: it.GramsPerUnit}
		if issueNow {
			line.CollectedMilli = &milli
		}
		if err := tx.Create(&line).Error; err != nil {
			return err
		}
		r.Lines = append(r.Lines, line)
	}
	if short != nil {
		return Conflict("not enough stock: %s", strings.Join(short, "; "))
	}
	return nil
}

// Reservation fetches one reservation with its lines; a member asking for another
// group's gets ErrNotFound.
func (s *Store) Reservation(ctx context.Context, actor *User, id int64) (*Reservation, error) {
	return s.loadReservation(s.DB(ctx), actor, id)
}

func (s *Store) loadReservation(tx *gorm.DB, actor *User, id int64) (*Reservation, error) {
	var r Reservation
	q := tx.Preload("Lines", withItemNames)
	if actor.Role == RoleMember {
		q = q.Where("organisation_id = ?", actor.OrganisationID)
	}
	if err := q.First(&r, id).Error; err != nil {
		return nil, notFound(err, "reservation", id)
	}
	r.weigh()
	return &r, nil
}

// ReservationFilter narrows ListReservations.
type ReservationFilter struct {
	OrganisationID int64
	Status         string
	From, To       *time.Time // slot start
	Sort           string     // a key of ReservationSorts
}

// ReservationSorts are the orders of ListReservations: a history, so the latest slot
// comes first unless asked otherwise.
var ReservationSorts = Sorts{
	"":            {Column: "slot_start", Desc: true},
	"-slot_start": {Column: "slot_start", Desc: true},
	"slot_start":  {Column: "slot_start"},
}

// ListReservations pages through reservations, latest slot first by default. A member
// sees only its own group's.
func (s *Store) ListReservations(ctx context.Context, actor *User, f ReservationFilter, page Page) ([]Reservation, string, error) {
	order, err := ReservationSorts.order(f.Sort)
	if err != nil {
		return nil, "", err
	}
	q := s.DB(ctx).Model(&Reservation{}).Preload("Lines", withItemNames)
	if actor.Role == RoleMember {
		q = q.Where("organisation_id = ?", actor.OrganisationID)
	}
	if f.OrganisationID != 0 {
		q = q.Where("organisation_id = ?", f.OrganisationID)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.From != nil {
		q = q.Where("slot_start >= ?", f.From.UTC())
	}
	if f.To != nil {
		q = q.Where("slot_start < ?", f.To.UTC())
	}
	return Paginate[Reservation](q, page, order, func(r Reservation) Key { return Key{Sort: r.SlotStart, ID: r.ID} })
}

// moveReservation changes a reservation's status if the move is allowed, by a
// conditional update so that two moves at once (an expiry and a collection, say) cannot
// both happen. also holds other columns that change with it.
func (s *Store) moveReservation(tx *gorm.DB, r *Reservation, to ReservationStatus, at time.Time, also map[string]any) error {
	if !slices.Contains(reservationMoves[r.Status], to) {
		return &ConflictError{Detail: fmt.Sprintf("reservation %d is %s and cannot become %s", r.ID, r.Status, to),
			Allowed: names(reservationMoves[r.Status])}
	}
	fields := map[string]any{"status": to, "updated_at": at}
	maps.Copy(fields, also)
	if col := map[ReservationStatus]string{StatusConfirmed: "confirmed_at", StatusCollected: "collected_at", StatusCancelled: "cancelled_at",
		StatusExpired: "expired_at"}[to]; col != "" {
		fields[col] = at
	}
	res := tx.Model(&Reservation{}).Where("id = ? AND status = ?", r.ID, r.Status).Updates(fields)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return Conflict("reservation %d changed while this was being done; try again", r.ID)
	}
	r.Status = to
	return nil
}

// changeable loads a reservation for a change by actor: members only before the slot
// starts, and only while it is pending or confirmed.
func (s *Store) changeable(tx *gorm.DB, actor *User, id int64) (*Reservation, error) {
	// The reservation's row is locked first, as a status change locks it first (its
	// conditional update), so that a change and a cancellation at once cannot deadlock.
	r, err := s.loadReservation(tx.Clauses(clause.Locking{Strength: "UPDATE"}), actor, id)
	if err != nil {
		return nil, err
	}
	if r.Status != StatusPending && r.Status != StatusConfirmed {
		return nil, &ConflictError{Detail: fmt.Sprintf("reservation %d is %s and can no longer change", r.ID, r.Status),
			Allowed: names(reservationMoves[r.Status])}
	}
	if actor.Role == RoleMember && !s.Now().Before(r.SlotStart) {
		return nil, Conflict("the slot has started: ask at the counter to change reservation %d", r.ID)
	}
	return r, nil
}

// UpdateReservation changes notes, the slot, or line quantities (0 removes a line; a new
// item adds one), reserving or releasing only the difference.
func (s *Store) UpdateReservation(ctx context.Context, actor *User, id int64, in ReservationInput, rules ReservationRules) (*Reservation, error) {
	var p Problems
	checkLines(&p, in.Lines, true)
	if in.OrganisationID != nil {
		p.Add("organisation_id", "cannot be changed: cancel the reservation and make another")
	}
	if in.Notes != nil {
		checkText(&p, "notes", *in.Notes, false)
	}
	checkTextUpTo(&p, "override_reason", in.OverrideReason, MaxLine, false)
	if in.SlotStart != nil && !in.SlotStart.After(s.Now()) {
		p.Add("slot_start", "must be in the future")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	today := NewDate(s.Now().In(rules.Location))
	var r *Reservation
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		var err error
		if r, err = s.changeable(tx, actor, id); err != nil {
			return err
		}
		o, err := s.reservationOrg(tx, actor, &r.OrganisationID, today)
		if err != nil {
			return err
		}
		before := map[string]any{"slot_start": r.SlotStart, "notes": r.Notes}
		wasSlot, wasLines := r.SlotStart, lineQuantities(r.Lines)
		if in.Notes != nil {
			r.Notes = strings.TrimSpace(*in.Notes)
		}
		if in.SlotStart != nil && !in.SlotStart.Equal(r.SlotStart) {
			slot, err := s.findSlot(tx, *in.SlotStart, rules.Location, "slot_start")
			if err != nil {
				return err
			}
			// The two slots' rows are changed earlier slot first, so that two
			// reservations moving the opposite ways between them cannot deadlock.
			steps := []func() error{
				func() error { return s.bookSlot(tx, slot, rules.Location) },
				func() error { return s.releaseSlot(tx, r.SlotStart) },
			}
			if r.SlotStart.Before(slot.Start) {
				slices.Reverse(steps)
			}
			for _, step := range steps {
				if err := step(); err != nil {
					return err
				}
			}
			if err := s.oneBookingPerSlot(tx, r.OrganisationID, slot.Start, r.ID, rules.Location); err != nil {
				return err
			}
			r.SlotStart, r.SlotEnd = slot.Start, slot.End
		}
		if err := s.changeLines(tx, actor, r, in.Lines); err != nil {
			return err
		}
		if len(r.Lines) == 0 {
			return Invalid("lines", "a reservation needs at least one line; cancel it instead")
		}
		if in.OverrideReason != "" {
			r.OverrideReason = strings.TrimSpace(in.OverrideReason)
		}
		if err := checkAllowance(actor, o, r.grams(), r.OverrideReason); err != nil {
			return err
		}
		if actor.Role == RoleMember && r.Status == StatusConfirmed && !rules.AutoConfirm {
			change, err := s.describeChange(tx, wasSlot, wasLines, r, rules.Location)
			if err != nil {
				return err
			}
			if change != "" {
				// Staff confirmed what was asked then; what is asked now waits for them again.
				r.Status, r.ConfirmedAt = StatusPending, nil
				r.ChangesToConfirm = strings.TrimPrefix(r.ChangesToConfirm+"; "+change, "; ")
			}
		}
		r.UpdatedAt = s.Now()
		if err := tx.Model(r).Select("slot_start", "slot_end", "notes", "override_reason", "status", "confirmed_at", "changes_to_confirm", "updated_at").
			Updates(r).Error; err != nil {
			return err
		}
		return s.audit(tx, actor, "update", "reservation", r.ID,
			map[string]any{"before": before, "slot_start": r.SlotStart, "notes": r.Notes, "lines": in.Lines})
	})
	if err != nil {
		return nil, err
	}
	r.weigh()
	return r, nil
}

// oneBookingPerSlot refuses a second active reservation of a group for one slot: a group
// has one booking a slot, which it changes to take more. It runs after bookSlot, whose
// update of the slot's row makes two such requests at once wait for each other.
func (s *Store) oneBookingPerSlot(tx *gorm.DB, orgID int64, start time.Time, except int64, loc *time.Location) error {
	var other int64
	err := tx.Model(&Reservation{}).Select("id").
		Where("organisation_id = ? AND slot_start = ? AND status IN ? AND id <> ?", orgID, start.UTC(), openReservations, except).
		Limit(1).Scan(&other).Error
	if err != nil || other == 0 {
		return err
	}
	return Conflict("the group already has reservation %d for the slot at %s: change that reservation (PATCH /api/v1/reservations/%d) to add to it",
		other, start.In(loc).Format("Mon 2 Jan 2006 15:04"), other)
}

func lineQuantities(lines []ReservationLine) map[int64]Milli {
	out := make(map[int64]Milli, len(lines))
	for _, l := range lines {
		out[l.StockItemID] = l.QuantityMilli
	}
	return out
}

// describeChange says, in words staff read, how the slot and quantities of r differ from
// what they were: "" when they do not.
func (s *Store) describeChange(tx *gorm.DB, wasSlot time.Time, was map[int64]Milli, r *Reservation, loc *time.Location) (string, error) {
	var parts []string
	if !wasSlot.Equal(r.SlotStart) {
		const layout = "Mon 2 Jan 15:04"
		parts = append(parts, fmt.Sprintf("slot moved from %s to %s", wasSlot.In(loc).Format(layout), r.SlotStart.In(loc).Format(layout)))
	}
	now := lineQuantities(r.Lines)
	var ids []int64
	for id, q := range now {
		if was[id] != q {
			ids = append(ids, id)
		}
	}
	for id := range was {
		if _, kept := now[id]; !kept {
			ids = append(ids, id)
		}
	}
	if len(ids) > 0 {
		slices.Sort(ids)
		var items []StockItem
		if err := tx.Select("id", "description", "unit").Where("id IN ?", ids).Find(&items).Error; err != nil {
			return "", err
		}
		for _, id := range ids {
			name := fmt.Sprintf("stock item %d", id)
			if i := slices.IndexFunc(items, func(it StockItem) bool { return it.ID == id }); i >= 0 {
				name = fmt.Sprintf("%s (%s)", items[i].Description, items[i].Unit)
			}
			parts = append(parts, fmt.Sprintf("%s %g → %g", name, was[id].Quantity(), now[id].Quantity()))
		}
	}
	return strings.Join(parts, "; "), nil
}

// changeLines applies new quantities: the difference is reserved or released.
func (s *Store) changeLines(tx *gorm.DB, actor *User, r *Reservation, lines []LineInput) error {
	var added []LineInput
	for _, in := range byItem(lines, func(l LineInput) int64 { return l.StockItemID }) {
		i := slices.IndexFunc(r.Lines, func(l ReservationLine) bool { return l.StockItemID == in.StockItemID })
		if i < 0 {
			if in.Quantity > 0 {
				added = append(added, in)
			}
			continue
		}
		l := &r.Lines[i]
		milli := MilliFromQuantity(in.Quantity)
		switch delta := milli - l.QuantityMilli; {
		case delta > 0:
			available, ok, err := s.takeStock(tx, actor, l.StockItemID, delta, r.ID, false)
			if err != nil {
				return err
			}
			if !ok {
				return Conflict("not enough stock: stock item %d: asked for %g more, %g available", l.StockItemID, delta.Quantity(), available.Quantity())
			}
		case delta < 0:
			if err := s.releaseStock(tx, actor, l.StockItemID, -delta, r.ID); err != nil {
				return err
			}
		}
		if milli == 0 {
			if err := tx.Delete(l).Error; err != nil {
				return err
			}
		} else if err := tx.Model(l).Update("quantity_milli", milli).Error; err != nil {
			return err
		}
		l.QuantityMilli = milli
	}
	r.Lines = slices.DeleteFunc(r.Lines, func(l ReservationLine) bool { return l.QuantityMilli == 0 })
	return s.addLines(tx, actor, r, added, false)
}

// ConfirmReservation is staff accepting a pending reservation.
func (s *Store) ConfirmReservation(ctx context.Context, actor *User, id int64) (*Reservation, error) {
	return s.transition(ctx, actor, id, func(tx *gorm.DB, r *Reservation) error {
		return s.moveReservation(tx, r, StatusConfirmed, s.Now(), map[string]any{"changes_to_confirm": ""})
	})
}

// CancelReservation releases everything a reservation holds: its stock and its slot
// place. The reason, if given, is kept on the reservation.
func (s *Store) CancelReservation(ctx context.Context, actor *User, id int64, reason string) (*Reservation, error) {
	reason = strings.TrimSpace(reason)
	var p Problems
	checkText(&p, "reason", reason, false)
	if err := p.Err(); err != nil {
		return nil, err
	}
	return s.transition(ctx, actor, id, func(tx *gorm.DB, r *Reservation) error {
		if actor.Role == RoleMember && !s.Now().Before(r.SlotStart) {
			return Conflict("the slot has started: ask at the counter to cancel reservation %d", r.ID)
		}
		return s.endReservation(tx, actor, r, StatusCancelled, map[string]any{"cancel_reason": reason})
	})
}

// endReservation gives back the slot place, then the stock: rows are locked in the
// order making and changing a reservation lock them (slot before stock), or the two at
// once could deadlock.
func (s *Store) endReservation(tx *gorm.DB, actor *User, r *Reservation, to ReservationStatus, also map[string]any) error {
	if err := s.moveReservation(tx, r, to, s.Now(), also); err != nil {
		return err
	}
	if r.SlotBooked {
		if err := s.releaseSlot(tx, r.SlotStart); err != nil {
			return err
		}
	}
	for _, l := range byItem(r.Lines, func(l ReservationLine) int64 { return l.StockItemID }) {
		if err := s.releaseStock(tx, actor, l.StockItemID, l.QuantityMilli, r.ID); err != nil {
			return err
		}
	}
	return nil
}

// byItem is a copy of lines in stock item order, the order stock rows are locked in
// (see lockStock).
func byItem[T any](lines []T, item func(T) int64) []T {
	return slices.SortedFunc(slices.Values(lines), func(a, b T) int { return cmp.Compare(item(a), item(b)) })
}

// transition loads a reservation in a transaction, applies a status change, and audits it.
func (s *Store) transition(ctx context.Context, actor *User, id int64, fn func(tx *gorm.DB, r *Reservation) error) (*Reservation, error) {
	var r *Reservation
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		var err error
		if r, err = s.loadReservation(tx, actor, id); err != nil {
			return err
		}
		from := r.Status
		if err := fn(tx, r); err != nil {
			return err
		}
		return s.audit(tx, actor, string(r.Status), "reservation", r.ID, map[string]any{"status": map[string]any{"from": from, "to": r.Status}})
	})
	if err != nil {
		return nil, err
	}
	return s.Reservation(ctx, actor, id)
}

// CollectReservation checks a reservation out at the counter: taken lists what was taken
// of each line (at most what was reserved), which is issued; everything else, including
// every line not listed, is released, in one transaction.
func (s *Store) CollectReservation(ctx context.Context, actor *User, id int64, taken []LineInput, loc *time.Location) (*Reservation, error) {
	var p Problems
	checkLines(&p, taken, true)
	if !slices.ContainsFunc(taken, func(l LineInput) bool { return l.Quantity > 0 }) {
		p.Add("lines", "list what was taken of each line (lines not listed are released); if nothing was taken, cancel the reservation instead")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	today := NewDate(s.Now().In(loc))
	return s.transition(ctx, actor, id, func(tx *gorm.DB, r *Reservation) error {
		if _, err := s.reservationOrg(tx, actor, &r.OrganisationID, today); err != nil {
			return err
		}
		got := map[int64]Milli{}
		for i, t := range taken {
			j := slices.IndexFunc(r.Lines, func(l ReservationLine) bool { return l.StockItemID == t.StockItemID })
			if j < 0 {
				return Invalid(fmt.Sprintf("lines[%d].stock_item_id", i), "stock item %d is not on this reservation", t.StockItemID)
			}
			if m := MilliFromQuantity(t.Quantity); m > r.Lines[j].QuantityMilli {
				return Invalid(fmt.Sprintf("lines[%d].quantity", i), "at most %g was reserved", r.Lines[j].QuantityMilli.Quantity())
			} else {
				got[t.StockItemID] = m
			}
		}
		if err := s.moveReservation(tx, r, StatusCollected, s.Now(), nil); err != nil {
			return err
		}
		for _, l := range byItem(r.Lines, func(l ReservationLine) int64 { return l.StockItemID }) {
			took := got[l.StockItemID]
			if took > 0 {
				if err := s.issueReserved(tx, actor, l.StockItemID, took, r.ID); err != nil {
					return err
				}
			}
			if rest := l.QuantityMilli - took; rest > 0 {
				if err := s.releaseStock(tx, actor, l.StockItemID, rest, r.ID); err != nil {
					return err
				}
			}
			if err := tx.Model(&l).Update("collected_milli", took).Error; err != nil {
				return err
			}
		}
		return s.countIssued(tx, "r.id = ?", r.ID)
	})
}

// IssueWalkIn gives stock to a member group without a reservation, under the same rules
// (membership in date, stock available, the band's allowance), recorded as a collected
// reservation.
func (s *Store) IssueWalkIn(ctx context.Context, actor *User, orgID int64, lines []LineInput, override string,
	loc *time.Location) (*Reservation, error) {
	var p Problems
	if orgID == 0 {
		p.Add("organisation_id", "is required")
	}
	checkLines(&p, lines, false)
	checkTextUpTo(&p, "override_reason", override, MaxLine, false)
	if err := p.Err(); err != nil {
		return nil, err
	}
	now := s.Now()
	today := NewDate(now.In(loc))
	var r Reservation
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		o, err := s.reservationOrg(tx, actor, &orgID, today)
		if err != nil {
			return err
		}
		r = Reservation{OrganisationID: o.ID, SlotStart: now, SlotEnd: now, Status: StatusCollected, OverrideReason: strings.TrimSpace(override),
			CreatedBy: &actor.ID, CollectedAt: &now, Notes: "walk-in visit"}
		if err := tx.Create(&r).Error; err != nil {
			return err
		}
		if err := s.addLines(tx, actor, &r, lines, true); err != nil {
			return err
		}
		if err := s.countIssued(tx, "r.id = ?", r.ID); err != nil {
			return err
		}
		if err := checkAllowance(actor, o, r.grams(), r.OverrideReason); err != nil {
			return err
		}
		return s.audit(tx, actor, "walk_in", "reservation", r.ID, map[string]any{"organisation_id": o.ID, "lines": lines})
	})
	if err != nil {
		return nil, err
	}
	return s.Reservation(ctx, actor, r.ID)
}

// ExpireReservations expires every reservation not collected by the end of its slot plus
// grace, releasing its stock. Each is expired by a conditional update, so two runs at once
// (two processes) expire and release each reservation once.
func (s *Store) ExpireReservations(ctx context.Context, now time.Time, grace time.Duration) (int, error) {
	var ids []int64
	err := s.DB(ctx).Model(&Reservation{}).Where("status IN ? AND slot_end < ?", openReservations, now.Add(-grace).UTC()).
		Order("id").Pluck("id", &ids).Error
	if err != nil {
		return 0, err
	}
	expired := 0
	for _, id := range ids {
		err := s.InTx(ctx, func(tx *gorm.DB) error {
			r, err := s.loadReservation(tx, &User{Role: RoleManager}, id)
			if err != nil {
				return err
			}
			if err := s.endReservation(tx, nil, r, StatusExpired, nil); err != nil {
				return err
			}
			return s.audit(tx, nil, StatusExpired, "reservation", r.ID, map[string]any{"status": map[string]any{"to": StatusExpired}})
		})
		switch {
		case err == nil:
			expired++
		case errors.Is(err, ErrConflict):
			// Collected, cancelled or expired by someone else meanwhile: nothing to do.
		default:
			return expired, fmt.Errorf("expire reservation %d: %w", id, err)
		}
	}
	return expired, nil
}

// The reservation's side of the stock ledger: each change is a movement through
// applyMovement, caused by the reservation.

// lockStock reads and locks the items of ids that exist, by id. They are locked in id
// order: two writers naming the same items in other orders wait for each other instead
// of deadlocking.
func (s *Store) lockStock(tx *gorm.DB, ids []int64) (map[int64]StockItem, error) {
	var items []StockItem
	if err := tx.Where("id IN ?", ids).Order("id").Clauses(clause.Locking{Strength: "UPDATE"}).Find(&items).Error; err != nil {
		return nil, err
	}
	out := make(map[int64]StockItem, len(items))
	for _, it := range items {
		out[it.ID] = it
	}
	return out, nil
}

// takeStock reserves thousandths of an item for a reservation, or (issueNow) issues
// them at once. ok is false, with what is available, when there is not enough.
func (s *Store) takeStock(tx *gorm.DB, actor *User, itemID int64, milli Milli, reservationID int64, issueNow bool) (available Milli, ok bool,
	err error) {
	m := &Movement{StockItemID: itemID, Kind: MoveReserved, ReservedMilli: milli, UserID: userID(actor), CauseType: "reservation",
		CauseID: &reservationID}
	units := milli
	if issueNow {
		m.Kind, m.QuantityMilli, m.ReservedMilli, units = MoveIssued, -milli, 0, -milli
	}
	err = s.applyCounted(tx, m, units)
	var se *ShortError
	if errors.As(err, &se) {
		return se.Have, false, nil
	}
	return 0, err == nil, err
}

// releaseStock gives back reserved thousandths of an item.
func (s *Store) releaseStock(tx *gorm.DB, actor *User, itemID int64, milli Milli, reservationID int64) error {
	return s.applyCounted(tx, &Movement{StockItemID: itemID, Kind: MoveReleased, ReservedMilli: -milli, UserID: userID(actor),
		CauseType: "reservation", CauseID: &reservationID}, milli)
}

// issueReserved hands over reserved thousandths of an item: they leave on hand and
// reserved together.
func (s *Store) issueReserved(tx *gorm.DB, actor *User, itemID int64, milli Milli, reservationID int64) error {
	return s.applyCounted(tx, &Movement{StockItemID: itemID, Kind: MoveIssued, QuantityMilli: -milli, ReservedMilli: -milli,
		UserID: userID(actor), CauseType: "reservation", CauseID: &reservationID}, -milli)
}

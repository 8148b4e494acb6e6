package models

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// FurnitureStatus is where an item is; furnitureMoves are the moves POST
// /furniture/{id}/status may make. Reserving and handing over have actions of their own.
type FurnitureStatus string

const (
	FurnReceived  FurnitureStatus = "received"
	FurnChecking                  = "checking"
	FurnInRepair                  = "in_repair"
	FurnAvailable                 = "available"
	FurnReserved                  = "reserved"
	FurnPassedOn                  = "passed_on"
	FurnDisposed                  = "disposed"
)

var furnitureMoves = map[FurnitureStatus][]FurnitureStatus{
	FurnReceived:  {FurnChecking, FurnDisposed},
	FurnChecking:  {FurnInRepair, FurnAvailable, FurnDisposed},
	FurnInRepair:  {FurnChecking, FurnAvailable, FurnDisposed},
	FurnAvailable: {FurnReserved, FurnChecking, FurnDisposed},
	FurnReserved:  {FurnAvailable, FurnPassedOn},
}

// Conditions, disposal routes and hand-over methods.
var (
	FurnitureConditions = []string{"good", "fair", "needs_repair"}
	DisposalRoutes      = []string{"recycled", "landfill", "returned_to_donor"}
	HandoverMethods     = []string{"collected", "delivered"}
)

// FurnitureType is a kind of furniture with its average weight and reuse factor.
type FurnitureType struct {
	ID              int64     `json:"id"`
	Name            string    `json:"name"`
	DefaultWeightG  Grams     `json:"default_weight_kg"`
	DefaultVolumeM3 M3        `json:"default_volume_m3"`
	Upholstered     bool      `json:"upholstered"`
	Electrical      bool      `json:"electrical"`
	CO2eKgPerKg     float64   `json:"co2e_kg_per_kg" gorm:"column:co2e_kg_per_kg"`
	CO2eSource      string    `json:"co2e_source" gorm:"column:co2e_source"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
}

// FurnitureItem is one tracked piece of furniture.
type FurnitureItem struct {
	ID               int64           `json:"id"`
	Tag              string          `json:"tag"`
	TypeID           int64           `json:"type_id"`
	Description      string          `json:"description"`
	Condition        string          `json:"condition"`
	WeightG          Grams           `json:"weight_kg"`
	Weighed          bool            `json:"weighed"`
	WidthCm          *int            `json:"width_cm"`
	DepthCm          *int            `json:"depth_cm"`
	HeightCm         *int            `json:"height_cm"`
	Colour           string          `json:"colour"`
	DonorID          *int64          `json:"donor_id"`
	ReceivedOn       Date            `json:"received_on"`
	LocationID       *int64          `json:"location_id"`
	ChargePence      int64           `json:"charge_pence"`
	Status           FurnitureStatus `json:"status"`
	FireLabelChecked bool            `json:"fire_label_checked"`
	DisposalRoute    string          `json:"disposal_route"`
	RecipientID      *int64          `json:"recipient_id"`
	PhotoIDs         []int64         `json:"photo_ids" gorm:"-"`
	CreatedAt        time.Time       `json:"created_at"`
	UpdatedAt        time.Time       `json:"updated_at"`
}

// StatusChange records one move of an item, by whom and when.
type StatusChange struct {
	ID         int64           `json:"id"`
	ItemID     int64           `json:"item_id"`
	FromStatus FurnitureStatus `json:"from_status"`
	ToStatus   FurnitureStatus `json:"to_status"`
	Reason     string          `json:"reason"`
	UserID     *int64          `json:"user_id"`
	At         time.Time       `json:"at"`
}

func (StatusChange) TableName() string { return "furniture_status_changes" }

// SafetyTest is a recorded electrical safety test.
type SafetyTest struct {
	ID         int64     `json:"id"`
	ItemID     int64     `json:"item_id"`
	TestedOn   Date      `json:"tested_on"`
	Tester     string    `json:"tester"`
	Passed     bool      `json:"passed"`
	Notes      string    `json:"notes"`
	RecordedBy *int64    `json:"recorded_by"`
	CreatedAt  time.Time `json:"created_at"`
}

func (SafetyTest) TableName() string { return "furniture_safety_tests" }

// FurnitureTypeInput creates a type.
type FurnitureTypeInput struct {
	Name            string  `json:"name"`
	DefaultWeightKg float64 `json:"default_weight_kg"`
	DefaultVolumeM3 float64 `json:"default_volume_m3"`
	Upholstered     bool    `json:"upholstered"`
	Electrical      bool    `json:"electrical"`
	CO2eKgPerKg     float64 `json:"co2e_kg_per_kg"`
	CO2eSource      string  `json:"co2e_source"`
}

// check finds what is wrong with a new kind of furniture.
func (in FurnitureTypeInput) check(p *Problems) {
	checkTextUpTo(p, "name", in.Name, MaxTitle, true)
	if in.DefaultWeightKg <= 0 || in.DefaultWeightKg > 1000 || math.IsNaN(in.DefaultWeightKg) {
		p.Add("default_weight_kg", "must be more than 0 and at most 1000")
	}
	if in.DefaultVolumeM3 <= 0 || in.DefaultVolumeM3 > 20 || math.IsNaN(in.DefaultVolumeM3) {
		p.Add("default_volume_m3", "must be more than 0 and at most 20")
	}
	checkFactor(p, in.CO2eKgPerKg, in.CO2eSource, "co2e_source")
}

// CreateFurnitureType adds a kind of furniture.
func (s *Store) CreateFurnitureType(ctx context.Context, actor *User, in FurnitureTypeInput) (*FurnitureType, error) {
	var p Problems
	in.Name, in.CO2eSource = strings.TrimSpace(in.Name), strings.TrimSpace(in.CO2eSource)
	in.check(&p)
	if err := p.Err(); err != nil {
		return nil, err
	}
	t := &FurnitureType{Name: in.Name, DefaultWeightG: GramsFromKg(in.DefaultWeightKg),
		DefaultVolumeM3: M3(in.DefaultVolumeM3), Upholstered: in.Upholstered, Electrical: in.Electrical,
		CO2eKgPerKg: in.CO2eKgPerKg, CO2eSource: in.CO2eSource}
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(t)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return Conflict("a furniture type named %q already exists", t.Name)
		}
		return s.audit(tx, actor, "create", "furniture_type", t.ID,
			map[string]any{"name": t.Name, "default_weight_kg": in.DefaultWeightKg, "upholstered": t.Upholstered, "electrical": t.Electrical})
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// FurnitureTypes lists the types by name.
func (s *Store) FurnitureTypes(ctx context.Context, page Page) ([]FurnitureType, string, error) {
	return Paginate[FurnitureType](s.DB(ctx).Model(&FurnitureType{}), page, Order{Column: "name"},
		func(t FurnitureType) Key { return Key{Sort: t.Name, ID: t.ID} })
}

// FurnitureInput registers or changes an item; nil fields stay as they are.
type FurnitureInput struct {
	TypeID           *int64   `json:"type_id"`
	Description      *string  `json:"description"`
	Condition        *string  `json:"condition"`
	WeightKg         *float64 `json:"weight_kg"`
	WidthCm          *int     `json:"width_cm"`
	DepthCm          *int     `json:"depth_cm"`
	HeightCm         *int     `json:"height_cm"`
	Colour           *string  `json:"colour"`
	DonorID          *int64   `json:"donor_id"`
	ReceivedOn       *Date    `json:"received_on"`
	LocationID       *int64   `json:"location_id"`
	ChargePence      *int64   `json:"charge_pence"`
	FireLabelChecked *bool    `json:"fire_label_checked"`
}

func (s *Store) applyFurniture(tx *gorm.DB, p *Problems, it *FurnitureItem, in FurnitureInput, today Date) error {
	if in.TypeID != nil {
		var t FurnitureType
		if err := tx.First(&t, *in.TypeID).Error; err != nil {
			if !errors.Is(err, gorm.ErrRecordNotFound) {
				return err
			}
			p.Add("type_id", "no furniture type with id %d", *in.TypeID)
		} else {
			it.TypeID = t.ID
			if !it.Weighed {
				it.WeightG = t.DefaultWeightG
			}
		}
	}
	if in.Description != nil {
		it.Description = strings.TrimSpace(*in.Description)
	}
	checkText(p, "description", it.Description, false)
	if in.Condition != nil {
		it.Condition = *in.Condition
	}
	switch {
	case it.Condition == "":
		p.Add("condition", "is required")
	case !slices.Contains(FurnitureConditions, it.Condition):
		p.Add("condition", "must be one of %s", strings.Join(FurnitureConditions, ", "))
	}
	if in.WeightKg != nil {
		if *in.WeightKg <= 0 || *in.WeightKg > 1000 || math.IsNaN(*in.WeightKg) {
			p.Add("weight_kg", "must be more than 0 and at most 1000")
		}
		it.WeightG, it.Weighed = GramsFromKg(*in.WeightKg), true
	}
	for _, d := range []struct {
		v     *int
		dst   **int
		field string
	}{{in.WidthCm, &it.WidthCm, "width_cm"}, {in.DepthCm, &it.DepthCm, "depth_cm"}, {in.HeightCm, &it.HeightCm, "height_cm"}} {
		if d.v != nil {
			if *d.v <= 0 || *d.v > 1000 {
				p.Add(d.field, "must be between 1 and 1000")
			}
			*d.dst = d.v
		}
	}
	if in.Colour != nil {
		it.Colour = strings.TrimSpace(*in.Colour)
		checkTextUpTo(p, "colour", it.Colour, MaxTitle, false)
	}
	if in.DonorID != nil {
		var n int64
		if err := tx.Model(&Donor{}).Where("id = ?", *in.DonorID).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			p.Add("donor_id", "no donor with id %d", *in.DonorID)
		}
		it.DonorID = in.DonorID
	}
	if in.ReceivedOn != nil {
		it.ReceivedOn = *in.ReceivedOn
		checkDay(p, "received_on", it.ReceivedOn, today, 30, 0)
	}
	if in.LocationID != nil {
		if err := s.activeLocation(tx, *in.LocationID, "location_id"); err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) {
				return err
			}
			p.Add("location_id", "%s", ve.Errors[0].Message)
		}
		it.LocationID = in.LocationID
	}
	if in.ChargePence != nil {
		if *in.ChargePence < 0 || *in.ChargePence > 10_000_00 {
			p.Add("charge_pence", "must be between 0 and 1000000")
		}
		it.ChargePence = *in.ChargePence
	}
	if in.FireLabelChecked != nil {
		it.FireLabelChecked = *in.FireLabelChecked
	}
	return nil
}

// nextTag hands out the next furniture tag. The counter row is updated inside the
// caller's transaction, so concurrent registrations queue on it and no tag is given twice.
func (s *Store) nextTag(tx *gorm.DB) (string, error) {
	if err := tx.Exec("UPDATE counters SET value = value + 1 WHERE name = 'furniture_tag'").Error; err != nil {
		return "", err
	}
	var n int64
	if err := tx.Raw("SELECT value FROM counters WHERE name = 'furniture_tag'").Scan(&n).Error; err != nil {
		return "", err
	}
	return fmt.Sprintf("FN-%06d", n), nil
}

// RegisterFurniture records a piece of furniture that came in and gives it a tag.
func (s *Store) RegisterFurniture(ctx context.Context, actor *User, in FurnitureInput, today Date) (*FurnitureItem, error) {
	var p Problems
	if in.TypeID == nil {
		p.Add("type_id", "is required")
	}
	it := &FurnitureItem{Status: FurnReceived, ReceivedOn: today}
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		if err := s.applyFurniture(tx, &p, it, in, today); err != nil {
			return err
		}
		if err := p.Err(); err != nil {
			return err
		}
		tag, err := s.nextTag(tx)
		if err != nil {
			return err
		}
		it.Tag = tag
		if err := tx.Create(it).Error; err != nil {
			return err
		}
		if err := tx.Create(&StatusChange{ItemID: it.ID, FromStatus: "", ToStatus: FurnReceived, Reason: "registered", UserID: userID(actor),
			At: s.Now()}).Error; err != nil {
			return err
		}
		return s.audit(tx, actor, "create", "furniture_item", it.ID, map[string]any{"tag": it.Tag, "type_id": it.TypeID, "condition": it.Condition})
	})
	if err != nil {
		return nil, err
	}
	return it, nil
}

// UpdateFurniture changes an item's details (not its status).
func (s *Store) UpdateFurniture(ctx context.Context, actor *User, id int64, in FurnitureInput, today Date) (*FurnitureItem, error) {
	var it FurnitureItem
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		if err := tx.First(&it, id).Error; err != nil {
			return notFound(err, "furniture item", id)
		}
		before := it
		var p Problems
		if err := s.applyFurniture(tx, &p, &it, in, today); err != nil {
			return err
		}
		if err := p.Err(); err != nil {
			return err
		}
		if err := tx.Omit("PhotoIDs").Save(&it).Error; err != nil {
			return err
		}
		return s.audit(tx, actor, "update", "furniture_item", it.ID, diff(
			map[string]any{"type_id": before.TypeID, "condition": before.Condition, "weight_g": int64(before.WeightG), "colour": before.Colour,
				"location_id": before.LocationID, "charge_pence": before.ChargePence, "fire_label_checked": before.FireLabelChecked,
				"description": before.Description},
			map[string]any{"type_id": it.TypeID, "condition": it.Condition, "weight_g": int64(it.WeightG), "colour": it.Colour, "location_id": it.LocationID,
				"charge_pence": it.ChargePence, "fire_label_checked": it.FireLabelChecked, "description": it.Description}))
	})
	if err != nil {
		return nil, err
	}
	return s.Furniture(ctx, id)
}

// Furniture fetches one item with its photos.
func (s *Store) Furniture(ctx context.Context, id int64) (*FurnitureItem, error) {
	var it FurnitureItem
	if err := s.DB(ctx).First(&it, id).Error; err != nil {
		return nil, notFound(err, "furniture item", id)
	}
	return &it, s.DB(ctx).Model(&Photo{}).Where("item_id = ?", id).Order("id").Pluck("id", &it.PhotoIDs).Error
}

// FurnitureByTag finds an item by its tag, as a scanner at the door reads it.
func (s *Store) FurnitureByTag(ctx context.Context, tag string) (*FurnitureItem, error) {
	var id int64
	err := s.DB(ctx).Model(&FurnitureItem{}).Where("tag = ?", strings.ToUpper(strings.TrimSpace(tag))).Pluck("id", &id).Error
	if err != nil {
		return nil, err
	}
	if id == 0 {
		return nil, fmt.Errorf("furniture tag %q: %w", tag, ErrNotFound)
	}
	return s.Furniture(ctx, id)
}

// FurnitureFilter narrows ListFurniture.
type FurnitureFilter struct {
	TypeID    int64
	Status    string
	Condition string
	Q         string
}

// ListFurniture pages through items, newest first.
func (s *Store) ListFurniture(ctx context.Context, f FurnitureFilter, page Page) ([]FurnitureItem, string, error) {
	q := s.DB(ctx).Model(&FurnitureItem{})
	if f.TypeID != 0 {
		q = q.Where("type_id = ?", f.TypeID)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Condition != "" {
		q = q.Where("condition = ?", f.Condition)
	}
	if f.Q != "" {
		like := "%" + strings.ToLower(escapeLike(f.Q)) + "%"
		q = q.Where("(LOWER(description) LIKE ? ESCAPE '\\' OR LOWER(colour) LIKE ? ESCAPE '\\' OR LOWER(tag) LIKE ? ESCAPE '\\')", like, like, like)
	}
	return Paginate[FurnitureItem](q, page, KeyIDDesc, func(i FurnitureItem) Key { return Key{ID: i.ID} })
}

// moveFurniture changes an item's status if the move is allowed and records it.
func (s *Store) moveFurniture(tx *gorm.DB, actor *User, it *FurnitureItem, to FurnitureStatus, reason string) error {
	if !slices.Contains(furnitureMoves[it.Status], to) {
		return &ConflictError{Detail: fmt.Sprintf("%s is %s and cannot become %s", it.Tag, it.Status, to), Allowed: names(furnitureMoves[it.Status])}
	}
	if to == FurnAvailable {
		if err := s.checkSafety(tx, it); err != nil {
			return err
		}
	}
	from := it.Status
	res := tx.Model(&FurnitureItem{}).Where("id = ? AND status = ?", it.ID, from).Updates(map[string]any{"status": to, "updated_at": s.Now()})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return Conflict("%s changed while this was being done; try again", it.Tag)
	}
	it.Status = to
	if err := tx.Create(&StatusChange{ItemID: it.ID, FromStatus: from, ToStatus: to, Reason: reason, UserID: userID(actor), At: s.Now()}).
		Error; err != nil {
		return err
	}
	return s.audit(tx, actor, "status", "furniture_item", it.ID, map[string]any{"status": map[string]any{"from": from, "to": to}, "reason": reason})
}

// checkSafety refuses to make an item available before its safety checks: the fire
// label of upholstered furniture, a passed test of electricals.
func (s *Store) checkSafety(tx *gorm.DB, it *FurnitureItem) error {
	var t FurnitureType
	if err := tx.First(&t, it.TypeID).Error; err != nil {
		return err
	}
	if t.Upholstered && !it.FireLabelChecked {
		return Conflict("%s is upholstered: check its fire-safety label and record it (fire_label_checked) before it can be available", it.Tag)
	}
	if t.Electrical {
		var last SafetyTest
		err := tx.Where("item_id = ?", it.ID).Order("tested_on DESC, id DESC").Take(&last).Error
		if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && !last.Passed) {
			return Conflict("%s is electrical: record a passed safety test before it can be available", it.Tag)
		}
		return err
	}
	return nil
}

// ChangeFurnitureStatus moves an item; disposal needs a route. Reserving and passing on
// go through ReserveFurniture and HandOver.
func (s *Store) ChangeFurnitureStatus(ctx context.Context, actor *User, id int64, to, reason, route string) (*FurnitureItem, error) {
	var p Problems
	checkText(&p, "reason", reason, false)
	if !slices.Contains(FurnitureStatuses, to) {
		p.Add("status", "must be one of %s", strings.Join(FurnitureStatuses, ", "))
	}
	if (to == FurnDisposed || route != "") && !slices.Contains(DisposalRoutes, route) {
		p.Add("disposal_route", "must be one of %s", strings.Join(DisposalRoutes, ", "))
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		var it FurnitureItem
		if err := tx.First(&it, id).Error; err != nil {
			return notFound(err, "furniture item", id)
		}
		switch to {
		case FurnReserved:
			return &ConflictError{Detail: "reserve an item for a recipient with POST /furniture/{id}/reserve", Allowed: names(furnitureMoves[it.Status])}
		case FurnPassedOn:
			return &ConflictError{Detail: "pass an item on with POST /furniture/{id}/handover", Allowed: names(furnitureMoves[it.Status])}
		}
		if err := s.moveFurniture(tx, actor, &it, FurnitureStatus(to), strings.TrimSpace(reason)); err != nil {
			return err
		}
		fields := map[string]any{}
		if to == FurnDisposed {
			fields["disposal_route"] = route
		}
		if from := it.RecipientID; from != nil && to == FurnAvailable {
			fields["recipient_id"] = nil // the reservation is given up
		}
		if len(fields) == 0 {
			return nil
		}
		return tx.Model(&it).Updates(fields).Error
	})
	if err != nil {
		return nil, err
	}
	return s.Furniture(ctx, id)
}

// RecordSafetyTest records an electrical safety test; a failed test sends the item to
// repair, or to disposal (recycled) when after says so.
func (s *Store) RecordSafetyTest(ctx context.Context, actor *User, id int64, testedOn Date, tester string, passed bool, notes, after string,
	today Date) (*FurnitureItem, error) {
	var p Problems
	tester = strings.TrimSpace(tester)
	checkTextUpTo(&p, "tester", tester, MaxName, true)
	checkText(&p, "notes", notes, false)
	checkDay(&p, "tested_on", testedOn, today, 10, 0)
	if after == "" {
		after = FurnInRepair
	}
	if !passed && !slices.Contains(AfterFailureStatuses, after) {
		p.Add("after_failure", "must be one of %s", strings.Join(AfterFailureStatuses, ", "))
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		var it FurnitureItem
		if err := tx.First(&it, id).Error; err != nil {
			return notFound(err, "furniture item", id)
		}
		t := SafetyTest{ItemID: id, TestedOn: testedOn, Tester: tester, Passed: passed, Notes: strings.TrimSpace(notes), RecordedBy: userID(actor),
			CreatedAt: s.Now()}
		if err := tx.Create(&t).Error; err != nil {
			return err
		}
		if err := s.audit(tx, actor, "safety_test", "furniture_item", id,
			map[string]any{"tested_on": testedOn, "tester": tester, "passed": passed}); err != nil {
			return err
		}
		if passed || it.Status == FurnitureStatus(after) {
			return nil
		}
		if err := s.moveFurniture(tx, actor, &it, FurnitureStatus(after), "failed safety test"); err != nil {
			return err
		}
		if after == FurnDisposed {
			return tx.Model(&it).Update("disposal_route", "recycled").Error
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.Furniture(ctx, id)
}

// StatusHistory lists an item's moves, oldest first.
func (s *Store) StatusHistory(ctx context.Context, id int64) ([]StatusChange, error) {
	var out []StatusChange
	return out, s.DB(ctx).Where("item_id = ?", id).Order("id").Find(&out).Error
}

// LabelItem is what a label needs of an item.
type LabelItem struct {
	ID         int64
	Tag        string
	Type       string
	ReceivedOn Date
}

// MaxLabels is the most labels printed at once.
const MaxLabels = 500

// FurnitureLabels gives the label details of items, in the order asked; an unknown id
// is a validation error naming it.
func (s *Store) FurnitureLabels(ctx context.Context, ids []int64) ([]LabelItem, error) {
	switch {
	case len(ids) == 0:
		return nil, Invalid("ids", "must have at least 1 item")
	case len(ids) > MaxLabels:
		return nil, Invalid("ids", "must have at most %d items", MaxLabels)
	}
	var rows []LabelItem
	err := s.DB(ctx).Table("furniture_items i").Select("i.id, i.tag, t.name AS type, i.received_on").
		Joins("JOIN furniture_types t ON t.id = i.type_id").Where("i.id IN ?", ids).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	byID := map[int64]LabelItem{}
	for _, r := range rows {
		byID[r.ID] = r
	}
	out := make([]LabelItem, len(ids))
	for i, id := range ids {
		r, ok := byID[id]
		if !ok {
			return nil, Invalid(fmt.Sprintf("ids[%d]", i), "no furniture item with id %d", id)
		}
		out[i] = r
	}
	return out, nil
}

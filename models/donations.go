package models

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Channels a donation can come in by.
var Channels = []string{"drop_off", "collection", "other"}

// Donation is what came in at one time from one donor (or an anonymous drop-off).
type Donation struct {
	ID         int64          `json:"id"`
	DonorID    *int64         `json:"donor_id"`
	ReceivedAt time.Time      `json:"received_at"`
	Channel    string         `json:"channel"`
	Notes      string         `json:"notes"`
	CreatedBy  *int64         `json:"created_by"`
	VoidedAt   *time.Time     `json:"voided_at"`
	VoidReason string         `json:"void_reason"`
	VoidedBy   *int64         `json:"voided_by"`
	Voided     bool           `json:"voided" gorm:"-"`
	Lines      []DonationLine `json:"lines"`
	CreatedAt  time.Time      `json:"created_at"`
}

// DonationLine is one kind of material in a donation, and the stock item it went to.
type DonationLine struct {
	ID              int64  `json:"id"`
	DonationID      int64  `json:"-"`
	StockItemID     int64  `json:"stock_item_id"`
	CategoryID      int64  `json:"category_id"`
	Description     string `json:"description"`
	QuantityMilli   Milli  `json:"quantity"`
	Unit            string `json:"unit"`
	WeightG         Grams  `json:"weight_kg"`
	WeightEstimated bool   `json:"weight_estimated"`
	LocationID      int64  `json:"location_id"`
}

func (d *Donation) AfterFind(*gorm.DB) error {
	d.Voided = d.VoidedAt != nil
	return nil
}

// DonationLineInput is one line as given: an existing stock item, or a category,
// description and location; a quantity in a unit; a weight, or none to estimate it.
type DonationLineInput struct {
	StockItemID *int64   `json:"stock_item_id"`
	CategoryID  *int64   `json:"category_id"`
	Description string   `json:"description"`
	LocationID  *int64   `json:"location_id"`
	Quantity    float64  `json:"quantity"`
	Unit        string   `json:"unit"`
	WeightKg    *float64 `json:"weight_kg"`
}

// DonationInput is a donation as given.
type DonationInput struct {
	DonorID    *int64              `json:"donor_id"`
	ReceivedAt time.Time           `json:"received_at"` // zero: now
	Channel    string              `json:"channel"`
	Notes      string              `json:"notes"`
	Lines      []DonationLineInput `json:"lines"`
}

// ReceiveDonation records a donation and puts each line on its shelf: a "received"
// movement on the stock item (the one named, or the one of the same category,
// description, location and unit, created when there is none), all in one transaction.
func (s *Store) ReceiveDonation(ctx context.Context, actor *User, in DonationInput) (*Donation, error) {
	var p Problems
	if in.ReceivedAt.IsZero() {
		in.ReceivedAt = s.Now()
	} else if in.ReceivedAt.After(s.Now().Add(time.Hour)) {
		p.Add("received_at", "cannot be in the future")
	} else if in.ReceivedAt.Year() < 2000 {
		p.Add("received_at", "is too long ago")
	}
	if in.Channel == "" {
		in.Channel = "drop_off"
	}
	if !slices.Contains(Channels, in.Channel) {
		p.Add("channel", "must be one of %s", strings.Join(Channels, ", "))
	}
	checkText(&p, "notes", in.Notes, false)
	if len(in.Lines) == 0 {
		p.Add("lines", "must have at least one line")
	} else if len(in.Lines) > 200 {
		p.Add("lines", "must have at most 200 lines")
	}
	for i, l := range in.Lines {
		f := fmt.Sprintf("lines[%d]", i)
		if l.StockItemID == nil && (l.CategoryID == nil || l.LocationID == nil) {
			p.Add(f+".stock_item_id", "give a stock_item_id, or a category_id, description and location_id")
		}
		checkTextUpTo(&p, f+".description", strings.TrimSpace(l.Description), MaxLine, l.StockItemID == nil)
		if l.Unit != "" && !slices.Contains(Units, l.Unit) {
			p.Add(f+".unit", "must be one of %s", strings.Join(Units, ", "))
		}
		// Written so that NaN fails too.
		if !(l.Quantity > 0 && l.Quantity <= 1_000_000) || MilliFromQuantity(l.Quantity) == 0 {
			p.Add(f+".quantity", "must be more than 0 and at most 1000000")
		}
		if l.WeightKg != nil && !(*l.WeightKg > 0 && *l.WeightKg <= 100_000) {
			p.Add(f+".weight_kg", "must be more than 0 and at most 100000")
		}
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	d := &Donation{DonorID: in.DonorID, ReceivedAt: in.ReceivedAt.UTC(), Channel: in.Channel, Notes: strings.TrimSpace(in.Notes),
		CreatedBy: userID(actor), CreatedAt: s.Now()}
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		if d.DonorID != nil {
			var n int64
			if err := tx.Model(&Donor{}).Where("id = ?", *d.DonorID).Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return Invalid("donor_id", "no donor with id %d", *d.DonorID)
			}
		}
		if err := tx.Omit("Lines").Create(d).Error; err != nil {
			return err
		}
		// A line naming a category goes to the item of its description there, made when
		// missing; a line naming an item is checked on the item's locked row.
		ids := make([]int64, len(in.Lines))
		for i, l := range in.Lines {
			if l.StockItemID != nil {
				ids[i] = *l.StockItemID
				continue
			}
			it, err := s.categoryLineItem(tx, fmt.Sprintf("lines[%d]", i), l)
			if err != nil {
				return err
			}
			ids[i] = it.ID
		}
		// Every item is locked, in id order, before any changes (see lockStock).
		items, err := s.lockStock(tx, ids)
		if err != nil {
			return err
		}
		d.Lines = make([]DonationLine, len(in.Lines))
		moves := make([]*Movement, len(in.Lines))
		for i, l := range in.Lines {
			f := fmt.Sprintf("lines[%d]", i)
			it, ok := items[ids[i]]
			switch {
			case !ok:
				return Invalid(f+".stock_item_id", "no stock item with id %d", ids[i])
			case l.Unit != "" && l.Unit != it.Unit:
				return Invalid(f+".unit", "stock item %d is counted in %s", it.ID, it.Unit)
			}
			d.Lines[i], moves[i] = receivedLine(actor, d, &it, l)
		}
		if err := tx.Create(&d.Lines).Error; err != nil {
			return err
		}
		if err := s.applyMovements(tx, moves); err != nil {
			return err
		}
		audit := map[string]any{"donor_id": d.DonorID, "channel": d.Channel, "lines": len(d.Lines)}
		if err := s.audit(tx, actor, "create", "donation", d.ID, audit); err != nil {
			return err
		}
		// The hour's totals, which every donation adds to, are changed last.
		return s.countReceived(tx, 1, "d.id = ?", d.ID)
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// weighedUnits are the units a line of the category may be counted in without a
// weight_kg: those it has a weight per unit for, and kg; in the order of Units.
func (c *Category) weighedUnits() []string {
	var out []string
	for _, u := range Units {
		if u == "kg" || slices.ContainsFunc(c.Units, func(cu CategoryUnit) bool { return cu.Unit == u }) {
			out = append(out, u)
		}
	}
	return out
}

// categoryLineItem is the stock item of a donation line that names a category: the
// one of its category, description, location and unit, made when there is none; f names
// the line in problems.
func (s *Store) categoryLineItem(tx *gorm.DB, f string, in DonationLineInput) (*StockItem, error) {
	// The category with the weight of the line's unit, and the location: one statement.
	var c struct {
		Category
		UnitGrams      *Grams
		LocationCode   *string
		LocationActive *bool
	}
	err := tx.Model(&Category{}).
		Select("categories.*, l.code AS location_code, l.active AS location_active, (SELECT cu.grams_per_unit FROM category_units cu "+
			"WHERE cu.category_id = categories.id AND cu.unit = COALESCE(NULLIF(?, ''), categories.default_unit)) AS unit_grams", in.Unit).
		Joins("LEFT JOIN locations l ON l.id = ?", *in.LocationID).Where("categories.id = ?", *in.CategoryID).Take(&c).Error
	if err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, Invalid(f+".category_id", "no category with id %d", *in.CategoryID)
		}
		return nil, err
	}
	unit := in.Unit
	if unit == "" {
		unit = c.DefaultUnit
	}
	var gpu Grams
	switch {
	case c.UnitGrams != nil:
		gpu = *c.UnitGrams
	case unit == "kg":
		gpu = 1000
	case in.WeightKg != nil:
		gpu = GramsFromKg(*in.WeightKg / in.Quantity)
	default:
		if err := tx.Where("category_id = ?", c.ID).Find(&c.Units).Error; err != nil {
			return nil, err
		}
		return nil, Invalid(f+".unit", "%s has no weight per %s: give weight_kg, or count it in one of %s", c.Name, unit,
			strings.Join(c.weighedUnits(), ", "))
	}
	switch {
	case c.LocationCode == nil:
		return nil, Invalid(f+".location_id", "no location with id %d", *in.LocationID)
	case !*c.LocationActive:
		return nil, Invalid(f+".location_id", "location %s is not in use", *c.LocationCode)
	}
	return s.findOrCreateItem(tx, c.ID, strings.TrimSpace(in.Description), *in.LocationID, unit, max(gpu, 1))
}

// receivedLine is a donation line on its item and the movement that puts it on the
// shelf, both still to be written.
func receivedLine(actor *User, d *Donation, it *StockItem, in DonationLineInput) (DonationLine, *Movement) {
	milli := MilliFromQuantity(in.Quantity)
	line := DonationLine{DonationID: d.ID, StockItemID: it.ID, CategoryID: it.CategoryID, Description: it.Description, QuantityMilli: milli,
		Unit: it.Unit, LocationID: it.LocationID}
	if in.WeightKg != nil {
		line.WeightG = GramsFromKg(*in.WeightKg)
	} else {
		// A quantity in kg is what the scales said: weighed, not estimated.
		line.WeightG, line.WeightEstimated = LineGrams(milli, it.GramsPerUnit), it.Unit != "kg"
	}
	return line, &Movement{StockItemID: it.ID, Kind: MoveReceived, QuantityMilli: milli, WeightG: line.WeightG, UserID: userID(actor),
		CauseType: "donation", CauseID: &d.ID, At: d.ReceivedAt}
}

// VoidDonation reverses a donation logged by mistake: each line's movement is undone.
// It is a conflict when the stock it brought has been reserved or issued since.
func (s *Store) VoidDonation(ctx context.Context, actor *User, id int64, reason string) (*Donation, error) {
	reason = strings.TrimSpace(reason)
	var p Problems
	checkText(&p, "reason", reason, true)
	if err := p.Err(); err != nil {
		return nil, err
	}
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		var d Donation
		if err := tx.Preload("Lines").First(&d, id).Error; err != nil {
			return notFound(err, "donation", id)
		}
		// Marked first, and only while not voided: of two voids at once, the second waits
		// for the first and then finds nothing to mark, so the lines are reversed once.
		res := tx.Model(&Donation{}).Where("id = ? AND voided_at IS NULL", id).
			Updates(map[string]any{"voided_at": s.Now(), "void_reason": reason, "voided_by": userID(actor)})
		if res.Error != nil {
			return res.Error
		}
		if d.VoidedAt != nil || res.RowsAffected == 0 {
			return Conflict("donation %d was voided already", id)
		}
		moves := make([]*Movement, len(d.Lines))
		for i, l := range d.Lines {
			moves[i] = &Movement{StockItemID: l.StockItemID, Kind: MoveReceived, QuantityMilli: -l.QuantityMilli, WeightG: -l.WeightG,
				Reason: "void", Note: reason, UserID: userID(actor), CauseType: "donation", CauseID: &d.ID}
		}
		if err := s.applyMovements(tx, moves); err != nil {
			var se *ShortError
			if errors.As(err, &se) {
				return Conflict("the stock donation %d brought has been reserved or issued since (%s): release it first", id, se.Constraint)
			}
			return err
		}
		if err := s.countReceived(tx, -1, "d.id = ?", id); err != nil {
			return err
		}
		return s.audit(tx, actor, "void", "donation", id, map[string]any{"reason": reason})
	})
	if err != nil {
		return nil, err
	}
	return s.Donation(ctx, id)
}

// Donation fetches one donation with its lines.
func (s *Store) Donation(ctx context.Context, id int64) (*Donation, error) {
	var d Donation
	if err := s.DB(ctx).Preload("Lines", func(db *gorm.DB) *gorm.DB { return db.Order("id") }).First(&d, id).Error; err != nil {
		return nil, notFound(err, "donation", id)
	}
	return &d, nil
}

// DonationFilter narrows ListDonations.
type DonationFilter struct {
	DonorID  int64
	From, To *time.Time
	Sort     string // a key of DonationSorts
}

// DonationSorts are the orders of ListDonations: newest first unless asked otherwise.
var DonationSorts = Sorts{
	"":             {Column: "received_at", Desc: true},
	"-received_at": {Column: "received_at", Desc: true},
	"received_at":  {Column: "received_at"},
}

// ListDonations pages through donations, newest first by default.
func (s *Store) ListDonations(ctx context.Context, f DonationFilter, page Page) ([]Donation, string, error) {
	order, err := DonationSorts.order(f.Sort)
	if err != nil {
		return nil, "", err
	}
	q := s.DB(ctx).Model(&Donation{}).Preload("Lines", func(db *gorm.DB) *gorm.DB { return db.Order("id") })
	if f.DonorID != 0 {
		q = q.Where("donor_id = ?", f.DonorID)
	}
	if f.From != nil {
		q = q.Where("received_at >= ?", f.From.UTC())
	}
	if f.To != nil {
		q = q.Where("received_at < ?", f.To.UTC())
	}
	return Paginate[Donation](q, page, order, func(d Donation) Key { return Key{Sort: d.ReceivedAt, ID: d.ID} })
}

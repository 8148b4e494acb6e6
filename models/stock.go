package models

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Movement kinds in the stock ledger.
const (
	MoveReceived   = "received"
	MoveReserved   = "reserved"
	MoveReleased   = "released"
	MoveIssued     = "issued"
	MoveAdjusted   = "adjusted"
	MoveMoved      = "moved"
	MoveWrittenOff = "written_off"
)

// AdjustReasons are why staff change a quantity by hand.
var AdjustReasons = []string{"damaged", "recycled", "miscounted", "used_in_workshop", "other"}

// StockItem is material of one category and description, counted in one unit, on one
// location. OnHandMilli and ReservedMilli always equal the sums of its movements.
type StockItem struct {
	ID            int64     `json:"id"`
	CategoryID    int64     `json:"category_id"`
	Description   string    `json:"description"`
	LocationID    int64     `json:"location_id"`
	Unit          string    `json:"unit"`
	GramsPerUnit  Grams     `json:"kg_per_unit"`
	OnHandMilli   Milli     `json:"on_hand"`
	ReservedMilli Milli     `json:"reserved"`
	Available     Milli     `json:"available" gorm:"-"`
	AvailableG    Grams     `json:"available_kg" gorm:"-"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`

	// What people read beside the ids, read with the item (see withNames).
	Category string `json:"category" gorm:"->"`
	Location string `json:"location" gorm:"->"`
}

// AfterFind works out what is available: on hand and not reserved.
func (i *StockItem) AfterFind(*gorm.DB) error {
	i.Available = i.OnHandMilli - i.ReservedMilli
	i.AvailableG = LineGrams(i.Available, i.GramsPerUnit)
	return nil
}

// Movement is one entry in the append-only stock ledger.
type Movement struct {
	ID            int64     `json:"id"`
	StockItemID   int64     `json:"stock_item_id"`
	Kind          string    `json:"kind"`
	QuantityMilli Milli     `json:"quantity"`
	ReservedMilli Milli     `json:"reserved_change"`
	WeightG       Grams     `json:"weight_kg"`
	Reason        string    `json:"reason"`
	Note          string    `json:"note"`
	UserID        *int64    `json:"user_id"`
	CauseType     string    `json:"cause_type"`
	CauseID       *int64    `json:"cause_id"`
	At            time.Time `json:"at"`
}

func (Movement) TableName() string { return "stock_movements" }

// ShortError is stock that is not there: what was asked and what there is.
type ShortError struct {
	ItemID               int64
	Wanted, Have         Milli
	Reserved, Constraint string
}

func (e *ShortError) Error() string { return e.Constraint }
func (e *ShortError) Unwrap() error { return ErrConflict }

// applyMovement is the one way stock changes: it moves the item's on-hand and reserved
// figures by the movement's amounts with a conditional update (on hand never below
// reserved, neither below zero), and appends the movement, in the caller's transaction.
// When the condition fails nothing changes and a *ShortError says what there is.
func (s *Store) applyMovement(tx *gorm.DB, m *Movement) error {
	return s.applyMovements(tx, []*Movement{m})
}

// applyCounted is applyMovement for a movement weighed in the item's own units: its
// weight is units thousandths of the item's weight per unit, read as the item changes.
func (s *Store) applyCounted(tx *gorm.DB, m *Movement, units Milli) error {
	if err := s.changeStock(tx, m, &units); err != nil {
		return err
	}
	return tx.Create(m).Error
}

// applyMovements is applyMovement for several movements, written in one statement.
func (s *Store) applyMovements(tx *gorm.DB, ms []*Movement) error {
	if len(ms) == 0 {
		return nil
	}
	for _, m := range ms {
		if err := s.changeStock(tx, m, nil); err != nil {
			return err
		}
	}
	return tx.Create(ms).Error
}

// changeStock changes the item's figures by the movement's, weighs a counted movement
// and dates it, but does not write it.
func (s *Store) changeStock(tx *gorm.DB, m *Movement, units *Milli) error {
	dq, dr := m.QuantityMilli, m.ReservedMilli
	var it StockItem
	res := tx.Model(&it).Clauses(clause.Returning{Columns: []clause.Column{{Name: "grams_per_unit"}}}).
		Where("id = ? AND on_hand_milli + ? >= reserved_milli + ? AND reserved_milli + ? >= 0 AND on_hand_milli + ? >= 0", m.StockItemID, dq, dr, dr, dq).
		Updates(map[string]any{"on_hand_milli": gorm.Expr("on_hand_milli + ?", dq), "reserved_milli": gorm.Expr("reserved_milli + ?", dr),
			"updated_at": s.Now()})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		if err := tx.First(&it, m.StockItemID).Error; err != nil {
			return notFound(err, "stock item", m.StockItemID)
		}
		return &ShortError{ItemID: it.ID, Wanted: -dq, Have: it.OnHandMilli - it.ReservedMilli,
			Constraint: fmt.Sprintf("stock item %d has %g on hand, %g of it reserved", it.ID, it.OnHandMilli.Quantity(), it.ReservedMilli.Quantity())}
	}
	if units != nil {
		m.WeightG = LineGrams(*units, it.GramsPerUnit)
	}
	if m.At.IsZero() {
		m.At = s.Now()
	}
	return nil
}

func userID(u *User) *int64 {
	if u == nil {
		return nil
	}
	return &u.ID
}

// StockFilter narrows ListStock.
type StockFilter struct {
	CategoryID    int64
	LocationID    int64
	Q             string
	AvailableOnly bool
	Sort          string // description (default), updated, id
}

// StockSorts are the orders ListStock offers, each served by an index.
var StockSorts = Sorts{
	"":             {Column: "description"},
	"description":  {Column: "description"},
	"-updated_at":  {Column: "updated_at", Desc: true},
	"updated_at":   {Column: "updated_at"},
	"id":           KeyID,
	"-description": {Column: "description", Desc: true},
}

// ListStock pages through stock items with filters.
func (s *Store) ListStock(ctx context.Context, f StockFilter, page Page) ([]StockItem, string, error) {
	order, err := StockSorts.order(f.Sort)
	if err != nil {
		return nil, "", err
	}
	q := s.DB(ctx).Model(&StockItem{}).Scopes(withNames, f.scope)
	return Paginate[StockItem](q, page, order, func(i StockItem) Key {
		switch order.Column {
		case "description":
			return Key{Sort: i.Description, ID: i.ID}
		case "updated_at":
			return Key{Sort: i.UpdatedAt, ID: i.ID}
		}
		return Key{ID: i.ID}
	})
}

// scope narrows a query of stock_items to the filter's items.
func (f StockFilter) scope(q *gorm.DB) *gorm.DB {
	if f.CategoryID != 0 {
		q = q.Where("stock_items.category_id = ?", f.CategoryID)
	}
	if f.LocationID != 0 {
		q = q.Where("stock_items.location_id = ?", f.LocationID)
	}
	if f.Q != "" {
		q = q.Where("LOWER(stock_items.description) LIKE ? ESCAPE '\\'", "%"+strings.ToLower(escapeLike(f.Q))+"%")
	}
	if f.AvailableOnly {
		q = q.Where("stock_items.on_hand_milli > stock_items.reserved_milli")
	}
	return q
}

// withNames reads stock items with their category's name and their location's code.
// (Subqueries, not joins: on PostgreSQL a join cost more to plan at every execution than
// it saved, and a large store's slowest pages were slower.)
func withNames(db *gorm.DB) *gorm.DB {
	return db.Select("stock_items.*, (SELECT name FROM categories WHERE categories.id = stock_items.category_id) AS category, " +
		"(SELECT code FROM locations WHERE locations.id = stock_items.location_id) AS location")
}

// StockItem fetches one item.
func (s *Store) StockItem(ctx context.Context, id int64) (*StockItem, error) {
	var it StockItem
	if err := s.DB(ctx).Scopes(withNames).First(&it, id).Error; err != nil {
		return nil, notFound(err, "stock item", id)
	}
	return &it, nil
}

// Movements pages through an item's ledger, newest first.
func (s *Store) Movements(ctx context.Context, itemID int64, page Page) ([]Movement, string, error) {
	if _, err := s.StockItem(ctx, itemID); err != nil {
		return nil, "", err
	}
	q := s.DB(ctx).Model(&Movement{}).Where("stock_item_id = ?", itemID)
	return Paginate[Movement](q, page, KeyIDDesc, func(m Movement) Key { return Key{ID: m.ID} })
}

// UpdateStockItem changes an item's description or weight per unit. Quantities change
// only through movements.
func (s *Store) UpdateStockItem(ctx context.Context, actor *User, id int64, description *string, kgPerUnit *float64) (*StockItem, error) {
	var p Problems
	if description != nil {
		checkTextUpTo(&p, "description", strings.TrimSpace(*description), MaxLine, true)
	}
	if kgPerUnit != nil && (*kgPerUnit <= 0 || *kgPerUnit > 10_000) {
		p.Add("kg_per_unit", "must be more than 0 and at most 10000")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	var it StockItem
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		if err := tx.First(&it, id).Error; err != nil {
			return notFound(err, "stock item", id)
		}
		before := map[string]any{"description": it.Description, "kg_per_unit": it.GramsPerUnit.Kg()}
		if description != nil {
			it.Description = strings.TrimSpace(*description)
		}
		if kgPerUnit != nil {
			it.GramsPerUnit = GramsFromKg(*kgPerUnit)
		}
		var clash int64
		if err := tx.Model(&StockItem{}).Where("category_id = ? AND description = ? AND location_id = ? AND unit = ? AND id <> ?", it.CategoryID,
			it.Description, it.LocationID, it.Unit, it.ID).Count(&clash).Error; err != nil {
			return err
		}
		if clash > 0 {
			return Conflict("another item on that location already has this description")
		}
		if err := tx.Model(&it).Select("description", "grams_per_unit", "updated_at").
			Updates(map[string]any{"description": it.Description, "grams_per_unit": it.GramsPerUnit, "updated_at": s.Now()}).Error; err != nil {
			return err
		}
		return s.audit(tx, actor, "update", "stock_item", it.ID,
			diff(before, map[string]any{"description": it.Description, "kg_per_unit": it.GramsPerUnit.Kg()}))
	})
	if err != nil {
		return nil, err
	}
	return s.StockItem(ctx, id)
}

// AdjustStock changes an item's quantity by hand, never below what is reserved.
func (s *Store) AdjustStock(ctx context.Context, actor *User, id int64, delta float64, reason, note string) (*StockItem, error) {
	var p Problems
	d := MilliFromQuantity(delta)
	if d == 0 || delta > 1_000_000 || delta < -1_000_000 {
		p.Add("delta", "must be a non-zero quantity of at most 1000000 either way")
	}
	if !slices.Contains(AdjustReasons, reason) {
		p.Add("reason", "must be one of %s", strings.Join(AdjustReasons, ", "))
	}
	checkText(&p, "note", note, false)
	if err := p.Err(); err != nil {
		return nil, err
	}
	kind := MoveAdjusted
	if reason == "recycled" || reason == "damaged" {
		kind = MoveWrittenOff
		if d > 0 {
			return nil, Invalid("delta", "a write-off (%s) takes stock away: give a negative delta", reason)
		}
	}
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		m := &Movement{StockItemID: id, Kind: kind, QuantityMilli: d, Reason: reason, Note: strings.TrimSpace(note), UserID: userID(actor),
			CauseType: "adjustment"}
		if err := s.applyCounted(tx, m, d); err != nil {
			var se *ShortError
			if errors.As(err, &se) {
				return Conflict("cannot take away %g: %s", -delta, se.Constraint)
			}
			return err
		}
		return s.audit(tx, actor, "adjust", "stock_item", id, map[string]any{"delta": delta, "reason": reason, "note": note})
	})
	if err != nil {
		return nil, err
	}
	return s.StockItem(ctx, id)
}

// MoveStock puts an item on another location. If an item of the same category,
// description and unit is there already, the quantity joins it: moved out of one and
// into the other, two movements in one transaction.
func (s *Store) MoveStock(ctx context.Context, actor *User, id, locationID int64) (*StockItem, error) {
	if locationID == 0 {
		return nil, Invalid("location_id", "is required")
	}
	var target StockItem
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		var it StockItem
		if err := tx.First(&it, id).Error; err != nil {
			return notFound(err, "stock item", id)
		}
		if err := s.activeLocation(tx, locationID, "location_id"); err != nil {
			return err
		}
		if it.LocationID == locationID {
			return Invalid("location_id", "the item is there already")
		}
		if it.ReservedMilli > 0 {
			return Conflict("%g of stock item %d is reserved: move it after the reservations are collected or released", it.ReservedMilli.Quantity(), id)
		}
		to, err := s.findOrCreateItem(tx, it.CategoryID, it.Description, locationID, it.Unit, it.GramsPerUnit)
		if err != nil {
			return err
		}
		g := LineGrams(it.OnHandMilli, it.GramsPerUnit)
		out := &Movement{StockItemID: it.ID, Kind: MoveMoved, QuantityMilli: -it.OnHandMilli, WeightG: -g,
			Reason: fmt.Sprintf("to location %d", locationID), UserID: userID(actor), CauseType: "stock_item", CauseID: &to.ID}
		in := &Movement{StockItemID: to.ID, Kind: MoveMoved, QuantityMilli: it.OnHandMilli, WeightG: g,
			Reason: fmt.Sprintf("from location %d", it.LocationID), UserID: userID(actor), CauseType: "stock_item", CauseID: &it.ID}
		for _, m := range []*Movement{out, in} {
			if err := s.applyMovement(tx, m); err != nil {
				return err
			}
		}
		target = *to
		return s.audit(tx, actor, "move", "stock_item", id,
			map[string]any{"location_id": map[string]any{"from": it.LocationID, "to": locationID}, "into_item": to.ID})
	})
	if err != nil {
		return nil, err
	}
	return s.StockItem(ctx, target.ID)
}

// findOrCreateItem is the item of a category, description and unit on a location,
// created (empty) when there is none: found at once most times, made when missing. Two
// transactions creating the same item at once meet at the unique key: the second waits
// for the first and then finds its row.
func (s *Store) findOrCreateItem(tx *gorm.DB, categoryID int64, description string, locationID int64, unit string,
	gramsPerUnit Grams) (*StockItem, error) {
	find := func(it *StockItem) *gorm.DB {
		return tx.Where("category_id = ? AND description = ? AND location_id = ? AND unit = ?", categoryID, description, locationID, unit).
			Limit(1).Find(it)
	}
	var found StockItem
	if res := find(&found); res.Error != nil || res.RowsAffected == 1 {
		return &found, res.Error
	}
	it := StockItem{CategoryID: categoryID, Description: description, LocationID: locationID, Unit: unit, GramsPerUnit: gramsPerUnit}
	if res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&it); res.Error != nil || res.RowsAffected == 1 {
		return &it, res.Error
	}
	res := find(&found)
	if res.Error == nil && res.RowsAffected == 0 {
		return nil, fmt.Errorf("stock item of category %d, %q on location %d: %w", categoryID, description, locationID, gorm.ErrRecordNotFound)
	}
	return &found, res.Error
}

// LedgerProblem is an item whose figures disagree with the sum of its movements.
type LedgerProblem struct {
	StockItemID         int64
	OnHand, SumOnHand   Milli
	Reserved, SumReserv Milli
}

// CheckLedger compares every item's on-hand and reserved figures with the sums of its
// movements, with one aggregate query, and lists every item that disagrees.
func (s *Store) CheckLedger(ctx context.Context) ([]LedgerProblem, int64, error) {
	var rows []LedgerProblem
	err := s.DB(ctx).Raw(`SELECT i.id AS stock_item_id, i.on_hand_milli AS on_hand, COALESCE(m.q, 0) AS sum_on_hand,
		i.reserved_milli AS reserved, COALESCE(m.r, 0) AS sum_reserv
		FROM stock_items i LEFT JOIN (SELECT stock_item_id, SUM(quantity_milli) AS q, SUM(reserved_milli) AS r` +
		` FROM stock_movements GROUP BY stock_item_id) m
		ON m.stock_item_id = i.id
		WHERE i.on_hand_milli <> COALESCE(m.q, 0) OR i.reserved_milli <> COALESCE(m.r, 0) OR i.reserved_milli > i.on_hand_milli OR i.reserved_milli < 0
		ORDER BY i.id`).Scan(&rows).Error
	if err != nil {
		return nil, 0, err
	}
	var n int64
	err = s.DB(ctx).Model(&StockItem{}).Count(&n).Error
	return rows, n, err
}

// RangeProblem is a stored weight, quantity or measure outside what any checked input can
// give (a NaN once kept as -9223372036854775808 g, say): Rows rows of Table have Column
// out of its range, the first of them FirstID.
type RangeProblem struct {
	Table, Column string
	Min, Max      float64
	Rows, FirstID int64
	idColumn      string // the column FirstID is from, when not id
}

// At most a million tonnes in grams, and a trillion units in thousandths: no sum of
// checked inputs comes near, and every overflow or NaN lands far beyond.
const (
	maxStoredGrams = 1e12
	maxStoredMilli = 1e15
)

// storedRanges bounds every stored weight, quantity and measure. A NaN stored in a
// DOUBLE PRECISION column counts as beyond the maximum on PostgreSQL (SQLite keeps it as
// NULL, which needs no bound).
var storedRanges = []RangeProblem{
	{Table: "donation_lines", Column: "weight_g", Min: 0, Max: maxStoredGrams},
	{Table: "donation_lines", Column: "quantity_milli", Min: 1, Max: maxStoredMilli},
	{Table: "stock_movements", Column: "weight_g", Min: -maxStoredGrams, Max: maxStoredGrams},
	{Table: "stock_movements", Column: "quantity_milli", Min: -maxStoredMilli, Max: maxStoredMilli},
	{Table: "stock_movements", Column: "reserved_milli", Min: -maxStoredMilli, Max: maxStoredMilli},
	{Table: "stock_items", Column: "on_hand_milli", Min: 0, Max: maxStoredMilli},
	{Table: "stock_items", Column: "reserved_milli", Min: 0, Max: maxStoredMilli},
	{Table: "stock_items", Column: "grams_per_unit", Min: 0, Max: maxStoredGrams},
	{Table: "reservation_lines", Column: "quantity_milli", Min: 0, Max: maxStoredMilli},
	{Table: "reservation_lines", Column: "collected_milli", Min: 0, Max: maxStoredMilli},
	{Table: "stocktake_lines", Column: "counted_milli", Min: 0, Max: maxStoredMilli},
	{Table: "categories", Column: "min_stock_g", Min: 0, Max: maxStoredGrams},
	{Table: "category_units", Column: "grams_per_unit", Min: 0, Max: maxStoredGrams, idColumn: "category_id"},
	{Table: "category_factors", Column: "co2e_kg_per_kg", Min: 0, Max: 1e6},
	{Table: "bands", Column: "allowance_g", Min: 0, Max: maxStoredGrams},
	{Table: "furniture_types", Column: "default_weight_g", Min: 0, Max: maxStoredGrams},
	{Table: "furniture_types", Column: "default_volume_m3", Min: 0, Max: 1e6},
	{Table: "furniture_items", Column: "weight_g", Min: 0, Max: maxStoredGrams},
	{Table: "handovers", Column: "weight_g", Min: 0, Max: maxStoredGrams},
	{Table: "handovers", Column: "volume_m3", Min: 0, Max: 1e6},
	{Table: "pickup_requests", Column: "approx_g", Min: 0, Max: maxStoredGrams},
	{Table: "pickup_requests", Column: "approx_m3", Min: 0, Max: 1e6},
	{Table: "vehicles", Column: "capacity_g", Min: 0, Max: maxStoredGrams},
	{Table: "vehicles", Column: "capacity_m3", Min: 0, Max: 1e6},
	{Table: "run_stops", Column: "load_g", Min: -maxStoredGrams, Max: maxStoredGrams},
	{Table: "collection_runs", Column: "start_odometer_km", Min: 0, Max: 1e8},
	{Table: "collection_runs", Column: "finish_odometer_km", Min: 0, Max: 1e8},
	{Table: "donors", Column: "latitude", Min: -90, Max: 90},
	{Table: "donors", Column: "longitude", Min: -180, Max: 180},
	{Table: "pickup_requests", Column: "latitude", Min: -90, Max: 90},
	{Table: "pickup_requests", Column: "longitude", Min: -180, Max: 180},
	{Table: "recipients", Column: "latitude", Min: -90, Max: 90},
	{Table: "recipients", Column: "longitude", Min: -180, Max: 180},
}

// CheckRanges lists the stored values outside storedRanges, one aggregate query a
// column.
func (s *Store) CheckRanges(ctx context.Context) ([]RangeProblem, error) {
	var out []RangeProblem
	for _, r := range storedRanges {
		var got struct {
			Rows    int64
			FirstID *int64
		}
		id := r.idColumn
		if id == "" {
			id = "id"
		}
		// The names are constants of this file, never input.
		q := fmt.Sprintf("SELECT COUNT(*) AS rows, MIN(%s) AS first_id FROM %s WHERE %s < ? OR %s > ?", id, r.Table, r.Column, r.Column)
		if err := s.DB(ctx).Raw(q, r.Min, r.Max).Scan(&got).Error; err != nil {
			return nil, fmt.Errorf("check %s.%s: %w", r.Table, r.Column, err)
		}
		if got.Rows > 0 {
			r.Rows, r.FirstID = got.Rows, *got.FirstID
			out = append(out, r)
		}
	}
	return out, nil
}

// Wanted is a category under its minimum stock.
type Wanted struct {
	CategoryID  int64  `json:"category_id"`
	Name        string `json:"name"`
	AvailableKg Kg     `json:"available_kg"`
	MinStockKg  Kg     `json:"min_stock_kg"`
	NeededKg    Kg     `json:"needed_kg"`
}

// WantedList lists the categories whose available stock is under their minimum, most
// needed first.
func (s *Store) WantedList(ctx context.Context) ([]Wanted, error) {
	var rows []struct {
		ID        int64
		Name      string
		MinStockG Grams
		Grams     Grams
	}
	err := s.DB(ctx).Raw(`SELECT c.id, c.name, c.min_stock_g, COALESCE(SUM((i.on_hand_milli - i.reserved_milli) * i.grams_per_unit / 1000), 0) AS grams
		FROM categories c LEFT JOIN stock_items i ON i.category_id = c.id
		GROUP BY c.id, c.name, c.min_stock_g
		HAVING COALESCE(SUM((i.on_hand_milli - i.reserved_milli) * i.grams_per_unit / 1000), 0) < c.min_stock_g`).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]Wanted, len(rows))
	for i, r := range rows {
		out[i] = Wanted{CategoryID: r.ID, Name: r.Name, AvailableKg: r.Grams.Kg(), MinStockKg: r.MinStockG.Kg(),
			NeededKg: (r.MinStockG - r.Grams).Kg()}
	}
	slices.SortFunc(out, func(a, b Wanted) int {
		if a.NeededKg != b.NeededKg {
			if a.NeededKg > b.NeededKg {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out, nil
}

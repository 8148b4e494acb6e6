package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// StocktakeStatus is open while counting, then closed.
type StocktakeStatus string

const (
	StocktakeOpen   StocktakeStatus = "open"
	StocktakeClosed StocktakeStatus = "closed"
)

// Stocktake is a count of the stock on a location or in a category.
type Stocktake struct {
	ID         int64           `json:"id"`
	LocationID *int64          `json:"location_id"`
	CategoryID *int64          `json:"category_id"`
	Status     StocktakeStatus `json:"status"`
	OpenedBy   *int64          `json:"opened_by"`
	OpenedAt   time.Time       `json:"opened_at"`
	ClosedBy   *int64          `json:"closed_by"`
	ClosedAt   *time.Time      `json:"closed_at"`
	Lines      []StocktakeLine `json:"lines"`
}

// StocktakeLine is one item: what the books said when the stocktake opened, what was
// counted, and what the books said at the moment it was counted.
type StocktakeLine struct {
	ID                   int64      `json:"id"`
	StocktakeID          int64      `json:"-"`
	StockItemID          int64      `json:"stock_item_id"`
	CountedAt            *time.Time `json:"counted_at"`
	ExpectedMilli        Milli      `json:"expected"`
	CountedMilli         *Milli     `json:"counted"`
	ExpectedAtCountMilli *Milli     `json:"-"`
	Difference           *Milli     `json:"difference" gorm:"-"` // counted less what the books said then
}

// AfterFind works out the difference of a counted line.
func (l *StocktakeLine) AfterFind(*gorm.DB) error {
	if l.CountedMilli != nil && l.ExpectedAtCountMilli != nil {
		d := *l.CountedMilli - *l.ExpectedAtCountMilli
		l.Difference = &d
	}
	return nil
}

// OpenStocktake starts a count of a location or a category, listing each item in it
// with the quantity the books expect.
func (s *Store) OpenStocktake(ctx context.Context, actor *User, locationID, categoryID *int64) (*Stocktake, error) {
	if (locationID == nil) == (categoryID == nil) {
		return nil, Invalid("location_id", "give a location_id or a category_id (one of them)")
	}
	st := &Stocktake{LocationID: locationID, CategoryID: categoryID, Status: StocktakeOpen, OpenedBy: userID(actor), OpenedAt: s.Now()}
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		q := tx.Model(&StockItem{}).Where("on_hand_milli <> 0")
		if locationID != nil {
			if err := s.activeLocation(tx, *locationID, "location_id"); err != nil {
				return err
			}
			q = q.Where("location_id = ?", *locationID)
		} else {
			var n int64
			if err := tx.Model(&Category{}).Where("id = ?", *categoryID).Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return Invalid("category_id", "no category with id %d", *categoryID)
			}
			q = q.Where("category_id = ?", *categoryID)
		}
		var items []StockItem
		if err := q.Order("id").Find(&items).Error; err != nil {
			return err
		}
		if err := tx.Omit("Lines").Create(st).Error; err != nil {
			return err
		}
		for _, it := range items {
			st.Lines = append(st.Lines, StocktakeLine{StocktakeID: st.ID, StockItemID: it.ID, ExpectedMilli: it.OnHandMilli})
		}
		if len(st.Lines) > 0 {
			if err := tx.CreateInBatches(&st.Lines, 500).Error; err != nil {
				return err
			}
		}
		return s.audit(tx, actor, "open", "stocktake", st.ID, map[string]any{"location_id": locationID, "category_id": categoryID, "items": len(items)})
	})
	if err != nil {
		return nil, err
	}
	return s.Stocktake(ctx, st.ID)
}

// Stocktake fetches a stocktake with its lines.
func (s *Store) Stocktake(ctx context.Context, id int64) (*Stocktake, error) {
	var st Stocktake
	if err := s.DB(ctx).Preload("Lines", func(db *gorm.DB) *gorm.DB { return db.Order("id") }).First(&st, id).Error; err != nil {
		return nil, notFound(err, "stocktake", id)
	}
	return &st, nil
}

// ListStocktakes pages through stocktakes, newest first.
func (s *Store) ListStocktakes(ctx context.Context, page Page) ([]Stocktake, string, error) {
	return Paginate[Stocktake](s.DB(ctx).Model(&Stocktake{}), page, KeyIDDesc, func(st Stocktake) Key { return Key{ID: st.ID} })
}

// Count is a counted quantity of an item.
type Count struct {
	StockItemID int64   `json:"stock_item_id"`
	Counted     float64 `json:"counted"`
}

// RecordCounts records counts on an open stocktake; an item found that was not listed
// is added. Each count keeps what the books said at that moment, so that stock received
// or issued while the stocktake is open does not show as a difference.
func (s *Store) RecordCounts(ctx context.Context, actor *User, id int64, counts []Count) (*Stocktake, error) {
	var p Problems
	if len(counts) == 0 || len(counts) > 1000 {
		p.Add("lines", "must have 1 to 1000 counts")
	}
	for i, c := range counts {
		if c.StockItemID <= 0 {
			p.Add(fmt.Sprintf("lines[%d].stock_item_id", i), "is required")
		}
		if c.Counted < 0 || c.Counted > 1_000_000 {
			p.Add(fmt.Sprintf("lines[%d].counted", i), "must be between 0 and 1000000")
		}
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		var st Stocktake
		if err := tx.First(&st, id).Error; err != nil {
			return notFound(err, "stocktake", id)
		}
		if st.Status != StocktakeOpen {
			return Conflict("stocktake %d is closed", id)
		}
		now := s.Now()
		for i, c := range counts {
			var it StockItem
			if err := tx.First(&it, c.StockItemID).Error; err != nil {
				if errors.Is(err, gorm.ErrRecordNotFound) {
					return Invalid(fmt.Sprintf("lines[%d].stock_item_id", i), "no stock item with id %d", c.StockItemID)
				}
				return err
			}
			if (st.LocationID != nil && it.LocationID != *st.LocationID) || (st.CategoryID != nil && it.CategoryID != *st.CategoryID) {
				return Invalid(fmt.Sprintf("lines[%d].stock_item_id", i), "stock item %d is not in this stocktake's location or category", it.ID)
			}
			counted := MilliFromQuantity(c.Counted)
			var line StocktakeLine
			err := tx.Where("stocktake_id = ? AND stock_item_id = ?", id, it.ID).Take(&line).Error
			switch {
			case errors.Is(err, gorm.ErrRecordNotFound):
				line = StocktakeLine{StocktakeID: id, StockItemID: it.ID, ExpectedMilli: 0}
			case err != nil:
				return err
			}
			line.CountedMilli, line.ExpectedAtCountMilli, line.CountedAt = &counted, &it.OnHandMilli, &now
			if err := tx.Save(&line).Error; err != nil {
				return err
			}
		}
		return s.audit(tx, actor, "count", "stocktake", id, map[string]any{"counts": counts})
	})
	if err != nil {
		return nil, err
	}
	return s.Stocktake(ctx, id)
}

// CloseStocktake turns every difference into an "adjusted" movement with reason
// stocktake, in one transaction. The close itself is a conditional update, so two closes
// at once cannot both book the differences.
func (s *Store) CloseStocktake(ctx context.Context, actor *User, id int64) (*Stocktake, error) {
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		var st Stocktake
		if err := tx.Preload("Lines").First(&st, id).Error; err != nil {
			return notFound(err, "stocktake", id)
		}
		res := tx.Model(&Stocktake{}).Where("id = ? AND status = ?", id, StocktakeOpen).
			Updates(map[string]any{"status": StocktakeClosed, "closed_at": s.Now(), "closed_by": userID(actor)})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return Conflict("stocktake %d is closed already", id)
		}
		adjusted := 0
		for _, l := range st.Lines {
			if l.CountedMilli == nil {
				continue
			}
			delta := *l.CountedMilli - *l.ExpectedAtCountMilli
			if delta == 0 {
				continue
			}
			m := &Movement{StockItemID: l.StockItemID, Kind: MoveAdjusted, QuantityMilli: delta, Reason: "stocktake", UserID: userID(actor),
				CauseType: "stocktake", CauseID: &st.ID}
			if err := s.applyCounted(tx, m, delta); err != nil {
				var se *ShortError
				if errors.As(err, &se) {
					return Conflict("the count of stock item %d would leave less than is reserved (%s): release reservations first", l.StockItemID, se.Constraint)
				}
				return err
			}
			adjusted++
		}
		return s.audit(tx, actor, "close", "stocktake", id, map[string]any{"adjusted": adjusted})
	})
	if err != nil {
		return nil, err
	}
	return s.Stocktake(ctx, id)
}

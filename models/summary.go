package models

import (
	"context"
	"time"
)

// CategoryKg is a weight of one category.
type CategoryKg struct {
	CategoryID int64  `json:"category_id"`
	Name       string `json:"name"`
	Kg         Kg     `json:"kg"`
}

// YearTaken is what a group took in a calendar year.
type YearTaken struct {
	Year       int          `json:"year"`
	Visits     int64        `json:"visits"`
	Kg         Kg           `json:"kg"`
	ByCategory []CategoryKg `json:"by_category"`
}

// OrganisationSummary is a group's history with the store.
type OrganisationSummary struct {
	OrganisationID int64            `json:"organisation_id"`
	Visits         int64            `json:"visits"`
	ThisYear       YearTaken        `json:"this_year"`
	LastYear       YearTaken        `json:"last_year"`
	ByStatus       map[string]int64 `json:"reservations_by_status"`
}

// OrganisationSummary adds up a group's visits, what it took this year and last by
// category, and its reservations by status, with three aggregate queries.
func (s *Store) OrganisationSummary(ctx context.Context, actor *User, id int64, today Date, loc *time.Location) (*OrganisationSummary, error) {
	if _, err := s.Organisation(ctx, actor, id); err != nil {
		return nil, err
	}
	out := &OrganisationSummary{OrganisationID: id, ByStatus: map[string]int64{}}
	var byStatus []struct {
		Status string
		N      int64
	}
	if err := s.DB(ctx).Model(&Reservation{}).Select("status, COUNT(*) AS n").Where("organisation_id = ?", id).Group("status").Scan(&byStatus).
		Error; err != nil {
		return nil, err
	}
	for _, b := range byStatus {
		out.ByStatus[b.Status] = b.N
	}
	out.Visits = out.ByStatus[StatusCollected]
	thisStart := Date{time.Date(today.Year(), 1, 1, 0, 0, 0, 0, time.UTC)}
	years := []*YearTaken{{Year: today.Year() - 1}, {Year: today.Year()}}
	bounds := []time.Time{Date{thisStart.AddDate(-1, 0, 0)}.Start(loc).UTC(), thisStart.Start(loc).UTC(),
		Date{thisStart.AddDate(1, 0, 0)}.Start(loc).UTC()}
	for i, y := range years {
		var rows []struct {
			CategoryID int64
			Name       string
			Grams      Grams
		}
		err := s.DB(ctx).Table("reservation_lines l").
			Select("c.id AS category_id, c.name, SUM(l.collected_milli * l.grams_per_unit / 1000) AS grams").
			Joins("JOIN reservations r ON r.id = l.reservation_id").
			Joins("JOIN stock_items i ON i.id = l.stock_item_id").
			Joins("JOIN categories c ON c.id = i.category_id").
			Where("r.organisation_id = ? AND r.status = ? AND r.collected_at >= ? AND r.collected_at < ?", id, StatusCollected, bounds[i], bounds[i+1]).
			Group("c.id, c.name").Order("c.name").Scan(&rows).Error
		if err != nil {
			return nil, err
		}
		var grams Grams
		y.ByCategory = []CategoryKg{}
		for _, r := range rows {
			y.ByCategory = append(y.ByCategory, CategoryKg{CategoryID: r.CategoryID, Name: r.Name, Kg: r.Grams.Kg()})
			grams += r.Grams
		}
		y.Kg = grams.Kg()
		if err := s.DB(ctx).Model(&Reservation{}).
			Where("organisation_id = ? AND status = ? AND collected_at >= ? AND collected_at < ?", id, StatusCollected, bounds[i], bounds[i+1]).
			Count(&y.Visits).Error; err != nil {
			return nil, err
		}
	}
	out.LastYear, out.ThisYear = *years[0], *years[1]
	return out, nil
}

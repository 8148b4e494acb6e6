package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// The ledger totals (table ledger_totals) are the weights that came in and went out,
// added up by UTC hour, category and direction, and donation_totals the donations by
// the hour. Every write that changes what the
// figures add up from (a donation received or voided, a reservation collected) changes
// them in its own transaction, so that the dashboard reads a few thousand totals where
// the funders' report adds up every row; both give the same figures.

// utcHourLayout is how a UTC hour is written in the totals, and by hourOf.
const utcHourLayout = "2006-01-02 15"

const (
	directionIn  = "in"
	directionOut = "out"
)

// addTotals adds sign times the rows of from, a query of (hour, category_id, g) with
// one row per line, to the totals of a direction.
func (s *Store) addTotals(tx *gorm.DB, direction string, sign int64, from string, args ...any) error {
	sql := `INSERT INTO ledger_totals (utc_hour, category_id, direction, lines, grams)
		SELECT hour, category_id, '` + direction + `', ? * COUNT(*), ? * SUM(g) FROM (` + from + `) x WHERE true
		GROUP BY hour, category_id ORDER BY hour, category_id
		ON CONFLICT (utc_hour, category_id, direction) DO UPDATE SET lines = ledger_totals.lines + excluded.lines,
			grams = ledger_totals.grams + excluded.grams`
	return tx.Exec(sql, append([]any{sign, sign}, args...)...).Error
}

// countReceived adds the donations that match where, and their lines (sign 1), or takes
// them away when they are voided (sign -1).
func (s *Store) countReceived(tx *gorm.DB, sign int64, where string, args ...any) error {
	hour := s.hourOf("d.received_at")
	err := s.addTotals(tx, directionIn, sign, `SELECT `+hour+` AS hour, l.category_id, l.weight_g AS g
		FROM donation_lines l JOIN donations d ON d.id = l.donation_id WHERE `+where, args...)
	if err != nil {
		return err
	}
	return tx.Exec(`INSERT INTO donation_totals (utc_hour, donations)
		SELECT `+hour+`, ? * COUNT(*) FROM donations d WHERE `+where+` GROUP BY 1 ORDER BY 1
		ON CONFLICT (utc_hour) DO UPDATE SET donations = donation_totals.donations + excluded.donations`, append([]any{sign}, args...)...).Error
}

// countIssued adds what was taken on the collected reservations that match where.
func (s *Store) countIssued(tx *gorm.DB, where string, args ...any) error {
	return s.addTotals(tx, directionOut, 1, `SELECT `+s.hourOf("r.collected_at")+` AS hour, i.category_id, l.collected_milli * l.grams_per_unit / 1000 AS g
		FROM reservation_lines l JOIN reservations r ON r.id = l.reservation_id JOIN stock_items i ON i.id = l.stock_item_id
		WHERE l.collected_milli IS NOT NULL AND `+where, args...)
}

// refillTotals counts the totals again from every row, for rows written in bulk.
func (s *Store) refillTotals(tx *gorm.DB) error {
	for _, table := range []string{"ledger_totals", "donation_totals"} {
		if err := tx.Exec("DELETE FROM " + table).Error; err != nil {
			return err
		}
	}
	if err := s.countReceived(tx, 1, "d.voided_at IS NULL"); err != nil {
		return err
	}
	return s.countIssued(tx, "r.status = ?", StatusCollected)
}

// totalsQuery reads the totals of a direction over a span of UTC hours as facts of a kind.
func (s *Store) totalsQuery(kind, direction string, hours []any) figureQuery {
	return figureQuery{kind, `SELECT utc_hour AS bucket, category_id AS key, '' AS name, '' AS sub, lines AS n, grams AS g
		FROM ledger_totals WHERE direction = '` + direction + `' AND utc_hour >= ? AND utc_hour < ? AND lines <> 0`, hours}
}

// DashboardFigures are the figures of the month to a day, those of the month before,
// and the weights in and out of the 12 months to the day: the same, to the gram, as
// ComputeFigures gives for the month to that day (its Months[11] and Trend).
type DashboardFigures struct {
	This, Last *Figures
	Trend      []TrendPoint
}

// Dashboard adds up the figures of the month to today, and of the month before, from the
// ledger totals where the report adds up every donation and reservation line; and the
// weights of the year by month in one aggregate of the totals.
func (s *Store) Dashboard(ctx context.Context, today Date, loc *time.Location) (*DashboardFigures, error) {
	first := Date{time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)}
	before := Date{first.AddDate(0, -1, 0)}
	src, err := s.figureSource(ctx, Period{before, today}, loc, true)
	if err != nil {
		return nil, err
	}
	out := &DashboardFigures{This: src.sum(Period{first, today}), Last: src.sum(Period{before, first.AddDays(-1)})}
	// The months' bounds as UTC hours: an hour is in the month that its start, in the
	// store's time, falls in.
	months := make([]Date, 12)
	bounds := make([]any, 13)
	for i := range months {
		months[i] = Date{first.AddDate(0, i-11, 0)}
		bounds[i] = months[i].Start(loc).UTC().Format(utcHourLayout)
	}
	bounds[12] = today.AddDays(1).Start(loc).UTC().Format(utcHourLayout)
	month := "CASE"
	for i := 1; i < 12; i++ {
		month += fmt.Sprintf(" WHEN utc_hour < ? THEN %d", i-1)
	}
	month += " ELSE 11 END"
	var rows []struct {
		Direction string
		Month     int
		Grams     int64
	}
	err = s.DB(ctx).Raw(`SELECT direction, `+month+` AS month, CAST(SUM(grams) AS BIGINT) AS grams FROM ledger_totals
		WHERE utc_hour >= ? AND utc_hour < ? GROUP BY 1, 2`, append(bounds[1:12], bounds[0], bounds[12])...).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("dashboard trend: %w", err)
	}
	out.Trend = make([]TrendPoint, 12)
	for i, m := range months {
		out.Trend[i].Month = m.Format("2006-01")
	}
	for _, r := range rows {
		if r.Direction == directionIn {
			out.Trend[r.Month].KgIn = KgFromGrams(r.Grams)
		} else {
			out.Trend[r.Month].KgOut = KgFromGrams(r.Grams)
		}
	}
	return out, nil
}

package models

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// The ledger totals (table ledger_totals) are the weights that came in and went out,
// added up by UTC hour, category and direction. Every write that changes what the
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

// countReceived adds the lines of the donations that match where (sign 1), or takes
// them away when they are voided (sign -1).
func (s *Store) countReceived(tx *gorm.DB, sign int64, where string, args ...any) error {
	return s.addTotals(tx, directionIn, sign, `SELECT `+s.hourOf("d.received_at")+` AS hour, l.category_id, l.weight_g AS g
		FROM donation_lines l JOIN donations d ON d.id = l.donation_id WHERE `+where, args...)
}

// countIssued adds what was taken on the collected reservations that match where.
func (s *Store) countIssued(tx *gorm.DB, where string, args ...any) error {
	return s.addTotals(tx, directionOut, 1, `SELECT `+s.hourOf("r.collected_at")+` AS hour, i.category_id, l.collected_milli * l.grams_per_unit / 1000 AS g
		FROM reservation_lines l JOIN reservations r ON r.id = l.reservation_id JOIN stock_items i ON i.id = l.stock_item_id
		WHERE l.collected_milli IS NOT NULL AND `+where, args...)
}

// refillTotals counts the totals again from every row, for rows written in bulk.
func (s *Store) refillTotals(tx *gorm.DB) error {
	if err := tx.Exec("DELETE FROM ledger_totals").Error; err != nil {
		return err
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

// QuickFigures are ComputeFigures' figures, the same to the gram, added up from the
// ledger totals instead of every donation and reservation line: what a page shown
// often (the managers' dashboard) asks for.
func (s *Store) QuickFigures(ctx context.Context, p Period, loc *time.Location) (*Figures, error) {
	return s.computeFigures(ctx, p, loc, true)
}

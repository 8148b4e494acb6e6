package models

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
)

// The ledger totals (table ledger_totals) are the weights that came in and went out,
// added up by UTC hour, category and direction, and donation_totals the donations by
// the hour. Every write that changes what the figures add up from (a donation received
// or voided, a reservation collected) changes them in its own transaction, so that the
// dashboard reads a few thousand totals where the funders' report adds up every row;
// both give the same figures, and CheckTotals says where they would not.

// utcHourLayout is how a UTC hour is written in the totals, and by hourOf.
const utcHourLayout = "2006-01-02 15"

const (
	directionIn  = "in"
	directionOut = "out"
)

// receivedLines is a query of the lines of the donations that match where: (hour,
// category_id, g), a row a line.
func (s *Store) receivedLines(where string) string {
	return `SELECT ` + s.hourOf("d.received_at") + ` AS hour, l.category_id, l.weight_g AS g
		FROM donation_lines l JOIN donations d ON d.id = l.donation_id WHERE ` + where
}

// issuedLines is a query of what was taken on the reservations that match where.
func (s *Store) issuedLines(where string) string {
	return `SELECT ` + s.hourOf("r.collected_at") + ` AS hour, i.category_id, l.collected_milli * l.grams_per_unit / 1000 AS g
		FROM reservation_lines l JOIN reservations r ON r.id = l.reservation_id JOIN stock_items i ON i.id = l.stock_item_id
		WHERE l.collected_milli IS NOT NULL AND ` + where
}

// donationHours is a query of the donations that match where by the hour: (hour, n).
func (s *Store) donationHours(where string) string {
	return `SELECT ` + s.hourOf("d.received_at") + ` AS hour, COUNT(*) AS n FROM donations d WHERE ` + where + ` GROUP BY 1`
}

// addTotals adds sign times the lines of a query of receivedLines' shape to the totals
// of a direction.
func addTotals(tx *gorm.DB, direction string, sign int64, lines string, args ...any) error {
	sql := `INSERT INTO ledger_totals (utc_hour, category_id, direction, lines, grams)
		SELECT hour, category_id, '` + direction + `', ? * COUNT(*), ? * SUM(g) FROM (` + lines + `) x WHERE true
		GROUP BY hour, category_id ORDER BY hour, category_id
		ON CONFLICT (utc_hour, category_id, direction) DO UPDATE SET lines = ledger_totals.lines + excluded.lines,
			grams = ledger_totals.grams + excluded.grams`
	return tx.Exec(sql, append([]any{sign, sign}, args...)...).Error
}

// countReceived adds the donations that match where, and their lines (sign 1), or takes
// them away when they are voided (sign -1).
func (s *Store) countReceived(tx *gorm.DB, sign int64, where string, args ...any) error {
	if err := addTotals(tx, directionIn, sign, s.receivedLines(where), args...); err != nil {
		return err
	}
	return tx.Exec(`INSERT INTO donation_totals (utc_hour, donations)
		SELECT hour, ? * n FROM (`+s.donationHours(where)+`) x WHERE true ORDER BY hour
		ON CONFLICT (utc_hour) DO UPDATE SET donations = donation_totals.donations + excluded.donations`, append([]any{sign}, args...)...).Error
}

// countIssued adds what was taken on the collected reservations that match where.
func (s *Store) countIssued(tx *gorm.DB, where string, args ...any) error {
	return addTotals(tx, directionOut, 1, s.issuedLines(where), args...)
}

// Which rows the totals add up: donations not voided, reservations collected.
const (
	keptDonations        = "d.voided_at IS NULL"
	collectedReservation = "r.status = 'collected'"
)

// RefillTotals counts the totals again from every row: for rows written in bulk, around
// the Store's methods (the demo data).
func (s *Store) RefillTotals(ctx context.Context) error {
	return s.InTx(ctx, func(tx *gorm.DB) error {
		for _, table := range []string{"ledger_totals", "donation_totals"} {
			if err := tx.Exec("DELETE FROM " + table).Error; err != nil {
				return err
			}
		}
		if err := s.countReceived(tx, 1, keptDonations); err != nil {
			return err
		}
		return s.countIssued(tx, collectedReservation)
	})
}

// TotalsProblem is a total that disagrees with the rows it adds up: the lines and grams
// of an hour, category and direction, or (direction "donations", category 0) the
// donations of an hour.
type TotalsProblem struct {
	UTCHour              string
	CategoryID           int64
	Direction            string
	Lines, Grams         int64 // as kept
	RowsLines, RowsGrams int64 // as the rows add up
}

// CheckTotals adds up the rows again and lists the totals that disagree with them.
func (s *Store) CheckTotals(ctx context.Context) ([]TotalsProblem, error) {
	type row struct {
		Hour       string
		CategoryID int64
		Direction  string
		N, G       int64
	}
	type key struct {
		hour string
		cat  int64
		dir  string
	}
	sums := map[key]*TotalsProblem{}
	add := func(sql string, rows bool) error {
		var list []row
		if err := s.DB(ctx).Raw(sql).Scan(&list).Error; err != nil {
			return fmt.Errorf("check totals: %w", err)
		}
		for _, r := range list {
			k := key{r.Hour, r.CategoryID, r.Direction}
			p := sums[k]
			if p == nil {
				p = &TotalsProblem{UTCHour: r.Hour, CategoryID: r.CategoryID, Direction: r.Direction}
				sums[k] = p
			}
			if rows {
				p.RowsLines, p.RowsGrams = r.N, r.G
			} else {
				p.Lines, p.Grams = r.N, r.G
			}
		}
		return nil
	}
	byCategory := func(direction, lines string) string {
		return `SELECT hour, category_id, '` + direction + `' AS direction, COUNT(*) AS n, CAST(SUM(g) AS BIGINT) AS g FROM (` + lines +
			`) x GROUP BY 1, 2`
	}
	if err := add(`SELECT utc_hour AS hour, category_id, direction, lines AS n, grams AS g FROM ledger_totals
		UNION ALL SELECT utc_hour, 0, 'donations', donations, 0 FROM donation_totals`, false); err != nil {
		return nil, err
	}
	if err := add(byCategory(directionIn, s.receivedLines(keptDonations))+` UNION ALL `+byCategory(directionOut, s.issuedLines(collectedReservation))+
		` UNION ALL SELECT hour, 0, 'donations', n, 0 FROM (`+s.donationHours(keptDonations)+`) x`, true); err != nil {
		return nil, err
	}
	var out []TotalsProblem
	for _, p := range sums {
		if p.Lines != p.RowsLines || p.Grams != p.RowsGrams {
			out = append(out, *p)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		return a.UTCHour < b.UTCHour || a.UTCHour == b.UTCHour && (a.Direction < b.Direction || a.Direction == b.Direction && a.CategoryID < b.CategoryID)
	})
	return out, nil
}

// totalsQuery reads the totals of a direction over a span of UTC hours as facts of a kind.
func totalsQuery(kind, direction string, hours []any) figureQuery {
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
	// A sum of each month and direction, each over a range of the index, reads the
	// year's totals without sorting them.
	var sums []string
	var args []any
	for _, dir := range []string{directionIn, directionOut} {
		for i := range months {
			sums = append(sums, fmt.Sprintf(`SELECT '%s' AS direction, %d AS month, CAST(COALESCE(SUM(grams), 0) AS BIGINT) AS grams
				FROM ledger_totals WHERE direction = ? AND utc_hour >= ? AND utc_hour < ?`, dir, i))
			args = append(args, dir, bounds[i], bounds[i+1])
		}
	}
	var rows []struct {
		Direction string
		Month     int
		Grams     Grams
	}
	if err := s.DB(ctx).Raw(strings.Join(sums, " UNION ALL "), args...).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("dashboard trend: %w", err)
	}
	out.Trend = make([]TrendPoint, 12)
	for i, m := range months {
		out.Trend[i].Month = m.Format("2006-01")
	}
	for _, r := range rows {
		if r.Direction == directionIn {
			out.Trend[r.Month].KgIn = r.Grams.Kg()
		} else {
			out.Trend[r.Month].KgOut = r.Grams.Kg()
		}
	}
	return out, nil
}

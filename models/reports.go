package models

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Report is one making of a funder report, with its PDF under the data directory. A
// period's report can be made again (after a donation is back-dated into it, say): each
// making is a new version kept beside the earlier ones.
type Report struct {
	ID         int64     `json:"id"`
	PeriodFrom Date      `json:"from"`
	PeriodTo   Date      `json:"to"`
	Version    int64     `json:"version"`
	Month      *string   `json:"month"`
	MadeBy     *int64    `json:"made_by"`
	MadeAt     time.Time `json:"made_at"`
	PDFBytes   int64     `json:"pdf_bytes"`
	// Figures are the period's figures as printed, as JSON.
	Figures string `json:"-"`
	// FiguresChanged says whether the period's figures today differ from those printed;
	// null for reports kept before their figures were.
	FiguresChanged *bool `json:"figures_changed" gorm:"-"`
}

// ReportPath is where a kept report's PDF is.
func ReportPath(dataDir string, id int64) string {
	return filepath.Join(dataDir, "reports", fmt.Sprintf("%d.pdf", id))
}

// KeepReport records a report of figures f and writes its PDF, in one transaction, as the
// next version of its period's report. Only a period that has ended can be kept: a
// report of days still to come would print figures that are bound to change.
func (s *Store) KeepReport(ctx context.Context, actor *User, f *Figures, month *string, pdf []byte, dataDir string,
	loc *time.Location) (*Report, error) {
	p := f.Period
	if today := NewDate(s.Now().In(loc)); !p.To.Before(today.Time) {
		field := "to"
		if month != nil {
			field = "month"
		}
		return nil, Invalid(field, "the period has not ended: a report can cover days up to yesterday, %s", today.AddDays(-1))
	}
	printed, err := f.printed()
	if err != nil {
		return nil, err
	}
	r := &Report{PeriodFrom: p.From, PeriodTo: p.To, Month: month, MadeBy: userID(actor), MadeAt: s.Now(), PDFBytes: int64(len(pdf)), Figures: printed}
	err = s.InTx(ctx, func(tx *gorm.DB) error {
		if err := tx.Model(&Report{}).Select("COALESCE(MAX(version), 0) + 1").Where("period_from = ? AND period_to = ?", p.From, p.To).Scan(&r.Version).
			Error; err != nil {
			return err
		}
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(r)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return Conflict("version %d of the report for %s to %s was being made at the same moment: "+
				"look at the list, or make it again", r.Version, p.From, p.To)
		}
		path := ReportPath(dataDir, r.ID)
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return err
		}
		if err := os.WriteFile(path+".tmp", pdf, 0o640); err != nil {
			return err
		}
		if err := os.Rename(path+".tmp", path); err != nil {
			return err
		}
		return s.audit(tx, actor, "create", "report", r.ID, map[string]any{"from": p.From, "to": p.To, "month": month, "version": r.Version})
	})
	if err != nil {
		return nil, err
	}
	changed := false
	r.FiguresChanged = &changed
	return r, nil
}

// printed is the JSON of the figures a report prints for its own period, to compare
// with the same figures computed later.
func (f *Figures) printed() (string, error) {
	own := *f
	own.Months, own.Trend, own.Queries = nil, nil, 0
	b, err := json.Marshal(own)
	return string(b), err
}

// HasMonthReport reports whether a month's report was kept.
func (s *Store) HasMonthReport(ctx context.Context, month string) (bool, error) {
	var n int64
	err := s.DB(ctx).Model(&Report{}).Where("month = ?", month).Count(&n).Error
	return n > 0, err
}

// ListReports pages through kept reports, newest first, each marked with whether its
// figures have changed since it was made. The figures of the whole page come from one
// set of aggregates over the days its reports cover.
func (s *Store) ListReports(ctx context.Context, page Page, loc *time.Location) ([]Report, string, error) {
	list, next, err := Paginate[Report](s.DB(ctx).Model(&Report{}), page, KeyIDDesc, func(r Report) Key { return Key{ID: r.ID} })
	if err != nil {
		return nil, "", err
	}
	var span *Period
	for _, r := range list {
		switch {
		case r.Figures == "":
		case span == nil:
			span = &Period{r.PeriodFrom, r.PeriodTo}
		default:
			if r.PeriodFrom.Before(span.From.Time) {
				span.From = r.PeriodFrom
			}
			if r.PeriodTo.After(span.To.Time) {
				span.To = r.PeriodTo
			}
		}
	}
	if span == nil {
		return list, next, nil
	}
	src, err := s.figureSource(ctx, *span, loc, false)
	if err != nil {
		return nil, "", err
	}
	for i, r := range list {
		if r.Figures == "" {
			continue
		}
		now, err := src.sum(Period{r.PeriodFrom, r.PeriodTo}).printed()
		if err != nil {
			return nil, "", err
		}
		changed := now != r.Figures
		list[i].FiguresChanged = &changed
	}
	return list, next, nil
}

// GetReport fetches a kept report.
func (s *Store) GetReport(ctx context.Context, id int64) (*Report, error) {
	var r Report
	if err := s.DB(ctx).First(&r, id).Error; err != nil {
		return nil, notFound(err, "report", id)
	}
	return &r, nil
}

package models

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Report is a funder report that was made and kept, with its PDF under the data directory.
type Report struct {
	ID         int64     `json:"id"`
	PeriodFrom Date      `json:"from"`
	PeriodTo   Date      `json:"to"`
	Month      *string   `json:"month"`
	MadeBy     *int64    `json:"made_by"`
	MadeAt     time.Time `json:"made_at"`
	PDFBytes   int64     `json:"pdf_bytes"`
}

// ReportPath is where a kept report's PDF is.
func ReportPath(dataDir string, id int64) string {
	return filepath.Join(dataDir, "reports", fmt.Sprintf("%d.pdf", id))
}

// KeepReport records a report and writes its PDF, in one transaction. A month's report
// is kept once: asking again is a conflict.
func (s *Store) KeepReport(ctx context.Context, actor *User, p Period, month *string, pdf []byte, dataDir string) (*Report, error) {
	r := &Report{PeriodFrom: p.From, PeriodTo: p.To, Month: month, MadeBy: userID(actor), MadeAt: s.Now(), PDFBytes: int64(len(pdf))}
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(r)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return Conflict("the report for %s was made already", *month)
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
		return s.audit(tx, actor, "create", "report", r.ID, map[string]any{"from": p.From, "to": p.To, "month": month})
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// HasMonthReport reports whether a month's report was kept.
func (s *Store) HasMonthReport(ctx context.Context, month string) (bool, error) {
	var n int64
	err := s.DB(ctx).Model(&Report{}).Where("month = ?", month).Count(&n).Error
	return n > 0, err
}

// ListReports pages through kept reports, newest first.
func (s *Store) ListReports(ctx context.Context, page Page) ([]Report, string, error) {
	return Paginate[Report](s.DB(ctx).Model(&Report{}), page, KeyIDDesc, func(r Report) Key { return Key{ID: r.ID} })
}

// GetReport fetches a kept report.
func (s *Store) GetReport(ctx context.Context, id int64) (*Report, error) {
	var r Report
	if err := s.DB(ctx).First(&r, id).Error; err != nil {
		return nil, notFound(err, "report", id)
	}
	return &r, nil
}

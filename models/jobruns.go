package models

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// JobRun records one run of a scheduled job.
type JobRun struct {
	ID  int64  `json:"id"`
	Job string `json:"job"`
	// ScheduledFor is the time the schedule called for this run; nil for a run asked
	// for by hand. It is unique per job, so that of several processes sharing the
	// database only one makes each scheduled run.
	ScheduledFor *time.Time `json:"scheduled_for"`
	StartedAt    time.Time  `json:"started_at"`
	FinishedAt   *time.Time `json:"finished_at"`
	OK           bool       `json:"ok" gorm:"column:ok"`
	Error        string     `json:"error"`
	Summary      string     `json:"summary"`
}

// StartJobRun records that a job has started. A scheduled run (scheduledFor not nil)
// is claimed: when a process sharing the database has already started the run for that
// time, started is false and nothing is recorded.
func (s *Store) StartJobRun(ctx context.Context, job string, scheduledFor *time.Time) (r *JobRun, started bool, err error) {
	r = &JobRun{Job: job, StartedAt: s.Now()}
	if scheduledFor != nil {
		at := scheduledFor.UTC()
		r.ScheduledFor = &at
	}
	err = s.writeAlone(ctx, func(db *gorm.DB) error {
		res := db.Clauses(clause.OnConflict{DoNothing: true}).Create(r)
		started = res.RowsAffected == 1
		return res.Error
	})
	return r, started, err
}

// FinishJobRun records how a run ended.
func (s *Store) FinishJobRun(ctx context.Context, r *JobRun, summary string, runErr error) error {
	now := s.Now()
	r.FinishedAt, r.OK, r.Summary = &now, runErr == nil, summary
	if runErr != nil {
		r.Error = runErr.Error()
	}
	return s.writeAlone(ctx, func(db *gorm.DB) error { return db.Save(r).Error })
}

// LastJobRuns gives the latest run of each job that has run.
func (s *Store) LastJobRuns(ctx context.Context) (map[string]JobRun, error) {
	var runs []JobRun
	err := s.DB(ctx).Where("id IN (?)", s.DB(ctx).Model(&JobRun{}).Select("MAX(id)").Group("job")).Find(&runs).Error
	out := make(map[string]JobRun, len(runs))
	for _, r := range runs {
		out[r.Job] = r
	}
	return out, err
}

// JobRuns pages through a job's runs, newest first.
func (s *Store) JobRuns(ctx context.Context, job string, page Page) ([]JobRun, string, error) {
	q := s.DB(ctx).Model(&JobRun{}).Where("job = ?", job)
	return Paginate[JobRun](q, page, KeyIDDesc, func(r JobRun) Key { return Key{ID: r.ID} })
}

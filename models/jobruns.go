package models

import (
	"context"
	"time"
)

// JobRun records one run of a scheduled job.
type JobRun struct {
	ID         int64      `json:"id"`
	Job        string     `json:"job"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"`
	OK         bool       `json:"ok" gorm:"column:ok"`
	Error      string     `json:"error"`
	Summary    string     `json:"summary"`
}

// StartJobRun records that a job has started.
func (s *Store) StartJobRun(ctx context.Context, job string) (*JobRun, error) {
	r := &JobRun{Job: job, StartedAt: s.Now()}
	return r, s.DB(ctx).Create(r).Error
}

// FinishJobRun records how a run ended.
func (s *Store) FinishJobRun(ctx context.Context, r *JobRun, summary string, runErr error) error {
	now := s.Now()
	r.FinishedAt, r.OK, r.Summary = &now, runErr == nil, summary
	if runErr != nil {
		r.Error = runErr.Error()
	}
	return s.DB(ctx).Save(r).Error
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

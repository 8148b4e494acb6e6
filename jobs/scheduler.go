// Package jobs holds Scrapstore's scheduled jobs, each a plain function of the store and
// the time, and the scheduler that runs them with cron in the store's time zone.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sort"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/robfig/cron/v3"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/reports"
)

// Func is a job: it does its work and says in a line what it did.
type Func func(ctx context.Context, store *models.Store, now time.Time) (summary string, err error)

// Job is a named, scheduled Func.
type Job struct {
	Name        string
	Schedule    string // cron spec, in the store's time zone
	Description string
	Run         Func
}

// Info describes a job for the API.
type Info struct {
	Name        string         `json:"name"`
	Schedule    string         `json:"schedule"`
	Description string         `json:"description"`
	LastRun     *models.JobRun `json:"last_run"`
	NextRun     *time.Time     `json:"next_run"`
}

// Settings are what the jobs need from the service's configuration.
type Settings struct {
	Location         *time.Location
	ReservationGrace time.Duration
	Send             models.Sender // nil when no mail server is configured
	DataDir          string
	StoreName        string // at the head of the reports
	Planning         models.PlanSettings
	PlanSchedule     string // when the nightly planning runs; default 17:00 on working days
}

// Defaults lists every job with its schedule. This is the one place a reader finds what
// runs when.
func Defaults(set Settings) []Job {
	if set.PlanSchedule == "" {
		set.PlanSchedule = "0 17 * * 1-5"
	}
	return []Job{
		{Name: "plan-next-day", Schedule: set.PlanSchedule, Run: PlanNextDay(set.Planning),
			Description: "Plan the next working day's collection runs (never replacing runs that exist)"},
		{Name: "cleanup", Schedule: "17 3 * * *", Run: Cleanup,
			Description: "Delete expired tokens, old login failures and idempotency records older than a day"},
		{Name: "expire-reservations", Schedule: "5 * * * *", Run: ExpireReservations(set.ReservationGrace),
			Description: "Expire reservations not collected by the end of their slot plus the grace period, releasing their stock"},
		{Name: "reminders", Schedule: "0 9 * * *", Run: QueueReminders(set.Location),
			Description: "Write a reminder into the outbox for each reservation to be collected tomorrow"},
		{Name: "monthly-report", Schedule: "0 6-23 1-3 * *",
			Run:         MonthlyReport(reports.Setup{StoreName: set.StoreName, DataDir: set.DataDir, Location: set.Location}),
			Description: "Make last month's funder report (from 06:00 on the 1st; hourly until it exists, so a failure is retried)"},
		{Name: "send-outbox", Schedule: "*/10 * * * *", Run: SendOutbox(set.Send),
			Description: "Send waiting messages by email when SCRAPSTORE_SMTP_URL is set, retrying failures"},
	}
}

// ErrJobBusy is a run refused because the job is already running, here or in another
// process sharing the database.
var ErrJobBusy = errors.New("the job is already running")

// Scheduler runs jobs on their schedules; a job still running is skipped, a panic is
// recovered and recorded, and every run is recorded in job_runs.
type Scheduler struct {
	store   *models.Store
	log     *slog.Logger
	now     func() time.Time
	cron    *cron.Cron
	entries map[string]*entry
	runs    *prometheus.CounterVec
	ctx     context.Context
	cancel  context.CancelFunc
}

type entry struct {
	job     Job
	id      cron.EntryID
	running sync.Mutex
}

// New builds a scheduler for jobs in the time zone loc. reg receives its metrics.
func New(store *models.Store, logger *slog.Logger, loc *time.Location, now func() time.Time,
	reg prometheus.Registerer, jobs []Job) (*Scheduler, error) {
	ctx, cancel := context.WithCancel(context.Background())
	s := &Scheduler{
		store: store, log: logger, now: now, entries: map[string]*entry{}, ctx: ctx, cancel: cancel,
		cron: cron.New(cron.WithLocation(loc)),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "scrapstore_job_runs_total", Help: "Scheduled job runs by job and result (ok, failed, skipped).",
		}, []string{"job", "result"}),
	}
	if reg != nil {
		if err := reg.Register(s.runs); err != nil {
			cancel()
			return nil, err
		}
	}
	for _, j := range jobs {
		e := &entry{job: j}
		id, err := s.cron.AddFunc(j.Schedule, func() {
			// The time this run was scheduled for, the same in every process.
			at := s.cron.Entry(e.id).Prev
			_, _ = s.run(s.ctx, e, &at)
		})
		if err != nil {
			cancel()
			return nil, fmt.Errorf("job %s: schedule %q: %w", j.Name, j.Schedule, err)
		}
		e.id = id
		s.entries[j.Name] = e
	}
	return s, nil
}

// Start begins running jobs on their schedules.
func (s *Scheduler) Start() { s.cron.Start() }

// Stop stops scheduling, cancels running jobs' context and waits for them to return or
// for ctx to end.
func (s *Scheduler) Stop(ctx context.Context) {
	done := s.cron.Stop()
	s.cancel()
	select {
	case <-done.Done():
	case <-ctx.Done():
	}
}

// Jobs lists the jobs with their last and next runs, by name.
func (s *Scheduler) Jobs(ctx context.Context) ([]Info, error) {
	last, err := s.store.LastJobRuns(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Info, 0, len(s.entries))
	for name, e := range s.entries {
		info := Info{Name: name, Schedule: e.job.Schedule, Description: e.job.Description}
		if r, ok := last[name]; ok {
			info.LastRun = &r
		}
		if next := s.cron.Entry(e.id).Next; !next.IsZero() {
			info.NextRun = &next
		} else if sched, err := cron.ParseStandard(e.job.Schedule); err == nil {
			n := sched.Next(s.now().In(s.cron.Location()))
			info.NextRun = &n
		}
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// RunNow runs a job at once and returns its record.
func (s *Scheduler) RunNow(ctx context.Context, name string) (*models.JobRun, error) {
	e, ok := s.entries[name]
	if !ok {
		return nil, fmt.Errorf("job %q: %w", name, models.ErrNotFound)
	}
	return s.run(ctx, e, nil)
}

// run runs one job once, unless it is already running in this process or, on
// PostgreSQL, in another process sharing the database. A scheduled run (scheduled is
// the time it was due) runs in only one of the processes sharing the database, whichever
// claims it first.
func (s *Scheduler) run(ctx context.Context, e *entry, scheduled *time.Time) (*models.JobRun, error) {
	name := e.job.Name
	if !e.running.TryLock() {
		s.skipped(name, "still running here")
		return nil, &models.ConflictError{Detail: fmt.Sprintf("job %s is already running", name)}
	}
	defer e.running.Unlock()
	release, ok, err := s.store.TryJobLock(ctx, name)
	if err != nil {
		s.log.Error("job lock", "job", name, "error", err)
		return nil, err
	}
	if !ok {
		s.skipped(name, "running in another process")
		return nil, &models.ConflictError{Detail: fmt.Sprintf("job %s is already running in another process", name)}
	}
	defer release()

	rec, started, err := s.store.StartJobRun(ctx, name, scheduled)
	if err != nil {
		s.log.Error("job start", "job", name, "error", err)
		return nil, err
	}
	if !started {
		// The normal lot of all but one of several processes: no warning.
		s.runs.WithLabelValues(name, "skipped").Inc()
		s.log.Info("job skipped", "job", name, "reason", "another process ran it", "scheduled_for", scheduled)
		return nil, &models.ConflictError{Detail: fmt.Sprintf("job %s was run for %s by another process", name, scheduled.Format(time.RFC3339))}
	}
	start := time.Now()
	summary, runErr := s.call(ctx, e.job)
	if err := s.store.FinishJobRun(context.WithoutCancel(ctx), rec, summary, runErr); err != nil {
		s.log.Error("job record", "job", name, "error", err)
	}
	result := "ok"
	if runErr != nil {
		result = "failed"
		s.log.Error("job failed", "job", name, "error", runErr, "duration_ms", time.Since(start).Milliseconds())
	} else {
		s.log.Info("job done", "job", name, "summary", summary, "duration_ms", time.Since(start).Milliseconds())
	}
	s.runs.WithLabelValues(name, result).Inc()
	return rec, nil
}

func (s *Scheduler) skipped(name, why string) {
	s.runs.WithLabelValues(name, "skipped").Inc()
	s.log.Warn("job skipped", "job", name, "reason", why)
}

// call runs the job's function, turning a panic into an error.
func (s *Scheduler) call(ctx context.Context, j Job) (summary string, err error) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("job panicked", "job", j.Name, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return j.Run(ctx, s.store, s.now())
}

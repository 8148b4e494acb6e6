package jobs

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/models/testdb"
	"gorm.io/gorm"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestRunNowRecordsRuns(t *testing.T) {
	testdb.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		calls := 0
		list := []Job{
			{Name: "ok", Schedule: "@daily", Run: func(context.Context, *models.Store, time.Time) (string, error) { calls++; return "did it", nil }},
			{Name: "fails", Schedule: "@daily", Run: func(context.Context, *models.Store, time.Time) (string, error) { return "", errors.New("boom") }},
			{Name: "panics", Schedule: "@daily", Run: func(context.Context, *models.Store, time.Time) (string, error) { panic("oh no") }},
		}
		s, err := New(store, quiet, time.UTC, time.Now, nil, list)
		if err != nil {
			t.Fatal(err)
		}
		run, err := s.RunNow(ctx, "ok")
		if err != nil || !run.OK || run.Summary != "did it" || run.FinishedAt == nil || calls != 1 {
			t.Fatalf("ok run = %+v, %v", run, err)
		}
		run, _ = s.RunNow(ctx, "fails")
		if run.OK || run.Error != "boom" {
			t.Fatalf("failed run = %+v", run)
		}
		run, _ = s.RunNow(ctx, "panics")
		if run.OK || !strings.Contains(run.Error, "oh no") {
			t.Fatalf("panicked run = %+v", run)
		}
		if _, err := s.RunNow(ctx, "nope"); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("unknown job: %v", err)
		}
		infos, err := s.Jobs(ctx)
		if err != nil || len(infos) != 3 || infos[0].Name != "fails" || infos[0].LastRun == nil || infos[0].NextRun == nil {
			t.Fatalf("jobs = %+v, %v", infos, err)
		}
	})
}

// A job still running is skipped rather than run twice.
func TestRunningJobIsSkipped(t *testing.T) {
	store := testdb.SQLite(t, nil)
	release := make(chan struct{})
	started := make(chan struct{})
	var runs atomic.Int32
	slow := Job{Name: "slow", Schedule: "@daily", Run: func(context.Context, *models.Store, time.Time) (string, error) {
		runs.Add(1)
		close(started)
		<-release
		return "", nil
	}}
	s, err := New(store, quiet, time.UTC, time.Now, nil, []Job{slow})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() { _, err := s.RunNow(context.Background(), "slow"); done <- err }()
	<-started
	if _, err := s.RunNow(context.Background(), "slow"); !errors.Is(err, models.ErrConflict) {
		t.Fatalf("second run while the first runs: %v", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if runs.Load() != 1 {
		t.Fatalf("%d runs, want 1", runs.Load())
	}
}

// Two processes sharing a PostgreSQL database (here, two schedulers on two pools) never
// run the same job at once: an advisory lock decides which one does.
func TestOneRunAcrossProcessesOnPostgres(t *testing.T) {
	a := testdb.Postgres(t, nil)
	started := make(chan struct{})
	release := make(chan struct{})
	var runs atomic.Int32
	job := Job{Name: "nightly", Schedule: "@daily", Run: func(context.Context, *models.Store, time.Time) (string, error) {
		if runs.Add(1) == 1 {
			close(started)
		}
		<-release
		return "", nil
	}}
	first, err := New(a, quiet, time.UTC, time.Now, nil, []Job{job})
	if err != nil {
		t.Fatal(err)
	}
	// The second scheduler has its own connection pool to the same database.
	b, err := models.Open(models.OpenOptions{URL: a.URL()})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	second, err := New(b, quiet, time.UTC, time.Now, nil, []Job{job})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() { _, err := first.RunNow(context.Background(), "nightly"); done <- err }()
	<-started
	if _, err := second.RunNow(context.Background(), "nightly"); !errors.Is(err, models.ErrConflict) {
		t.Fatalf("the other process ran the job too: %v", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// Once the first has finished, the second may run it.
	release = make(chan struct{})
	close(release)
	if _, err := second.RunNow(context.Background(), "nightly"); err != nil {
		t.Fatal(err)
	}
	if runs.Load() != 2 {
		t.Fatalf("%d runs, want 2", runs.Load())
	}
}

// Two processes sharing a database (two schedulers on two pools), each with the job on
// its schedule, run each scheduled run once between them, whether they reach it at the
// same moment or one after the other.
func TestScheduledRunOnceAcrossProcesses(t *testing.T) {
	testdb.Each(t, func(t *testing.T, a *models.Store) {
		ctx := context.Background()
		var runs atomic.Int32
		job := Job{Name: "reminders", Schedule: "0 9 * * *", Run: func(context.Context, *models.Store, time.Time) (string, error) {
			runs.Add(1)
			return "", nil
		}}
		var scheds []*Scheduler
		for _, store := range []*models.Store{a, testdb.Another(t, a, nil)} {
			s, err := New(store, quiet, time.UTC, time.Now, nil, []Job{job})
			if err != nil {
				t.Fatal(err)
			}
			scheds = append(scheds, s)
		}
		london, _ := time.LoadLocation("Europe/London")
		nine := time.Date(2026, 11, 26, 9, 0, 0, 0, london)
		runAt := func(s *Scheduler, at time.Time) error {
			_, err := s.run(ctx, s.entries["reminders"], &at)
			return err
		}
		errs := make(chan error, 2)
		for _, s := range scheds {
			go func() { errs <- runAt(s, nine) }()
		}
		var refused int
		for range scheds {
			if err := <-errs; errors.Is(err, models.ErrConflict) {
				refused++
			} else if err != nil {
				t.Fatal(err)
			}
		}
		if runs.Load() != 1 || refused != 1 {
			t.Fatalf("at the same moment: %d runs, %d refused; want 1 and 1", runs.Load(), refused)
		}
		// Late, or again in the same process: the run for that time has been made.
		for _, s := range scheds {
			if err := runAt(s, nine); !errors.Is(err, models.ErrConflict) {
				t.Fatalf("a second run for the same time: %v", err)
			}
		}
		// The next day's run, and runs by hand, are runs of their own.
		if err := runAt(scheds[1], nine.AddDate(0, 0, 1)); err != nil {
			t.Fatal(err)
		}
		if _, err := scheds[0].RunNow(ctx, "reminders"); err != nil {
			t.Fatal(err)
		}
		if _, err := scheds[1].RunNow(ctx, "reminders"); err != nil {
			t.Fatal(err)
		}
		var recorded []models.JobRun
		a.DB(ctx).Order("id").Find(&recorded)
		var got []string
		for _, r := range recorded {
			if r.ScheduledFor == nil {
				got = append(got, "by hand")
			} else {
				got = append(got, r.ScheduledFor.UTC().Format(time.RFC3339))
			}
		}
		if want := []string{"2026-11-26T09:00:00Z", "2026-11-27T09:00:00Z", "by hand", "by hand"}; runs.Load() != 4 || !slices.Equal(got, want) {
			t.Fatalf("%d runs recorded as %v, want %v", runs.Load(), got, want)
		}
	})
}

// The scheduler records the time a run was due as well as when it started.
func TestCronRunRecordsItsScheduledTime(t *testing.T) {
	store := testdb.SQLite(t, nil)
	job := Job{Name: "tick", Schedule: "@every 1s", Run: func(context.Context, *models.Store, time.Time) (string, error) { return "", nil }}
	s, err := New(store, quiet, time.UTC, time.Now, nil, []Job{job})
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	defer s.Stop(context.Background())
	var run models.JobRun
	for deadline := time.Now().Add(10 * time.Second); store.DB(t.Context()).Where("job = ? AND finished_at IS NOT NULL", "tick").
		Take(&run).Error != nil; {
		if time.Now().After(deadline) {
			t.Fatal("the job did not run")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if run.ScheduledFor == nil || !run.ScheduledFor.Equal(run.ScheduledFor.Truncate(time.Second)) || run.ScheduledFor.After(run.StartedAt) {
		t.Fatalf("run scheduled for %v, started at %v", run.ScheduledFor, run.StartedAt)
	}
}

func TestCleanupDeletesExpired(t *testing.T) {
	testdb.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		u, err := store.CreateUser(ctx, nil, models.NewUser{Email: "c@example.org", Name: "C", Role: models.RoleStaff, Password: "long enough pw"})
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		testdb.Write(t, store, func(tx *gorm.DB) *gorm.DB {
			return tx.Create([]models.Token{{UserID: u.ID, Hash: "old", CreatedAt: now.Add(-2 * time.Hour), ExpiresAt: now.Add(-time.Hour)},
				{UserID: u.ID, Hash: "live", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}})
		})
		testdb.Write(t, store, func(tx *gorm.DB) *gorm.DB {
			return tx.Create([]models.IdempotencyKey{{UserID: u.ID, Key: "old", RequestHash: "h", Status: 201, CreatedAt: now.Add(-25 * time.Hour)},
				{UserID: u.ID, Key: "new", RequestHash: "h", Status: 201, CreatedAt: now.Add(-time.Hour)}})
		})
		summary, err := Cleanup(ctx, store, now)
		if err != nil || summary != "deleted 1 tokens and 1 idempotency records" {
			t.Fatalf("cleanup: %q, %v", summary, err)
		}
		var hashes, keys []string
		store.DB(ctx).Model(&models.Token{}).Pluck("hash", &hashes)
		store.DB(ctx).Model(&models.IdempotencyKey{}).Pluck("key", &keys)
		if len(hashes) != 1 || hashes[0] != "live" || len(keys) != 1 || keys[0] != "new" {
			t.Fatalf("left %v and %v", hashes, keys)
		}
	})
}

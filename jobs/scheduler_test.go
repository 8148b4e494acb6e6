package jobs

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/models/testdb"
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

func TestCleanupDeletesExpired(t *testing.T) {
	testdb.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		u, err := store.CreateUser(ctx, nil, models.NewUser{Email: "c@example.org", Name: "C", Role: models.RoleStaff, Password: "long enough pw"})
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		db := store.DB(ctx)
		db.Create(&models.Token{UserID: u.ID, Hash: "old", CreatedAt: now.Add(-2 * time.Hour), ExpiresAt: now.Add(-time.Hour)})
		db.Create(&models.Token{UserID: u.ID, Hash: "live", CreatedAt: now, ExpiresAt: now.Add(time.Hour)})
		db.Create(&models.IdempotencyKey{UserID: u.ID, Key: "old", RequestHash: "h", Status: 201, CreatedAt: now.Add(-25 * time.Hour)})
		db.Create(&models.IdempotencyKey{UserID: u.ID, Key: "new", RequestHash: "h", Status: 201, CreatedAt: now.Add(-time.Hour)})
		summary, err := Cleanup(ctx, store, now)
		if err != nil || summary != "deleted 1 tokens and 1 idempotency records" {
			t.Fatalf("cleanup: %q, %v", summary, err)
		}
		var hashes, keys []string
		db.Model(&models.Token{}).Pluck("hash", &hashes)
		db.Model(&models.IdempotencyKey{}).Pluck("key", &keys)
		if len(hashes) != 1 || hashes[0] != "live" || len(keys) != 1 || keys[0] != "new" {
			t.Fatalf("left %v and %v", hashes, keys)
		}
	})
}

package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/scrapstore/scrapstore/models"
)

// A backup taken while donations are being logged holds every donation acknowledged
// before it began, and restores to a database whose stock agrees with its ledger.
// Restoring over a database a running service has open is refused; once the service
// has stopped, the restore keeps the database it replaces.
func TestBackupDuringWritesAndRestore(t *testing.T) {
	ctx := context.Background()
	live, restored := t.TempDir(), t.TempDir()
	if err := run(ctx, []string{"--data-dir", live, "demo"}, env(nil), nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	store, err := models.Open(models.OpenOptions{DataDir: live})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var line struct{ CategoryID, LocationID int64 }
	store.DB(ctx).Raw("SELECT category_id, location_id FROM stock_items ORDER BY id LIMIT 1").Scan(&line)

	var (
		mu    sync.Mutex
		acked []int64 // donations whose logging has returned without error
		wg    sync.WaitGroup
	)
	stop := make(chan struct{})
	enough := make(chan struct{})
	for w := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				d, err := store.ReceiveDonation(ctx, nil, models.DonationInput{Lines: []models.DonationLineInput{{
					CategoryID: &line.CategoryID, LocationID: &line.LocationID, Description: "Card offcuts", Quantity: float64(1 + (w+i)%5)}}})
				if err != nil {
					t.Errorf("log a donation: %v", err)
					return
				}
				mu.Lock()
				if acked = append(acked, d.ID); len(acked) == 40 {
					close(enough)
				}
				mu.Unlock()
			}
		})
	}
	<-enough
	mu.Lock()
	before := append([]int64(nil), acked...)
	mu.Unlock()
	file := filepath.Join(t.TempDir(), "backup.db")
	var out bytes.Buffer
	err = run(ctx, []string{"--data-dir", live, "backup", file}, env(nil), nil, &out, io.Discard)
	mu.Lock()
	during := len(acked) - len(before)
	mu.Unlock()
	close(stop)
	wg.Wait()
	if err != nil || !strings.Contains(out.String(), "backed up") {
		t.Fatalf("backup: %v %s", err, &out)
	}
	t.Logf("%d donations acknowledged before the backup began, %d while it ran", len(before), during)
	if err := run(ctx, []string{"--data-dir", live, "backup", file}, env(nil), nil, io.Discard, io.Discard); err == nil {
		t.Error("a second backup overwrote the first")
	}

	out.Reset()
	if err := run(ctx, []string{"--data-dir", restored, "restore", file}, env(nil), nil, &out, io.Discard); err != nil ||
		!strings.Contains(out.String(), "restored "+file) {
		t.Fatalf("restore: %v %s", err, &out)
	}
	copyStore, err := models.Open(models.OpenOptions{DataDir: restored})
	if err != nil {
		t.Fatal(err)
	}
	var found int64
	copyStore.DB(ctx).Model(&models.Donation{}).Where("id IN ?", before).Count(&found)
	if found != int64(len(before)) {
		t.Errorf("the restored database has %d of the %d donations acknowledged before the backup", found, len(before))
	}
	if bad, n, err := copyStore.CheckLedger(ctx); err != nil || len(bad) > 0 || n == 0 {
		t.Errorf("ledger of the restored database: %d items, disagreeing %+v, %v", n, bad, err)
	}
	copyStore.Close()

	// A service running on the restored database: restoring over it is refused.
	stopService := startService(t, restored)
	err = run(ctx, []string{"--data-dir", restored, "restore", file}, env(nil), nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "open in another process") {
		t.Errorf("restore over a running service: %v", err)
	}
	if kept, _ := filepath.Glob(filepath.Join(restored, "*.before-restore-*")); len(kept) > 0 {
		t.Errorf("a refused restore moved the database: %v", kept)
	}
	stopService()
	out.Reset()
	if err := run(ctx, []string{"--data-dir", restored, "restore", file}, env(nil), nil, &out, io.Discard); err != nil ||
		!strings.Contains(out.String(), "is kept as") {
		t.Fatalf("restore after the service stopped: %v %s", err, &out)
	}
	if kept, _ := filepath.Glob(filepath.Join(restored, "scrapstore.db.before-restore-*")); len(kept) != 1 {
		t.Errorf("the replaced database was not kept: %v", kept)
	}
}

// startService runs the real program serving dataDir in a child process, and returns
// a function that stops it.
func startService(t *testing.T, dataDir string) func() {
	t.Helper()
	cmd := startProgram(t, []string{"SCRAPSTORE_DATA_DIR=" + dataDir},
		func(line string) bool { return strings.Contains(line, "serving on") },
		"--addr", "127.0.0.1:0", "--demo=false")
	return func() {
		cmd.Process.Signal(syscall.SIGTERM)
		if err := cmd.Wait(); err != nil {
			t.Errorf("the service: %v", err)
		}
	}
}

package models_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gorm.io/gorm"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/models/testdb"
)

// schema lists each table's columns, sorted, as the database itself reports them.
func schema(t *testing.T, s *models.Store) map[string][]string {
	t.Helper()
	ctx := context.Background()
	out := map[string][]string{}
	var tables []string
	q := "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
	if s.Dialect() == models.SQLite {
		q = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
	}
	if err := s.DB(ctx).Raw(q).Scan(&tables).Error; err != nil {
		t.Fatal(err)
	}
	for _, table := range tables {
		cols, err := s.DB(ctx).Migrator().ColumnTypes(table)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cols {
			out[table] = append(out[table], c.Name())
		}
		sort.Strings(out[table])
	}
	return out
}

// The same migrations give the same tables and columns on SQLite and PostgreSQL.
func TestMigrationsGiveTheSameSchema(t *testing.T) {
	lite := schema(t, testdb.SQLite(t, nil))
	for _, table := range []string{"schema_migrations", "users", "tokens", "audit_log", "idempotency_keys", "job_runs",
		"organisations", "categories", "donors", "locations"} {
		if _, ok := lite[table]; !ok {
			t.Errorf("SQLite lacks table %s", table)
		}
	}
	if os.Getenv(testdb.EnvURL) == "" {
		return // the comparison needs PostgreSQL; CI always has it
	}
	pg := schema(t, testdb.Postgres(t, nil))
	if d := cmp.Diff(lite, pg); d != "" {
		t.Fatalf("schemas differ (-sqlite +postgres):\n%s", d)
	}
}

func TestMigrateIsRecordedAndIdempotent(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		again, err := s.Migrate(ctx)
		if err != nil || len(again) != 0 {
			t.Fatalf("second migrate applied %v, %v", again, err)
		}
		states, err := s.MigrationStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		all, _ := models.Migrations()
		if len(states) != len(all) || slices.ContainsFunc(states, func(m models.MigrationState) bool { return m.AppliedAt == nil }) {
			t.Fatalf("status = %+v", states)
		}
		if n, err := s.Pending(ctx); n != 0 || err != nil {
			t.Fatalf("pending = %d, %v", n, err)
		}
	})
}

func TestSQLiteSettings(t *testing.T) {
	s := testdb.SQLite(t, nil)
	var fk, timeout int
	var mode string
	db := s.DB(context.Background())
	db.Raw("PRAGMA foreign_keys").Scan(&fk)
	db.Raw("PRAGMA journal_mode").Scan(&mode)
	db.Raw("PRAGMA busy_timeout").Scan(&timeout)
	if fk != 1 || mode != "wal" || timeout < 1000 {
		t.Fatalf("foreign_keys=%d journal_mode=%s busy_timeout=%d", fk, mode, timeout)
	}
}

// On SQLite a transaction holds the write lock from its start, so a second one begins
// only after the first has finished: read-then-write rules cannot interleave.
func TestSQLiteTransactionsAreSerialised(t *testing.T) {
	s := testdb.SQLite(t, nil)
	ctx := context.Background()
	started := make(chan struct{})
	var firstDone atomic.Bool
	go s.InTx(ctx, func(tx *gorm.DB) error {
		close(started)
		time.Sleep(100 * time.Millisecond)
		firstDone.Store(true)
		return nil
	})
	<-started
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		if !firstDone.Load() {
			t.Error("the second transaction ran while the first held the lock")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Transactions waiting for SQLite's one writer wait without a connection (so reads go
// on), and give up when their request ends.
func TestSQLiteWritersWaitTheirTurnWithoutAConnection(t *testing.T) {
	s := testdb.SQLite(t, nil)
	ctx := context.Background()
	holding, release := make(chan struct{}), make(chan struct{})
	go s.InTx(ctx, func(tx *gorm.DB) error {
		close(holding)
		<-release
		return nil
	})
	<-holding
	defer close(release)
	waitCtx, cancel := context.WithCancel(ctx)
	waited := make(chan error)
	for range 5 {
		go func() { waited <- s.InTx(waitCtx, func(tx *gorm.DB) error { return nil }) }()
	}
	time.Sleep(100 * time.Millisecond) // for the five to start waiting
	if n := s.SQLDB().Stats().InUse; n != 1 {
		t.Errorf("%d connections in use while five transactions wait for the one holding the lock; want 1", n)
	}
	var read int64
	if err := s.DB(ctx).Raw("SELECT COUNT(*) FROM schema_migrations").Scan(&read).Error; err != nil || read == 0 {
		t.Errorf("a read while writers wait: %d %v", read, err)
	}
	cancel()
	for range 5 {
		if err := <-waited; !errors.Is(err, context.Canceled) {
			t.Errorf("a waiting transaction whose request ended: %v, want context.Canceled", err)
		}
	}
}

// The database refuses a state outside a table's set and a negative amount, however the
// row is written; the rows that break nothing are untouched.
func TestDatabaseRefusesBadStatesAndAmounts(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s *models.Store) {
		ctx := t.Context()
		name, unit, factor, src, desc := "Card", "each", 0.9, "test", "Card tubes"
		weights := map[string]float64{"each": 0.2}
		c, err := s.CreateCategory(ctx, nil, models.CategoryInput{Name: &name, DefaultUnit: &unit, UnitWeightsKg: weights,
			CO2eKgPerKg: &factor, CO2eSource: &src}, models.NewDate(s.Now()))
		if err != nil {
			t.Fatal(err)
		}
		code, shelf, kind := "A1", "Shelf A1", "shelf"
		loc, err := s.CreateLocation(ctx, nil, models.LocationInput{Code: &code, Name: &shelf, Kind: &kind})
		if err != nil {
			t.Fatal(err)
		}
		d, err := s.ReceiveDonation(ctx, nil, models.DonationInput{Lines: []models.DonationLineInput{
			{CategoryID: &c.ID, Description: desc, LocationID: &loc.ID, Quantity: 5}}})
		if err != nil {
			t.Fatal(err)
		}
		item := d.Lines[0].StockItemID
		db := s.DB(ctx)
		for _, bad := range []struct{ sql, constraint string }{
			{"UPDATE stock_items SET reserved_milli = on_hand_milli + 1 WHERE id = ?", "stock_items_amounts"},
			{"UPDATE stock_items SET on_hand_milli = -1000, reserved_milli = -1000 WHERE id = ?", "stock_items_amounts"},
			{"UPDATE donation_lines SET weight_g = -1 WHERE stock_item_id = ?", "donation_lines_amounts"},
		} {
			err := db.Exec(bad.sql, item).Error
			if err == nil || !strings.Contains(err.Error(), bad.constraint) {
				t.Errorf("%s: %v, want a refusal naming %s", bad.sql, err, bad.constraint)
			}
		}
		err = db.Exec("INSERT INTO stocktakes (location_id, status, opened_at) VALUES (?, 'half-done', ?)", loc.ID, s.Now()).Error
		if err == nil || !strings.Contains(err.Error(), "stocktakes_status") {
			t.Errorf("a stocktake in a made-up state: %v", err)
		}
		it, err := s.StockItem(ctx, item)
		if err != nil {
			t.Fatal(err)
		}
		if it.OnHandMilli.Quantity() != 5 || it.ReservedMilli.Quantity() != 0 {
			t.Fatalf("the item changed: %+v", it)
		}
		if err := db.Exec("UPDATE stock_items SET reserved_milli = 2000 WHERE id = ?", item).Error; err != nil {
			t.Fatalf("a good change was refused: %v", err)
		}
	})
}

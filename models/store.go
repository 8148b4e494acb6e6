// Package models holds Scrapstore's tables as gorm structs, the rules that change them,
// and the one Store through which the rest of the service reads and writes the database.
package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/sync/semaphore"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Dialect names the database engine behind a Store.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Store is the service's single gateway to the database. Its methods are named for what
// the business does; each one that changes state runs in a transaction and records an
// audit entry.
type Store struct {
	url        string
	bcryptCost int
	runKmLimit float64
	db         *gorm.DB
	dialect    Dialect
	now        func() time.Time
	decodes    *semaphore.Weighted // pixels of uploaded photos being decoded at once
	geocoder   Geocoder
	// writeTurn, on SQLite, lets one transaction at a time in (see InTx); nil on
	// PostgreSQL and in a Store bound to a transaction, which already has its turn.
	writeTurn chan struct{}
}

// OpenOptions configures Open.
type OpenOptions struct {
	// URL is a postgres:// URL, or empty for the SQLite file DataDir/scrapstore.db.
	URL     string
	DataDir string
	// MaxOpenConns bounds the pool; 0 means a default sized for a small machine.
	MaxOpenConns int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// BcryptCost hashes passwords; 0 means bcrypt's default. Tests use the minimum.
	BcryptCost int
	// RunKmLimit is the most km a van plausibly drives in a day: a run finished beyond it
	// needs confirming. 0 means DefaultRunKmLimit.
	RunKmLimit float64
}

// DefaultRunKmLimit is RunKmLimit unless a store says otherwise.
const DefaultRunKmLimit = 500

// Open connects to PostgreSQL when opts.URL is a postgres URL, else to the embedded
// SQLite file under opts.DataDir (created when missing).
func Open(opts OpenOptions) (*Store, error) {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	s := &Store{url: opts.URL, bcryptCost: opts.BcryptCost, runKmLimit: opts.RunKmLimit, now: now, decodes: newDecodeBudget()}
	if s.bcryptCost == 0 {
		s.bcryptCost = bcrypt.DefaultCost
	}
	if s.runKmLimit == 0 {
		s.runKmLimit = DefaultRunKmLimit
	}
	cfg := &gorm.Config{
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true,
		NowFunc:                s.Now,
	}
	var (
		db      *gorm.DB
		err     error
		dialect Dialect
	)
	switch {
	case strings.HasPrefix(opts.URL, "postgres://"), strings.HasPrefix(opts.URL, "postgresql://"):
		dialect = Postgres
		db, err = gorm.Open(postgres.Open(opts.URL), cfg)
	case opts.URL == "" || strings.HasPrefix(opts.URL, "sqlite:"):
		dialect = SQLite
		path := SQLitePath(opts.URL, opts.DataDir)
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
		db, err = gorm.Open(sqlite.Open(sqliteDSN(path)), cfg)
	default:
		return nil, fmt.Errorf("database URL must start with postgres:// or sqlite:")
	}
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", dialect, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	n := opts.MaxOpenConns
	if n <= 0 {
		n = 8
	}
	sqlDB.SetMaxOpenConns(n)
	sqlDB.SetMaxIdleConns(n)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	if err := sqlDB.Ping(); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("connect to %s database: %w", dialect, err)
	}
	if dialect == SQLite {
		s.writeTurn = make(chan struct{}, 1)
		if err := guardWriteTurn(db); err != nil {
			_ = sqlDB.Close()
			return nil, err
		}
	}
	s.db, s.dialect = db, dialect
	return s, nil
}

// SQLitePath is the SQLite database file for a database URL ("" or sqlite:PATH) and
// data directory.
func SQLitePath(url, dataDir string) string {
	if path := strings.TrimPrefix(url, "sqlite:"); path != "" {
		return path
	}
	return filepath.Join(dataDir, "scrapstore.db")
}

// sqliteDSN turns on foreign keys, WAL and a busy timeout, and writes times in a format
// that sorts as text.
func sqliteDSN(path string) string {
	q := url.Values{}
	// The busy timeout comes first: a new connection's other pragmas may meet a lock.
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	// Temporary tables and statement journals in memory. A statement journal (each
	// write inside a transaction keeps one, to undo just that statement) is otherwise
	// kept in 64 KiB pieces that the pure-Go SQLite maps and unmaps from the operating
	// system every statement: a fifth of a busy store's CPU.
	q.Add("_pragma", "temp_store(MEMORY)")
	q.Set("_time_format", "sqlite")
	return "file:" + path + "?" + q.Encode()
}

// URL is the database URL the Store was opened with ("" for the default SQLite file).
func (s *Store) URL() string { return s.url }

// Dialect reports which engine the Store runs on.
func (s *Store) Dialect() Dialect { return s.dialect }

// SQLDB exposes the pool, for health checks and pool metrics.
func (s *Store) SQLDB() *sql.DB {
	d, _ := s.db.DB()
	return d
}

// Close closes the pool.
func (s *Store) Close() error { return s.SQLDB().Close() }

// Now is the Store's clock, in UTC, to the second: the times it records are shown to
// people, who read seconds, not nanoseconds.
func (s *Store) Now() time.Time { return s.now().UTC().Truncate(time.Second) }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.SQLDB().PingContext(ctx) }

// InTx runs fn in a transaction: committed when fn returns nil, rolled back otherwise.
// When ctx carries an idempotency claim, the transaction also marks the claim's work as
// done, or fails at once if the claim has been taken over.
// On SQLite the transaction takes the write lock before fn runs (a write that changes
// nothing), so that a transaction that reads and then writes waits its turn instead of
// failing half way with "database is locked". (The driver's _txlock setting would do
// this, but it ignores it when _time_format is also set.) SQLite has one writer at a
// time, so transactions take turns in the order they come, before they take a
// connection: left to SQLite's busy handler, which polls, a transaction that keeps
// losing the race waits past the busy timeout under load and fails.
func (s *Store) InTx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	done, err := s.takeWriteTurn(ctx)
	if err != nil {
		return err
	}
	defer done()
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// The claim is marked first: it commits with the work or not at all, so the order
		// changes only how long rows stay locked, and the rows many requests change
		// (stock, totals) are best left to the end of a transaction. On SQLite, marking
		// the claim is a write, so it also takes the write lock.
		claimed, err := markClaimDone(ctx, tx)
		if err != nil {
			return err
		}
		if s.dialect == SQLite && !claimed {
			if err := tx.Exec("UPDATE schema_migrations SET version = version WHERE 1 = 0").Error; err != nil {
				return fmt.Errorf("take the write lock: %w", err)
			}
		}
		return fn(tx)
	})
}

// takeWriteTurn waits, on SQLite, for the one writer's turn (see InTx), and gives the
// function that hands it on. PostgreSQL writers do not take turns.
func (s *Store) takeWriteTurn(ctx context.Context) (done func(), err error) {
	if s.writeTurn == nil {
		return func() {}, nil
	}
	select {
	case s.writeTurn <- struct{}{}:
		return func() { <-s.writeTurn }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

type writeTurnKey struct{}

// writeAlone runs fn, whose writes are not in a transaction, in SQLite's writer turn.
// Left to SQLite's busy handler, which sleeps longer at each try, such a write lost the
// race to a queue of transactions again and again, for up to a second under load.
// Every write outside a transaction must come through here: on SQLite, a create, update
// or delete outside both is refused (see guardWriteTurn), so a path that forgets fails
// its tests instead of stalling under load.
func (s *Store) writeAlone(ctx context.Context, fn func(db *gorm.DB) error) error {
	done, err := s.takeWriteTurn(ctx)
	if err != nil {
		return err
	}
	defer done()
	return fn(s.db.WithContext(context.WithValue(ctx, writeTurnKey{}, true)))
}

// guardWriteTurn has SQLite refuse a create, update or delete made neither in a
// transaction (which takes the turn in InTx) nor through writeAlone.
func guardWriteTurn(db *gorm.DB) error {
	guard := func(db *gorm.DB) {
		if _, inTx := db.Statement.ConnPool.(gorm.TxCommitter); inTx || db.Statement.Context.Value(writeTurnKey{}) != nil {
			return
		}
		_ = db.AddError(fmt.Errorf("models: a write to %s outside a transaction must take SQLite's writer turn (Store.writeAlone)", db.Statement.Table))
	}
	cb := db.Callback()
	return errors.Join(
		cb.Create().Before("gorm:create").Register("scrapstore:write_turn", guard),
		cb.Update().Before("gorm:update").Register("scrapstore:write_turn", guard),
		cb.Delete().Before("gorm:delete").Register("scrapstore:write_turn", guard),
	)
}

// Bound is a Store whose every statement runs in tx: Store methods called through it
// join the caller's transaction (their own InTx becomes a savepoint).
func (s *Store) Bound(tx *gorm.DB) *Store {
	c := *s
	c.db, c.writeTurn = tx, nil
	return &c
}

// RefreshStatistics has PostgreSQL's planner look again at the tables that rows were
// written to in bulk (it would on its own, but only a minute or more later, and never
// where autovacuum is off). Empty tables are left alone: an analysed empty table is
// believed empty, so a statement prepared while it is still small is planned to read it
// whole, and each connection keeps that plan as the table grows (idempotency keys took
// half a millisecond each to update under load); a table never analysed is planned as if
// of some size, with its indexes. SQLite plans without statistics, as it always has here.
func (s *Store) RefreshStatistics(ctx context.Context) error {
	if s.dialect != Postgres {
		return nil
	}
	var tables []string
	err := s.DB(ctx).Raw(`SELECT quote_ident(c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = current_schema() AND c.relkind = 'r' ORDER BY c.relname`).Scan(&tables).Error
	if err != nil {
		return err
	}
	var full []string
	for _, t := range tables {
		var rows bool
		if err := s.DB(ctx).Raw("SELECT EXISTS (SELECT 1 FROM " + t + ")").Scan(&rows).Error; err != nil {
			return err
		}
		if rows {
			full = append(full, t)
		}
	}
	if len(full) == 0 {
		return nil
	}
	return s.DB(ctx).Exec("ANALYZE " + strings.Join(full, ", ")).Error
}

// IsEmpty reports whether the database holds no business data yet (users aside).
func (s *Store) IsEmpty(ctx context.Context) (bool, error) {
	var n int64
	err := s.DB(ctx).Model(&Category{}).Count(&n).Error
	return n == 0, err
}

// DB gives a session bound to ctx, for reads.
func (s *Store) DB(ctx context.Context) *gorm.DB { return s.db.WithContext(ctx) }

// notFound turns gorm's record-not-found into ErrNotFound naming the entity.
func notFound(err error, entity string, id any) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return fmt.Errorf("%s %v: %w", entity, id, ErrNotFound)
	}
	return err
}

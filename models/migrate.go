package models

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migration is one numbered schema change, kept as SQL in models/migrations. A released
// migration is never edited; a change is a new file.
type Migration struct {
	Version int64
	Name    string
	sql     string
}

// MigrationState is a migration and when it was applied (nil when pending).
type MigrationState struct {
	Migration
	AppliedAt *time.Time
}

// The SQL is written once for both engines; these few words differ between them.
var dialectWords = map[Dialect]*strings.Replacer{
	SQLite: strings.NewReplacer(
		"{{pk}}", "INTEGER PRIMARY KEY AUTOINCREMENT",
		"{{ts}}", "TIMESTAMP",
		"{{blob}}", "BLOB",
	),
	Postgres: strings.NewReplacer(
		"{{pk}}", "BIGSERIAL PRIMARY KEY",
		"{{ts}}", "TIMESTAMPTZ",
		"{{blob}}", "BYTEA",
	),
}

// continueIDs, {{continue_ids TABLE}}, is a statement that makes a table's ids go on
// after ids copied into it: PostgreSQL's serial does not see them (SQLite's
// AUTOINCREMENT does, so there it does nothing).
var continueIDs = regexp.MustCompile(`\{\{continue_ids (\w+)\}\}`)

var continueIDsSQL = map[Dialect]string{
	SQLite:   "SELECT 1",
	Postgres: "SELECT setval(pg_get_serial_sequence('$1', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM $1), false)",
}

// utcHour, {{utc_hour COLUMN}}, is a timestamp's UTC hour as text, "YYYY-MM-DD HH".
var utcHour = regexp.MustCompile(`\{\{utc_hour ([\w.]+)\}\}`)

var utcHourSQL = map[Dialect]string{
	SQLite:   "substr($1, 1, 13)",
	Postgres: "to_char($1 AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24')",
}

// check, {{check TABLE NAME EXPR}}, makes the database refuse a row of TABLE for which
// EXPR, written about the row as NEW.column, is false. PostgreSQL gets a CHECK constraint
// (NOT VALID: rows already there are not checked, as on SQLite); SQLite, which can add
// one only by rebuilding the table, gets triggers before each insert and update.
var check = regexp.MustCompile(`\{\{check (\w+) (\w+) (.+?)\}\}`)

func checkSQL(d Dialect, m []string) string {
	table, name, expr := m[1], m[2], m[3]
	if d == Postgres {
		return fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s CHECK (%s) NOT VALID", table, name, strings.ReplaceAll(expr, "NEW.", ""))
	}
	var out []string
	for _, op := range []string{"INSERT", "UPDATE"} {
		out = append(out, fmt.Sprintf("CREATE TRIGGER %s_%s BEFORE %s ON %s WHEN NOT (%s) BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: %s'); END",
			name, strings.ToLower(op), op, table, expr, name))
	}
	return strings.Join(out, ";\n")
}

// dialectSQL writes a migration's SQL for an engine.
func dialectSQL(d Dialect, sql string) string {
	sql = utcHour.ReplaceAllString(sql, utcHourSQL[d])
	sql = check.ReplaceAllStringFunc(sql, func(s string) string { return checkSQL(d, check.FindStringSubmatch(s)) })
	return continueIDs.ReplaceAllString(dialectWords[d].Replace(sql), continueIDsSQL[d])
}

// Migrations lists every migration in order.
func Migrations() ([]Migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		name := e.Name()
		num, rest, ok := strings.Cut(strings.TrimSuffix(name, ".sql"), "_")
		v, err := strconv.ParseInt(num, 10, 64)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration file %q is not named NNNN_name.sql", name)
		}
		body, err := migrationFiles.ReadFile("migrations/" + name)
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: rest, sql: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i := 1; i < len(out); i++ {
		if out[i].Version == out[i-1].Version {
			return nil, fmt.Errorf("two migrations numbered %d", out[i].Version)
		}
	}
	return out, nil
}

const migrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version BIGINT PRIMARY KEY,
	name TEXT NOT NULL,
	applied_at {{ts}} NOT NULL
)`

// MigrationStatus lists every migration with when it was applied.
func (s *Store) MigrationStatus(ctx context.Context) ([]MigrationState, error) {
	all, err := Migrations()
	if err != nil {
		return nil, err
	}
	if err := s.db.WithContext(ctx).Exec(dialectWords[s.dialect].Replace(migrationsTable)).Error; err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	var applied []struct {
		Version   int64
		AppliedAt time.Time
	}
	if err := s.db.WithContext(ctx).Table("schema_migrations").Find(&applied).Error; err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	at := map[int64]time.Time{}
	for _, a := range applied {
		at[a.Version] = a.AppliedAt
	}
	out := make([]MigrationState, len(all))
	for i, m := range all {
		out[i].Migration = m
		if t, ok := at[m.Version]; ok {
			out[i].AppliedAt = &t
		}
	}
	return out, nil
}

// Pending reports how many migrations are not yet applied.
func (s *Store) Pending(ctx context.Context) (int, error) {
	states, err := s.MigrationStatus(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, st := range states {
		if st.AppliedAt == nil {
			n++
		}
	}
	return n, nil
}

// migrationLockKey is the advisory lock that migrations take: a fixed number, shared by
// every Scrapstore process, old or new.
const migrationLockKey = 7_300_001

// Migrate applies every pending migration in order, each in its own transaction (both
// engines run DDL transactionally), and returns the ones it applied. On PostgreSQL an
// advisory lock keeps two processes starting at once from applying the same migration.
func (s *Store) Migrate(ctx context.Context) ([]Migration, error) {
	var done []Migration
	err := s.withLock(ctx, migrationLockKey, func() error {
		states, err := s.MigrationStatus(ctx)
		if err != nil {
			return err
		}
		for _, st := range states {
			if st.AppliedAt != nil {
				continue
			}
			m := st.Migration
			err := s.InTx(ctx, func(tx *gorm.DB) error {
				for _, stmt := range splitSQL(dialectSQL(s.dialect, m.sql)) {
					if err := tx.Exec(stmt).Error; err != nil {
						return fmt.Errorf("%s: %w", firstLine(stmt), err)
					}
				}
				return tx.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
					m.Version, m.Name, s.Now()).Error
			})
			if err != nil {
				return fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
			}
			done = append(done, m)
		}
		return nil
	})
	return done, err
}

// splitSQL splits a migration into statements at semicolons that end a line. The
// migrations hold no semicolons inside strings, so nothing cleverer is needed.
func splitSQL(sql string) []string {
	var out []string
	for _, part := range strings.Split(sql, ";\n") {
		var lines []string
		for _, l := range strings.Split(part, "\n") {
			if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "--") {
				lines = append(lines, l)
			}
		}
		if stmt := strings.TrimSuffix(strings.TrimSpace(strings.Join(lines, "\n")), ";"); stmt != "" {
			out = append(out, stmt)
		}
	}
	return out
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

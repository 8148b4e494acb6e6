// Package testdb gives tests fresh, migrated databases: a SQLite file in a temporary
// directory always, and a PostgreSQL schema of its own when SCRAPSTORE_TEST_DATABASE_URL
// is set (CI sets it), so that every test runs on both engines and no test sees another's
// data.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the driver for creating and dropping schemas
	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"github.com/scrapstore/scrapstore/models"
)

// EnvURL names the variable holding the PostgreSQL test server's URL.
const EnvURL = "SCRAPSTORE_TEST_DATABASE_URL"

// Each runs fn once per available engine, as a subtest named for it.
func Each(t *testing.T, fn func(t *testing.T, store *models.Store)) {
	EachWith(t, nil, fn)
}

// EachWith is Each with a clock for the store.
func EachWith(t *testing.T, now func() time.Time, fn func(t *testing.T, store *models.Store)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t, now)) })
	if os.Getenv(EnvURL) != "" {
		t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t, now)) })
	}
}

// SQLite opens a migrated SQLite database in a temporary directory.
func SQLite(t testing.TB, now func() time.Time) *models.Store {
	t.Helper()
	return open(t, models.OpenOptions{URL: "sqlite:" + filepath.Join(t.TempDir(), "scrapstore.db"), Now: now, BcryptCost: bcrypt.MinCost})
}

// Another opens a second Store on store's database, with a pool of its own, as a second
// Scrapstore process would.
func Another(t testing.TB, store *models.Store, now func() time.Time) *models.Store {
	t.Helper()
	return open(t, models.OpenOptions{URL: store.URL(), Now: now, BcryptCost: bcrypt.MinCost})
}

// Postgres opens a migrated PostgreSQL database in a schema of its own, dropped when the
// test ends. It skips the test when no PostgreSQL server is configured.
func Postgres(t testing.TB, now func() time.Time) *models.Store {
	t.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		t.Skip(EnvURL + " is not set: this test needs PostgreSQL")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	schema := "t_" + strings.ToLower(rand.Text())
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err == nil {
			_, _ = a.Exec("DROP SCHEMA " + schema + " CASCADE")
			a.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return open(t, models.OpenOptions{URL: u.String(), Now: now, BcryptCost: bcrypt.MinCost})
}

func open(t testing.TB, opts models.OpenOptions) *models.Store {
	t.Helper()
	s, err := models.Open(opts)
	if err != nil {
		t.Fatalf("open database: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return s
}

// Write makes a change no Store method makes (a test setting its scene), in a
// transaction, and fails tb if it fails.
func Write(tb testing.TB, s *models.Store, change func(tx *gorm.DB) *gorm.DB) {
	tb.Helper()
	if err := s.InTx(context.Background(), func(tx *gorm.DB) error { return change(tx).Error }); err != nil {
		tb.Fatalf("write: %v", err)
	}
}

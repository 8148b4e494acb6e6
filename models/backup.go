package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// ErrNotSQLite is returned by the SQLite backup and restore on PostgreSQL, whose own
// tools (pg_dump, pg_restore) do that job.
var ErrNotSQLite = errors.New("on PostgreSQL, back up with pg_dump and restore with pg_restore (see the README)")

// Backup writes a consistent copy of the SQLite database to path while the service
// runs: VACUUM INTO reads one snapshot, as any reader does, so writers carry on and
// what was committed before it began is in the copy. The copy is checked before it is
// given its name; an existing file is never overwritten.
func (s *Store) Backup(ctx context.Context, path string) error {
	if s.dialect != SQLite {
		return ErrNotSQLite
	}
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("%s already exists: give a new file name", path)
	}
	partial := path + ".partial"
	if err := os.Remove(partial); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := s.DB(ctx).Exec("VACUUM INTO ?", partial).Error; err != nil {
		return fmt.Errorf("copy the database: %w", err)
	}
	if _, err := checkSQLiteCopy(ctx, partial); err != nil {
		os.Remove(partial)
		return err
	}
	return publish(partial, path)
}

// BackupInfo describes a checked backup.
type BackupInfo struct {
	SchemaVersion int
}

// checkSQLiteCopy opens a copy read-only and checks that it is a whole, sound Scrapstore
// database: SQLite's integrity check, and the migrations table.
func checkSQLiteCopy(ctx context.Context, path string) (*BackupInfo, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	var result string
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&result); err != nil {
		return nil, fmt.Errorf("%s is not a readable SQLite database: %w", path, err)
	}
	if result != "ok" {
		return nil, fmt.Errorf("%s fails SQLite's integrity check: %s", path, result)
	}
	var info BackupInfo
	if err := db.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&info.SchemaVersion); err != nil {
		return nil, fmt.Errorf("%s is not a Scrapstore database: %w", path, err)
	}
	return &info, nil
}

// RestoreSQLite puts a backup in the place of the SQLite database at target. It refuses
// while any other process has the database open (a running service would go on
// writing to the file it has open, and what it wrote would be lost). The database that
// was there, with its write-ahead log, is kept beside it under a name returned in kept
// (empty when there was none). The backup itself is checked first and not changed.
func RestoreSQLite(ctx context.Context, backup, target string) (info *BackupInfo, kept string, err error) {
	if info, err = checkSQLiteCopy(ctx, backup); err != nil {
		return nil, "", err
	}
	if _, err := os.Stat(target); err == nil {
		inUse, err := sqliteInUse(target)
		if err != nil {
			return nil, "", err
		}
		if inUse {
			return nil, "", fmt.Errorf("%s is open in another process (is scrapstore serve running?): stop it first; nothing was changed", target)
		}
		kept = target + ".before-restore-" + time.Now().UTC().Format("20060102T150405Z")
		// The log may hold committed changes not yet in the main file: keep them together.
		for _, suffix := range []string{"-wal", ""} {
			if err := os.Rename(target+suffix, kept+suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
				return nil, "", fmt.Errorf("keep the old database: %w", err)
			}
		}
		if err := os.Remove(target + "-shm"); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, "", err
		}
	} else if err := os.MkdirAll(filepath.Dir(target), 0o750); err != nil {
		return nil, "", err
	}
	partial := target + ".partial"
	if err := copyFile(backup, partial); err != nil {
		return nil, kept, err
	}
	return info, kept, publish(partial, target)
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// publish makes a finished file durable and gives it its name in one step, so that a
// crash leaves either no file or a whole one.
func publish(partial, path string) error {
	f, err := os.Open(partial)
	if err != nil {
		return err
	}
	err = f.Sync()
	f.Close()
	if err == nil {
		err = os.Rename(partial, path)
	}
	if err != nil {
		os.Remove(partial)
		return err
	}
	if dir, err := os.Open(filepath.Dir(path)); err == nil {
		dir.Sync()
		dir.Close()
	}
	return nil
}

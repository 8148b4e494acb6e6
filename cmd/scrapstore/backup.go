package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/scrapstore/scrapstore/models"
)

// fileArg parses a command that takes settings and one file.
func fileArg(name string, cfg *config, args []string, stderr io.Writer) (string, error) {
	fs := flagSet(name, cfg, stderr)
	if err := parseFlags(fs, args); err != nil {
		return "", err
	}
	if fs.NArg() != 1 {
		return "", usagef("usage: scrapstore %s FILE", name)
	}
	if strings.HasPrefix(cfg.DatabaseURL, "postgres") {
		return "", usagef("%s: %v", name, models.ErrNotSQLite)
	}
	return fs.Arg(0), nil
}

// backupCmd copies the SQLite database, running or not, to a new file.
func backupCmd(ctx context.Context, cfg config, args []string, stdout, stderr io.Writer) error {
	file, err := fileArg("backup", &cfg, args, stderr)
	if err != nil {
		return err
	}
	// Opened as it is, without migrating: a backup changes nothing.
	store, err := models.Open(models.OpenOptions{URL: cfg.DatabaseURL, DataDir: cfg.DataDir, MaxOpenConns: 1})
	if err != nil {
		return err
	}
	defer store.Close()
	start := time.Now()
	if err := store.Backup(ctx, file); err != nil {
		return err
	}
	st, err := os.Stat(file)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up %s to %s (%.1f MB) in %s\n", models.SQLitePath(cfg.DatabaseURL, cfg.DataDir), file,
		float64(st.Size())/1e6, time.Since(start).Round(time.Millisecond))
	return nil
}

// restoreCmd puts a backup in place of the SQLite database; it refuses while the
// service has the database open, and keeps the database it replaces.
func restoreCmd(ctx context.Context, cfg config, args []string, stdout, stderr io.Writer) error {
	file, err := fileArg("restore", &cfg, args, stderr)
	if err != nil {
		return err
	}
	target := models.SQLitePath(cfg.DatabaseURL, cfg.DataDir)
	info, kept, err := models.RestoreSQLite(ctx, file, target)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return usagef("no backup file %s", file)
		}
		return err
	}
	fmt.Fprintf(stdout, "restored %s (schema version %d) to %s\n", file, info.SchemaVersion, target)
	if kept != "" {
		fmt.Fprintf(stdout, "the database that was there is kept as %s\n", kept)
	}
	fmt.Fprintln(stdout, "start the service again; it applies any newer migrations as it starts")
	return nil
}

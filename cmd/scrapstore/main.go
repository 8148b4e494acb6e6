// Command scrapstore runs Scrapstore, the system a community scrapstore runs on, and its
// administrative subcommands.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.LookupEnv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// usageError is a bad command line or setting: exit code 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	fmt.Fprintln(stderr, "scrapstore:", err)
	var ue *usageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}

const helpText = `scrapstore: the system a community scrapstore runs on.

Usage: scrapstore [settings] [command] [arguments]

Commands:
  serve                   run the service (the default)
  migrate up|status       apply or list schema migrations
  user add                add a user (--email, --name, --role, --organisation-id;
                          the password is read from stdin with --password-stdin,
                          otherwise generated and printed)
  demo [--scale N]        load demo data into an empty database
  check                   verify that every stock item agrees with its ledger, every
                          weight and quantity is in range, finished
                          runs' km are plausible, and scheduled requests have open stops
  backup FILE             copy the SQLite database, while the service runs, to a new FILE
                          (on PostgreSQL use pg_dump: see the README)
  restore FILE            put a backup in place of the SQLite database: refused while the
                          service has it open; the database it replaces is kept beside it
  plan solomon FILE...    run the route planner on Solomon VRPTW instances
                          (--seconds 2 --seed 1 --objective distance|vehicles --bks F --out DIR)
  plan generated          plan 1,000 West Midlands jobs with 20 vans (--jobs --vehicles --seconds)
  loadtest                drive a running service with a busy store's mix of requests and
                          report rates, latencies and statuses, then check the ledger
                          (--url --duration 60s --clients 50 --email MANAGER; the
                          manager's password on the first line of stdin)
  healthcheck             ask a running service's /healthz (for container health checks)
  version                 print the version
  help                    print this help

Settings (flags, or SCRAPSTORE_* environment variables):
`

// run is the whole program: it reads settings from lookupEnv and args and dispatches the
// command. Tests call it directly.
func run(ctx context.Context, args []string, lookupEnv func(string) (string, bool), stdin io.Reader, stdout, stderr io.Writer) error {
	cfg, err := configFromEnv(lookupEnv)
	if err != nil {
		return err
	}
	fs := flagSet("scrapstore", &cfg, stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cmd, rest := "serve", fs.Args()
	if len(rest) > 0 {
		cmd, rest = rest[0], rest[1:]
	}
	switch cmd {
	case "serve":
		fs := flagSet("serve", &cfg, stderr)
		if err := parseFlags(fs, rest); err != nil {
			return err
		}
		if fs.NArg() > 0 {
			return usagef("serve takes no arguments, got %q", fs.Args())
		}
		return serve(ctx, cfg, stdout)
	case "migrate":
		return migrateCmd(ctx, cfg, rest, stdout, stderr)
	case "user":
		return userCmd(ctx, cfg, rest, stdin, stdout, stderr)
	case "demo":
		return demoCmd(ctx, cfg, rest, stdout, stderr)
	case "plan":
		return planCmd(ctx, rest, stdout, stderr)
	case "check":
		return checkCmd(ctx, cfg, rest, stdout, stderr)
	case "backup":
		return backupCmd(ctx, cfg, rest, stdout, stderr)
	case "restore":
		return restoreCmd(ctx, cfg, rest, stdout, stderr)
	case "healthcheck":
		return healthcheck(ctx, cfg)
	case "loadtest":
		return loadtestCmd(ctx, cfg, rest, stdin, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "scrapstore", version())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, helpText)
		printSettings(stdout)
		return nil
	}
	return usagef("unknown command %q (try scrapstore help)", cmd)
}

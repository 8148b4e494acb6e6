package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/models/demo"
)

func migrateCmd(ctx context.Context, cfg config, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "up" && args[0] != "status") {
		return usagef("usage: scrapstore migrate up|status")
	}
	fs := flagSet("migrate "+args[0], &cfg, stderr)
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("migrate %s takes no arguments, got %q", args[0], fs.Args())
	}
	store, err := models.Open(models.OpenOptions{URL: cfg.DatabaseURL, DataDir: cfg.DataDir})
	if err != nil {
		return err
	}
	defer store.Close()
	if args[0] == "up" {
		applied, err := store.Migrate(ctx)
		for _, m := range applied {
			fmt.Fprintf(stdout, "applied %04d_%s\n", m.Version, m.Name)
		}
		if err == nil && len(applied) == 0 {
			fmt.Fprintln(stdout, "the schema is up to date")
		}
		return err
	}
	states, err := store.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	for _, st := range states {
		at := "pending"
		if st.AppliedAt != nil {
			at = "applied " + st.AppliedAt.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(stdout, "%04d_%s\t%s\n", st.Version, st.Name, at)
	}
	return nil
}

func userCmd(ctx context.Context, cfg config, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		return usagef("usage: scrapstore user add --email E --name N --role manager|staff|driver|member [--organisation-id ID] [--password-stdin]")
	}
	fs := flagSet("user add", &cfg, stderr)
	email := fs.String("email", "", "email address")
	name := fs.String("name", "", "full name")
	role := fs.String("role", "", "manager, staff, driver or member")
	org := fs.Int64("organisation-id", 0, "the member's organisation")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of stdin")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	in := models.NewUser{Email: *email, Name: *name, Role: models.Role(*role)}
	if *org != 0 {
		in.OrganisationID = org
	}
	generated := !*fromStdin
	if *fromStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && err != io.EOF {
			return err
		}
		in.Password = strings.TrimRight(line, "\r\n")
	} else {
		in.Password = models.GeneratePassword()
	}
	store, err := openStore(ctx, cfg, newLogger(cfg, stderr))
	if err != nil {
		return err
	}
	defer store.Close()
	u, err := store.CreateUser(ctx, nil, in)
	if err != nil {
		return userError(err)
	}
	fmt.Fprintf(stdout, "created user %d: %s (%s)\n", u.ID, u.Email, u.Role)
	if generated {
		fmt.Fprintf(stdout, "password: %s\n", in.Password)
	}
	return nil
}

// userError turns a rule broken on the command line into a usage error (exit code 2)
// that names the flag.
func userError(err error) error {
	if ve, ok := err.(*models.ValidationError); ok {
		var parts []string
		for _, f := range ve.Errors {
			parts = append(parts, "--"+strings.ReplaceAll(f.Field, "_", "-")+" "+f.Message)
		}
		return usagef("%s", strings.Join(parts, "; "))
	}
	return err
}

func demoCmd(ctx context.Context, cfg config, args []string, stdout, stderr io.Writer) error {
	fs := flagSet("demo", &cfg, stderr)
	scale := fs.Int("scale", 1, "make the demo data this many times larger (for benchmarks)")
	seed := fs.Uint64("seed", 1, "random seed: the same seed gives the same data")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *scale < 1 || *scale > 10000 {
		return usagef("--scale must be between 1 and 10000")
	}
	store, err := openStore(ctx, cfg, newLogger(cfg, stderr))
	if err != nil {
		return err
	}
	defer store.Close()
	start := time.Now()
	users, err := demo.Load(ctx, store, *seed, *scale, today(cfg))
	if err != nil {
		return err
	}
	printDemoUsers(stdout, users)
	fmt.Fprintf(stdout, "demo data (scale %d, seed %d) loaded in %s\n", *scale, *seed, time.Since(start).Round(time.Millisecond))
	return nil
}

// healthcheck asks the local service's /healthz; a container's HEALTHCHECK runs it, so
// it needs no shell tools.
func healthcheck(ctx context.Context, cfg config) error {
	_, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return usagef("bad address %q", cfg.Addr)
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://127.0.0.1:"+port+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("/healthz answered %s", resp.Status)
	}
	return nil
}

// checkCmd verifies a live database: every stock item's on-hand and reserved figures
// against the sums of its movements; every stored weight, quantity and measure within
// its range; finished runs whose km look wrong; requests and deliveries scheduled
// without an open stop; the dashboard's totals against the rows. It exits 1 when it
// finds any.
func checkCmd(ctx context.Context, cfg config, args []string, stdout, stderr io.Writer) error {
	fs := flagSet("check", &cfg, stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	store, err := openStore(ctx, cfg, newLogger(cfg, stderr))
	if err != nil {
		return err
	}
	defer store.Close()
	bad, n, err := store.CheckLedger(ctx)
	if err != nil {
		return err
	}
	for _, b := range bad {
		fmt.Fprintf(stdout, "stock item %d: on hand %g, movements sum to %g; reserved %g, movements sum to %g\n",
			b.StockItemID, b.OnHand.Quantity(), b.SumOnHand.Quantity(), b.Reserved.Quantity(), b.SumReserv.Quantity())
	}
	if len(bad) == 0 {
		fmt.Fprintf(stdout, "all %d stock items agree with the ledger\n", n)
	}
	ranges, err := store.CheckRanges(ctx)
	if err != nil {
		return err
	}
	for _, r := range ranges {
		fmt.Fprintf(stdout, "%s.%s: %d rows outside %g to %g, the first id %d\n", r.Table, r.Column, r.Rows, r.Min, r.Max, r.FirstID)
	}
	if len(ranges) == 0 {
		fmt.Fprintln(stdout, "every stored weight and quantity is in range")
	}
	runs, err := store.CheckRuns(ctx)
	if err != nil {
		return err
	}
	for _, p := range runs {
		fmt.Fprintf(stdout, "%s %d %s\n", p.What, p.ID, p.Detail)
	}
	if len(runs) == 0 {
		fmt.Fprintln(stdout, "runs: every finished run's km are plausible, and every scheduled request and delivery has an open stop")
	}
	totals, err := store.CheckTotals(ctx)
	if err != nil {
		return err
	}
	for _, p := range totals {
		fmt.Fprintf(stdout, "totals of %s:00 UTC, %s, category %d: %d lines and %d g kept, the rows add up to %d and %d g\n",
			p.UTCHour, p.Direction, p.CategoryID, p.Lines, p.Grams, p.RowsLines, p.RowsGrams)
	}
	if len(totals) == 0 {
		fmt.Fprintln(stdout, "the dashboard's totals agree with the donations and check-outs")
	}
	if len(bad) > 0 || len(ranges) > 0 || len(runs) > 0 || len(totals) > 0 {
		return fmt.Errorf("%d of %d stock items disagree with the ledger; %d columns hold values out of range; "+
			"%d problems with runs; %d totals disagree with the rows", len(bad), n, len(ranges), len(runs), len(totals))
	}
	return nil
}

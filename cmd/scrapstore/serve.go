package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/scrapstore/scrapstore/api"
	"github.com/scrapstore/scrapstore/jobs"
	"github.com/scrapstore/scrapstore/jobs/planner"
	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/models/demo"
)

// shutdownGrace is how long requests in flight may take to finish after a stop signal.
const shutdownGrace = 10 * time.Second

func newLogger(cfg config, w io.Writer) *slog.Logger {
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

// openStore opens the database and applies pending migrations.
func openStore(ctx context.Context, cfg config, log *slog.Logger) (*models.Store, error) {
	store, err := models.Open(models.OpenOptions{URL: cfg.DatabaseURL, DataDir: cfg.DataDir, RunKmLimit: cfg.RunKmLimit})
	if err != nil {
		return nil, err
	}
	applied, err := store.Migrate(ctx)
	if err != nil {
		store.Close()
		return nil, err
	}
	for _, m := range applied {
		log.Info("migration applied", "version", m.Version, "name", m.Name)
	}
	return store, nil
}

func today(cfg config) models.Date { return models.NewDate(time.Now().In(cfg.TimeZone)) }

// serve runs the service until ctx ends (SIGTERM or Ctrl-C): then it stops accepting,
// lets requests in flight finish, stops the scheduler and closes the database.
func serve(ctx context.Context, cfg config, stdout io.Writer) error {
	log := newLogger(cfg, os.Stderr)
	store, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer store.Close()
	log.Info("database ready", "dialect", store.Dialect())

	if err := firstStart(ctx, cfg, store, stdout); err != nil {
		return err
	}

	if cfg.GeocoderURL != "" {
		// A short timeout: a store without internet must not wait on it.
		store = store.WithGeocoder(&models.PostcodesIO{URL: cfg.GeocoderURL, Client: &http.Client{Timeout: 2 * time.Second}})
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	var travel planner.TravelProvider = planner.GreatCircle{}
	if cfg.OSRMURL != "" {
		travel = planner.OSRM{BaseURL: cfg.OSRMURL, Client: &http.Client{Timeout: 30 * time.Second}}
	}
	planning := models.PlanSettings{Depot: cfg.Depot, Travel: travel, Location: cfg.TimeZone, Budget: 5 * time.Second}
	set := jobs.Settings{Location: cfg.TimeZone, ReservationGrace: cfg.Grace, DataDir: cfg.DataDir, StoreName: cfg.StoreName,
		Planning: planning, PlanSchedule: cfg.PlanSchedule}
	if cfg.SMTPURL != "" {
		set.Send, _ = jobs.SMTPSender(cfg.SMTPURL) // checked when the settings were read
	}
	sched, err := jobs.New(store, log, cfg.TimeZone, time.Now, reg, jobs.Defaults(set))
	if err != nil {
		return err
	}
	srv := api.NewServer(api.Deps{
		Store: store, Logger: log, Now: time.Now, Jobs: sched, Registry: reg,
		Config: api.Config{
			TokenTTL: cfg.TokenTTL, Location: cfg.TimeZone, Version: version(), AutoConfirm: cfg.AutoConfirm,
			DataDir: cfg.DataDir, Planning: planning, TrustedProxies: cfg.TrustedProxies, CORSOrigins: cfg.CORSOrigins,
			StoreName: cfg.StoreName, SecureCookies: cfg.SecureCookies, Concurrency: cfg.Concurrency,
		},
	})
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	httpSrv := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, IdleTimeout: 2 * time.Minute}
	servers := []*http.Server{httpSrv}
	errc := make(chan error, 2)
	if cfg.MetricsAddr != "" {
		mln, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("listen on %s: %w", cfg.MetricsAddr, err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", api.MetricsHandler(reg))
		// Go's profiler, for finding where a busy service spends its time; private like the metrics.
		mux.HandleFunc("GET /debug/pprof/", pprof.Index)
		mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
		metricsSrv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		servers = append(servers, metricsSrv)
		go func() { errc <- metricsSrv.Serve(mln) }()
		fmt.Fprintf(stdout, "Metrics for Prometheus, without sign-in: http://%s/metrics\n", displayAddr(mln.Addr()))
		fmt.Fprintf(stdout, "Go's profiler, on the same private address: http://%s/debug/pprof/\n", displayAddr(mln.Addr()))
	}
	sched.Start()
	base := "http://" + displayAddr(ln.Addr())
	fmt.Fprintf(stdout, "Scrapstore is serving on %s (stop with Ctrl-C)\n", base)
	fmt.Fprintf(stdout, "Sign in on the web at %s/sign-in with an account above\n", base)
	fmt.Fprintf(stdout, "Or through the API: curl -s %s/api/v1/auth/login -H 'Content-Type: application/json' "+
		"-d '{\"email\":\"...\",\"password\":\"...\"}'\n", base)
	fmt.Fprintf(stdout, "The API is described at %s/api/v1/openapi.json\n", base)
	log.Info("serving", "addr", ln.Addr().String())

	go func() { errc <- httpSrv.Serve(ln) }()
	select {
	case err := <-errc:
		sched.Stop(context.Background())
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	for _, hs := range servers {
		if e := hs.Shutdown(shutdownCtx); e != nil && err == nil {
			err = e
		}
	}
	sched.Stop(shutdownCtx)
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	log.Info("stopped")
	return nil
}

// firstStart creates the first manager and, if asked, loads demo data into an empty
// database. Processes starting at once on one database take turns, so that only the
// first does it.
func firstStart(ctx context.Context, cfg config, store *models.Store, stdout io.Writer) error {
	return store.WithLock(ctx, "first start", func() error {
		if pw, created, err := store.EnsureManager(ctx, cfg.ManagerEmail); err != nil {
			return fmt.Errorf("create the first manager: %w", err)
		} else if created {
			fmt.Fprintf(stdout, "\nCreated a manager account (shown once, keep it safe):\n  email:    %s\n  password: %s\n\n", cfg.ManagerEmail, pw)
		}
		if !cfg.Demo {
			return nil
		}
		if empty, err := store.IsEmpty(ctx); err != nil || !empty {
			return err
		}
		users, err := demo.Load(ctx, store, 1, 1, today(cfg))
		if err != nil {
			return fmt.Errorf("load demo data: %w", err)
		}
		printDemoUsers(stdout, users)
		return nil
	})
}

func displayAddr(a net.Addr) string {
	host, port, _ := net.SplitHostPort(a.String())
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

func printDemoUsers(w io.Writer, users []demo.User) {
	fmt.Fprintln(w, "Loaded demo data. Demo accounts (shown once):")
	for _, u := range users {
		fmt.Fprintf(w, "  %-8s %-30s %s\n", u.Role, u.Email, u.Password)
	}
	fmt.Fprintln(w)
}

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/models/testdb"
	"gorm.io/gorm"
)

// TestMain lets a test run the real main in a child process (to send it signals).
func TestMain(m *testing.M) {
	if os.Getenv("SCRAPSTORE_TEST_RUN_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// env is the environment for run: vars, with the geocoder off unless they turn it on, so
// that no test reaches the internet.
func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := vars[k]
		if k == "SCRAPSTORE_GEOCODER_URL" && !ok {
			return "", true
		}
		return v, ok
	}
}

// The postcode service is on by default; a variable set empty turns it off, which is
// what the tests' environment does unless a test says otherwise.
func TestGeocoderSetting(t *testing.T) {
	lookup := func(vars map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
	}
	cases := map[string]struct {
		lookup func(string) (string, bool)
		want   string
	}{
		"unset":       {lookup(nil), "https://api.postcodes.io"},
		"set empty":   {lookup(map[string]string{"SCRAPSTORE_GEOCODER_URL": ""}), ""},
		"own service": {lookup(map[string]string{"SCRAPSTORE_GEOCODER_URL": "http://127.0.0.1:8000"}), "http://127.0.0.1:8000"},
		"tests":       {env(nil), ""},
	}
	for name, c := range cases {
		cfg, err := configFromEnv(c.lookup)
		if err != nil || cfg.GeocoderURL != c.want {
			t.Errorf("%s: geocoder %q (%v), want %q", name, cfg.GeocoderURL, err, c.want)
		}
	}
	// An empty variable still means the default for other settings.
	if cfg, err := configFromEnv(lookup(map[string]string{"SCRAPSTORE_ADDR": ""})); err != nil || cfg.Addr != ":8080" {
		t.Errorf("empty SCRAPSTORE_ADDR gave %q (%v)", cfg.Addr, err)
	}
}

func TestBadSettingsExitWithTwo(t *testing.T) {
	cases := map[string]struct {
		args []string
		env  map[string]string
		want string
	}{
		"time zone":   {nil, map[string]string{"SCRAPSTORE_TIME_ZONE": "Mars/Olympus"}, "SCRAPSTORE_TIME_ZONE"},
		"token ttl":   {nil, map[string]string{"SCRAPSTORE_TOKEN_TTL": "forever"}, "SCRAPSTORE_TOKEN_TTL"},
		"log format":  {nil, map[string]string{"SCRAPSTORE_LOG_FORMAT": "xml"}, "SCRAPSTORE_LOG_FORMAT"},
		"database":    {nil, map[string]string{"SCRAPSTORE_DATABASE_URL": "mysql://x"}, "SCRAPSTORE_DATABASE_URL"},
		"geocoder":    {nil, map[string]string{"SCRAPSTORE_GEOCODER_URL": "api.postcodes.io"}, "SCRAPSTORE_GEOCODER_URL"},
		"addr flag":   {[]string{"--addr", "nowhere"}, nil, "addr"},
		"proxies":     {nil, map[string]string{"SCRAPSTORE_TRUSTED_PROXIES": "10.0.0.5, 10.1.0.0/33"}, "SCRAPSTORE_TRUSTED_PROXIES"},
		"after serve": {[]string{"serve", "--token-ttl", "1s"}, nil, "token-ttl"},
		"command":     {[]string{"frobnicate"}, nil, "frobnicate"},
		"migrate":     {[]string{"migrate", "sideways"}, nil, "migrate up|status"},
		"km limit":    {nil, map[string]string{"SCRAPSTORE_RUN_KM_LIMIT": "lots"}, "SCRAPSTORE_RUN_KM_LIMIT"},
		"cors origin": {nil, map[string]string{"SCRAPSTORE_CORS_ORIGINS": "www.example.org"}, "SCRAPSTORE_CORS_ORIGINS"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			var stderr bytes.Buffer
			err := run(context.Background(), c.args, env(c.env), nil, io.Discard, &stderr)
			if code := exitCode(err, &stderr); code != 2 || !strings.Contains(stderr.String(), c.want) {
				t.Fatalf("exit %d, stderr %q; want 2 naming %s", code, stderr.String(), c.want)
			}
		})
	}
}

func TestTrustedProxiesSetting(t *testing.T) {
	cfg, err := configFromEnv(env(map[string]string{"SCRAPSTORE_TRUSTED_PROXIES": " 10.0.0.5, 10.1.0.0/16,fd00::1 ,"}))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range cfg.TrustedProxies {
		got = append(got, n.String())
	}
	if want := []string{"10.0.0.5/32", "10.1.0.0/16", "fd00::1/128"}; !slices.Equal(got, want) {
		t.Fatalf("trusted proxies %v, want %v", got, want)
	}
}

func TestVersionHelpMigrateUser(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"SCRAPSTORE_DATA_DIR": dir}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"version"}, env(vars), nil, &out, io.Discard); err != nil ||
		!strings.HasPrefix(out.String(), "scrapstore ") {
		t.Fatalf("version: %q %v", out.String(), err)
	}
	out.Reset()
	if err := run(context.Background(), []string{"help"}, env(vars), nil, &out, io.Discard); err != nil ||
		!strings.Contains(out.String(), "SCRAPSTORE_TOKEN_TTL") {
		t.Fatalf("help: %q %v", out.String(), err)
	}
	out.Reset()
	if err := run(context.Background(), []string{"migrate", "status"}, env(vars), nil, &out, io.Discard); err != nil ||
		!strings.Contains(out.String(), "0001_foundation\tpending") {
		t.Fatalf("migrate status: %q %v", out.String(), err)
	}
	out.Reset()
	if err := run(context.Background(), []string{"migrate", "up"}, env(vars), nil, &out, io.Discard); err != nil ||
		!strings.Contains(out.String(), "applied 0001_foundation") {
		t.Fatalf("migrate up: %q %v", out.String(), err)
	}
	out.Reset()
	err := run(context.Background(), []string{"user", "add", "--email", "pat@example.org", "--name", "Pat", "--role", "staff",
		"--password-stdin"}, env(vars), strings.NewReader("a password from stdin\n"), &out, io.Discard)
	if err != nil || !strings.Contains(out.String(), "created user") || strings.Contains(out.String(), "password:") {
		t.Fatalf("user add: %q %v", out.String(), err)
	}
	out.Reset()
	err = run(context.Background(), []string{"user", "add", "--email", "sam@example.org", "--name", "Sam", "--role", "driver"},
		env(vars), nil, &out, io.Discard)
	if err != nil || !regexp.MustCompile(`password: \S{20,}`).MatchString(out.String()) {
		t.Fatalf("user add with a generated password: %q %v", out.String(), err)
	}
	var stderr bytes.Buffer
	err = run(context.Background(), []string{"user", "add", "--email", "x@example.org", "--name", "X", "--role", "member"},
		env(vars), nil, io.Discard, &stderr)
	if code := exitCode(err, &stderr); code != 2 || !strings.Contains(stderr.String(), "--organisation-id") {
		t.Fatalf("member without organisation: exit %d, %q", code, stderr.String())
	}
}

// The real program, started as a fresh install would be: it migrates, loads demo data,
// prints a manager's password, serves, and exits 0 promptly on SIGTERM.
func TestServeAndStopOnSIGTERM(t *testing.T) {
	var password, url, metrics string
	cmd := startProgram(t, []string{"SCRAPSTORE_DATA_DIR=" + t.TempDir(), "SCRAPSTORE_GEOCODER_URL="}, func(line string) bool {
		if _, m, ok := strings.Cut(line, "without sign-in: "); ok {
			metrics = m
		}
		if _, pw, ok := strings.Cut(line, "password: "); ok && password == "" {
			password = strings.TrimSpace(pw)
		}
		if _, u, ok := strings.Cut(line, "serving on "); ok {
			url, _, _ = strings.Cut(u, " ")
		}
		return url != ""
	}, "--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0")
	defer cmd.Process.Kill()
	if password == "" || url == "" {
		t.Fatalf("did not print a password and an address (password %q, url %q)", password, url)
	}
	body := fmt.Sprintf(`{"email":"manager@scrapstore.example","password":%q}`, password)
	res, err := http.Post(url+"/api/v1/auth/login", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var lr struct{ Token string }
	json.NewDecoder(res.Body).Decode(&lr)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || lr.Token == "" {
		t.Fatalf("login with the printed password: %d", res.StatusCode)
	}
	if res, err := http.Get(url + "/readyz"); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("readyz: %v %v", res, err)
	}
	// Metrics are for managers on the public address, and open on the private one.
	if res, err := http.Get(url + "/metrics"); err != nil || res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("metrics without a token on the public address: %v %v", res, err)
	}
	res, err = http.Get(metrics)
	if err != nil {
		t.Fatalf("metrics address %q: %v", metrics, err)
	}
	m, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(m),
		`scrapstore_http_requests_total{method="POST",route="/api/v1/auth/login",status="200"} 1`) {
		t.Fatalf("private metrics: %d %.300s", res.StatusCode, m)
	}
	// Go's profiler is on the private address only.
	if res, err := http.Get(strings.TrimSuffix(metrics, "metrics") + "debug/pprof/goroutine?debug=1"); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("profiler on the metrics address: %v %v", res, err)
	}
	if res, err := http.Get(url + "/debug/pprof/goroutine?debug=1"); err != nil || res.StatusCode == http.StatusOK {
		t.Fatalf("profiler on the public address: %v %v", res, err)
	}

	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("took %s to stop", took)
	}
}

// startProgram runs the real program with args in a child process, with env added to
// this one's, and hands each line it prints to seen until seen returns true; the rest of
// its output is drained so that it never blocks on a full pipe.
func startProgram(t *testing.T, env []string, seen func(line string) bool, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), "SCRAPSTORE_TEST_RUN_MAIN=1", "SCRAPSTORE_DATABASE_URL="), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() && !seen(sc.Text()) {
	}
	go io.Copy(io.Discard, stdout)
	return cmd
}

func TestCheckLedger(t *testing.T) {
	vars := map[string]string{"SCRAPSTORE_DATA_DIR": t.TempDir()}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"demo"}, env(vars), nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), []string{"check"}, env(vars), nil, &out, io.Discard); err != nil ||
		!strings.Contains(out.String(), "agree with the ledger") || !strings.Contains(out.String(), "the dashboard's totals agree") {
		t.Fatalf("check: %q %v", out.String(), err)
	}
}

// check lists a finished run whose odometer makes a day beyond the km limit, and exits 1;
// with a limit the day is within, it passes.
func TestCheckListsRunsWithWrongKm(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"SCRAPSTORE_DATA_DIR": dir}
	if err := run(context.Background(), []string{"demo"}, env(vars), nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	store, err := models.Open(models.OpenOptions{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	start, finish := models.Km(48000), models.Km(48620)
	bad := models.Run{Day: models.NewDate(time.Now()), VehicleID: 1, Status: "finished", PlannedM: 30_000, StartOdometerKm: &start,
		FinishOdometerKm: &finish, CreatedAt: time.Now()}
	testdb.Write(t, store, func(tx *gorm.DB) *gorm.DB { return tx.Create(&bad) })
	store.Close()
	var out, stderr bytes.Buffer
	err = run(context.Background(), []string{"check"}, env(vars), nil, &out, &stderr)
	want := fmt.Sprintf("run %d on %s went from 48000.0 to 48620.0 km on the odometer, 620.0 km, "+
		"more than the 500 km limit and not confirmed; the figures count its 30.0 planned km instead\n", bad.ID, bad.Day)
	if code := exitCode(err, &stderr); code != 1 || !strings.Contains(out.String(), want) {
		t.Fatalf("check: exit %d\n%s", code, out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"check", "--run-km-limit", "700"}, env(vars), nil, &out, io.Discard); err != nil {
		t.Fatalf("check with a higher limit: %v\n%s", err, out.String())
	}
}

func TestPlanSolomonCommand(t *testing.T) {
	var out bytes.Buffer
	dir := t.TempDir()
	err := run(context.Background(), []string{"plan", "solomon", "--seconds", "0.2", "--out", dir,
		"../../jobs/planner/solomon/testdata/C201.txt"}, env(nil), nil, &out, io.Discard)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if err != nil || len(lines) != 3 || !strings.HasPrefix(lines[1], "C201\t3\t") || !strings.Contains(lines[1], "\tyes\t3\t591.56\t") {
		t.Fatalf("plan solomon: %v\n%s", err, out.String())
	}
	if _, err := os.Stat(dir + "/C201.sol"); err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]string{{"--objective", "cheapest"}, {"--trips", "0"}, {"--unload", "-5"}} {
		var stderr bytes.Buffer
		err = run(context.Background(), append(append([]string{"plan", "solomon"}, bad...), "x.txt"), env(nil), nil, io.Discard, &stderr)
		if code := exitCode(err, &stderr); code != 2 {
			t.Fatalf("%v: exit %d", bad, code)
		}
	}
}

// One van of 100 serves four customers of 50 in two trips, going back to the depot to
// unload in the middle; in one trip it cannot.
func TestPlanSolomonTrips(t *testing.T) {
	dir := t.TempDir()
	inst := "TWO\r\n\r\nVEHICLE\r\nNUMBER     CAPACITY\r\n  1         100\r\n\r\nCUSTOMER\r\n" +
		"CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE TIME\r\n" +
		"    0      0         0          0          0        200          0\r\n" +
		"    1     10         0         50          0        200         10\r\n" +
		"    2     12         0         50          0        200         10\r\n" +
		"    3      0        10         50          0        200         10\r\n" +
		"    4      0        12         50          0        200         10\r\n"
	path := filepath.Join(dir, "TWO.txt")
	if err := os.WriteFile(path, []byte(inst), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		trips, row string
	}{
		{"1", "TWO\t1\t24.00\t"},
		{"2", "TWO\t1\t48.00\t"},
	} {
		var out bytes.Buffer
		err := run(context.Background(), []string{"plan", "solomon", "--seconds", "0.2", "--trips", c.trips, "--unload", "30", "--out", dir, path},
			env(nil), nil, &out, io.Discard)
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		feasible := map[string]string{"1": "\tno", "2": "\tyes"}[c.trips]
		if err != nil || len(lines) != 2 || !strings.HasPrefix(lines[1], c.row) || !strings.Contains(lines[1], feasible) {
			t.Fatalf("--trips %s: %v\n%s", c.trips, err, out.String())
		}
		sol, err := os.ReadFile(filepath.Join(dir, "TWO.sol"))
		if err != nil {
			t.Fatal(err)
		}
		stops := strings.Fields(strings.TrimPrefix(strings.TrimSpace(string(sol)), "Route 1 : "))
		if c.trips == "2" && (len(stops) != 5 || stops[2] != "0") {
			t.Fatalf("two trips: %q, want two customers, the depot, two customers", sol)
		}
	}
}

// Origins are read as scheme://host, a trailing slash dropped; none by default.
func TestCORSOriginsSetting(t *testing.T) {
	c, err := configFromEnv(env(nil))
	if err != nil || c.CORSOrigins != nil {
		t.Fatalf("default: %v %v", c.CORSOrigins, err)
	}
	c, err = configFromEnv(env(map[string]string{"SCRAPSTORE_CORS_ORIGINS": "https://www.sandwellscrapstore.example/, http://localhost:3000"}))
	if want := []string{"https://www.sandwellscrapstore.example", "http://localhost:3000"}; err != nil || !slices.Equal(c.CORSOrigins, want) {
		t.Fatalf("got %v %v, want %v", c.CORSOrigins, err, want)
	}
}

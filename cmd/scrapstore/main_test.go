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
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets a test run the real main in a child process (to send it signals).
func TestMain(m *testing.M) {
	if os.Getenv("SCRAPSTORE_TEST_RUN_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
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
		"addr flag":   {[]string{"--addr", "nowhere"}, nil, "addr"},
		"after serve": {[]string{"serve", "--token-ttl", "1s"}, nil, "token-ttl"},
		"command":     {[]string{"frobnicate"}, nil, "frobnicate"},
		"migrate":     {[]string{"migrate", "sideways"}, nil, "migrate up|status"},
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

func TestVersionHelpMigrateUser(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"SCRAPSTORE_DATA_DIR": dir}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"version"}, env(vars), nil, &out, io.Discard); err != nil || !strings.HasPrefix(out.String(), "scrapstore ") {
		t.Fatalf("version: %q %v", out.String(), err)
	}
	out.Reset()
	if err := run(context.Background(), []string{"help"}, env(vars), nil, &out, io.Discard); err != nil || !strings.Contains(out.String(), "SCRAPSTORE_TOKEN_TTL") {
		t.Fatalf("help: %q %v", out.String(), err)
	}
	out.Reset()
	if err := run(context.Background(), []string{"migrate", "status"}, env(vars), nil, &out, io.Discard); err != nil || !strings.Contains(out.String(), "0001_foundation\tpending") {
		t.Fatalf("migrate status: %q %v", out.String(), err)
	}
	out.Reset()
	if err := run(context.Background(), []string{"migrate", "up"}, env(vars), nil, &out, io.Discard); err != nil || !strings.Contains(out.String(), "applied 0001_foundation") {
		t.Fatalf("migrate up: %q %v", out.String(), err)
	}
	out.Reset()
	err := run(context.Background(), []string{"user", "add", "--email", "pat@example.org", "--name", "Pat", "--role", "staff", "--password-stdin"}, env(vars), strings.NewReader("a password from stdin\n"), &out, io.Discard)
	if err != nil || !strings.Contains(out.String(), "created user") || strings.Contains(out.String(), "password:") {
		t.Fatalf("user add: %q %v", out.String(), err)
	}
	out.Reset()
	err = run(context.Background(), []string{"user", "add", "--email", "sam@example.org", "--name", "Sam", "--role", "driver"}, env(vars), nil, &out, io.Discard)
	if err != nil || !regexp.MustCompile(`password: \S{20,}`).MatchString(out.String()) {
		t.Fatalf("user add with a generated password: %q %v", out.String(), err)
	}
	var stderr bytes.Buffer
	err = run(context.Background(), []string{"user", "add", "--email", "x@example.org", "--name", "X", "--role", "member"}, env(vars), nil, io.Discard, &stderr)
	if code := exitCode(err, &stderr); code != 2 || !strings.Contains(stderr.String(), "--organisation-id") {
		t.Fatalf("member without organisation: exit %d, %q", code, stderr.String())
	}
}

// The real program, started as a fresh install would be: it migrates, loads demo data,
// prints a manager's password, serves, and exits 0 promptly on SIGTERM.
func TestServeAndStopOnSIGTERM(t *testing.T) {
	cmd := exec.Command(os.Args[0], "--addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "SCRAPSTORE_TEST_RUN_MAIN=1", "SCRAPSTORE_DATA_DIR="+t.TempDir(), "SCRAPSTORE_DATABASE_URL=")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var password, url string
	sc := bufio.NewScanner(stdout)
	for url == "" && sc.Scan() {
		line := sc.Text()
		if _, pw, ok := strings.Cut(line, "password: "); ok && password == "" {
			password = strings.TrimSpace(pw)
		}
		if _, u, ok := strings.Cut(line, "serving on "); ok {
			url, _, _ = strings.Cut(u, " ")
		}
	}
	go io.Copy(io.Discard, stdout)
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

func TestCheckLedger(t *testing.T) {
	vars := map[string]string{"SCRAPSTORE_DATA_DIR": t.TempDir()}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"demo"}, env(vars), nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), []string{"check"}, env(vars), nil, &out, io.Discard); err != nil || !strings.Contains(out.String(), "agree with the ledger") {
		t.Fatalf("check: %q %v", out.String(), err)
	}
}

func TestPlanSolomonCommand(t *testing.T) {
	var out bytes.Buffer
	dir := t.TempDir()
	err := run(context.Background(), []string{"plan", "solomon", "--seconds", "0.2", "--out", dir, "../../jobs/planner/solomon/testdata/C201.txt"}, env(nil), nil, &out, io.Discard)
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
		err := run(context.Background(), []string{"plan", "solomon", "--seconds", "0.2", "--trips", c.trips, "--unload", "30", "--out", dir, path}, env(nil), nil, &out, io.Discard)
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

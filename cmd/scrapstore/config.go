package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/scrapstore/scrapstore/jobs"
	"github.com/scrapstore/scrapstore/jobs/planner"
	"github.com/scrapstore/scrapstore/models"
)

// config is every setting of the service.
type config struct {
	DatabaseURL  string
	Addr         string
	DataDir      string
	TimeZone     *time.Location
	TokenTTL     time.Duration
	LogFormat    string
	Demo         bool
	ManagerEmail string
	AutoConfirm  bool
	Grace        time.Duration
	SMTPURL      string
	Depot        planner.Point
	OSRMURL      string
	PlanSchedule string
	MetricsAddr  string
	RunKmLimit   float64
	GeocoderURL  string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names the client.
	TrustedProxies []*net.IPNet
	CORSOrigins    []string
	StoreName      string
	SecureCookies  bool
	Concurrency    int
}

// setting is one configuration value: its flag, its environment variable
// (SCRAPSTORE_ + the flag's name in capitals), its default and how to read it.
type setting struct {
	name, def, usage string
	set              func(c *config, v string) error
}

func checkListenAddr(v string) error {
	host, port, ok := strings.Cut(v, ":")
	if n, err := strconv.Atoi(port); !ok || err != nil || n < 0 || n > 65535 || strings.ContainsAny(host, " /") {
		return errors.New("must be host:port, e.g. :8080 or 127.0.0.1:8080")
	}
	return nil
}

// boolSetting reads true or false into the field of config that field points to.
func boolSetting(field func(*config) *bool) func(*config, string) error {
	return func(c *config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return errors.New("must be true or false")
		}
		*field(c) = b
		return nil
	}
}

// durationSetting reads a duration from lo to hi into the field of config that field
// points to; outside that span it fails with msg.
func durationSetting(lo, hi time.Duration, msg string, field func(*config) *time.Duration) func(*config, string) error {
	return func(c *config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < lo || d > hi {
			return errors.New(msg)
		}
		*field(c) = d
		return nil
	}
}

// emptyIsValue names the settings whose variable set to "" means "" (off), not the default.
var emptyIsValue = map[string]bool{"geocoder-url": true}

func (s setting) env() string {
	return "SCRAPSTORE_" + strings.ToUpper(strings.ReplaceAll(s.name, "-", "_"))
}

var settings = []setting{
	{"database-url", "", "postgres://user@host/db for PostgreSQL; empty for the SQLite file DATA_DIR/scrapstore.db", func(c *config, v string) error {
		if v != "" && !strings.HasPrefix(v, "postgres://") && !strings.HasPrefix(v, "postgresql://") && !strings.HasPrefix(v, "sqlite:") {
			return errors.New("must start with postgres://, postgresql:// or sqlite:")
		}
		c.DatabaseURL = v
		return nil
	}},
	{"addr", ":8080", "address to listen on", func(c *config, v string) error {
		if err := checkListenAddr(v); err != nil {
			return err
		}
		c.Addr = v
		return nil
	}},
	{"metrics-addr", "", "serve: a second, private address for Prometheus metrics and Go's profiler without sign-in (e.g. 127.0.0.1:9090); " +
		"empty: /metrics for managers only", func(c *config, v string) error {
		if v != "" {
			if err := checkListenAddr(v); err != nil {
				return err
			}
		}
		c.MetricsAddr = v
		return nil
	}},
	{"data-dir", "./data", "directory for the SQLite database, photos and reports", func(c *config, v string) error {
		if v == "" {
			return errors.New("must not be empty")
		}
		c.DataDir = v
		return nil
	}},
	{"time-zone", "Europe/London", "the store's time zone: what \"today\" is, opening hours, job schedules", func(c *config, v string) error {
		loc, err := time.LoadLocation(v)
		if err != nil || v == "" {
			return fmt.Errorf("%q is not a time zone name such as Europe/London", v)
		}
		c.TimeZone = loc
		return nil
	}},
	{"store-name", "Scrapstore", "the store's name, at the head of every web page and report", func(c *config, v string) error {
		if strings.TrimSpace(v) == "" || len(v) > 100 {
			return errors.New("must be 1 to 100 characters")
		}
		c.StoreName = strings.TrimSpace(v)
		return nil
	}},
	{"secure-cookies", "false", "mark the web pages' cookies Secure: set it when browsers reach the service over HTTPS " +
		"(e.g. behind a TLS proxy)", boolSetting(func(c *config) *bool { return &c.SecureCookies })},
	{"concurrency", "0", "serve: how many requests are worked on at once; more wait their turn, first come first served " +
		"(0: two per CPU on SQLite, four on PostgreSQL)", func(c *config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 10000 {
			return errors.New("must be a whole number from 0 to 10000")
		}
		c.Concurrency = n
		return nil
	}},
	{"token-ttl", "12h", "how long a sign-in lasts, e.g. 12h or 30m",
		durationSetting(time.Minute, 90*24*time.Hour, "must be a duration between 1m and 2160h, e.g. 12h",
			func(c *config) *time.Duration { return &c.TokenTTL })},
	{"log-format", "text", "log format: text or json", func(c *config, v string) error {
		if v != "text" && v != "json" {
			return errors.New("must be text or json")
		}
		c.LogFormat = v
		return nil
	}},
	{"demo", "true", "serve: load demo data when the database is empty", boolSetting(func(c *config) *bool { return &c.Demo })},
	{"manager-email", "manager@scrapstore.example", "serve: email of the manager account created when there is none", func(c *config, v string) error {
		if !strings.Contains(v, "@") {
			return errors.New("must be an email address")
		}
		c.ManagerEmail = v
		return nil
	}},
	{"auto-confirm", "false", "confirm members' reservations as they are made", boolSetting(func(c *config) *bool { return &c.AutoConfirm })},
	{"reservation-grace", "24h", "how long after its slot ends an uncollected reservation expires",
		durationSetting(0, 30*24*time.Hour, "must be a duration between 0s and 720h, e.g. 24h",
			func(c *config) *time.Duration { return &c.Grace })},
	{"smtp-url", "", "mail server for reminders: smtp://user:password@host:587?from=store@example.org " +
		"(empty: keep them in the outbox)", func(c *config, v string) error {
		if v != "" {
			if _, err := jobs.SMTPSender(v); err != nil {
				return err
			}
		}
		c.SMTPURL = v
		return nil
	}},
	{"depot", "52.518,-1.995", "the store's depot as latitude,longitude: where the vans start and end", func(c *config, v string) error {
		var lat, lon float64
		if _, err := fmt.Sscanf(v, "%g,%g", &lat, &lon); err != nil || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
			return errors.New("must be latitude,longitude, e.g. 52.518,-1.995")
		}
		c.Depot = planner.Point{Lat: lat, Lon: lon}
		return nil
	}},
	{"osrm-url", "", "an OSRM server for road distances (empty: great-circle distance x 1.3 at 25 km/h)", func(c *config, v string) error {
		if v != "" && !strings.HasPrefix(v, "http://") && !strings.HasPrefix(v, "https://") {
			return errors.New("must be an http:// or https:// URL")
		}
		c.OSRMURL = v
		return nil
	}},
	{"geocoder-url", "https://api.postcodes.io",
		"a postcodes.io-compatible service that turns postcodes into coordinates (empty: off)", func(c *config, v string) error {
			if v != "" && !strings.HasPrefix(v, "http://") && !strings.HasPrefix(v, "https://") {
				return errors.New("must be an http:// or https:// URL, or empty to turn it off")
			}
			c.GeocoderURL = v
			return nil
		}},
	{"plan-schedule", "0 17 * * 1-5", "when the nightly job plans the next working day (cron, in TIME_ZONE)", func(c *config, v string) error {
		if _, err := cron.ParseStandard(v); err != nil {
			return errors.New("must be a cron schedule such as \"0 17 * * 1-5\"")
		}
		c.PlanSchedule = v
		return nil
	}},
	{"run-km-limit", strconv.Itoa(models.DefaultRunKmLimit),
		"the most km a van plausibly drives in a day: finishing a run beyond it needs confirm_km", func(c *config, v string) error {
			km, err := strconv.ParseFloat(v, 64)
			if err != nil || km < 1 || km > 5000 {
				return errors.New("must be a number of km between 1 and 5000")
			}
			c.RunKmLimit = km
			return nil
		}},
	{"trusted-proxies", "", "addresses or networks of reverse proxies in front of the service, comma-separated " +
		"(e.g. 10.0.0.5,10.1.0.0/16): only their X-Forwarded-For names the client; " +
		"empty: the connection's address is the client's", func(c *config, v string) error {
		c.TrustedProxies = nil
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part == "" {
				continue
			}
			if !strings.Contains(part, "/") {
				if ip := net.ParseIP(part); ip != nil && ip.To4() != nil {
					part += "/32"
				} else {
					part += "/128"
				}
			}
			_, n, err := net.ParseCIDR(part)
			if err != nil {
				return fmt.Errorf("%q is not an address or network such as 10.0.0.5 or 10.1.0.0/16", part)
			}
			c.TrustedProxies = append(c.TrustedProxies, n)
		}
		return nil
	}},
	{"cors-origins", "", "web origins whose pages may call the public routes from a browser, comma-separated, " +
		"e.g. https://www.example.org (empty: none)", func(c *config, v string) error {
		c.CORSOrigins = nil
		for _, o := range strings.Split(v, ",") {
			if o = strings.TrimSpace(o); o == "" {
				continue
			}
			u, err := url.Parse(o)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
				(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
				return fmt.Errorf("%q is not an origin such as https://www.example.org", o)
			}
			c.CORSOrigins = append(c.CORSOrigins, u.Scheme+"://"+u.Host)
		}
		return nil
	}},
}

// configFromEnv starts from the defaults and applies SCRAPSTORE_* variables; an empty
// one means the default, unless the setting takes "" as a value.
func configFromEnv(lookupEnv func(string) (string, bool)) (config, error) {
	var c config
	for _, s := range settings {
		v, from := s.def, "default"
		if e, ok := lookupEnv(s.env()); e != "" || (ok && emptyIsValue[s.name]) {
			v, from = e, s.env()
		}
		if err := s.set(&c, v); err != nil {
			return c, usagef("setting %s (%s): %v", s.env(), from, err)
		}
	}
	return c, nil
}

// flagSet makes a command's flag set with every setting as a flag, so settings may come
// before or after the command.
func flagSet(name string, c *config, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	for _, s := range settings {
		fs.Func(s.name, s.usage+" ("+s.env()+")", func(v string) error { return s.set(c, v) })
	}
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return usagef("see the flags above")
		}
		return usagef("%v", err)
	}
	return nil
}

func printSettings(w io.Writer) {
	for _, s := range settings {
		fmt.Fprintf(w, "  --%-15s %-28s %s (default %q)\n", s.name, s.env(), s.usage, s.def)
	}
}

// version is the module version and VCS revision the binary was built from.
func version() string {
	v := "dev"
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += "+" + s.Value[:12]
			}
		}
	}
	return v
}

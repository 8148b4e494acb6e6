package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// The load test signs in as member groups' users and staff, then drives a running
// service with what a busy store looks like: mostly members browsing stock and slots,
// reservations made, changed and cancelled on a few popular items (so that they
// conflict), staff logging donations, and a few other writes. It reports throughput,
// latency per route and every status, then runs the ledger check through the API.

// loadOptions are the load test's settings.
type loadOptions struct {
	URL      string
	Duration time.Duration
	Clients  int
	Email    string // a manager's, to create the load test's users
	Password string
	Seed     uint64
}

func loadtestCmd(ctx context.Context, cfg config, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flagSet("loadtest", &cfg, stderr)
	_, port, _ := net.SplitHostPort(cfg.Addr)
	opts := loadOptions{}
	fs.StringVar(&opts.URL, "url", "http://localhost:"+port, "the running service")
	fs.DurationVar(&opts.Duration, "duration", time.Minute, "how long to drive it")
	fs.IntVar(&opts.Clients, "clients", 50, "simulated users sending requests at once")
	fs.StringVar(&opts.Email, "email", cfg.ManagerEmail, "a manager's email (the password is read from the first line of stdin)")
	fs.Uint64Var(&opts.Seed, "seed", 1, "random seed for the choices the clients make")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return usagef("loadtest takes no arguments, got %q", fs.Args())
	case opts.Clients < 1 || opts.Clients > 1000:
		return usagef("--clients must be between 1 and 1000")
	case opts.Duration < time.Second:
		return usagef("--duration must be at least 1s")
	}
	u, err := url.Parse(opts.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usagef("--url must be an http:// or https:// address, e.g. http://localhost:8080")
	}
	opts.URL = strings.TrimRight(opts.URL, "/")
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && err != io.EOF {
		return err
	}
	if opts.Password = strings.TrimRight(line, "\r\n"); opts.Password == "" {
		return usagef("give the password of %s on the first line of stdin", opts.Email)
	}
	rep, err := runLoad(ctx, opts, stdout)
	if rep != nil { // also when stopped early (Ctrl-C): what was measured is shown
		rep.print(stdout)
	}
	if err != nil {
		return err
	}
	return rep.verdict()
}

// loadRef is what the load test needs to know of a stock item.
type loadRef struct {
	ID        int64   `json:"id"`
	Unit      string  `json:"unit"`
	KgPerUnit float64 `json:"kg_per_unit"`
	Available float64 `json:"available"`
	Desc      string  `json:"description"`
}

type loadUser struct {
	id                   int64
	email, password, tok string
	organisationID       *int64
	role                 string
}

// loadtest is one run: the service, what setup found there, and the figures.
type loadtest struct {
	opts  loadOptions
	http  *http.Client
	stats *loadStats

	manager    string // the manager's token
	categories []struct {
		ID          int64  `json:"id"`
		DefaultUnit string `json:"default_unit"`
	}
	locations, donors []int64
	items, popular    []loadRef
	words             []string
}

// runLoad prepares the users, drives the service for the duration, then deactivates
// the users it made and checks the ledger.
func runLoad(ctx context.Context, opts loadOptions, progress io.Writer) (*loadReport, error) {
	tr := &http.Transport{MaxIdleConns: 2 * opts.Clients, MaxIdleConnsPerHost: 2 * opts.Clients, IdleConnTimeout: time.Minute}
	defer tr.CloseIdleConnections()
	lt := &loadtest{opts: opts, http: &http.Client{Transport: tr, Timeout: 30 * time.Second}, stats: newLoadStats()}
	tok, _, err := lt.login(ctx, opts.Email, opts.Password)
	if err != nil {
		return nil, fmt.Errorf("sign in as %s: %w", opts.Email, err)
	}
	lt.manager = tok
	defer lt.call(context.WithoutCancel(ctx), "", http.MethodPost, "/api/v1/auth/logout", tok, nil, nil)
	if err := lt.survey(ctx); err != nil {
		return nil, err
	}
	start := time.Now()
	members, staff, err := lt.makeUsers(ctx)
	defer lt.deactivate(context.WithoutCancel(ctx), append(members, staff...))
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(progress, "signed in %d members and %d staff made for the test in %s; driving %s for %s with %d clients\n",
		len(members), len(staff), time.Since(start).Round(time.Millisecond), opts.URL, opts.Duration, opts.Clients)

	start = time.Now()
	end := start.Add(opts.Duration)
	var wg sync.WaitGroup
	clients := make([]*loadClient, opts.Clients)
	for i := range clients {
		c := &loadClient{lt: lt, member: members[i%len(members)], staff: staff[i%len(staff)], rng: newClientRand(opts.Seed, i)}
		clients[i] = c
		wg.Go(func() {
			for ctx.Err() == nil && time.Now().Before(end) {
				c.step(ctx)
			}
		})
	}
	wg.Wait()
	rep := lt.stats.report(time.Since(start))
	// Give back the slot places and stock still held, so that the next run finds the
	// store as this one did.
	_ = inParallel(4, len(clients), func(i int) error {
		for _, r := range clients[i].held {
			lt.call(context.WithoutCancel(ctx), "", http.MethodPost,
				"/api/v1/reservations/"+id(r.ID)+"/cancel", clients[i].member.tok, nil, nil)
		}
		return nil
	})
	if err := lt.call(context.WithoutCancel(ctx), "", http.MethodGet, "/api/v1/stock/check", lt.manager, nil, &rep.Ledger); err != nil {
		return rep, fmt.Errorf("the ledger check: %w", err)
	}
	return rep, ctx.Err()
}

// call sends one request and decodes a 2xx answer into out. A route label records it in
// the figures; setup and clean-up calls pass "". Any answer but 2xx is an error.
func (lt *loadtest) call(ctx context.Context, route, method, path, token string, body, out any) error {
	status, err := lt.send(ctx, route, method, path, token, body, out)
	if err == nil && status/100 != 2 {
		err = &statusError{status}
	}
	return err
}

type statusError struct{ status int }

func (e *statusError) Error() string {
	return fmt.Sprintf("answered %d %s", e.status, http.StatusText(e.status))
}

func isConflict(err error) bool {
	var se *statusError
	return errors.As(err, &se) && se.status == http.StatusConflict
}

func (lt *loadtest) send(ctx context.Context, route, method, path, token string, body, out any) (int, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, lt.opts.URL+path, r)
	if err != nil {
		return 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
		if method == http.MethodPost {
			// A careful client sends a key with every creating POST, so that a retry
			// cannot make a second donation or reservation.
			req.Header.Set("Idempotency-Key", rand.Text())
		}
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	start := time.Now()
	res, err := lt.http.Do(req)
	var data []byte
	if err == nil {
		data, err = io.ReadAll(res.Body)
		res.Body.Close()
	}
	took := time.Since(start)
	status := 0
	if err == nil {
		status = res.StatusCode
	}
	if route != "" {
		lt.stats.record(route, status, took, err, data)
	}
	if err != nil {
		return 0, err
	}
	if status/100 == 2 && out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return status, fmt.Errorf("%s %s: decode the answer: %w", method, path, err)
		}
	}
	return status, nil
}

func (lt *loadtest) login(ctx context.Context, email, password string) (string, int64, error) {
	var res struct {
		Token string `json:"token"`
		User  struct {
			ID int64 `json:"id"`
		} `json:"user"`
	}
	err := lt.call(ctx, "", http.MethodPost, "/api/v1/auth/login", "", map[string]string{"email": email, "password": password}, &res)
	return res.Token, res.User.ID, err
}

// list reads the first page (up to 200) of a list.
func (lt *loadtest) list(ctx context.Context, path string, items any) error {
	var page struct{ Items json.RawMessage }
	if err := lt.call(ctx, "", http.MethodGet, path, lt.manager, nil, &page); err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	return json.Unmarshal(page.Items, items)
}

// survey learns what is in the store: categories, shelves, donors, stock, and the few
// popular items that every member will want.
func (lt *loadtest) survey(ctx context.Context) error {
	var ids []struct {
		ID int64 `json:"id"`
	}
	if err := lt.list(ctx, "/api/v1/categories?limit=200", &lt.categories); err != nil {
		return err
	}
	for _, l := range []struct {
		path string
		to   *[]int64
	}{{"/api/v1/locations?active=true&limit=200", &lt.locations}, {"/api/v1/donors?active=true&limit=200", &lt.donors}} {
		if err := lt.list(ctx, l.path, &ids); err != nil {
			return err
		}
		for _, x := range ids {
			*l.to = append(*l.to, x.ID)
		}
	}
	if err := lt.list(ctx, "/api/v1/stock?available_only=true&sort=id&limit=200", &lt.items); err != nil {
		return err
	}
	// The popular items: light, so that a visit stays within the smallest band's
	// allowance, and the scarcest of those, so that the groups compete for them.
	for _, it := range lt.items {
		if it.Available >= 2 && it.KgPerUnit > 0 && it.KgPerUnit <= 5 {
			lt.popular = append(lt.popular, it)
		}
	}
	slices.SortStableFunc(lt.popular, func(a, b loadRef) int { return cmp.Compare(a.Available, b.Available) })
	lt.popular = lt.popular[:min(4, len(lt.popular))]
	seen := map[string]bool{}
	for _, it := range lt.items {
		for _, w := range strings.Fields(strings.ToLower(it.Desc)) {
			if w = strings.Trim(w, ",.()"); len(w) >= 4 && !seen[w] {
				seen[w] = true
				lt.words = append(lt.words, w)
			}
		}
	}
	if len(lt.categories) == 0 || len(lt.locations) == 0 || len(lt.popular) == 0 {
		return errors.New("the store needs categories, locations and stock to test with: load demo data first (scrapstore demo --scale 10)")
	}
	return nil
}

// makeUsers creates a member for each client (each in a group whose membership is in
// date) and a staff user for every ten clients, and signs each in once.
func (lt *loadtest) makeUsers(ctx context.Context) (members, staff []*loadUser, err error) {
	var orgs []struct {
		ID int64 `json:"id"`
	}
	if err := lt.list(ctx, "/api/v1/organisations?lapsed=false&limit=200", &orgs); err != nil {
		return nil, nil, err
	}
	if len(orgs) == 0 {
		return nil, nil, errors.New("no member group has a membership in date")
	}
	run := strings.ToLower(rand.Text()[:8])
	for i := range lt.opts.Clients {
		org := orgs[i%len(orgs)].ID
		members = append(members, &loadUser{role: "member", organisationID: &org, email: fmt.Sprintf("load-%s-member%d@scrapstore.example", run, i+1)})
	}
	for i := range max(1, lt.opts.Clients/10) {
		staff = append(staff, &loadUser{role: "staff", email: fmt.Sprintf("load-%s-staff%d@scrapstore.example", run, i+1)})
	}
	all := append(append([]*loadUser{}, members...), staff...)
	err = inParallel(4, len(all), func(i int) error {
		u := all[i]
		u.password = rand.Text()
		var made struct {
			ID int64 `json:"id"`
		}
		body := map[string]any{"email": u.email, "name": "Load test " + u.role, "role": u.role, "organisation_id": u.organisationID, "password": u.password}
		if err := lt.call(ctx, "", http.MethodPost, "/api/v1/users", lt.manager, body, &made); err != nil {
			return fmt.Errorf("create user %s: %w", u.email, err)
		}
		u.id = made.ID
		tok, _, err := lt.login(ctx, u.email, u.password)
		if err != nil {
			return fmt.Errorf("sign in as %s: %w", u.email, err)
		}
		u.tok = tok
		return nil
	})
	return members, staff, err
}

// deactivate retires the users the test made (which revokes their tokens).
func (lt *loadtest) deactivate(ctx context.Context, users []*loadUser) {
	_ = inParallel(4, len(users), func(i int) error {
		if users[i].id == 0 {
			return nil
		}
		return lt.call(ctx, "", http.MethodPatch, "/api/v1/users/"+id(users[i].id), lt.manager, map[string]bool{"active": false}, nil)
	})
}

// inParallel runs fn(0..n-1) on at most width goroutines and returns the first error.
func inParallel(width, n int, fn func(i int) error) error {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	next := make(chan int)
	for range width {
		wg.Go(func() {
			for i := range next {
				if err := fn(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return first
}

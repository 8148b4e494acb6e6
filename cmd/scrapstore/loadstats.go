package main

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
)

// loadStats gathers every request's route, status and time.
type loadStats struct {
	mu     sync.Mutex
	routes map[string]*routeStats
}

type routeStats struct {
	kind, route string
	took        []time.Duration
	statuses    map[int]int // 0: no answer
	samples     []string    // the first few unexpected answers
}

func newLoadStats() *loadStats { return &loadStats{routes: map[string]*routeStats{}} }

// unexpected is an answer that is neither a success nor an honest conflict.
func unexpected(status int) bool { return status/100 != 2 && status != 409 }

// record keeps one request; label is "kind\troute".
func (s *loadStats) record(label string, status int, took time.Duration, err error, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.routes[label]
	if r == nil {
		kind, route, _ := strings.Cut(label, "\t")
		r = &routeStats{kind: kind, route: route, statuses: map[int]int{}}
		s.routes[label] = r
	}
	r.took = append(r.took, took)
	r.statuses[status]++
	if unexpected(status) && len(r.samples) < 3 {
		what := string(body)
		if err != nil {
			what = err.Error()
		}
		r.samples = append(r.samples, fmt.Sprintf("%d %.300s", status, what))
	}
}

// loadReport is what a run measured.
type loadReport struct {
	Elapsed time.Duration
	Routes  []routeReport
	Total   routeReport
	Kinds   map[string]int
	Ledger  struct {
		Checked       int64 `json:"checked"`
		Disagreements []struct {
			StockItemID int64 `json:"stock_item_id"`
		} `json:"disagreements"`
	}
}

type routeReport struct {
	Route              string
	Count              int
	P50, P95, P99, Max time.Duration
	Statuses           map[int]int
	Samples            []string
}

func summarise(route string, took []time.Duration, statuses map[int]int) routeReport {
	slices.Sort(took)
	at := func(q float64) time.Duration {
		i := int(q*float64(len(took))+0.5) - 1
		return took[max(0, min(i, len(took)-1))]
	}
	return routeReport{Route: route, Count: len(took), P50: at(0.50), P95: at(0.95), P99: at(0.99), Max: took[len(took)-1], Statuses: statuses}
}

func (s *loadStats) report(elapsed time.Duration) *loadReport {
	s.mu.Lock()
	defer s.mu.Unlock()
	rep := &loadReport{Elapsed: elapsed, Kinds: map[string]int{}}
	var all []time.Duration
	allStatuses := map[int]int{}
	for _, r := range s.routes {
		rr := summarise(r.route, slices.Clone(r.took), r.statuses)
		rr.Samples = r.samples
		rep.Routes = append(rep.Routes, rr)
		rep.Kinds[r.kind] += len(r.took)
		all = append(all, r.took...)
		for st, n := range r.statuses {
			allStatuses[st] += n
		}
	}
	slices.SortFunc(rep.Routes, func(a, b routeReport) int { return b.Count - a.Count })
	if len(all) > 0 {
		rep.Total = summarise("all", all, allStatuses)
	}
	return rep
}

// count adds up the answers whose status satisfies keep.
func (r routeReport) count(keep func(status int) bool) int {
	n := 0
	for st, c := range r.Statuses {
		if keep(st) {
			n += c
		}
	}
	return n
}

func (rep *loadReport) print(w io.Writer) {
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000) }
	rows := append(rep.Routes, rep.Total)
	width := 5
	for _, r := range rows {
		width = max(width, len(r.Route))
	}
	fmt.Fprintf(w, "%-*s %9s %8s %8s %8s %8s  %s\n", width, "route", "requests", "p50 ms", "p95 ms", "p99 ms", "max ms", "statuses")
	for _, r := range rows {
		var sts []string
		for _, st := range slices.Sorted(maps.Keys(r.Statuses)) {
			name := fmt.Sprint(st)
			if st == 0 {
				name = "no answer"
			}
			sts = append(sts, fmt.Sprintf("%s:%d", name, r.Statuses[st]))
		}
		fmt.Fprintf(w, "%-*s %9d %8s %8s %8s %8s  %s\n", width, r.Route, r.Count, ms(r.P50), ms(r.P95), ms(r.P99), ms(r.Max), strings.Join(sts, " "))
	}
	t := rep.Total
	fmt.Fprintf(w, "\n%d requests in %s: %.0f a second\n", t.Count, rep.Elapsed.Round(time.Millisecond), float64(t.Count)/rep.Elapsed.Seconds())
	var mix []string
	for _, k := range []string{kindRead, kindReservation, kindDonation, kindOther} {
		mix = append(mix, fmt.Sprintf("%s %.1f%%", k, 100*float64(rep.Kinds[k])/float64(max(1, t.Count))))
	}
	fmt.Fprintf(w, "mix: %s\n", strings.Join(mix, ", "))
	fmt.Fprintf(w, "answers: %d succeeded, %d refused with 409 (conflicts the rules are there for), %d other 4xx, %d 5xx, %d without an answer\n",
		t.count(func(s int) bool { return s/100 == 2 }), t.count(func(s int) bool { return s == 409 }),
		t.count(func(s int) bool { return s/100 == 4 && s != 409 }),
		t.count(func(s int) bool { return s >= 500 }), t.count(func(s int) bool { return s == 0 }))
	for _, r := range rep.Routes {
		for _, s := range r.Samples {
			fmt.Fprintf(w, "  unexpected from %s: %s\n", r.Route, s)
		}
	}
	if len(rep.Ledger.Disagreements) == 0 {
		fmt.Fprintf(w, "ledger: all %d stock items agree with the ledger\n", rep.Ledger.Checked)
	} else {
		fmt.Fprintf(w, "ledger: %d of %d stock items disagree with the ledger (see scrapstore check)\n", len(rep.Ledger.Disagreements), rep.Ledger.Checked)
	}
}

// verdict fails the run when anything but successes and honest conflicts came back, or
// the ledger disagrees.
func (rep *loadReport) verdict() error {
	var problems []string
	if n := rep.Total.count(unexpected); n > 0 {
		problems = append(problems, fmt.Sprintf("%d unexpected answers", n))
	}
	if n := len(rep.Ledger.Disagreements); n > 0 {
		problems = append(problems, fmt.Sprintf("%d stock items disagree with the ledger", n))
	}
	if problems != nil {
		return errors.New("the load test found " + strings.Join(problems, " and "))
	}
	return nil
}

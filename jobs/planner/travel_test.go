package planner_test

import (
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/scrapstore/scrapstore/jobs/planner"
)

func TestGreatCircle(t *testing.T) {
	// West Bromwich to Birmingham New Street is about 8.2 km as the crow flies.
	m, err := planner.GreatCircle{}.Matrix(context.Background(), []planner.Point{{52.518, -1.995}, {52.4778, -1.8990}})
	if err != nil {
		t.Fatal(err)
	}
	if d := m.Dist[0][1]; math.Abs(d-8.0*1.3) > 0.6 || m.Dist[1][0] != d || m.Dist[0][0] != 0 {
		t.Fatalf("distance %.2f km", d)
	}
	if mins := m.Time[0][1]; math.Abs(mins-m.Dist[0][1]/25*60) > 1e-9 {
		t.Fatalf("time %.2f min", mins)
	}
}

func TestOSRM(t *testing.T) {
	cases := map[string]struct {
		status int
		body   string
		want   string // part of the error; "" for success
	}{
		"ok":          {200, `{"code":"Ok","distances":[[0,1500],[1600,0]],"durations":[[0,120],[130,0]]}`, ""},
		"unreachable": {200, `{"code":"Ok","distances":[[0,null],[1600,0]],"durations":[[0,null],[130,0]]}`, ""},
		"code":        {400, `{"code":"InvalidQuery","message":"Query string malformed"}`, "InvalidQuery"},
		"server":      {502, `bad gateway`, "not a table"},
		"malformed":   {200, `{"code":"Ok","distances":[[0]],"durations":[[0]]}`, "table"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if !strings.HasPrefix(r.URL.Path, "/table/v1/driving/-1.995000,52.518000;") || r.URL.Query().Get("annotations") != "distance,duration" {
					t.Errorf("asked %s", r.URL)
				}
				w.WriteHeader(c.status)
				w.Write([]byte(c.body))
			}))
			defer srv.Close()
			m, err := planner.OSRM{BaseURL: srv.URL}.Matrix(context.Background(), []planner.Point{{52.518, -1.995}, {52.50, -2.0}})
			switch {
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("error %v, want %q", err, c.want)
			case c.want == "" && err != nil:
				t.Fatal(err)
			case name == "ok" && (m.Dist[0][1] != 1.5 || m.Time[1][0] != 130.0/60):
				t.Fatalf("matrix %+v", m)
			case name == "unreachable" && !math.IsInf(m.Dist[0][1], 1):
				t.Fatalf("an unreachable pair is %v", m.Dist[0][1])
			}
		})
	}
}

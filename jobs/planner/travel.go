package planner

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strings"
)

// Point is a place on the Earth.
type Point struct{ Lat, Lon float64 }

// TravelProvider gives the distances (km) and travel times (minutes) between points.
type TravelProvider interface {
	Matrix(ctx context.Context, points []Point) (Matrix, error)
}

// GreatCircle estimates road travel from the great-circle distance times a road factor,
// at an average speed: no server needed.
type GreatCircle struct {
	RoadFactor float64 // default 1.3
	SpeedKmH   float64 // default 25, an urban van
}

func (g GreatCircle) Matrix(_ context.Context, points []Point) (Matrix, error) {
	factor, speed := g.RoadFactor, g.SpeedKmH
	if factor <= 0 {
		factor = 1.3
	}
	if speed <= 0 {
		speed = 25
	}
	n := len(points)
	m := Matrix{Dist: make([][]float64, n), Time: make([][]float64, n)}
	for i, a := range points {
		m.Dist[i], m.Time[i] = make([]float64, n), make([]float64, n)
		for j, b := range points {
			d := haversineKm(a, b) * factor
			m.Dist[i][j], m.Time[i][j] = d, d/speed*60
		}
	}
	return m, nil
}

func haversineKm(a, b Point) float64 {
	const r = 6371.0088
	rad := math.Pi / 180
	dLat, dLon := (b.Lat-a.Lat)*rad, (b.Lon-a.Lon)*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(h)))
}

// OSRM asks an OSRM server's table service for road distances and times.
type OSRM struct {
	BaseURL string // e.g. http://osrm:5000
	Client  *http.Client
}

type osrmTable struct {
	Code      string       `json:"code"`
	Message   string       `json:"message"`
	Distances [][]*float64 `json:"distances"`
	Durations [][]*float64 `json:"durations"`
}

func (o OSRM) Matrix(ctx context.Context, points []Point) (Matrix, error) {
	coords := make([]string, len(points))
	for i, p := range points {
		coords[i] = fmt.Sprintf("%.6f,%.6f", p.Lon, p.Lat)
	}
	u := strings.TrimRight(o.BaseURL, "/") + "/table/v1/driving/" + strings.Join(coords, ";") +
		"?" + url.Values{"annotations": {"distance,duration"}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return Matrix{}, err
	}
	client := o.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return Matrix{}, fmt.Errorf("osrm: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return Matrix{}, fmt.Errorf("osrm: %w", err)
	}
	var t osrmTable
	if err := json.Unmarshal(body, &t); err != nil {
		return Matrix{}, fmt.Errorf("osrm answered %s with something that is not a table", resp.Status)
	}
	if resp.StatusCode != http.StatusOK || t.Code != "Ok" {
		return Matrix{}, fmt.Errorf("osrm answered %s: %s %s", resp.Status, t.Code, t.Message)
	}
	n := len(points)
	if len(t.Distances) != n || len(t.Durations) != n {
		return Matrix{}, fmt.Errorf("osrm answered a %dx%d table for %d points", len(t.Distances), len(t.Durations), n)
	}
	m := Matrix{Dist: make([][]float64, n), Time: make([][]float64, n)}
	for i := 0; i < n; i++ {
		if len(t.Distances[i]) != n || len(t.Durations[i]) != n {
			return Matrix{}, fmt.Errorf("osrm answered a short row %d", i)
		}
		m.Dist[i], m.Time[i] = make([]float64, n), make([]float64, n)
		for j := 0; j < n; j++ {
			d, s := t.Distances[i][j], t.Durations[i][j]
			if d == nil || s == nil {
				// No route: make the pair unusable rather than free.
				m.Dist[i][j], m.Time[i][j] = math.Inf(1), math.Inf(1)
				continue
			}
			m.Dist[i][j], m.Time[i][j] = *d/1000, *s/60
		}
	}
	return m, nil
}

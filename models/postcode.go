package models

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/scrapstore/scrapstore/jobs/planner"
)

// A UK postcode: outward code (area letters, district) and inward code (sector digit and
// two unit letters), e.g. B70 7PA, WS10 9QY, SW1A 1AA. GIR 0AA is the one odd exception.
var postcodeRE = regexp.MustCompile(`^(GIR0AA|[A-PR-UWYZ][0-9][0-9A-HJKPSTUW]?[0-9][ABD-HJLNP-UW-Z]{2}` +
	`|[A-PR-UWYZ][A-HK-Y][0-9][0-9ABEHMNPRV-Y]?[0-9][ABD-HJLNP-UW-Z]{2})$`)

// NormalisePostcode validates a UK postcode and writes it the standard way ("b1 1aa" to
// "B1 1AA"); ok is false when it is not a postcode.
func NormalisePostcode(s string) (string, bool) {
	compact := strings.ToUpper(strings.Join(strings.Fields(s), ""))
	if !postcodeRE.MatchString(compact) {
		return "", false
	}
	return compact[:len(compact)-3] + " " + compact[len(compact)-3:], true
}

// Geocoder places postcodes. Locate answers the postcodes it knows, by postcode; one it
// does not know is absent. An error means it could not be asked (off, down, slow).
type Geocoder interface {
	Locate(ctx context.Context, postcodes []string) (map[string]planner.Point, error)
}

// How long a looked-up postcode is believed: places found for a year, postcodes the
// service did not know for a week (new postcodes appear).
const (
	postcodeFoundTTL   = 365 * 24 * time.Hour
	postcodeUnknownTTL = 7 * 24 * time.Hour
)

// postcodeLocation is a cached answer; no coordinates means the service did not know it.
type postcodeLocation struct {
	Postcode   string `gorm:"primaryKey"`
	Latitude   *float64
	Longitude  *float64
	LookedUpAt time.Time
}

// WithGeocoder is the Store that places postcodes with g when coordinates are not typed
// (nil: never).
func (s *Store) WithGeocoder(g Geocoder) *Store {
	c := *s
	c.geocoder = g
	return &c
}

// locate places postcodes (normalised) from the cache, asking the geocoder about the
// rest and caching its answers, found or not. A postcode it cannot place is absent: a
// geocoder off, down or slow never fails what the caller is doing, which then says that
// coordinates are needed. Call it outside transactions: the geocoder may take seconds.
func (s *Store) locate(ctx context.Context, postcodes []string) (map[string]planner.Point, error) {
	out := map[string]planner.Point{}
	postcodes = slices.Compact(slices.Sorted(slices.Values(postcodes)))
	if s.geocoder == nil || len(postcodes) == 0 {
		return out, nil
	}
	var cached []postcodeLocation
	if err := s.DB(ctx).Where("postcode IN ?", postcodes).Find(&cached).Error; err != nil {
		return nil, err
	}
	now := s.Now()
	known := map[string]bool{}
	for _, c := range cached {
		switch {
		case c.Latitude != nil && c.Longitude != nil && now.Sub(c.LookedUpAt) < postcodeFoundTTL:
			out[c.Postcode] = planner.Point{Lat: *c.Latitude, Lon: *c.Longitude}
		case c.Latitude == nil && now.Sub(c.LookedUpAt) < postcodeUnknownTTL:
		default:
			continue
		}
		known[c.Postcode] = true
	}
	var ask []string
	for _, pc := range postcodes {
		if !known[pc] {
			ask = append(ask, pc)
		}
	}
	if len(ask) == 0 {
		return out, nil
	}
	found, err := s.geocoder.Locate(ctx, ask)
	if err != nil {
		return out, nil // not asked: nothing to cache, and the caller goes on without
	}
	rows := make([]postcodeLocation, len(ask))
	for i, pc := range ask {
		rows[i] = postcodeLocation{Postcode: pc, LookedUpAt: now}
		if pt, ok := found[pc]; ok {
			rows[i].Latitude, rows[i].Longitude = &pt.Lat, &pt.Lon
			out[pc] = pt
		}
	}
	return out, s.writeAlone(ctx, func(db *gorm.DB) error {
		return db.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "postcode"}}, UpdateAll: true}).CreateInBatches(rows, 200).Error
	})
}

// placeFor places a postcode given in an edit, unless coordinates were typed (they win);
// nil when there is nothing to place or it cannot be placed.
func (s *Store) placeFor(ctx context.Context, postcode *string, lat, lon *float64) (*planner.Point, error) {
	if postcode == nil || lat != nil || lon != nil {
		return nil, nil
	}
	pc, ok := NormalisePostcode(*postcode)
	if !ok {
		return nil, nil
	}
	found, err := s.locate(ctx, []string{pc})
	if pt, ok := found[pc]; ok {
		return &pt, err
	}
	return nil, err
}

// settlePlace decides a place's coordinates after an edit. Typed coordinates win;
// otherwise a place with none, or whose postcode changed, takes its postcode's place (at),
// and a changed postcode that cannot be placed leaves none rather than the old address's.
func settlePlace(lat, lon **float64, typed, postcodeChanged bool, at *planner.Point) {
	switch {
	case typed || (*lat != nil && *lon != nil && !postcodeChanged):
	case at != nil:
		*lat, *lon = &at.Lat, &at.Lon
	case postcodeChanged:
		*lat, *lon = nil, nil
	}
}

// PostcodesIO asks a postcodes.io-compatible service: GET {URL}/postcodes/{postcode} for
// one postcode, POST {URL}/postcodes {"postcodes": [...]} for up to 100 at once. After a
// failure it does not ask again for a minute, so that a store without internet waits at
// most one timeout a minute.
type PostcodesIO struct {
	URL    string
	Client *http.Client

	mu        sync.Mutex
	downUntil time.Time
}

// postcodesIOBatch is the most postcodes the service takes in one bulk request.
const postcodesIOBatch = 100

type postcodesIOPlace struct {
	Latitude  *float64 `json:"latitude"`
	Longitude *float64 `json:"longitude"`
}

func (g *PostcodesIO) Locate(ctx context.Context, postcodes []string) (map[string]planner.Point, error) {
	g.mu.Lock()
	down := time.Now().Before(g.downUntil)
	g.mu.Unlock()
	if down {
		return nil, errors.New("the postcode service failed a moment ago")
	}
	out, err := g.locate(ctx, postcodes)
	if err != nil {
		g.mu.Lock()
		g.downUntil = time.Now().Add(time.Minute)
		g.mu.Unlock()
	}
	return out, err
}

func (g *PostcodesIO) locate(ctx context.Context, postcodes []string) (map[string]planner.Point, error) {
	out := map[string]planner.Point{}
	add := func(pc string, p *postcodesIOPlace) {
		if p != nil && p.Latitude != nil && p.Longitude != nil {
			out[pc] = planner.Point{Lat: *p.Latitude, Lon: *p.Longitude}
		}
	}
	if len(postcodes) == 1 {
		var ans struct {
			Result *postcodesIOPlace `json:"result"`
		}
		found, err := g.call(ctx, http.MethodGet, "/postcodes/"+url.PathEscape(postcodes[0]), nil, &ans)
		if found {
			add(postcodes[0], ans.Result)
		}
		return out, err
	}
	for batch := range slices.Chunk(postcodes, postcodesIOBatch) {
		var ans struct {
			Result []struct {
				Query  string            `json:"query"`
				Result *postcodesIOPlace `json:"result"`
			} `json:"result"`
		}
		if _, err := g.call(ctx, http.MethodPost, "/postcodes", map[string][]string{"postcodes": batch}, &ans); err != nil {
			return nil, err
		}
		for _, r := range ans.Result {
			if pc, ok := NormalisePostcode(r.Query); ok {
				add(pc, r.Result)
			}
		}
	}
	return out, nil
}

// call sends one request and reads its JSON answer; found is false for a 404 (a postcode
// the service does not know), which is an answer, not a failure.
func (g *PostcodesIO) call(ctx context.Context, method, path string, body, into any) (found bool, err error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return false, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(g.URL, "/")+path, rd)
	if err != nil {
		return false, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := g.Client.Do(req)
	if err != nil {
		return false, fmt.Errorf("postcode service: %w", err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return false, nil
	case resp.StatusCode != http.StatusOK:
		return false, fmt.Errorf("postcode service: %s %s answered %s", method, path, resp.Status)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 4<<20)).Decode(into); err != nil {
		return false, fmt.Errorf("postcode service: %s %s: %w", method, path, err)
	}
	return true, nil
}

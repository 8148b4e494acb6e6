package models

import (
	"context"
	"encoding/json"
	"fmt"
)

// What the planning pages need beyond the API: a kept preview read back, and where
// each stop is, to draw a run.

// PreviewedPlan reads back a kept preview as it was shown; once made, it says so
// (DryRun false). An expired preview still reads: making it says it expired.
func (s *Store) PreviewedPlan(ctx context.Context, id int64) (*PlanResult, error) {
	var p Plan
	if err := s.DB(ctx).First(&p, id).Error; err != nil {
		return nil, notFound(err, "plan", id)
	}
	var res PlanResult
	if err := json.Unmarshal([]byte(p.Body), &res); err != nil {
		return nil, fmt.Errorf("plan %d body: %w", id, err)
	}
	res.ID, res.ExpiresAt, res.DryRun = p.ID, &p.ExpiresAt, p.CommittedAt == nil
	return &res, nil
}

// Place is where a stop is, when its request or household has coordinates.
type Place struct {
	Lat, Lon float64
	Known    bool
}

// PlaceStops fills in each stop's details as reading a run does (a preview's runs are
// not stored, so they have none yet) and says where each stop is, run by run.
func (s *Store) PlaceStops(ctx context.Context, runs []Run) ([][]Place, error) {
	if err := s.addStopDetails(ctx, runs); err != nil {
		return nil, err
	}
	var reqIDs, handoverIDs []int64
	for _, r := range runs {
		for _, st := range r.Stops {
			if st.RequestID != nil {
				reqIDs = append(reqIDs, *st.RequestID)
			} else if st.HandoverID != nil {
				handoverIDs = append(handoverIDs, *st.HandoverID)
			}
		}
	}
	type point struct {
		ID                  int64
		Latitude, Longitude *float64
	}
	var reqs, drops []point
	db := s.DB(ctx)
	if len(reqIDs) > 0 {
		if err := db.Model(&PickupRequest{}).Select("id, latitude, longitude").Where("id IN ?", reqIDs).Scan(&reqs).Error; err != nil {
			return nil, err
		}
	}
	if len(handoverIDs) > 0 {
		if err := deliveries(db).Where("h.id IN ?", handoverIDs).Scan(&drops).Error; err != nil {
			return nil, err
		}
	}
	placeOf := func(list []point) map[int64]Place {
		m := make(map[int64]Place, len(list))
		for _, p := range list {
			if p.Latitude != nil && p.Longitude != nil {
				m[p.ID] = Place{Lat: *p.Latitude, Lon: *p.Longitude, Known: true}
			}
		}
		return m
	}
	reqAt, dropAt := placeOf(reqs), placeOf(drops)
	out := make([][]Place, len(runs))
	for i, r := range runs {
		out[i] = make([]Place, len(r.Stops))
		for j, st := range r.Stops {
			switch {
			case st.RequestID != nil:
				out[i][j] = reqAt[*st.RequestID]
			case st.HandoverID != nil:
				out[i][j] = dropAt[*st.HandoverID]
			}
		}
	}
	return out, nil
}

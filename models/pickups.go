package models

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/scrapstore/scrapstore/jobs/planner"
)

// PickupStatus is where a pickup request is; pickupMoves are the moves between them.
type PickupStatus string

const (
	PickupNew       PickupStatus = "new"
	PickupAccepted               = "accepted"
	PickupScheduled              = "scheduled"
	PickupCollected              = "collected"
	PickupMissed                 = "missed"
	PickupCancelled              = "cancelled"
)

var pickupMoves = map[PickupStatus][]PickupStatus{
	PickupNew: {PickupAccepted, PickupCancelled},
	// Accepting an accepted request again places it (coordinates) or changes its priority.
	PickupAccepted:  {PickupAccepted, PickupScheduled, PickupCancelled},
	PickupScheduled: {PickupCollected, PickupMissed, PickupAccepted, PickupCancelled},
	PickupMissed:    {PickupAccepted, PickupCancelled},
}

// PublicPickupLimit is how many requests one client address may make an hour.
const PublicPickupLimit = 5

// PickupRequest is a business asking for its waste to be collected.
type PickupRequest struct {
	ID           int64        `json:"id"`
	Reference    string       `json:"reference"`
	Status       PickupStatus `json:"status"`
	DonorID      *int64       `json:"donor_id"`
	BusinessName string       `json:"business_name"`
	ContactName  string       `json:"contact_name"`
	Email        string       `json:"email"`
	Phone        string       `json:"phone"`
	Address      string       `json:"address"`
	Postcode     string       `json:"postcode"`
	Description  string       `json:"description"`
	CategoryIDs  []int64      `json:"category_ids" gorm:"-"`
	ApproxG      Grams        `json:"approx_kg"`
	ApproxM3     M3           `json:"approx_m3"`
	EarliestDate Date         `json:"earliest_date"`
	LatestDate   Date         `json:"latest_date"`
	AccessNotes  string       `json:"access_notes"`
	Latitude     *float64     `json:"latitude"`
	Longitude    *float64     `json:"longitude"`
	OpeningHours OpeningHours `json:"opening_hours" gorm:"type:text"`
	Priority     int          `json:"priority"`
	StatusReason string       `json:"status_reason"`
	ClientIP     string       `json:"-"`
	CreatedBy    *int64       `json:"created_by"`
	CreatedAt    time.Time    `json:"created_at"`
	UpdatedAt    time.Time    `json:"updated_at"`
	// CoordinatesNeeded says the request has no latitude and longitude (its postcode
	// could not be looked up): it cannot be planned until it is accepted with them.
	CoordinatesNeeded bool `json:"coordinates_needed" gorm:"-"`
}

func (r *PickupRequest) AfterFind(*gorm.DB) error {
	r.CoordinatesNeeded = r.Latitude == nil || r.Longitude == nil
	return nil
}

func (r *PickupRequest) AfterSave(tx *gorm.DB) error { return r.AfterFind(tx) }

type pickupCategory struct {
	RequestID  int64 `gorm:"primaryKey"`
	CategoryID int64 `gorm:"primaryKey"`
}

func (pickupCategory) TableName() string { return "pickup_request_categories" }

// PickupInput is a request for a collection, from the public form or from staff.
type PickupInput struct {
	DonorID      *int64  `json:"donor_id"`
	BusinessName string  `json:"business_name"`
	ContactName  string  `json:"contact_name"`
	Email        string  `json:"email"`
	Phone        string  `json:"phone"`
	Address      string  `json:"address"`
	Postcode     string  `json:"postcode"`
	Description  string  `json:"description"`
	CategoryIDs  []int64 `json:"category_ids"`
	ApproxKg     float64 `json:"approx_kg"`
	ApproxM3     float64 `json:"approx_m3"`
	EarliestDate Date    `json:"earliest_date"`
	LatestDate   Date    `json:"latest_date"`
	AccessNotes  string  `json:"access_notes"`
	Priority     int     `json:"priority"`
	// Website is a honeypot: the public form hides it, so only a robot fills it in. The
	// caller answers such a request as if it had succeeded and keeps nothing.
	Website string `json:"website"`
}

func newReference() string { return "PR-" + rand.Text()[:8] }

// RequestPickup records a request for a collection. From the public form (actor nil) it
// is limited to PublicPickupLimit an hour per client address; staff may name a known
// donor, whose address, coordinates and opening hours the request takes. Otherwise its
// postcode is looked up for its coordinates.
func (s *Store) RequestPickup(ctx context.Context, actor *User, in PickupInput, clientIP string, today Date) (*PickupRequest, error) {
	r := &PickupRequest{Status: PickupNew, ClientIP: clientIP, Priority: 1, OpeningHours: OpeningHours{}}
	at, err := s.placeFor(ctx, &in.Postcode, nil, nil)
	if err != nil {
		return nil, err
	}
	err = s.InTx(ctx, func(tx *gorm.DB) error {
		if actor == nil {
			if err := s.limitPublic(tx, clientIP); err != nil {
				return err
			}
		} else {
			r.CreatedBy = &actor.ID
		}
		if err := s.fillPickup(tx, actor, r, in, today); err != nil {
			return err
		}
		settlePlace(&r.Latitude, &r.Longitude, false, false, at)
		r.Reference = newReference()
		if err := tx.Create(r).Error; err != nil {
			return err
		}
		for _, c := range r.CategoryIDs {
			if err := tx.Create(&pickupCategory{RequestID: r.ID, CategoryID: c}).Error; err != nil {
				return err
			}
		}
		// Personal details stay out of the audit log; the request itself holds them.
		return s.audit(tx, actor, "create", "pickup_request", r.ID, map[string]any{"reference": r.Reference, "donor_id": r.DonorID, "public": actor == nil})
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// limitPublic refuses a client address's request past the hourly limit. On PostgreSQL a
// transaction lock on the address makes the count and the insert one step.
func (s *Store) limitPublic(tx *gorm.DB, ip string) error {
	if s.dialect == Postgres {
		h := fnv.New64a()
		h.Write([]byte("pickup " + ip))
		if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", int64(h.Sum64())).Error; err != nil {
			return err
		}
	}
	var times []time.Time
	since := s.Now().Add(-time.Hour)
	if err := tx.Model(&PickupRequest{}).Where("client_ip = ? AND created_by IS NULL AND created_at > ?", ip, since).
		Order("created_at").Pluck("created_at", &times).Error; err != nil {
		return err
	}
	if len(times) >= PublicPickupLimit {
		wait := times[len(times)-PublicPickupLimit].Add(time.Hour).Sub(s.Now())
		return &RateLimitError{RetryAfterSeconds: int(math.Ceil(wait.Seconds()))}
	}
	return nil
}

func (s *Store) fillPickup(tx *gorm.DB, actor *User, r *PickupRequest, in PickupInput, today Date) error {
	var p Problems
	trim := func(v string) string { return strings.TrimSpace(v) }
	r.BusinessName, r.ContactName, r.Phone, r.Address = trim(in.BusinessName), trim(in.ContactName), trim(in.Phone), trim(in.Address)
	r.Description, r.AccessNotes, r.Email = trim(in.Description), trim(in.AccessNotes), normaliseEmail(in.Email)
	if in.DonorID != nil {
		if actor == nil {
			p.Add("donor_id", "only staff can make a request for a known donor")
		} else {
			var d Donor
			if err := tx.First(&d, *in.DonorID).Error; err != nil {
				if !errors.Is(err, gorm.ErrRecordNotFound) {
					return err
				}
				p.Add("donor_id", "no donor with id %d", *in.DonorID)
			} else {
				r.DonorID = &d.ID
				r.Latitude, r.Longitude, r.OpeningHours = d.Latitude, d.Longitude, d.OpeningHours
				fill := func(dst *string, v string) {
					if *dst == "" {
						*dst = v
					}
				}
				fill(&r.BusinessName, d.Name)
				fill(&r.ContactName, d.ContactName)
				fill(&r.Email, d.Email)
				fill(&r.Phone, d.Phone)
				fill(&r.Address, d.Address)
				if in.Postcode == "" {
					in.Postcode = d.Postcode
				}
			}
		}
	}
	checkTextUpTo(&p, "business_name", r.BusinessName, MaxName, true)
	checkTextUpTo(&p, "contact_name", r.ContactName, MaxName, false)
	checkTextUpTo(&p, "address", r.Address, MaxLine, true)
	checkText(&p, "description", r.Description, false)
	checkText(&p, "access_notes", r.AccessNotes, false)
	checkTextUpTo(&p, "phone", r.Phone, MaxPhone, false)
	if setPostcode(&p, &r.Postcode, &in.Postcode); strings.TrimSpace(in.Postcode) == "" {
		p.Add("postcode", "is required")
	}
	switch {
	case r.Email == "" && r.Phone == "":
		p.Add("email", "give an email address or a phone number")
	case r.Email != "":
		checkEmail(&p, "email", r.Email)
	}
	if in.ApproxKg < 0 || in.ApproxKg > 10_000 {
		p.Add("approx_kg", "must be between 0 and 10000")
	}
	if in.ApproxM3 < 0 || in.ApproxM3 > 100 {
		p.Add("approx_m3", "must be between 0 and 100")
	}
	r.ApproxG, r.ApproxM3 = GramsFromKg(in.ApproxKg), M3(in.ApproxM3)
	switch {
	case in.EarliestDate.IsZero():
		p.Add("earliest_date", "is required")
	case in.EarliestDate.Before(today.Time):
		p.Add("earliest_date", "cannot be in the past")
	}
	switch {
	case in.LatestDate.IsZero():
		p.Add("latest_date", "is required")
	case in.LatestDate.Before(in.EarliestDate.Time):
		p.Add("latest_date", "must not be before earliest_date")
	case in.LatestDate.Sub(today.Time) > 366*24*time.Hour:
		p.Add("latest_date", "must be within a year")
	}
	r.EarliestDate, r.LatestDate = in.EarliestDate, in.LatestDate
	if in.Priority != 0 {
		if actor == nil {
			p.Add("priority", "is set by staff")
		} else if in.Priority < 1 || in.Priority > 5 {
			p.Add("priority", "must be 1 (normal) to 5 (urgent)")
		}
		r.Priority = in.Priority
	}
	if len(in.CategoryIDs) > 20 {
		p.Add("category_ids", "must have at most 20 categories")
	} else if len(in.CategoryIDs) > 0 {
		ids := slices.Compact(slices.Sorted(slices.Values(in.CategoryIDs)))
		var n int64
		if err := tx.Model(&Category{}).Where("id IN ?", ids).Count(&n).Error; err != nil {
			return err
		}
		if int(n) != len(ids) {
			p.Add("category_ids", "has a category that does not exist")
		}
		r.CategoryIDs = ids
	}
	return p.Err()
}

// PickupStatus is what the public may see of a request: given its reference and the
// email it was made with.
func (s *Store) PickupStatus(ctx context.Context, reference, email string) (*PickupRequest, error) {
	var r PickupRequest
	err := s.DB(ctx).Where("reference = ? AND email = ? AND email <> ''", strings.ToUpper(strings.TrimSpace(reference)), normaliseEmail(email)).
		Take(&r).Error
	if err != nil {
		return nil, notFound(err, "pickup request", reference)
	}
	return &r, nil
}

// PickupRequest fetches one request with its categories.
func (s *Store) PickupRequest(ctx context.Context, id int64) (*PickupRequest, error) {
	return s.loadPickup(s.DB(ctx), id)
}

func (s *Store) loadPickup(tx *gorm.DB, id int64) (*PickupRequest, error) {
	var r PickupRequest
	if err := tx.First(&r, id).Error; err != nil {
		return nil, notFound(err, "pickup request", id)
	}
	if err := tx.Model(&pickupCategory{}).Where("request_id = ?", id).Order("category_id").Pluck("category_id", &r.CategoryIDs).Error; err != nil {
		return nil, err
	}
	return &r, nil
}

// PickupFilter narrows ListPickups.
type PickupFilter struct {
	Status string
	On     *Date // requests whose dates include this day
}

// ListPickups pages through requests, oldest first.
func (s *Store) ListPickups(ctx context.Context, f PickupFilter, page Page) ([]PickupRequest, string, error) {
	q := s.DB(ctx).Model(&PickupRequest{})
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.On != nil {
		q = q.Where("earliest_date <= ? AND latest_date >= ?", *f.On, *f.On)
	}
	return Paginate[PickupRequest](q, page, KeyID, func(r PickupRequest) Key { return Key{ID: r.ID} })
}

// AcceptInput says where a request is: a known donor, or coordinates.
type AcceptInput struct {
	DonorID   *int64   `json:"donor_id"`
	Latitude  *float64 `json:"latitude"`
	Longitude *float64 `json:"longitude"`
	Priority  int      `json:"priority"`
}

// AcceptPickup makes a request ready for planning, optionally tied to a donor. Where it
// is: typed coordinates, else the donor's, else those it has, else its postcode's looked
// up. When none are known it is accepted all the same, saying coordinates are needed;
// accepting it again with them places it.
func (s *Store) AcceptPickup(ctx context.Context, actor *User, id int64, in AcceptInput) (*PickupRequest, error) {
	var p Problems
	switch {
	case (in.Latitude == nil) != (in.Longitude == nil):
		p.Add("longitude", "give both latitude and longitude, or neither")
	case in.Latitude != nil:
		checkCoordinates(&p, *in.Latitude, *in.Longitude)
	}
	if in.Priority != 0 && (in.Priority < 1 || in.Priority > 5) {
		p.Add("priority", "must be 1 (normal) to 5 (urgent)")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	var at *planner.Point
	if in.Latitude == nil {
		req, err := s.PickupRequest(ctx, id)
		if err != nil {
			return nil, err
		}
		if at, err = s.placeFor(ctx, &req.Postcode, req.Latitude, req.Longitude); err != nil {
			return nil, err
		}
	}
	return s.movePickup(ctx, actor, id, PickupAccepted, "", func(tx *gorm.DB, r *PickupRequest) error {
		var d Donor
		if in.DonorID != nil {
			if err := tx.First(&d, *in.DonorID).Error; err != nil {
				if errors.Is(err, gorm.ErrRecordNotFound) {
					return Invalid("donor_id", "no donor with id %d", *in.DonorID)
				}
				return err
			}
			r.DonorID = &d.ID
			if len(r.OpeningHours) == 0 {
				r.OpeningHours = d.OpeningHours
			}
		}
		switch {
		case in.Latitude != nil:
			r.Latitude, r.Longitude = in.Latitude, in.Longitude
		case d.Latitude != nil && d.Longitude != nil:
			r.Latitude, r.Longitude = d.Latitude, d.Longitude
		default:
			settlePlace(&r.Latitude, &r.Longitude, false, false, at)
		}
		if in.Priority != 0 {
			r.Priority = in.Priority
		}
		return nil
	})
}

// checkCoordinates checks a latitude and longitude are on the Earth.
func checkCoordinates(p *Problems, lat, lon float64) {
	if lat < -90 || lat > 90 || lat != lat {
		p.Add("latitude", "must be between -90 and 90")
	}
	if lon < -180 || lon > 180 || lon != lon {
		p.Add("longitude", "must be between -180 and 180")
	}
}

// RejectPickup cancels a new request with a reason the business can be told.
func (s *Store) RejectPickup(ctx context.Context, actor *User, id int64, reason string) (*PickupRequest, error) {
	reason = strings.TrimSpace(reason)
	var p Problems
	checkText(&p, "reason", reason, true)
	if err := p.Err(); err != nil {
		return nil, err
	}
	return s.movePickup(ctx, actor, id, PickupCancelled, "rejected: "+reason, func(tx *gorm.DB, r *PickupRequest) error {
		if r.Status != PickupNew {
			return &ConflictError{Detail: fmt.Sprintf("only a new request can be rejected; this one is %s", r.Status), Allowed: names(pickupMoves[r.Status])}
		}
		return nil
	})
}

// CancelPickup withdraws a request that has not been collected.
func (s *Store) CancelPickup(ctx context.Context, actor *User, id int64, reason string) (*PickupRequest, error) {
	var p Problems
	checkText(&p, "reason", reason, false)
	if err := p.Err(); err != nil {
		return nil, err
	}
	return s.movePickup(ctx, actor, id, PickupCancelled, strings.TrimSpace(reason), nil)
}

// movePickup changes a request's status when the move is allowed, in a transaction.
func (s *Store) movePickup(ctx context.Context, actor *User, id int64, to PickupStatus, reason string,
	fn func(tx *gorm.DB, r *PickupRequest) error) (*PickupRequest, error) {
	var r *PickupRequest
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		var err error
		if r, err = s.loadPickup(tx, id); err != nil {
			return err
		}
		from := r.Status
		if !slices.Contains(pickupMoves[from], to) {
			return &ConflictError{Detail: fmt.Sprintf("pickup request %s is %s and cannot become %s", r.Reference, from, to),
				Allowed: names(pickupMoves[from])}
		}
		if fn != nil {
			if err := fn(tx, r); err != nil {
				return err
			}
		}
		r.Status, r.StatusReason = to, reason
		if err := tx.Save(r).Error; err != nil {
			return err
		}
		return s.audit(tx, actor, string(to), "pickup_request", r.ID, map[string]any{"status": map[string]any{"from": from, "to": to}, "reason": reason})
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

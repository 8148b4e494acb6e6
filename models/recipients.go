package models

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/scrapstore/scrapstore/jobs/planner"
)

// Recipient is who furniture goes to: a household referred by an agency, or a member
// organisation. A household's details are personal data: only staff see them, and the
// audit log never holds them.
type Recipient struct {
	ID             int64      `json:"id"`
	Kind           string     `json:"kind"` // household, organisation
	Name           string     `json:"name"`
	Agency         string     `json:"agency"`
	Reference      string     `json:"reference"`
	Contact        string     `json:"contact"`
	Address        string     `json:"address"`
	Postcode       string     `json:"postcode"`
	Needs          string     `json:"needs"`
	Notes          string     `json:"notes"`
	OrganisationID *int64     `json:"organisation_id"`
	Latitude       *float64   `json:"latitude"`
	Longitude      *float64   `json:"longitude"`
	ErasedAt       *time.Time `json:"erased_at"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	// CoordinatesNeeded says there is no latitude and longitude (the postcode could not
	// be looked up): deliveries there cannot be planned until there are.
	CoordinatesNeeded bool `json:"coordinates_needed" gorm:"-"`
}

func (r *Recipient) AfterFind(*gorm.DB) error {
	r.CoordinatesNeeded = r.Latitude == nil || r.Longitude == nil
	return nil
}

func (r *Recipient) AfterSave(tx *gorm.DB) error { return r.AfterFind(tx) }

// RecipientInput creates or changes a recipient; nil fields stay.
type RecipientInput struct {
	Kind           *string  `json:"kind"`
	Name           *string  `json:"name"`
	Agency         *string  `json:"agency"`
	Reference      *string  `json:"reference"`
	Contact        *string  `json:"contact"`
	Address        *string  `json:"address"`
	Postcode       *string  `json:"postcode"`
	Needs          *string  `json:"needs"`
	Notes          *string  `json:"notes"`
	OrganisationID *int64   `json:"organisation_id"`
	Latitude       *float64 `json:"latitude"`
	Longitude      *float64 `json:"longitude"`
}

// applyRecipient applies an edit; at is where the input's postcode is, when known.
func (s *Store) applyRecipient(tx *gorm.DB, p *Problems, r *Recipient, in RecipientInput, at *planner.Point) error {
	oldPostcode := r.Postcode
	if in.Kind != nil {
		r.Kind = *in.Kind
	}
	if !slices.Contains(RecipientKinds, r.Kind) {
		p.Add("kind", "must be one of %s", strings.Join(RecipientKinds, ", "))
	}
	setText(p, "name", &r.Name, in.Name, MaxName, false)
	setText(p, "agency", &r.Agency, in.Agency, MaxName, false)
	setText(p, "reference", &r.Reference, in.Reference, MaxTitle, false)
	setText(p, "contact", &r.Contact, in.Contact, MaxName, false)
	setText(p, "address", &r.Address, in.Address, MaxLine, false)
	setText(p, "needs", &r.Needs, in.Needs, MaxText, false)
	setText(p, "notes", &r.Notes, in.Notes, MaxText, false)
	setPostcode(p, &r.Postcode, in.Postcode)
	if in.OrganisationID != nil {
		r.OrganisationID = in.OrganisationID
	}
	if in.Latitude != nil || in.Longitude != nil {
		r.Latitude, r.Longitude = in.Latitude, in.Longitude
		if r.Latitude == nil || r.Longitude == nil {
			p.Add("longitude", "give both latitude and longitude, or neither")
		} else {
			checkCoordinates(p, *r.Latitude, *r.Longitude)
		}
	}
	settlePlace(&r.Latitude, &r.Longitude, in.Latitude != nil || in.Longitude != nil, r.Postcode != oldPostcode && r.ID != 0, at)
	switch r.Kind {
	case "household":
		if r.Name == "" {
			p.Add("name", "is required for a household")
		}
		r.OrganisationID = nil
	case "organisation":
		if r.OrganisationID == nil {
			p.Add("organisation_id", "is required for an organisation")
			break
		}
		var o Organisation
		if err := tx.First(&o, *r.OrganisationID).Error; err != nil {
			if !errors.Is(err, gorm.ErrRecordNotFound) {
				return err
			}
			p.Add("organisation_id", "no organisation with id %d", *r.OrganisationID)
		} else if r.Name == "" {
			r.Name = o.Name
		}
	}
	return nil
}

// recipientAudit is what the audit log may keep of a recipient: nothing personal.
func recipientAudit(r *Recipient) map[string]any {
	return map[string]any{"kind": r.Kind, "agency": r.Agency, "organisation_id": r.OrganisationID}
}

// CreateRecipient adds a household or an organisation that furniture can go to.
func (s *Store) CreateRecipient(ctx context.Context, actor *User, in RecipientInput) (*Recipient, error) {
	r := &Recipient{}
	at, err := s.placeFor(ctx, in.Postcode, in.Latitude, in.Longitude)
	if err != nil {
		return nil, err
	}
	err = s.InTx(ctx, func(tx *gorm.DB) error {
		var p Problems
		if err := s.applyRecipient(tx, &p, r, in, at); err != nil {
			return err
		}
		if err := p.Err(); err != nil {
			return err
		}
		if err := tx.Create(r).Error; err != nil {
			return err
		}
		return s.audit(tx, actor, "create", "recipient", r.ID, recipientAudit(r))
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// UpdateRecipient changes a recipient; an erased one stays erased.
func (s *Store) UpdateRecipient(ctx context.Context, actor *User, id int64, in RecipientInput) (*Recipient, error) {
	var r Recipient
	at, err := s.placeFor(ctx, in.Postcode, in.Latitude, in.Longitude)
	if err != nil {
		return nil, err
	}
	err = s.InTx(ctx, func(tx *gorm.DB) error {
		if err := tx.First(&r, id).Error; err != nil {
			return notFound(err, "recipient", id)
		}
		if r.ErasedAt != nil {
			return Conflict("recipient %d was erased", id)
		}
		var p Problems
		if err := s.applyRecipient(tx, &p, &r, in, at); err != nil {
			return err
		}
		if err := p.Err(); err != nil {
			return err
		}
		if err := tx.Save(&r).Error; err != nil {
			return err
		}
		return s.audit(tx, actor, "update", "recipient", r.ID, recipientAudit(&r))
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// GetRecipient fetches one recipient.
func (s *Store) GetRecipient(ctx context.Context, id int64) (*Recipient, error) {
	var r Recipient
	if err := s.DB(ctx).First(&r, id).Error; err != nil {
		return nil, notFound(err, "recipient", id)
	}
	return &r, nil
}

// ListRecipients pages through recipients, newest first.
func (s *Store) ListRecipients(ctx context.Context, kind, q string, page Page) ([]Recipient, string, error) {
	db := s.DB(ctx).Model(&Recipient{})
	if kind != "" {
		db = db.Where("kind = ?", kind)
	}
	if q != "" {
		like := "%" + strings.ToLower(escapeLike(q)) + "%"
		db = db.Where("(LOWER(name) LIKE ? ESCAPE '\\' OR LOWER(reference) LIKE ? ESCAPE '\\' OR LOWER(agency) LIKE ? ESCAPE '\\')", like, like, like)
	}
	return Paginate[Recipient](db, page, KeyIDDesc, func(r Recipient) Key { return Key{ID: r.ID} })
}

// EraseRecipient anonymises a household: its personal details go, from it and from its
// hand-overs, and the figures stay (what was passed on, when, to which kind).
func (s *Store) EraseRecipient(ctx context.Context, actor *User, id int64) (*Recipient, error) {
	var r Recipient
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		if err := tx.First(&r, id).Error; err != nil {
			return notFound(err, "recipient", id)
		}
		if r.Kind != "household" {
			return Conflict("only a household's details are personal; recipient %d is an organisation", id)
		}
		if r.ErasedAt != nil {
			return Conflict("recipient %d was erased already", id)
		}
		now := s.Now()
		r = Recipient{ID: r.ID, Kind: r.Kind, Agency: r.Agency, Name: "(erased)", ErasedAt: &now, CreatedAt: r.CreatedAt, UpdatedAt: now}
		if err := tx.Save(&r).Error; err != nil {
			return err
		}
		if err := tx.Model(&Handover{}).Where("recipient_id = ?", id).
			Updates(map[string]any{"received_by": "", "delivery_address": "", "delivery_postcode": ""}).Error; err != nil {
			return err
		}
		return s.audit(tx, actor, "erase", "recipient", id, map[string]any{"erased": true})
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// ReserveFurniture holds an available item for a recipient.
func (s *Store) ReserveFurniture(ctx context.Context, actor *User, id, recipientID int64) (*FurnitureItem, error) {
	if recipientID == 0 {
		return nil, Invalid("recipient_id", "is required")
	}
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		var it FurnitureItem
		if err := tx.First(&it, id).Error; err != nil {
			return notFound(err, "furniture item", id)
		}
		var r Recipient
		if err := tx.First(&r, recipientID).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return Invalid("recipient_id", "no recipient with id %d", recipientID)
			}
			return err
		}
		if r.ErasedAt != nil {
			return Invalid("recipient_id", "recipient %d was erased", recipientID)
		}
		if err := s.moveFurniture(tx, actor, &it, FurnReserved, fmt.Sprintf("for recipient %d", recipientID)); err != nil {
			return err
		}
		return tx.Model(&it).Update("recipient_id", recipientID).Error
	})
	if err != nil {
		return nil, err
	}
	return s.Furniture(ctx, id)
}

// Handover records who got an item; a delivery waits for the logistics planner with its
// DeliveryStatus is where a delivered hand-over is: waiting for a run, planned on one,
// delivered; empty for one collected at the store.
type DeliveryStatus string

const (
	DeliveryWaiting   DeliveryStatus = "waiting"
	DeliveryPlanned   DeliveryStatus = "planned"
	DeliveryDelivered DeliveryStatus = "delivered"
)

// address, weight and volume (delivery_status "waiting").
type Handover struct {
	ID               int64          `json:"id"`
	ItemID           int64          `json:"item_id"`
	RecipientID      int64          `json:"recipient_id"`
	RecipientKind    string         `json:"recipient_kind"`
	Method           string         `json:"method"`
	HandedOn         Date           `json:"on"`
	ChargePence      int64          `json:"charge_pence"`
	ReceivedBy       string         `json:"received_by"`
	DeliveryStatus   DeliveryStatus `json:"delivery_status"`
	DeliveryAddress  string         `json:"delivery_address"`
	DeliveryPostcode string         `json:"delivery_postcode"`
	WeightG          Grams          `json:"weight_kg"`
	VolumeM3         M3             `json:"volume_m3"`
	RecordedBy       *int64         `json:"recorded_by"`
	CreatedAt        time.Time      `json:"created_at"`
}

// HandoverInput is a hand-over as given.
type HandoverInput struct {
	Method      string `json:"method"`
	On          Date   `json:"on"`
	ChargePence int64  `json:"charge_pence"`
	ReceivedBy  string `json:"received_by"`
}

// check finds what is wrong with a hand-over on its own, today.
func (in HandoverInput) check(p *Problems, today Date) {
	if !slices.Contains(HandoverMethods, in.Method) {
		p.Add("method", "must be one of %s", strings.Join(HandoverMethods, ", "))
	}
	if in.Method == "collected" && in.On.After(today.Time) {
		p.Add("on", "a collection cannot be in the future")
	} else {
		checkDay(p, "on", in.On, today, 5, 1)
	}
	if in.ChargePence < 0 || in.ChargePence > 1_000_000 {
		p.Add("charge_pence", "must be between 0 and 1000000")
	}
	checkTextUpTo(p, "received_by", in.ReceivedBy, MaxName, in.Method == "collected")
}

// HandOver passes a reserved item on to its recipient, collected or delivered.
func (s *Store) HandOver(ctx context.Context, actor *User, id int64, in HandoverInput, today Date) (*Handover, error) {
	var p Problems
	in.ReceivedBy = strings.TrimSpace(in.ReceivedBy)
	in.check(&p, today)
	if err := p.Err(); err != nil {
		return nil, err
	}
	var h Handover
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		var it FurnitureItem
		if err := tx.First(&it, id).Error; err != nil {
			return notFound(err, "furniture item", id)
		}
		if it.Status != FurnReserved || it.RecipientID == nil {
			return &ConflictError{Detail: fmt.Sprintf("%s is %s: reserve it for a recipient first", it.Tag, it.Status),
				Allowed: names(furnitureMoves[it.Status])}
		}
		var r Recipient
		if err := tx.First(&r, *it.RecipientID).Error; err != nil {
			return err
		}
		var t FurnitureType
		if err := tx.First(&t, it.TypeID).Error; err != nil {
			return err
		}
		h = Handover{ItemID: it.ID, RecipientID: r.ID, RecipientKind: r.Kind, Method: in.Method, HandedOn: in.On, ChargePence: in.ChargePence,
			ReceivedBy: in.ReceivedBy, WeightG: it.WeightG, VolumeM3: t.DefaultVolumeM3, RecordedBy: userID(actor), CreatedAt: s.Now()}
		if in.Method == "delivered" {
			if r.Address == "" || r.Postcode == "" {
				return Invalid("method", "recipient %d has no address and postcode to deliver to", r.ID)
			}
			h.DeliveryStatus, h.DeliveryAddress, h.DeliveryPostcode = DeliveryWaiting, r.Address, r.Postcode
		}
		if err := tx.Create(&h).Error; err != nil {
			return err
		}
		if err := s.moveFurniture(tx, actor, &it, FurnPassedOn, "handed over ("+in.Method+")"); err != nil {
			return err
		}
		return s.audit(tx, actor, "handover", "furniture_item", it.ID,
			map[string]any{"recipient_id": r.ID, "method": in.Method, "on": in.On, "charge_pence": in.ChargePence})
	})
	if err != nil {
		return nil, err
	}
	return &h, nil
}

// DeliveriesWaiting lists hand-overs waiting to be delivered, oldest first: the stops
// the logistics planner is to plan.
func (s *Store) DeliveriesWaiting(ctx context.Context, page Page) ([]Handover, string, error) {
	q := s.DB(ctx).Model(&Handover{}).Where("delivery_status = ?", DeliveryWaiting)
	return Paginate[Handover](q, page, KeyID, func(h Handover) Key { return Key{ID: h.ID} })
}

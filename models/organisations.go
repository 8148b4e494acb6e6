package models

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
)

// OrganisationKinds are the kinds of member group.
var OrganisationKinds = []string{"school", "early_years", "play_group", "community_group", "charity", "other"}

// Band is a membership band: what a group pays a year and how much it may take a visit.
type Band struct {
	ID             int64     `json:"id"`
	Name           string    `json:"name"`
	AnnualFeePence int64     `json:"annual_fee_pence"`
	AllowanceG     Grams     `json:"allowance_kg"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// Organisation is a member group: a school, a nursery, a play group, a community group.
type Organisation struct {
	ID                  int64     `json:"id"`
	Name                string    `json:"name"`
	Kind                string    `json:"kind"`
	Address             string    `json:"address"`
	Postcode            string    `json:"postcode"`
	ContactName         string    `json:"contact_name"`
	Email               string    `json:"email"`
	Phone               string    `json:"phone"`
	PeopleServed        int       `json:"people_served"`
	BandID              *int64    `json:"band_id"`
	MemberSince         *Date     `json:"member_since"`
	MembershipExpiresOn *Date     `json:"membership_expires_on"`
	CreatedAt           time.Time `json:"created_at"`
	UpdatedAt           time.Time `json:"updated_at"`
}

// Renewal is a membership payment and the expiry it moved.
type Renewal struct {
	ID             int64     `json:"id"`
	OrganisationID int64     `json:"organisation_id"`
	PaidPence      int64     `json:"paid_pence"`
	Method         string    `json:"method"`
	PaidOn         Date      `json:"paid_on"`
	ExpiresBefore  *Date     `json:"expires_before"`
	ExpiresAfter   Date      `json:"expires_after"`
	RecordedBy     *int64    `json:"recorded_by"`
	CreatedAt      time.Time `json:"created_at"`
}

// PaymentMethods are the ways a membership fee is paid.
var PaymentMethods = []string{"cash", "card", "bank_transfer", "cheque", "invoice", "timebank"}

// Lapsed reports whether the membership is out of date on day.
func (o *Organisation) Lapsed(day Date) bool {
	return o.MembershipExpiresOn == nil || o.MembershipExpiresOn.Before(day.Time)
}

// CheckMembership refuses a group whose membership has lapsed, saying when.
func (o *Organisation) CheckMembership(day Date) error {
	if !o.Lapsed(day) {
		return nil
	}
	if o.MembershipExpiresOn == nil {
		return Invalid("organisation_id", "%s has no membership: renew it first", o.Name)
	}
	return Invalid("organisation_id", "the membership of %s lapsed on %s: renew it first", o.Name, o.MembershipExpiresOn)
}

// OrganisationInput is what is given to create or change an organisation; nil fields
// stay as they are on a change.
type OrganisationInput struct {
	Name                *string `json:"name"`
	Kind                *string `json:"kind"`
	Address             *string `json:"address"`
	Postcode            *string `json:"postcode"`
	ContactName         *string `json:"contact_name"`
	Email               *string `json:"email"`
	Phone               *string `json:"phone"`
	PeopleServed        *int    `json:"people_served"`
	BandID              *int64  `json:"band_id"`
	MemberSince         *Date   `json:"member_since"`
	MembershipExpiresOn *Date   `json:"membership_expires_on"`
}

func (s *Store) applyOrganisation(tx *gorm.DB, o *Organisation, in OrganisationInput) error {
	var p Problems
	setText(&p, "name", &o.Name, in.Name, MaxName, true)
	setText(&p, "address", &o.Address, in.Address, MaxLine, false)
	setText(&p, "contact_name", &o.ContactName, in.ContactName, MaxName, false)
	setText(&p, "phone", &o.Phone, in.Phone, MaxPhone, false)
	if in.Kind != nil {
		o.Kind = *in.Kind
	}
	if !slices.Contains(OrganisationKinds, o.Kind) {
		p.Add("kind", "must be one of %s", strings.Join(OrganisationKinds, ", "))
	}
	setPostcode(&p, &o.Postcode, in.Postcode)
	if in.Email != nil {
		o.Email = normaliseEmail(*in.Email)
		if o.Email != "" {
			checkEmail(&p, "email", o.Email)
		}
	}
	if in.PeopleServed != nil {
		o.PeopleServed = *in.PeopleServed
		if o.PeopleServed < 0 || o.PeopleServed > 1_000_000 {
			p.Add("people_served", "must be between 0 and 1000000")
		}
	}
	if in.BandID != nil {
		o.BandID = in.BandID
		var n int64
		if err := tx.Model(&Band{}).Where("id = ?", *in.BandID).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			p.Add("band_id", "no band with id %d", *in.BandID)
		}
	}
	today := NewDate(s.Now())
	if in.MemberSince != nil {
		o.MemberSince = in.MemberSince
		checkDay(&p, "member_since", *o.MemberSince, today, 100, 1)
	}
	if in.MembershipExpiresOn != nil {
		o.MembershipExpiresOn = in.MembershipExpiresOn
		checkDay(&p, "membership_expires_on", *o.MembershipExpiresOn, today, 50, 10)
	}
	return p.Err()
}

func organisationFields(o *Organisation) map[string]any {
	return map[string]any{"name": o.Name, "kind": o.Kind, "address": o.Address, "postcode": o.Postcode,
		"contact_name": o.ContactName, "email": o.Email, "phone": o.Phone, "people_served": o.PeopleServed,
		"band_id": o.BandID, "member_since": o.MemberSince, "membership_expires_on": o.MembershipExpiresOn}
}

// CreateOrganisation adds a member group.
func (s *Store) CreateOrganisation(ctx context.Context, actor *User, in OrganisationInput) (*Organisation, error) {
	o := &Organisation{}
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		if err := s.applyOrganisation(tx, o, in); err != nil {
			return err
		}
		if err := tx.Create(o).Error; err != nil {
			return err
		}
		return s.audit(tx, actor, "create", "organisation", o.ID, organisationFields(o))
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// Organisation fetches one group. A member asking for another group's gets ErrNotFound.
func (s *Store) Organisation(ctx context.Context, actor *User, id int64) (*Organisation, error) {
	if !actor.CanSeeOrganisation(id) {
		return nil, fmt.Errorf("organisation %d: %w", id, ErrNotFound)
	}
	var o Organisation
	if err := s.DB(ctx).First(&o, id).Error; err != nil {
		return nil, notFound(err, "organisation", id)
	}
	return &o, nil
}

// CanSeeOrganisation is false only for a member looking at another group.
func (u *User) CanSeeOrganisation(id int64) bool {
	return u.Role != RoleMember || (u.OrganisationID != nil && *u.OrganisationID == id)
}

// UpdateOrganisation changes a group. Members may change their own group's contact
// details but not its band or membership dates.
func (s *Store) UpdateOrganisation(ctx context.Context, actor *User, id int64, in OrganisationInput) (*Organisation, error) {
	if actor.Role == RoleMember && !actor.CanSeeOrganisation(id) {
		return nil, fmt.Errorf("organisation %d: %w", id, ErrNotFound)
	}
	var o Organisation
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		if err := tx.First(&o, id).Error; err != nil {
			return notFound(err, "organisation", id)
		}
		before := organisationFields(&o)
		if err := s.applyOrganisation(tx, &o, in); err != nil {
			return err
		}
		changes := diff(before, organisationFields(&o))
		if actor.Role == RoleMember {
			if err := memberMayChange(changes); err != nil {
				return err
			}
		}
		if err := tx.Save(&o).Error; err != nil {
			return err
		}
		return s.audit(tx, actor, "update", "organisation", o.ID, changes)
	})
	if err != nil {
		return nil, err
	}
	return &o, nil
}

// memberContactFields are what a member may change of its own group; the rest (name,
// kind, head-count, band, membership dates) is the store's to change. A field sent with
// its current value is no change, so a client may send back the whole group it read.
var memberContactFields = []string{"address", "postcode", "contact_name", "email", "phone"}

func memberMayChange(changes map[string]any) error {
	var refused []FieldError
	for field := range changes {
		if !slices.Contains(memberContactFields, field) {
			refused = append(refused, FieldError{Field: field, Message: "members may change only their group's contact details (" +
				strings.Join(memberContactFields, ", ") + "); ask the store to change this"})
		}
	}
	if len(refused) == 0 {
		return nil
	}
	slices.SortFunc(refused, func(a, b FieldError) int { return strings.Compare(a.Field, b.Field) })
	return &ForbiddenFieldsError{Errors: refused}
}

// OrganisationFilter narrows ListOrganisations.
type OrganisationFilter struct {
	Kind   string
	Q      string // part of the name or postcode
	Lapsed *bool
	Today  Date
}

// ListOrganisations pages through groups by name. A member sees only its own.
func (s *Store) ListOrganisations(ctx context.Context, actor *User, f OrganisationFilter, page Page) ([]Organisation, string, error) {
	q := s.DB(ctx).Model(&Organisation{})
	if actor.Role == RoleMember {
		q = q.Where("id = ?", actor.OrganisationID)
	}
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	if f.Q != "" {
		like := "%" + strings.ToLower(escapeLike(f.Q)) + "%"
		q = q.Where("(LOWER(name) LIKE ? ESCAPE '\\' OR LOWER(postcode) LIKE ? ESCAPE '\\')", like, like)
	}
	if f.Lapsed != nil {
		if *f.Lapsed {
			q = q.Where("(membership_expires_on IS NULL OR membership_expires_on < ?)", f.Today)
		} else {
			q = q.Where("membership_expires_on >= ?", f.Today)
		}
	}
	return Paginate[Organisation](q, page, Order{Column: "name"}, func(o Organisation) Key { return Key{Sort: o.Name, ID: o.ID} })
}

// escapeLike makes user text match literally inside a LIKE pattern.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// RenewalInput is a membership payment.
type RenewalInput struct {
	PaidPence int64  `json:"paid_pence"`
	Method    string `json:"method"`
	PaidOn    Date   `json:"paid_on"`
}

// check finds what is wrong with a renewal on its own, today.
func (in RenewalInput) check(p *Problems, today Date) {
	if in.PaidPence < 0 || in.PaidPence > 10_000_000 {
		p.Add("paid_pence", "must be between 0 and 10000000")
	}
	if !slices.Contains(PaymentMethods, in.Method) {
		p.Add("method", "must be one of %s", strings.Join(PaymentMethods, ", "))
	}
	checkDay(p, "paid_on", in.PaidOn, today, 5, 0)
}

// RenewMembership records a payment and extends the membership by a year from the later
// of today and the current expiry.
func (s *Store) RenewMembership(ctx context.Context, actor *User, orgID int64, in RenewalInput, today Date) (*Renewal, *Organisation, error) {
	var p Problems
	in.check(&p, today)
	if err := p.Err(); err != nil {
		return nil, nil, err
	}
	var (
		o Organisation
		r Renewal
	)
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		if err := tx.First(&o, orgID).Error; err != nil {
			return notFound(err, "organisation", orgID)
		}
		from := today
		if o.MembershipExpiresOn != nil && o.MembershipExpiresOn.After(today.Time) {
			from = *o.MembershipExpiresOn
		}
		next := Date{from.AddDate(1, 0, 0)}
		r = Renewal{OrganisationID: o.ID, PaidPence: in.PaidPence, Method: in.Method, PaidOn: in.PaidOn,
			ExpiresBefore: o.MembershipExpiresOn, ExpiresAfter: next, RecordedBy: &actor.ID, CreatedAt: s.Now()}
		if err := tx.Create(&r).Error; err != nil {
			return err
		}
		changes := map[string]any{"membership_expires_on": map[string]any{"from": o.MembershipExpiresOn, "to": next}, "paid_pence": in.PaidPence}
		o.MembershipExpiresOn = &next
		if o.MemberSince == nil {
			o.MemberSince = &in.PaidOn
		}
		if err := tx.Save(&o).Error; err != nil {
			return err
		}
		return s.audit(tx, actor, "renew", "organisation", o.ID, changes)
	})
	if err != nil {
		return nil, nil, err
	}
	return &r, &o, nil
}

// Bands lists the membership bands by name.
func (s *Store) Bands(ctx context.Context, page Page) ([]Band, string, error) {
	return Paginate[Band](s.DB(ctx).Model(&Band{}), page, Order{Column: "name"}, func(b Band) Key { return Key{Sort: b.Name, ID: b.ID} })
}

// CreateBand adds a membership band.
func (s *Store) CreateBand(ctx context.Context, actor *User, name string, feePence int64, allowanceKg float64) (*Band, error) {
	var p Problems
	name = strings.TrimSpace(name)
	checkTextUpTo(&p, "name", name, MaxTitle, true)
	if feePence < 0 || feePence > 10_000_000 {
		p.Add("annual_fee_pence", "must be between 0 and 10000000")
	}
	if allowanceKg <= 0 || allowanceKg > 10_000 {
		p.Add("allowance_kg", "must be more than 0 and at most 10000")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	b := &Band{Name: name, AnnualFeePence: feePence, AllowanceG: GramsFromKg(allowanceKg)}
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&Band{}).Where("name = ?", name).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return Conflict("a band named %q already exists", name)
		}
		if err := tx.Create(b).Error; err != nil {
			return err
		}
		return s.audit(tx, actor, "create", "band", b.ID, map[string]any{"name": name, "annual_fee_pence": feePence, "allowance_kg": allowanceKg})
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

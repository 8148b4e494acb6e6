package models

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Volunteer kinds and hour activities.
var (
	VolunteerKinds = []string{"volunteer", "placement", "apprentice", "staff"}
	Activities     = []string{"sorting", "counter", "driving", "workshop", "furniture_repair", "admin", "other"}
	WorkshopKinds  = []string{"training", "creative_session", "school_session"}
)

// Volunteer is a person who gives time: a volunteer, a work placement, an apprentice.
type Volunteer struct {
	ID                     int64     `json:"id"`
	Name                   string    `json:"name"`
	Email                  string    `json:"email"`
	Phone                  string    `json:"phone"`
	Kind                   string    `json:"kind"`
	StartedOn              Date      `json:"started_on"`
	PlacedByOrganisationID *int64    `json:"placed_by_organisation_id"`
	Notes                  string    `json:"notes"`
	CreatedAt              time.Time `json:"created_at"`
	UpdatedAt              time.Time `json:"updated_at"`
}

// VolunteerHours is time given on a day, in quarter hours.
type VolunteerHours struct {
	ID          int64     `json:"id"`
	VolunteerID int64     `json:"volunteer_id"`
	Day         Date      `json:"date"`
	Quarters    Quarters  `json:"hours"`
	Activity    string    `json:"activity"`
	RecordedBy  *int64    `json:"recorded_by"`
	CreatedAt   time.Time `json:"created_at"`
}

func (VolunteerHours) TableName() string { return "volunteer_hours" }

// TimebankAccount holds credits, in quarters; the store's account is the other side of
// every credit earned.
type TimebankAccount struct {
	ID              int64    `json:"id"`
	VolunteerID     *int64   `json:"volunteer_id"`
	Name            string   `json:"name"`
	BalanceQuarters Quarters `json:"balance"`
	IsStore         bool     `json:"is_store"`
}

// Transfer moves credits from one account to another.
type Transfer struct {
	ID          int64     `json:"id"`
	FromAccount int64     `json:"from_account"`
	ToAccount   int64     `json:"to_account"`
	Quarters    Quarters  `json:"credits"`
	Note        string    `json:"note"`
	HoursID     *int64    `json:"hours_id"`
	RecordedBy  *int64    `json:"recorded_by"`
	At          time.Time `json:"at"`
}

func (Transfer) TableName() string { return "timebank_transfers" }

// VolunteerInput creates a volunteer.
type VolunteerInput struct {
	Name                   string `json:"name"`
	Email                  string `json:"email"`
	Phone                  string `json:"phone"`
	Kind                   string `json:"kind"`
	StartedOn              Date   `json:"started_on"` // zero: today
	PlacedByOrganisationID *int64 `json:"placed_by_organisation_id"`
	Notes                  string `json:"notes"`
}

// CreateVolunteer adds a volunteer and their timebank account.
func (s *Store) CreateVolunteer(ctx context.Context, actor *User, in VolunteerInput, today Date) (*Volunteer, error) {
	var p Problems
	v := &Volunteer{Name: strings.TrimSpace(in.Name), Email: normaliseEmail(in.Email), Phone: strings.TrimSpace(in.Phone), Kind: in.Kind,
		StartedOn: in.StartedOn, PlacedByOrganisationID: in.PlacedByOrganisationID, Notes: strings.TrimSpace(in.Notes)}
	checkTextUpTo(&p, "name", v.Name, MaxName, true)
	checkText(&p, "notes", v.Notes, false)
	checkTextUpTo(&p, "phone", v.Phone, MaxPhone, false)
	if v.Email != "" {
		checkEmail(&p, "email", v.Email)
	}
	if !slices.Contains(VolunteerKinds, v.Kind) {
		p.Add("kind", "must be one of %s", strings.Join(VolunteerKinds, ", "))
	}
	if v.StartedOn.IsZero() {
		v.StartedOn = today
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		if v.PlacedByOrganisationID != nil {
			var n int64
			if err := tx.Model(&Organisation{}).Where("id = ?", *v.PlacedByOrganisationID).Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return Invalid("placed_by_organisation_id", "no organisation with id %d", *v.PlacedByOrganisationID)
			}
		}
		if err := tx.Create(v).Error; err != nil {
			return err
		}
		if err := tx.Create(&TimebankAccount{VolunteerID: &v.ID, Name: v.Name}).Error; err != nil {
			return err
		}
		return s.audit(tx, actor, "create", "volunteer", v.ID, map[string]any{"kind": v.Kind, "started_on": v.StartedOn})
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// ListVolunteers pages through volunteers by name.
func (s *Store) ListVolunteers(ctx context.Context, kind string, page Page) ([]Volunteer, string, error) {
	q := s.DB(ctx).Model(&Volunteer{})
	if kind != "" {
		q = q.Where("kind = ?", kind)
	}
	return Paginate[Volunteer](q, page, Order{Column: "name"}, func(v Volunteer) Key { return Key{Sort: v.Name, ID: v.ID} })
}

// GetVolunteer fetches one volunteer.
func (s *Store) GetVolunteer(ctx context.Context, id int64) (*Volunteer, error) {
	var v Volunteer
	if err := s.DB(ctx).First(&v, id).Error; err != nil {
		return nil, notFound(err, "volunteer", id)
	}
	return &v, nil
}

// LogHours records time given; each hour earns a credit from the store, in the same
// transaction.
func (s *Store) LogHours(ctx context.Context, actor *User, volunteerID int64, day Date, hours float64, activity string,
	today Date) (*VolunteerHours, error) {
	var p Problems
	q := hours * 4
	if hours <= 0 || hours > 12 || math.Abs(q-math.Round(q)) > 1e-9 {
		p.Add("hours", "must be in quarter hours, more than 0 and at most 12")
	}
	if !slices.Contains(Activities, activity) {
		p.Add("activity", "must be one of %s", strings.Join(Activities, ", "))
	}
	if volunteerID == 0 {
		p.Add("volunteer_id", "is required")
	}
	checkDay(&p, "date", day, today, 5, 0)
	if err := p.Err(); err != nil {
		return nil, err
	}
	h := &VolunteerHours{VolunteerID: volunteerID, Day: day, Quarters: Quarters(math.Round(q)), Activity: activity, RecordedBy: userID(actor),
		CreatedAt: s.Now()}
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		var acct TimebankAccount
		if err := tx.Where("volunteer_id = ?", volunteerID).Take(&acct).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return Invalid("volunteer_id", "no volunteer with id %d", volunteerID)
			}
			return err
		}
		var total int64
		if err := tx.Model(&VolunteerHours{}).Where("volunteer_id = ? AND day = ?", volunteerID, day).Select("COALESCE(SUM(quarters), 0)").Scan(&total).
			Error; err != nil {
			return err
		}
		if total+int64(h.Quarters) > 48 {
			return Invalid("hours", "that makes more than 12 hours on %s", day)
		}
		if err := tx.Create(h).Error; err != nil {
			return err
		}
		store, err := s.storeAccount(tx)
		if err != nil {
			return err
		}
		if _, err := s.transfer(tx, actor, store, acct.ID, h.Quarters, fmt.Sprintf("%g hours %s on %s", hours, activity, day), &h.ID); err != nil {
			return err
		}
		return s.audit(tx, actor, "log_hours", "volunteer", volunteerID, map[string]any{"date": day, "hours": hours, "activity": activity})
	})
	if err != nil {
		return nil, err
	}
	return h, nil
}

// StoreAccountID is the id of the store's own timebank account, from which every credit
// earned comes.
func (s *Store) StoreAccountID(ctx context.Context) (int64, error) { return s.storeAccount(s.DB(ctx)) }

func (s *Store) storeAccount(tx *gorm.DB) (int64, error) {
	var id int64
	err := tx.Model(&TimebankAccount{}).Where("is_store = ?", true).Pluck("id", &id).Error
	return id, err
}

// transfer moves credits between accounts with two conditional updates: a volunteer's
// account never goes below zero (the store's may, as every credit earned comes from it).
func (s *Store) transfer(tx *gorm.DB, actor *User, from, to int64, quarters Quarters, note string, hoursID *int64) (*Transfer, error) {
	res := tx.Model(&TimebankAccount{}).Where("id = ? AND (is_store = ? OR balance_quarters >= ?)", from, true, quarters).
		Update("balance_quarters", gorm.Expr("balance_quarters - ?", quarters))
	if res.Error != nil {
		return nil, res.Error
	}
	if res.RowsAffected == 0 {
		var a TimebankAccount
		if err := tx.First(&a, from).Error; err != nil {
			return nil, notFound(err, "timebank account", from)
		}
		return nil, Conflict("account %d has %g credits, not enough to move %g", from, a.BalanceQuarters.Hours(), quarters.Hours())
	}
	res = tx.Model(&TimebankAccount{}).Where("id = ?", to).Update("balance_quarters", gorm.Expr("balance_quarters + ?", quarters))
	if res.Error != nil {
		return nil, res.Error
	}
	if res.RowsAffected == 0 {
		return nil, Invalid("to_account", "no timebank account %d", to)
	}
	t := &Transfer{FromAccount: from, ToAccount: to, Quarters: quarters, Note: note, HoursID: hoursID,
		RecordedBy: userID(actor), At: s.Now()}
	return t, tx.Create(t).Error
}

// TransferCredits spends credits (to the store) or gives them to another volunteer.
func (s *Store) TransferCredits(ctx context.Context, actor *User, from, to int64, credits float64, note string) (*Transfer, error) {
	var p Problems
	q := credits * 4
	if credits <= 0 || credits > 10_000 || math.Abs(q-math.Round(q)) > 1e-9 {
		p.Add("credits", "must be in quarters, more than 0")
	}
	if from == 0 {
		p.Add("from_account", "is required")
	}
	switch {
	case to == 0:
		p.Add("to_account", "is required")
	case from == to:
		p.Add("to_account", "must differ from from_account")
	}
	checkTextUpTo(&p, "note", note, MaxLine, false)
	if err := p.Err(); err != nil {
		return nil, err
	}
	var t *Transfer
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&TimebankAccount{}).Where("id = ?", from).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return Invalid("from_account", "no timebank account %d", from)
		}
		var err error
		if t, err = s.transfer(tx, actor, from, to, Quarters(math.Round(q)), strings.TrimSpace(note), nil); err != nil {
			return err
		}
		return s.audit(tx, actor, "transfer", "timebank_account", from, map[string]any{"to": to, "credits": credits, "note": note})
	})
	return t, err
}

// Timebank is a volunteer's account and its statement.
type Timebank struct {
	Account   TimebankAccount `json:"account"`
	Statement []Transfer      `json:"statement"`
	Next      *string         `json:"next_cursor"`
}

// VolunteerTimebank gives a volunteer's balance and statement, newest first.
func (s *Store) VolunteerTimebank(ctx context.Context, volunteerID int64, page Page) (*Timebank, error) {
	var tb Timebank
	if err := s.DB(ctx).Where("volunteer_id = ?", volunteerID).Take(&tb.Account).Error; err != nil {
		return nil, notFound(err, "volunteer", volunteerID)
	}
	id := tb.Account.ID
	q := s.DB(ctx).Model(&Transfer{}).Where("from_account = ? OR to_account = ?", id, id)
	list, next, err := Paginate[Transfer](q, page, KeyIDDesc, func(t Transfer) Key { return Key{ID: t.ID} })
	if err != nil {
		return nil, err
	}
	tb.Statement = list
	if next != "" {
		tb.Next = &next
	}
	return &tb, nil
}

// TimebankTotal is the sum of every balance: zero, always.
func (s *Store) TimebankTotal(ctx context.Context) (int64, error) {
	var total int64
	err := s.DB(ctx).Model(&TimebankAccount{}).Select("COALESCE(SUM(balance_quarters), 0)").Scan(&total).Error
	return total, err
}

// HoursFilter narrows ListHours.
type HoursFilter struct {
	VolunteerID int64
	From, To    *Date
}

// ListHours pages through hours, newest first.
func (s *Store) ListHours(ctx context.Context, f HoursFilter, page Page) ([]VolunteerHours, string, error) {
	q := s.DB(ctx).Model(&VolunteerHours{})
	if f.VolunteerID != 0 {
		q = q.Where("volunteer_id = ?", f.VolunteerID)
	}
	if f.From != nil {
		q = q.Where("day >= ?", *f.From)
	}
	if f.To != nil {
		q = q.Where("day <= ?", *f.To)
	}
	return Paginate[VolunteerHours](q, page, KeyIDDesc, func(h VolunteerHours) Key { return Key{ID: h.ID} })
}

// Workshop is a training or creative session with a number of places.
type Workshop struct {
	ID        int64     `json:"id"`
	Title     string    `json:"title"`
	Kind      string    `json:"kind"`
	StartsAt  time.Time `json:"starts_at"`
	EndsAt    time.Time `json:"ends_at"`
	Leader    string    `json:"leader"`
	Places    int       `json:"places"`
	Taken     int       `json:"taken"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Attendee is a person at a workshop, with their member group when they come from one.
type Attendee struct {
	ID             int64     `json:"id"`
	WorkshopID     int64     `json:"workshop_id"`
	Name           string    `json:"name"`
	OrganisationID *int64    `json:"organisation_id"`
	CreatedAt      time.Time `json:"created_at"`
}

func (Attendee) TableName() string { return "workshop_attendees" }

// CreateWorkshop adds a workshop.
func (s *Store) CreateWorkshop(ctx context.Context, actor *User, w Workshop) (*Workshop, error) {
	var p Problems
	w.Title, w.Leader = strings.TrimSpace(w.Title), strings.TrimSpace(w.Leader)
	checkTextUpTo(&p, "title", w.Title, MaxName, true)
	checkTextUpTo(&p, "leader", w.Leader, MaxName, false)
	if !slices.Contains(WorkshopKinds, w.Kind) {
		p.Add("kind", "must be one of %s", strings.Join(WorkshopKinds, ", "))
	}
	checkDay(&p, "starts_at", NewDate(w.StartsAt), NewDate(s.Now()), 10, 5)
	if !w.EndsAt.After(w.StartsAt) {
		p.Add("ends_at", "must be after starts_at")
	} else if w.EndsAt.Sub(w.StartsAt) > 7*24*time.Hour {
		p.Add("ends_at", "must be within a week of starts_at")
	}
	if w.Places < 1 || w.Places > 500 {
		p.Add("places", "must be between 1 and 500")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	w.ID, w.Taken = 0, 0
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&w).Error; err != nil {
			return err
		}
		return s.audit(tx, actor, "create", "workshop", w.ID, map[string]any{"title": w.Title, "kind": w.Kind, "places": w.Places})
	})
	if err != nil {
		return nil, err
	}
	return &w, nil
}

// ListWorkshops pages through workshops, soonest first.
func (s *Store) ListWorkshops(ctx context.Context, from *time.Time, page Page) ([]Workshop, string, error) {
	q := s.DB(ctx).Model(&Workshop{})
	if from != nil {
		q = q.Where("starts_at >= ?", from.UTC())
	}
	return Paginate[Workshop](q, page, Order{Column: "starts_at"}, func(w Workshop) Key { return Key{Sort: w.StartsAt, ID: w.ID} })
}

// AddAttendee takes a place at a workshop; a full workshop is a conflict, however many
// ask at once (a conditional update on the places taken).
func (s *Store) AddAttendee(ctx context.Context, actor *User, workshopID int64, name string, orgID *int64) (*Attendee, error) {
	var p Problems
	name = strings.TrimSpace(name)
	checkTextUpTo(&p, "name", name, MaxName, true)
	if err := p.Err(); err != nil {
		return nil, err
	}
	a := &Attendee{WorkshopID: workshopID, Name: name, OrganisationID: orgID, CreatedAt: s.Now()}
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		var w Workshop
		if err := tx.First(&w, workshopID).Error; err != nil {
			return notFound(err, "workshop", workshopID)
		}
		if orgID != nil {
			var n int64
			if err := tx.Model(&Organisation{}).Where("id = ?", *orgID).Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return Invalid("organisation_id", "no organisation with id %d", *orgID)
			}
		}
		res := tx.Model(&Workshop{}).Where("id = ? AND taken < places", workshopID).Update("taken", gorm.Expr("taken + 1"))
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return Conflict("%s is full (%d places)", w.Title, w.Places)
		}
		if err := tx.Create(a).Error; err != nil {
			return err
		}
		return s.audit(tx, actor, "add_attendee", "workshop", workshopID, map[string]any{"organisation_id": orgID})
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

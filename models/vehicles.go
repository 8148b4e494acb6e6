package models

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Skills is a list of what a van can do (e.g. tail_lift), kept as JSON text.
type Skills []string

func (s Skills) Value() (driver.Value, error) {
	if s == nil {
		s = Skills{}
	}
	b, err := json.Marshal(s)
	return string(b), err
}

func (s *Skills) Scan(v any) error { return scanJSON(v, s) }

// Shifts gives a van's working hours for each weekday it works (mon..sun).
type Shifts map[string]Interval

func (s Shifts) Value() (driver.Value, error) {
	b, err := json.Marshal(s)
	return string(b), err
}

func (s *Shifts) Scan(v any) error { return scanJSON(v, s) }

func scanJSON(v any, dst any) error {
	switch x := v.(type) {
	case string:
		return json.Unmarshal([]byte(x), dst)
	case []byte:
		return json.Unmarshal(x, dst)
	}
	return fmt.Errorf("cannot read JSON from %T", v)
}

// Vehicle is a van that does collection runs.
type Vehicle struct {
	ID             int64     `json:"id"`
	Name           string    `json:"name"`
	Registration   string    `json:"registration"`
	CapacityG      Grams     `json:"capacity_kg"`
	CapacityM3     M3        `json:"capacity_m3"`
	Skills         Skills    `json:"skills" gorm:"type:text"`
	Shifts         Shifts    `json:"shifts" gorm:"type:text"`
	CostPerKmPence int64     `json:"cost_per_km_pence"`
	UnloadMinutes  int       `json:"unload_minutes"` // at the depot between trips
	Active         bool      `json:"active"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// VehicleInput creates or changes a vehicle; nil fields stay as they are.
type VehicleInput struct {
	Name           *string              `json:"name"`
	Registration   *string              `json:"registration"`
	CapacityKg     *float64             `json:"capacity_kg"`
	CapacityM3     *float64             `json:"capacity_m3"`
	Skills         *[]string            `json:"skills"`
	Shifts         *map[string]Interval `json:"shifts"`
	CostPerKmPence *int64               `json:"cost_per_km_pence"`
	UnloadMinutes  *int                 `json:"unload_minutes"`
	Active         *bool                `json:"active"`
}

// MaxSkills is the most skills a van may have; a registration is at most
// maxRegistration characters once its spaces are taken out.
const (
	MaxSkills       = 20
	maxRegistration = 12
)

var skillRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

func (v *Vehicle) apply(p *Problems, in VehicleInput) {
	if in.Name != nil {
		v.Name = strings.TrimSpace(*in.Name)
	}
	checkTextUpTo(p, "name", v.Name, MaxTitle, true)
	if in.Registration != nil {
		v.Registration = strings.ToUpper(strings.Join(strings.Fields(*in.Registration), ""))
	}
	checkTextUpTo(p, "registration", v.Registration, maxRegistration, true)
	if in.CapacityKg != nil {
		if *in.CapacityKg <= 0 || *in.CapacityKg > 5000 {
			p.Add("capacity_kg", "must be more than 0 and at most 5000")
		}
		v.CapacityG = GramsFromKg(*in.CapacityKg)
	}
	if in.CapacityM3 != nil {
		if *in.CapacityM3 <= 0 || *in.CapacityM3 > 50 {
			p.Add("capacity_m3", "must be more than 0 and at most 50")
		}
		v.CapacityM3 = M3(*in.CapacityM3)
	}
	if in.Skills != nil {
		if len(*in.Skills) > MaxSkills {
			p.Add("skills", "must have at most %d items", MaxSkills)
		}
		v.Skills = Skills{}
		for i, s := range *in.Skills {
			if !skillRE.MatchString(s) {
				p.Add(fmt.Sprintf("skills[%d]", i), "must be a short lower-case word such as tail_lift")
			}
			v.Skills = append(v.Skills, s)
		}
	}
	if in.Shifts != nil {
		v.Shifts = Shifts(*in.Shifts)
		hours := OpeningHours{}
		for day, iv := range v.Shifts {
			hours[day] = []Interval{iv}
		}
		hours.Check(p, "shifts")
	}
	if in.CostPerKmPence != nil {
		if *in.CostPerKmPence < 0 || *in.CostPerKmPence > 10_000 {
			p.Add("cost_per_km_pence", "must be between 0 and 10000")
		}
		v.CostPerKmPence = *in.CostPerKmPence
	}
	if in.UnloadMinutes != nil {
		if *in.UnloadMinutes < 0 || *in.UnloadMinutes > 240 {
			p.Add("unload_minutes", "must be between 0 and 240")
		}
		v.UnloadMinutes = *in.UnloadMinutes
	}
	if in.Active != nil {
		v.Active = *in.Active
	}
}

func vehicleFields(v *Vehicle) map[string]any {
	return map[string]any{"name": v.Name, "registration": v.Registration, "capacity_kg": v.CapacityG.Kg(), "capacity_m3": v.CapacityM3,
		"skills": v.Skills, "shifts": v.Shifts, "cost_per_km_pence": v.CostPerKmPence, "unload_minutes": v.UnloadMinutes, "active": v.Active}
}

// CreateVehicle adds a van.
func (s *Store) CreateVehicle(ctx context.Context, actor *User, in VehicleInput) (*Vehicle, error) {
	var p Problems
	if in.CapacityKg == nil {
		p.Add("capacity_kg", "is required")
	}
	if in.CapacityM3 == nil {
		p.Add("capacity_m3", "is required")
	}
	v := &Vehicle{Active: true, Skills: Skills{}, Shifts: Shifts{}, UnloadMinutes: DefaultUnload}
	v.apply(&p, in)
	if err := p.Err(); err != nil {
		return nil, err
	}
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(v)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return Conflict("a vehicle registered %s already exists", v.Registration)
		}
		return s.audit(tx, actor, "create", "vehicle", v.ID, vehicleFields(v))
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// UpdateVehicle changes a van.
func (s *Store) UpdateVehicle(ctx context.Context, actor *User, id int64, in VehicleInput) (*Vehicle, error) {
	var v Vehicle
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		if err := tx.First(&v, id).Error; err != nil {
			return notFound(err, "vehicle", id)
		}
		before := vehicleFields(&v)
		var p Problems
		if v.apply(&p, in); p.Err() != nil {
			return p.Err()
		}
		var clash int64
		if err := tx.Model(&Vehicle{}).Where("registration = ? AND id <> ?", v.Registration, v.ID).Count(&clash).Error; err != nil {
			return err
		}
		if clash > 0 {
			return Conflict("a vehicle registered %s already exists", v.Registration)
		}
		if err := tx.Save(&v).Error; err != nil {
			return err
		}
		return s.audit(tx, actor, "update", "vehicle", v.ID, diff(before, vehicleFields(&v)))
	})
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// Vehicles pages through the vans by id.
func (s *Store) Vehicles(ctx context.Context, active *bool, page Page) ([]Vehicle, string, error) {
	q := s.DB(ctx).Model(&Vehicle{})
	if active != nil {
		q = q.Where("active = ?", *active)
	}
	return Paginate[Vehicle](q, page, KeyID, func(v Vehicle) Key { return Key{ID: v.ID} })
}

// DriverAbsence is a day a driver cannot work.
type DriverAbsence struct {
	ID        int64     `json:"id"`
	UserID    int64     `json:"user_id"`
	Day       Date      `json:"day"`
	Reason    string    `json:"reason"`
	CreatedAt time.Time `json:"created_at"`
}

// AddDriverAbsence records a day a driver is not available.
func (s *Store) AddDriverAbsence(ctx context.Context, actor *User, userID int64, day Date, reason string) (*DriverAbsence, error) {
	var p Problems
	reason = strings.TrimSpace(reason)
	requireDay(&p, "day", day)
	checkTextUpTo(&p, "reason", reason, MaxLine, false)
	if err := p.Err(); err != nil {
		return nil, err
	}
	a := &DriverAbsence{UserID: userID, Day: day, Reason: reason, CreatedAt: s.Now()}
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		var u User
		if err := tx.First(&u, userID).Error; err != nil {
			return notFound(err, "driver", userID)
		}
		if u.Role != RoleDriver {
			return fmt.Errorf("user %d is not a driver: %w", userID, ErrNotFound)
		}
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(a)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return Conflict("driver %d is already away on %s", userID, day)
		}
		return s.audit(tx, actor, "create", "driver_absence", a.ID, map[string]any{"user_id": userID, "day": day, "reason": reason})
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// DriverAbsences pages through a driver's absences from a day on.
func (s *Store) DriverAbsences(ctx context.Context, userID int64, from Date, page Page) ([]DriverAbsence, string, error) {
	var u User
	if err := s.DB(ctx).First(&u, userID).Error; err != nil || u.Role != RoleDriver {
		if err == nil || errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, "", fmt.Errorf("driver %d: %w", userID, ErrNotFound)
		}
		return nil, "", err
	}
	q := s.DB(ctx).Model(&DriverAbsence{}).Where("user_id = ? AND day >= ?", userID, from)
	return Paginate[DriverAbsence](q, page, Order{Column: "day"}, func(a DriverAbsence) Key { return Key{Sort: a.Day, ID: a.ID} })
}

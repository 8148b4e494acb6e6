package models

import "context"

// Vehicle fetches one van.
func (s *Store) Vehicle(ctx context.Context, id int64) (*Vehicle, error) {
	var v Vehicle
	if err := s.DB(ctx).First(&v, id).Error; err != nil {
		return nil, notFound(err, "vehicle", id)
	}
	return &v, nil
}

// HoursSince totals each volunteer's hours from a day on, by volunteer id.
func (s *Store) HoursSince(ctx context.Context, from Date) (map[int64]float64, error) {
	var rows []struct {
		VolunteerID int64
		Quarters    Quarters
	}
	err := s.DB(ctx).Model(&VolunteerHours{}).Select("volunteer_id, SUM(quarters) AS quarters").Where("day >= ?", from).
		Group("volunteer_id").Scan(&rows).Error
	out := make(map[int64]float64, len(rows))
	for _, r := range rows {
		out[r.VolunteerID] = r.Quarters.Hours()
	}
	return out, err
}

// TimebankAccounts lists every timebank account, the store's first, then by name.
func (s *Store) TimebankAccounts(ctx context.Context) ([]TimebankAccount, error) {
	var out []TimebankAccount
	return out, s.DB(ctx).Order("is_store DESC, name, id").Find(&out).Error
}

// Workshop fetches one workshop with its attendees, in the order they came.
func (s *Store) Workshop(ctx context.Context, id int64) (*Workshop, []Attendee, error) {
	var w Workshop
	if err := s.DB(ctx).First(&w, id).Error; err != nil {
		return nil, nil, notFound(err, "workshop", id)
	}
	var list []Attendee
	return &w, list, s.DB(ctx).Where("workshop_id = ?", id).Order("id").Find(&list).Error
}

// Renewals lists a group's membership payments, the latest first.
func (s *Store) Renewals(ctx context.Context, orgID int64) ([]Renewal, error) {
	var out []Renewal
	return out, s.DB(ctx).Where("organisation_id = ?", orgID).Order("id DESC").Find(&out).Error
}

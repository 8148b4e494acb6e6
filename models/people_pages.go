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

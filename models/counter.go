package models

import (
	"context"

	"gorm.io/gorm"
)

// MarkNotCollected ends a reservation whose group did not come: its stock and its slot
// place are released and it is expired, as the nightly expiry would do. Before the slot
// has started it is a conflict: the group may still come.
func (s *Store) MarkNotCollected(ctx context.Context, actor *User, id int64) (*Reservation, error) {
	return s.transition(ctx, actor, id, func(tx *gorm.DB, r *Reservation) error {
		if s.Now().Before(r.SlotStart) {
			return Conflict("the slot of reservation %d has not started yet: the group may still come", r.ID)
		}
		return s.endReservation(tx, actor, r, StatusExpired, nil)
	})
}

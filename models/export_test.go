package models

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// BookSlot lets tests take a slot place as a reservation does, in a transaction of its own.
func (s *Store) BookSlot(ctx context.Context, start time.Time, loc *time.Location) error {
	return s.InTx(ctx, func(tx *gorm.DB) error {
		slot, err := s.findSlot(tx, start, loc, "slot_start")
		if err != nil {
			return err
		}
		return s.bookSlot(tx, slot, loc)
	})
}

package models

import (
	"context"
	"slices"
)

// NextFurnitureStatuses are the statuses an item in status may be moved to by a plain
// status change; reserving and passing on have actions of their own.
func NextFurnitureStatuses(status FurnitureStatus) []string {
	var out []string
	for _, to := range furnitureMoves[status] {
		if to != FurnReserved && to != FurnPassedOn {
			out = append(out, string(to))
		}
	}
	return slices.Clip(out)
}

// SafetyTests lists an item's electrical safety tests, the latest first.
func (s *Store) SafetyTests(ctx context.Context, itemID int64) ([]SafetyTest, error) {
	var out []SafetyTest
	return out, s.DB(ctx).Where("item_id = ?", itemID).Order("tested_on DESC, id DESC").Find(&out).Error
}

package models

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// RefillTotalsByMigration empties the ledger totals and runs the migration that fills
// them again, as on a database that had rows before the totals were kept.
func (s *Store) RefillTotalsByMigration(ctx context.Context) error {
	all, err := Migrations()
	if err != nil {
		return err
	}
	for _, m := range all {
		if m.Version != 21 {
			continue
		}
		return s.InTx(ctx, func(tx *gorm.DB) error {
			for _, table := range []string{"ledger_totals", "donation_totals"} {
				if err := tx.Exec("DELETE FROM " + table).Error; err != nil {
					return err
				}
			}
			for _, stmt := range splitSQL(dialectSQL(s.dialect, m.sql)) {
				if err := tx.Exec(stmt).Error; err != nil {
					return err
				}
			}
			return nil
		})
	}
	return fmt.Errorf("no migration 21")
}

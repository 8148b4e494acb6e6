package models_test

import (
	"context"
	"strings"
	"testing"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/models/testdb"
	"gorm.io/gorm"
)

// On SQLite a write outside a transaction that does not take the writer's turn is
// refused, so that no path can leave a write to SQLite's busy handler, where it loses
// the race to the queue of transactions under load; it is written through a transaction.
func TestSQLiteWriteOutsideItsTurnIsRefused(t *testing.T) {
	s := testdb.SQLite(t, nil)
	ctx := context.Background()
	org := models.Organisation{Name: "Tipton Play Group", Kind: "playgroup"}
	err := s.DB(ctx).Create(&org).Error
	if err == nil || !strings.Contains(err.Error(), "writer turn") {
		t.Fatalf("a lone write outside its turn: %v", err)
	}
	var n int64
	if err := s.DB(ctx).Model(&models.Organisation{}).Count(&n).Error; err != nil || n != 0 {
		t.Fatalf("%d organisations after the refused write, %v", n, err)
	}
	testdb.Write(t, s, func(tx *gorm.DB) *gorm.DB { return tx.Create(&org) })
	if err := s.DB(ctx).Model(&models.Organisation{}).Count(&n).Error; err != nil || n != 1 {
		t.Fatalf("%d organisations after the write in a transaction, %v", n, err)
	}
}

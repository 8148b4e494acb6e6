package models_test

import (
	"context"
	"errors"
	"testing"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/models/testdb"
	"gorm.io/gorm"
)

// A database that fails while a rule is checked is the database's error, not a
// validation problem (422) with the user's input.
func TestDatabaseErrorIsNotInvalidInput(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		testdb.Write(t, s, func(tx *gorm.DB) *gorm.DB { return tx.Exec("ALTER TABLE organisations RENAME TO organisations_gone") })
		org := int64(1)
		_, err := s.CreateUser(ctx, nil, models.NewUser{Email: "m@example.org", Name: "M", Role: models.RoleMember, OrganisationID: &org,
			Password: "a long enough passphrase"})
		var invalid *models.ValidationError
		if err == nil || errors.As(err, &invalid) {
			t.Fatalf("creating a member with the organisations table gone: %v", err)
		}
	})
}

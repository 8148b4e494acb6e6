package api

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/models/testdb"
)

// BenchmarkAuthenticatedList measures one signed-in request through the whole stack
// (token lookup, role check, a keyset page of 50 users, JSON) on each engine.
func BenchmarkAuthenticatedList(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			store := testdb.SQLite(b, nil)
			if engine == "postgres" {
				store = testdb.Postgres(b, nil)
			}
			e := newEnv(b, store)
			drivers := make([]models.User, 200)
			for i := range drivers {
				drivers[i] = models.User{Email: fmt.Sprintf("d%d@example.org", i), Name: "Driver", Role: models.RoleDriver, PasswordHash: "x", Active: true}
			}
			if err := store.DB(b.Context()).Create(&drivers).Error; err != nil {
				b.Fatal(err)
			}
			tok := e.as(models.RoleManager)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req := httptest.NewRequest(http.MethodGet, "/api/v1/users?role=driver&limit=50", nil)
					req.Header.Set("Authorization", "Bearer "+tok)
					rec := httptest.NewRecorder()
					e.srv.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK {
						b.Fatalf("status %d", rec.Code)
					}
				}
			})
		})
	}
}

package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/models/testdb"
)

// Two processes starting at once on an empty PostgreSQL database (with the default
// settings: a first manager, demo data) both start: one creates the manager and loads
// the demo, the other finds them there.
func TestTwoProcessesStartAtOnce(t *testing.T) {
	a := testdb.Postgres(t, nil)
	stores := []*models.Store{a, testdb.Another(t, a, nil)}
	cfg, err := configFromEnv(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	outs := make([]bytes.Buffer, len(stores))
	errs := make([]error, len(stores))
	var wg sync.WaitGroup
	for i, s := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = firstStart(context.Background(), cfg, s, &outs[i])
		}()
	}
	wg.Wait()
	var loaded int
	for i := range stores {
		if errs[i] != nil {
			t.Fatalf("process %d: %v", i, errs[i])
		}
		if out := outs[i].String(); strings.Contains(out, "Created a manager account") && strings.Contains(out, "Loaded demo data") {
			loaded++
		} else if out != "" {
			t.Fatalf("process %d printed %q", i, out)
		}
	}
	var managers int64
	a.DB(t.Context()).Model(&models.User{}).Where("email = ?", cfg.ManagerEmail).Count(&managers)
	if loaded != 1 || managers != 1 {
		t.Fatalf("%d processes set the database up, %d first managers; want 1 and 1", loaded, managers)
	}
}

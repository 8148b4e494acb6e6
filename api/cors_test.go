package api

import (
	"net/http"
	"testing"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/models/testdb"
)

// A scrapstore's own website can use the public form from a browser: the categories are
// public with their names, and the public routes answer CORS for the configured origins
// only; signed-in routes never do.
func TestPublicFormFromAnotherOrigin(t *testing.T) {
	testdb.Each(t, func(t *testing.T, store *models.Store) {
		e := newEnvWith(t, store, func(c *Config) { c.CORSOrigins = []string{"https://www.sandwellscrapstore.example"} })
		site, stranger := "https://www.sandwellscrapstore.example", "https://evil.example"
		paper := e.newCategory("Paper and card", "box", map[string]float64{"box": 4}, 0.92)
		foam := e.newCategory("Foam", "bag", map[string]float64{"bag": 1}, 1.1)

		res := e.do(http.MethodGet, "/api/v1/pickup-requests/categories", "", nil, "Origin", site).want(http.StatusOK)
		var cats List[models.CategoryName]
		res.decode(&cats)
		if len(cats.Items) != 2 || cats.Items[0] != (models.CategoryName{ID: foam.ID, Name: "Foam"}) ||
			cats.Items[1] != (models.CategoryName{ID: paper.ID, Name: "Paper and card"}) {
			t.Fatalf("public categories %+v", cats)
		}
		if got := res.header.Get("Access-Control-Allow-Origin"); got != site {
			t.Errorf("GET from the site: Access-Control-Allow-Origin %q", got)
		}

		// The browser's preflight for the form's POST, then the POST itself.
		pre := e.do(http.MethodOptions, "/api/v1/pickup-requests", "", nil, "Origin", site, "Access-Control-Request-Method", "POST",
			"Access-Control-Request-Headers", "content-type")
		if pre.status != http.StatusNoContent || pre.header.Get("Access-Control-Allow-Origin") != site ||
			pre.header.Get("Access-Control-Allow-Methods") == "" {
			t.Errorf("preflight: %d %v", pre.status, pre.header)
		}
		form := e.pickupForm("albion")
		form["category_ids"] = []int64{paper.ID}
		post := e.do(http.MethodPost, "/api/v1/pickup-requests", "", form, "Origin", site).want(http.StatusCreated)
		if post.header.Get("Access-Control-Allow-Origin") != site {
			t.Errorf("POST from the site: %v", post.header)
		}

		// Another origin gets no CORS headers; nor does a signed-in route, from any origin.
		if got := e.do(http.MethodGet, "/api/v1/pickup-requests/categories", "", nil, "Origin",
			stranger).header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("another origin was allowed: %q", got)
		}
		if got := e.do(http.MethodGet, "/api/v1/categories", e.as(models.RoleStaff), nil, "Origin",
			site).header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("a signed-in route answered CORS: %q", got)
		}
		if pre := e.do(http.MethodOptions, "/api/v1/categories", "", nil, "Origin", site, "Access-Control-Request-Method",
			"GET"); pre.header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("a signed-in route answered a preflight: %v", pre.header)
		}
	})
}

// By default no origin is allowed.
func TestNoCORSByDefault(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		res := e.do(http.MethodGet, "/api/v1/pickup-requests/categories", "", nil, "Origin", "https://www.sandwellscrapstore.example").want(http.StatusOK)
		if got := res.header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("Access-Control-Allow-Origin %q with no origins configured", got)
		}
	})
}

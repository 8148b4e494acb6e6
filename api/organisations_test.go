package api

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/models/testdb"
	"gorm.io/gorm"
)

func TestOrganisations(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		staff := e.as(models.RoleStaff)
		var band models.Band
		e.do(http.MethodPost, "/api/v1/bands", e.as(models.RoleManager), map[string]any{"name": "Standard", "annual_fee_pence": 7500,
			"allowance_kg": 60}).want(http.StatusCreated).decode(&band)
		e.do(http.MethodPost, "/api/v1/bands", e.as(models.RoleManager), map[string]any{"name": "Standard", "annual_fee_pence": 7500,
			"allowance_kg": 60}).problem(http.StatusConflict, "")
		e.do(http.MethodPost, "/api/v1/bands", e.as(models.RoleManager), map[string]any{"name": "Free", "allowance_kg": -1}).
			problem(http.StatusUnprocessableEntity, "allowance_kg")

		var o models.Organisation
		e.do(http.MethodPost, "/api/v1/organisations", staff, map[string]any{
			"name": "Ryders Green Primary", "kind": "school", "postcode": "b70 0aa", "email": "Office@RydersGreen.example",
			"people_served": 320, "band_id": band.ID, "membership_expires_on": "2027-03-31",
		}).want(http.StatusCreated).decode(&o)
		if o.Postcode != "B70 0AA" || o.Email != "office@rydersgreen.example" || *o.BandID != band.ID || o.MembershipExpiresOn.String() != "2027-03-31" {
			t.Fatalf("created %+v", o)
		}
		for field, body := range map[string]map[string]any{
			"kind":          {"name": "X", "kind": "pub"},
			"postcode":      {"name": "X", "kind": "school", "postcode": "not a postcode"},
			"email":         {"name": "X", "kind": "school", "email": "nope"},
			"band_id":       {"name": "X", "kind": "school", "band_id": 99999},
			"people_served": {"name": "X", "kind": "school", "people_served": -3},
			"name":          {"name": "   ", "kind": "school"},
		} {
			e.do(http.MethodPost, "/api/v1/organisations", staff, body).problem(http.StatusUnprocessableEntity, field)
		}
		e.do(http.MethodPost, "/api/v1/organisations", e.as(models.RoleMember), map[string]any{"name": "X", "kind": "school"}).
			problem(http.StatusForbidden, "")

		var list List[models.Organisation]
		e.do(http.MethodGet, "/api/v1/organisations?q=ryders", staff, nil).want(http.StatusOK).decode(&list)
		if len(list.Items) != 1 || list.Items[0].ID != o.ID {
			t.Fatalf("search found %+v", list.Items)
		}
		e.do(http.MethodGet, "/api/v1/organisations?q=b70%200", staff, nil).want(http.StatusOK).decode(&list)
		if len(list.Items) != 1 {
			t.Fatalf("postcode search found %d", len(list.Items))
		}
	})
}

// A member sees and changes only its own group; another group's is a 404.
func TestMemberSeesOnlyItsOwnOrganisation(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		other := e.newOrganisation("Tipton Play Group")
		member := e.as(models.RoleMember)
		own := fmt.Sprintf("/api/v1/organisations/%d", e.org.ID)
		theirs := fmt.Sprintf("/api/v1/organisations/%d", other.ID)

		var list List[models.Organisation]
		e.do(http.MethodGet, "/api/v1/organisations", member, nil).want(http.StatusOK).decode(&list)
		if len(list.Items) != 1 || list.Items[0].ID != e.org.ID {
			t.Fatalf("member listed %+v", list.Items)
		}
		e.do(http.MethodGet, own, member, nil).want(http.StatusOK)
		p1 := e.do(http.MethodGet, theirs, member, nil).problem(http.StatusNotFound, "")
		p2 := e.do(http.MethodGet, "/api/v1/organisations/999999", member, nil).problem(http.StatusNotFound, "")
		if strings.Contains(p1.Detail, other.Name) || p1.Title != p2.Title {
			t.Fatalf("the 404 says more than a missing group's would: %q vs %q", p1.Detail, p2.Detail)
		}
		e.do(http.MethodPatch, theirs, member, map[string]any{"phone": "0121 000 0000"}).problem(http.StatusNotFound, "")
		e.do(http.MethodPost, theirs+"/renewals", member, map[string]any{"paid_pence": 1, "method": "cash", "paid_on": "2026-01-01"}).
			problem(http.StatusForbidden, "")

		var got models.Organisation
		e.do(http.MethodPatch, own, member, map[string]any{"phone": "0121 555 0101", "contact_name": "Mrs Begum"}).want(http.StatusOK).decode(&got)
		if got.Phone != "0121 555 0101" || got.ContactName != "Mrs Begum" {
			t.Fatalf("patched %+v", got)
		}
		// Members change contact details only: anything else is refused, naming each field,
		// and nothing of the request is kept.
		var mine models.Organisation
		e.store.DB(t.Context()).First(&mine, e.org.ID)
		nextYear := e.srv.today().AddDays(400).String()
		p := e.do(http.MethodPatch, own, member, map[string]any{"name": "Renamed by a member", "people_served": 9999, "phone": "0121 555 0199"}).
			problem(http.StatusForbidden, "name")
		if len(p.Errors) != 2 || p.Errors[1].Field != "people_served" || !strings.Contains(p.Errors[0].Message, "contact_name") {
			t.Fatalf("problem %+v", p)
		}
		e.do(http.MethodPatch, own, member, map[string]any{"membership_expires_on": nextYear}).problem(http.StatusForbidden, "membership_expires_on")
		e.do(http.MethodPatch, own, member, map[string]any{"kind": "charity"}).problem(http.StatusForbidden, "kind")
		var after models.Organisation
		e.store.DB(t.Context()).First(&after, e.org.ID)
		if after.Name != mine.Name || after.PeopleServed != mine.PeopleServed || after.Phone != "0121 555 0101" || after.Kind != mine.Kind {
			t.Fatalf("a refused change was kept: %+v", after)
		}
		// Sending back what was read, unchanged, with a new phone number is fine.
		e.do(http.MethodPatch, own, member, map[string]any{"name": mine.Name, "kind": mine.Kind, "people_served": mine.PeopleServed,
			"phone": "0121 555 0102"}).want(http.StatusOK)

		// The other group is untouched.
		var o models.Organisation
		e.store.DB(t.Context()).First(&o, other.ID)
		if o.Phone != "" {
			t.Fatalf("other group changed: %+v", o)
		}
	})
}

func TestRenewal(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		staff := e.as(models.RoleStaff)
		today := e.srv.today()
		// A lapsed membership is extended a year from today.
		lapsed := e.newOrganisation("Lapsed Nursery")
		past := today.AddDays(-40)
		testdb.Write(t, e.store, func(tx *gorm.DB) *gorm.DB { return tx.Model(lapsed).Update("membership_expires_on", past) })
		if err := (&models.Organisation{Name: "Lapsed Nursery", MembershipExpiresOn: &past}).CheckMembership(today); err == nil ||
			!strings.Contains(err.Error(), "lapsed on "+past.String()) {
			t.Fatalf("lapsed check: %v", err)
		}
		var r renewalResponse
		e.do(http.MethodPost, fmt.Sprintf("/api/v1/organisations/%d/renewals", lapsed.ID), staff,
			map[string]any{"paid_pence": 4000, "method": "card", "paid_on": today.String()}).want(http.StatusCreated).decode(&r)
		if want := (models.Date{Time: today.AddDate(1, 0, 0)}); r.Organisation.MembershipExpiresOn.String() != want.String() ||
			r.Renewal.ExpiresBefore.String() != past.String() {
			t.Fatalf("lapsed renewal: %+v %+v", r.Renewal, r.Organisation)
		}
		// One in date is extended a year from its expiry.
		current := *e.org.MembershipExpiresOn
		e.do(http.MethodPost, fmt.Sprintf("/api/v1/organisations/%d/renewals", e.org.ID), staff,
			map[string]any{"paid_pence": 7500, "method": "bank_transfer", "paid_on": today.String()}).want(http.StatusCreated).decode(&r)
		if want := (models.Date{Time: current.AddDate(1, 0, 0)}); r.Organisation.MembershipExpiresOn.String() != want.String() {
			t.Fatalf("in-date renewal: %s, want %s", r.Organisation.MembershipExpiresOn, want)
		}
		path := fmt.Sprintf("/api/v1/organisations/%d/renewals", e.org.ID)
		e.do(http.MethodPost, path, staff, map[string]any{"paid_pence": -1, "method": "card", "paid_on": today.String()}).
			problem(http.StatusUnprocessableEntity, "paid_pence")
		e.do(http.MethodPost, path, staff, map[string]any{"paid_pence": 1, "method": "beans", "paid_on": today.String()}).
			problem(http.StatusUnprocessableEntity, "method")
		e.do(http.MethodPost, path, staff, map[string]any{"paid_pence": 1, "method": "card", "paid_on": today.AddDays(3).String()}).
			problem(http.StatusUnprocessableEntity, "paid_on")
		e.do(http.MethodPost, path, staff, map[string]any{"paid_pence": 1, "method": "card", "paid_on": "31/12/2026"}).
			problem(http.StatusUnprocessableEntity, "paid_on")
		e.do(http.MethodPost, "/api/v1/organisations/999999/renewals", staff, map[string]any{"paid_pence": 1, "method": "card",
			"paid_on": today.String()}).problem(http.StatusNotFound, "")
	})
}

func TestPostcodes(t *testing.T) {
	for in, want := range map[string]string{"b1 1aa": "B1 1AA", "B701AA": "B70 1AA", " ws10  9qy ": "WS10 9QY", "sw1a 1aa": "SW1A 1AA",
		"dy4 7uj": "DY4 7UJ"} {
		if got, ok := models.NormalisePostcode(in); !ok || got != want {
			t.Errorf("%q -> %q %v, want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "B1", "12345", "B1 1CI", "QQ1 1AA", "B70 1AAA", "B70\x001AA"} {
		if got, ok := models.NormalisePostcode(bad); ok {
			t.Errorf("%q accepted as %q", bad, got)
		}
	}
}

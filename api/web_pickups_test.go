package api

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scrapstore/scrapstore/models"
)

// newRequest sends a pickup request on the public form's API and gives its id.
func (e *testEnv) newRequest(name string) int64 {
	e.t.Helper()
	e.do(http.MethodPost, "/api/v1/pickup-requests", "", e.pickupForm(name)).want(http.StatusCreated)
	list, _, err := e.store.ListPickups(e.t.Context(), models.PickupFilter{}, models.Page{Limit: models.MaxLimit})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, r := range list {
		if r.BusinessName == name {
			return r.ID
		}
	}
	e.t.Fatalf("no request from %s", name)
	return 0
}

func (e *testEnv) pickup(id int64) *models.PickupRequest {
	e.t.Helper()
	r, err := e.store.PickupRequest(e.t.Context(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

// Staff work through the queue: accept one request for a donor it matches, one with a
// new donor made from it, and reject another with a reason.
func TestPickupQueuePages(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		albion, brindley, cafe := e.newRequest("albion"), e.newRequest("brindley"), e.newRequest("cafe")
		name, pc := "Albion Print Ltd", "B70 6AU"
		known, err := e.store.CreateDonor(t.Context(), nil, models.DonorInput{Name: &name, Postcode: &pc})
		if err != nil {
			t.Fatal(err)
		}
		v := e.signedIn(models.RoleStaff)
		v.get("/pickup-requests").want(http.StatusOK).has(t, "albion", "brindley", "cafe", "card tubes and offcuts", "about 120.5 kg")
		v.get("/pickup-requests?status=accepted").want(http.StatusOK).has(t, "No accepted requests")
		page := pickupPath(albion)
		v.get(page).want(http.StatusOK).has(t, "Albion Print Ltd", `value="`+itoa(known.ID)+`" checked`, "A new donor from this request",
			"ring the bell at the side gate", "5 · urgent")
		v.get("/pickup-requests/999999").want(http.StatusNotFound)

		v.post(page+"/accept", url.Values{"donor": {itoa(known.ID)}, "priority": {"x"}}).want(http.StatusUnprocessableEntity).has(t, "Choose a priority")
		v.post(page+"/accept", url.Values{"donor": {"someone"}, "priority": {"1"}}).want(http.StatusUnprocessableEntity).has(t, "Choose a donor")
		v.post(page+"/accept", url.Values{"donor": {"999999"}, "priority": {"1"}}).want(http.StatusUnprocessableEntity).has(t, "no donor with id")
		v.post(page+"/accept", url.Values{"donor": {itoa(known.ID)}, "priority": {"3"}}).redirectsTo(t, page)
		v.get(page).want(http.StatusOK).has(t, "Accepted", `href="/donors/`+itoa(known.ID)+`"`, "<dd>3</dd>")
		if r := e.pickup(albion); r.Status != models.PickupAccepted || r.DonorID == nil || *r.DonorID != known.ID || r.Priority != 3 {
			t.Fatalf("albion after accepting: %+v", r)
		}

		v.post(pickupPath(brindley)+"/accept", url.Values{"donor": {"new"}, "priority": {"1"}}).redirectsTo(t, pickupPath(brindley))
		r := e.pickup(brindley)
		if r.DonorID == nil {
			t.Fatalf("brindley has no donor: %+v", r)
		}
		d, err := e.store.Donor(t.Context(), *r.DonorID)
		if err != nil {
			t.Fatal(err)
		}
		if d.Name != "brindley" || d.Email != "jas@brindley.example" || d.Postcode != "B70 6AU" || d.Notes != "ring the bell at the side gate" {
			t.Fatalf("the donor made from the request: %+v", d)
		}

		v.post(pickupPath(cafe)+"/reject", url.Values{"reason": {""}}).want(http.StatusUnprocessableEntity).has(t, "Reason is required")
		v.post(pickupPath(cafe)+"/reject", url.Values{"reason": {"we cannot take food waste"}}).redirectsTo(t, "/pickup-requests")
		if r := e.pickup(cafe); r.Status != models.PickupCancelled || r.StatusReason != "rejected: we cannot take food waste" {
			t.Fatalf("cafe after rejecting: %+v", r)
		}
		v.post(page+"/reject", url.Values{"reason": {"too late"}}).want(http.StatusConflict).has(t, "only a new request can be rejected")
		v.get("/pickup-requests?status=cancelled").want(http.StatusOK).has(t, "cafe")

		for _, role := range []models.Role{models.RoleMember, models.RoleDriver} {
			o := e.signedIn(role)
			o.get("/pickup-requests").want(http.StatusForbidden)
			o.get(page).want(http.StatusForbidden)
			o.post(pickupPath(cafe)+"/accept", url.Values{"donor": {"none"}, "priority": {"1"}}).want(http.StatusForbidden)
			o.post(page+"/reject", url.Values{"reason": {"x"}}).want(http.StatusForbidden)
		}
		other := e.newRequest("delta")
		v.postBare(pickupPath(other)+"/accept", url.Values{"donor": {"none"}, "priority": {"1"}}).want(http.StatusForbidden)
		v.postBare(pickupPath(other)+"/reject", url.Values{"reason": {"x"}}).want(http.StatusForbidden)
		if r := e.pickup(other); r.Status != models.PickupNew {
			t.Fatalf("a refused post changed the request: %+v", r)
		}
	})
}

// Staff add a donor with its opening hours on the weekly grid, find it, and change it.
func TestDonorPages(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		v := e.signedIn(models.RoleStaff)
		v.get("/donors").want(http.StatusOK).has(t, "No donor matches")
		v.get("/donors/new").want(http.StatusOK).has(t, "Add a donor", "Monday", "Sunday", `name="oh_mon_1_from"`).hasNot(t, `name="active"`)

		form := url.Values{"name": {"Spon Lane Carpets"}, "postcode": {"b70 6au"}, "contact_name": {"Ruth"},
			"oh_mon_0_from": {"09:00"}, "oh_mon_0_to": {"12:30"}, "oh_mon_1_from": {"13:30"}, "oh_mon_1_to": {"17:00"},
			"oh_sat_0_from": {"10:00"}, "oh_sat_0_to": {"14:00"}}
		bad := url.Values{}
		for k, vs := range form {
			bad[k] = vs
		}
		bad.Set("name", "")
		v.post("/donors", bad).want(http.StatusUnprocessableEntity).has(t, "Name is required", `value="13:30"`)
		bad.Set("name", "x")
		bad.Set("oh_sat_0_to", "")
		v.post("/donors", bad).want(http.StatusUnprocessableEntity).
			has(t, "Saturday: give the time it opens and the time it closes", `aria-describedby="e-oh-sat-0"`)
		bad.Set("oh_sat_0_to", "09:00")
		v.post("/donors", bad).want(http.StatusUnprocessableEntity).has(t, "must end after it starts")

		res := v.post("/donors", form).want(http.StatusSeeOther)
		path := res.header.Get("Location")
		v.get(path).want(http.StatusOK).has(t, "Donor added.", `value="Spon Lane Carpets"`, `value="B70 6AU"`, `value="13:30"`, `value="yes" checked`)
		list, _, err := e.store.ListDonors(t.Context(), "spon", nil, models.Page{Limit: 5})
		if err != nil || len(list) != 1 {
			t.Fatalf("donors: %v %v", list, err)
		}
		want := models.OpeningHours{"mon": {{From: "09:00", To: "12:30"}, {From: "13:30", To: "17:00"}}, "sat": {{From: "10:00", To: "14:00"}}}
		if diff := cmp.Diff(want, list[0].OpeningHours); diff != "" {
			t.Fatalf("opening hours (-want +got):\n%s", diff)
		}
		v.get("/donors?q=b706").want(http.StatusOK).has(t, "Spon Lane Carpets")
		v.get("/donors?q=nothing").want(http.StatusOK).hasNot(t, "Spon Lane Carpets")

		form.Set("name", "Spon Lane Carpets and Rugs")
		form.Del("oh_sat_0_from")
		form.Del("oh_sat_0_to")
		v.post(path, form).redirectsTo(t, path) // active left unticked
		d, err := e.store.Donor(t.Context(), list[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if d.Name != "Spon Lane Carpets and Rugs" || d.Active || len(d.OpeningHours["sat"]) != 0 || len(d.OpeningHours["mon"]) != 2 {
			t.Fatalf("after the change: %+v", d)
		}
		v.get("/donors").want(http.StatusOK).has(t, "Spon Lane Carpets and Rugs</a> (inactive)")
		v.get("/donors/999999").want(http.StatusNotFound)

		for _, role := range []models.Role{models.RoleMember, models.RoleDriver} {
			o := e.signedIn(role)
			o.get("/donors").want(http.StatusForbidden)
			o.get(path).want(http.StatusForbidden)
			o.post("/donors", form).want(http.StatusForbidden)
			o.post(path, form).want(http.StatusForbidden)
		}
		form.Set("name", "Changed without a token")
		form.Del(csrfField) // the earlier posts added the visitor's
		v.postBare(path, form).want(http.StatusForbidden)
		v.postBare("/donors", form).want(http.StatusForbidden)
		if d, _ := e.store.Donor(t.Context(), list[0].ID); d.Name != "Spon Lane Carpets and Rugs" {
			t.Fatalf("a refused post changed the donor: %+v", d)
		}
	})
}

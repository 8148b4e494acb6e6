package api

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/scrapstore/scrapstore/models"
)

// formKey is the idempotency key a page's form was drawn with.
func formKey(t *testing.T, page *pageResult) string {
	t.Helper()
	_, after, ok := strings.Cut(page.html, `name="idempotency_key" value="`)
	if !ok {
		t.Fatalf("the form has no idempotency key:\n%s", page.html)
	}
	return after[:strings.Index(after, `"`)]
}

// donationCount is how many donations there are.
func (e *testEnv) donationCount() int64 {
	e.t.Helper()
	var n int64
	if err := e.store.DB(context.Background()).Model(&models.Donation{}).Count(&n).Error; err != nil {
		e.t.Fatal(err)
	}
	return n
}

// Staff log a donation through the form: lines by category name, a line left empty
// skipped, weights estimated or weighed; sending it twice makes one donation; the
// donation's page shows its lines and the stock they went to.
func TestDonationFormSavesOnce(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.newCategory("Paper and card", "box", map[string]float64{"box": 4}, 1)
		e.newCategory("Fabric", "bag", map[string]float64{"bag": 2.5}, 1)
		shelf := e.newLocation("B1")
		donor, err := e.store.CreateDonor(context.Background(), nil, models.DonorInput{Name: ptr("Albion Print"), Postcode: ptr("B70 6AU")})
		if err != nil {
			t.Fatal(err)
		}
		v := e.signedIn(models.RoleStaff)
		form := v.get("/donations/new").want(http.StatusOK)
		form.has(t, "Log a donation", `<option value="Paper and card">`, `<option value="box">`, "B1 · Shelf B1", `name="lines[0].category_id"`,
			`list="categories"`, "Ctrl+Enter saves")
		v.get("/donations/donors?donor=b70").want(http.StatusOK).has(t, `<option value="Albion Print · B70 6AU">`)
		key := formKey(t, form)
		loc := itoa(shelf.ID)
		send := url.Values{"idempotency_key": {key}, "donor": {"Albion Print · B70 6AU"}, "channel": {"drop_off"},
			"lines[0].category_id": {"paper and card"}, "lines[0].description": {"A4 offcuts"}, "lines[0].quantity": {"3"}, "lines[0].location_id": {loc},
			"lines[1].location_id": {loc},
			"lines[2].category_id": {"Fabric"}, "lines[2].quantity": {"2"}, "lines[2].weight_kg": {"6.2"}, "lines[2].location_id": {loc}}
		res := v.post("/donations", send)
		res.want(http.StatusSeeOther)
		to := res.header.Get("Location")
		if !strings.HasPrefix(to, "/donations/") {
			t.Fatalf("saving went to %q", to)
		}
		v.post("/donations", send).redirectsTo(t, to)
		v.get(to).want(http.StatusOK).has(t, "This was saved already")
		if n := e.donationCount(); n != 1 {
			t.Fatalf("two posts with one key made %d donations", n)
		}
		// The same form changed and sent again is refused, and drawn again with a new key.
		changed := url.Values{}
		for k, vs := range send {
			changed[k] = vs
		}
		changed.Set("lines[0].quantity", "4")
		again := v.post("/donations", changed).want(http.StatusConflict).has(t, "sent already with other values", `value="4"`)
		if k := formKey(t, again); k == key || k == "" {
			t.Fatalf("the form drawn again has the key %q", k)
		}
		changed.Del("idempotency_key")
		v.post("/donations", changed).want(http.StatusConflict).has(t, "came without its key", `value="4"`)
		if n := e.donationCount(); n != 1 {
			t.Fatalf("refused posts made donations: %d", n)
		}
		page := v.get(to).want(http.StatusOK)
		page.has(t, "Albion Print · B70 6AU", "18.2 kg", "A4 offcuts", "3 box", "12 kg <span class=\"meta\">estimated",
			"6.2 kg <span class=\"meta\">weighed", "Paper and card · A4 offcuts · B1", "Fabric · Fabric · B1", "Void this donation")
		v.get("/donations").want(http.StatusOK).has(t, to, "Albion Print", "18.2 kg")
		d, err := e.store.Donation(context.Background(), mustID(t, to))
		if err != nil || d.DonorID == nil || *d.DonorID != donor.ID || len(d.Lines) != 2 {
			t.Fatalf("donation saved: %+v %v", d, err)
		}
		page.has(t, `href="/stockroom/items/`+itoa(d.Lines[0].StockItemID)+`"`, `href="/donors/`+itoa(donor.ID)+`">Albion Print`)
		if it := e.stockItem(d.Lines[0].StockItemID); it.OnHandMilli.Quantity() != 3 {
			t.Fatalf("paper on the shelf: %+v", it)
		}
		e.checkLedger()
	})
}

func ptr[T any](v T) *T { return &v }

func mustID(t *testing.T, path string) int64 {
	t.Helper()
	var id int64
	for _, r := range path[strings.LastIndex(path, "/")+1:] {
		id = id*10 + int64(r-'0')
	}
	return id
}

// Problems show beside their lines with what was typed kept, and the same key may be
// sent again once corrected; a donor that cannot be found is a problem too.
func TestDonationFormProblems(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.newCategory("Paper and card", "box", map[string]float64{"box": 4}, 1)
		shelf := e.newLocation("B1")
		v := e.signedIn(models.RoleStaff)
		key := formKey(t, v.get("/donations/new"))
		bad := url.Values{"idempotency_key": {key}, "donor": {"Nobody Ltd"}, "lines[0].category_id": {"Paper"}, "lines[0].quantity": {"lots"},
			"lines[0].location_id": {itoa(shelf.ID)}, "lines[1].category_id": {"Paper and card"}, "lines[1].quantity": {"0"},
			"lines[1].location_id": {itoa(shelf.ID)}}
		res := v.post("/donations", bad).want(http.StatusUnprocessableEntity)
		res.has(t, "There is a problem", `id="e-lines[0].category_id"`, "Choose a category from the list", `value="lots"`,
			`id="e-lines[0].quantity"`, `id="e-donor"`, "No one donor matches", `value="`+key+`"`)
		bad.Set("donor", "")
		bad.Set("lines[0].category_id", "Paper and card")
		bad.Set("lines[0].quantity", "2")
		res = v.post("/donations", bad).want(http.StatusUnprocessableEntity)
		res.has(t, `id="e-lines[1].quantity"`, "Line 2 quantity must be more than 0")
		bad.Set("lines[1].quantity", "1")
		v.post("/donations", bad).want(http.StatusSeeOther)
		if n := e.donationCount(); n != 1 {
			t.Fatalf("%d donations", n)
		}
		// Add a line without JavaScript: the form comes back with one more, and the
		// last location chosen.
		more := v.post("/donations", url.Values{"idempotency_key": {"k2"}, "add": {"line"}, "lines[0].location_id": {itoa(shelf.ID)}})
		more.want(http.StatusOK).has(t, `name="lines[1].category_id"`, `<option value="`+itoa(shelf.ID)+`" selected>`)
		if n := e.donationCount(); n != 1 {
			t.Fatalf("adding a line saved: %d donations", n)
		}
	})
}

// A void asks first, needs a reason, takes the stock off the shelf, and says why when the
// ledger refuses it.
func TestDonationVoidPages(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.openEveryDay(2)
		card := e.newStock("Card tubes", 10, 0.2)
		var d models.Donation
		if err := e.store.DB(context.Background()).Order("id").Take(&d).Error; err != nil {
			t.Fatal(err)
		}
		path := "/donations/" + itoa(d.ID)
		v := e.signedIn(models.RoleStaff)
		v.get(path+"/void").want(http.StatusOK).has(t, "This cannot be undone", "Yes, void it", "No, keep it")
		e.reserve(e.as(models.RoleMember), line(card, 2)).want(http.StatusCreated)
		v.post(path+"/void", url.Values{"reason": {"logged twice"}}).want(http.StatusConflict).has(t, "has been reserved or issued since")
		v.post(path+"/void", url.Values{"reason": {""}}).want(http.StatusUnprocessableEntity).has(t, `id="e-reason"`)
		if it := e.stockItem(card); it.OnHandMilli.Quantity() != 10 {
			t.Fatalf("a refused void changed the stock: %+v", it)
		}

		other := e.newStock("Foam", 4, 1)
		var d2 models.Donation
		if err := e.store.DB(context.Background()).Order("id DESC").Take(&d2).Error; err != nil {
			t.Fatal(err)
		}
		path = "/donations/" + itoa(d2.ID)
		v.post(path+"/void", url.Values{"reason": {"logged twice"}}).redirectsTo(t, path)
		v.get(path).has(t, "Donation voided", "voided</span>", "logged twice").hasNot(t, "Void this donation")
		if it := e.stockItem(other); it.OnHandMilli.Quantity() != 0 {
			t.Fatalf("voided stock still on the shelf: %+v", it)
		}
		v.post(path+"/void", url.Values{"reason": {"again"}}).want(http.StatusConflict).has(t, "voided already")
		v.get("/donations/999999").want(http.StatusNotFound)
		e.checkLedger()
	})
}

// The donation pages are for staff and managers: a member or driver is refused, and a
// post without the form's token saves nothing.
func TestDonationPagesRoles(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.newStock("Card tubes", 10, 0.2)
		for _, role := range []models.Role{models.RoleMember, models.RoleDriver} {
			v := e.visitor()
			v.signIn(e.users[role])
			for _, p := range []string{"/donations", "/donations/new", "/donations/1", "/donations/1/void", "/donations/donors?donor=a"} {
				v.get(p).want(http.StatusForbidden).has(t, "this page is for managers or staff")
			}
			v.post("/donations/1/void", url.Values{"reason": {"x"}}).want(http.StatusForbidden)
			v.get("/stock").hasNot(t, `href="/donations"`, `href="/counter"`)
		}
		e.visitor().get("/donations/new").redirectsTo(t, "/sign-in?next=%2Fdonations%2Fnew")
		m := e.visitor()
		m.signIn(e.users[models.RoleManager])
		m.get("/donations/new").want(http.StatusOK).has(t, `href="/donations"`, `href="/counter"`)
		v := e.signedIn(models.RoleStaff)
		v.postBare("/donations", url.Values{"idempotency_key": {"k"}, "lines[0].category_id": {"Cat 1"}}).want(http.StatusForbidden)
		v.postBare("/donations/1/void", url.Values{"reason": {"x"}}).want(http.StatusForbidden)
		if n := e.donationCount(); n != 1 {
			t.Fatalf("a post without the token changed the donations: %d", n)
		}
		if d, _ := e.store.Donation(context.Background(), 1); d.Voided {
			t.Fatal("a post without the token voided a donation")
		}
	})
}

// A double click: the same form sent several times at once makes one donation, and every
// post goes to it.
func TestDonationFormDoubleClick(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.newCategory("Paper and card", "box", map[string]float64{"box": 4}, 1)
		shelf := e.newLocation("B1")
		v := e.signedIn(models.RoleStaff)
		form := url.Values{"idempotency_key": {formKey(t, v.get("/donations/new"))}, csrfField: {v.cookies[csrfCookie].Value},
			"lines[0].category_id": {"Paper and card"}, "lines[0].quantity": {"3"}, "lines[0].location_id": {itoa(shelf.ID)}}
		answers := make([]string, 4)
		parallel(len(answers), func(i int) {
			req := httptest.NewRequest(http.MethodPost, "/donations", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for _, c := range v.cookies {
				req.AddCookie(c)
			}
			rec := httptest.NewRecorder()
			e.srv.ServeHTTP(rec, req)
			answers[i] = fmt.Sprint(rec.Code, " ", rec.Header().Get("Location"))
		})
		for _, a := range answers {
			if a != answers[0] || !strings.HasPrefix(a, "303 /donations/") {
				t.Fatalf("the posts were answered %q", answers)
			}
		}
		if n := e.donationCount(); n != 1 {
			t.Fatalf("a double click made %d donations", n)
		}
		e.checkLedger()
	})
}

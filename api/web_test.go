package api

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/models/testdb"
)

// visitor is a browser without JavaScript: it keeps cookies and posts forms with the
// CSRF token the pages gave it.
type visitor struct {
	e       *testEnv
	cookies map[string]*http.Cookie
	tls     bool
}

func (e *testEnv) visitor() *visitor { return &visitor{e: e, cookies: map[string]*http.Cookie{}} }

type pageResult struct {
	*result
	html string
}

func (v *visitor) send(req *http.Request) *pageResult {
	v.e.t.Helper()
	for _, c := range v.cookies {
		req.AddCookie(c)
	}
	if v.tls {
		req.TLS = &tls.ConnectionState{}
	}
	rec := httptest.NewRecorder()
	v.e.srv.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if c.MaxAge < 0 {
			delete(v.cookies, c.Name)
		} else {
			v.cookies[c.Name] = c
		}
	}
	return &pageResult{result: &result{t: v.e.t, status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}, html: rec.Body.String()}
}

func (v *visitor) get(path string) *pageResult {
	v.e.t.Helper()
	return v.send(httptest.NewRequest(http.MethodGet, path, nil))
}

// post sends a form with the visitor's CSRF token.
func (v *visitor) post(path string, form url.Values) *pageResult {
	v.e.t.Helper()
	if c, ok := v.cookies[csrfCookie]; ok && !form.Has(csrfField) {
		form.Set(csrfField, c.Value)
	}
	return v.postBare(path, form)
}

// postBare sends a form as it is, without adding a token.
func (v *visitor) postBare(path string, form url.Values) *pageResult {
	v.e.t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return v.send(req)
}

func (v *visitor) signIn(u *models.User) {
	v.e.t.Helper()
	v.get("/sign-in").want(http.StatusOK)
	res := v.post("/sign-in", url.Values{"email": {u.Email}, "password": {testPassword}, "next": {"/"}})
	res.want(http.StatusSeeOther)
}

// member signs a new visitor in as the test member.
func (e *testEnv) member() *visitor { return e.signedIn(models.RoleMember) }

// signedIn is a new visitor signed in as the test user with role.
func (e *testEnv) signedIn(role models.Role) *visitor {
	v := e.visitor()
	v.signIn(e.users[role])
	return v
}

func (r *pageResult) want(status int) *pageResult {
	r.t.Helper()
	r.result.want(status)
	return r
}

func (r *pageResult) has(t testing.TB, texts ...string) *pageResult {
	t.Helper()
	for _, s := range texts {
		if !strings.Contains(r.html, s) {
			t.Fatalf("the page (status %d) does not say %q:\n%s", r.status, s, r.html)
		}
	}
	return r
}

func (r *pageResult) hasNot(t testing.TB, texts ...string) *pageResult {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(r.html, s) {
			t.Fatalf("the page says %q but should not:\n%s", s, r.html)
		}
	}
	return r
}

func (r *pageResult) redirectsTo(t testing.TB, to string) {
	t.Helper()
	r.want(http.StatusSeeOther)
	if got := r.header.Get("Location"); got != to {
		t.Fatalf("redirects to %q, want %q", got, to)
	}
}

// Every page, public or not, found or not, carries the security headers.
func TestPagesSendSecurityHeaders(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		v := e.visitor()
		for path, status := range map[string]int{"/": 200, "/sign-in": 200, "/wanted": 200, "/pickup": 200, "/pickup/status": 200, "/no-such-page": 404,
			"/stock": 303} {
			res := v.get(path).want(status)
			csp := res.header.Get("Content-Security-Policy")
			if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
				t.Errorf("%s: Content-Security-Policy %q", path, csp)
			}
			if res.header.Get("X-Content-Type-Options") != "nosniff" || res.header.Get("Referrer-Policy") != "same-origin" ||
				res.header.Get("X-Frame-Options") != "DENY" {
				t.Errorf("%s: headers %v", path, res.header)
			}
		}
		// No page has an inline script or style for the policy to block.
		for _, path := range []string{"/", "/sign-in", "/pickup", "/wanted"} {
			v.get(path).hasNot(t, "<script>", "style=", " onclick=", "<style")
		}
	})
}

func TestNotFoundPageAndAPIProblems(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		res := e.visitor().get("/no-such-page").want(http.StatusNotFound)
		res.has(t, "Page not found", "Check it for typing mistakes", `href="/"`)
		if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Fatalf("content type %q", ct)
		}
		// The API still answers in problem+json, whatever the method.
		e.do(http.MethodGet, "/api/v1/no-such-thing", "", nil).problem(http.StatusNotFound, "")
		e.do(http.MethodPost, "/api/v1/no-such-thing", "", nil).problem(http.StatusNotFound, "")
	})
}

// A form too large to read is refused with a page that says so, whether its size was
// announced or not, and changes nothing; the API keeps its problem+json.
func TestTooLargeFormGetsAPage(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		card := e.newStock("Card tubes", 10, 0.2)
		v := e.signedIn(models.RoleStaff)
		path := fmt.Sprintf("/stockroom/items/%d/adjust", card)
		v.get(fmt.Sprintf("/stockroom/items/%d", card)).want(http.StatusOK)
		form := url.Values{csrfField: {v.cookies[csrfCookie].Value}, "delta": {"-2"}, "reason": {"damaged"},
			"note": {strings.Repeat("x", MaxBody)}}
		for _, announced := range []bool{true, false} {
			req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if !announced {
				req.ContentLength = -1
			}
			res := v.send(req).want(http.StatusRequestEntityTooLarge)
			res.has(t, "That is too much to send", "more than 1 MiB")
			if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Fatalf("announced %v: content type %q", announced, ct)
			}
		}
		if it := e.stockItem(card); it.OnHandMilli.Quantity() != 10 {
			t.Fatalf("a refused form changed the stock: %+v", it)
		}
		e.do(http.MethodPost, "/api/v1/donations", e.as(models.RoleStaff), strings.Repeat("x", MaxBody+1)).
			problem(http.StatusRequestEntityTooLarge, "")
	})
}

func TestStaticFilesAreHashedAndKept(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		home := e.visitor().get("/").want(http.StatusOK)
		m := regexp.MustCompile(`href="(/static/style\.[0-9a-f]{12}\.css)"`).FindStringSubmatch(home.html)
		if m == nil {
			t.Fatalf("no hashed stylesheet in %s", home.html)
		}
		css := e.visitor().get(m[1]).want(http.StatusOK)
		if !strings.HasPrefix(css.header.Get("Content-Type"), "text/css") || !strings.Contains(css.header.Get("Cache-Control"), "immutable") {
			t.Fatalf("stylesheet headers %v", css.header)
		}
		if !regexp.MustCompile(`src="/static/htmx\.min\.[0-9a-f]{12}\.js"`).MatchString(home.html) {
			t.Fatal("htmx is not served from this site")
		}
		e.visitor().get("/static/style.css").want(http.StatusNotFound)
	})
}

// A signed-out visitor to a member page signs in and comes back to it; the session
// cookie is the API's token, HttpOnly, SameSite=Lax, and Secure over HTTPS; signing
// out revokes it.
func TestSignInAndOut(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		v := e.visitor()
		v.get("/reservations?cursor=x").redirectsTo(t, "/sign-in?next=%2Freservations%3Fcursor%3Dx")
		form := v.get("/sign-in?next=%2Freservations").want(http.StatusOK)
		form.has(t, `<label for="f-email">Email address</label>`, `<label for="f-password">Password</label>`, `name="next" value="/reservations"`)

		u := e.users[models.RoleMember]
		v.post("/sign-in", url.Values{"email": {u.Email}, "password": {"not it"}, "next": {"/reservations"}}).want(http.StatusUnauthorized).
			has(t, "That email and password do not match an account").hasNot(t, "not it")
		v.post("/sign-in", url.Values{"email": {""}, "password": {""}}).want(http.StatusUnprocessableEntity).
			has(t, `id="e-email"`, "Enter your email address", `aria-describedby="e-password"`)
		// Another site is never where sign-in leads.
		v.post("/sign-in", url.Values{"email": {u.Email}, "password": {testPassword}, "next": {"//evil.example/"}}).redirectsTo(t, "/")
		v.post("/sign-out", url.Values{}).redirectsTo(t, "/sign-in")

		v.tls = true
		v.get("/sign-in").want(http.StatusOK)
		v.post("/sign-in", url.Values{"email": {u.Email}, "password": {testPassword}, "next": {"/reservations"}}).redirectsTo(t, "/reservations")
		c := v.cookies[sessionCookie]
		if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || !c.Secure || c.Path != "/" {
			t.Fatalf("session cookie %+v", c)
		}
		token := c.Value
		e.do(http.MethodGet, "/api/v1/me", token, nil).want(http.StatusOK)
		v.get("/reservations").want(http.StatusOK).has(t, "Signed in as <strong>"+u.Name+"</strong>")

		v.post("/sign-out", url.Values{}).redirectsTo(t, "/sign-in")
		v.get("/sign-in").has(t, "You have signed out.")
		e.do(http.MethodGet, "/api/v1/me", token, nil).want(http.StatusUnauthorized)
		v.get("/reservations").want(http.StatusSeeOther)
	})
}

// Behind an HTTPS proxy the setting marks cookies Secure.
func TestSecureCookiesSetting(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.srv.Config.SecureCookies = true
		v := e.visitor()
		v.get("/sign-in")
		if c := v.cookies[csrfCookie]; c == nil || !c.Secure {
			t.Fatalf("csrf cookie %+v", c)
		}
	})
}

func TestSignInLimitIsReadable(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		v := e.visitor()
		v.get("/sign-in")
		u := e.users[models.RoleDriver]
		for i := 0; i < models.LoginFailureLimit; i++ {
			v.post("/sign-in", url.Values{"email": {u.Email}, "password": {fmt.Sprint("wrong ", i)}}).want(http.StatusUnauthorized)
		}
		res := v.post("/sign-in", url.Values{"email": {u.Email}, "password": {testPassword}}).want(http.StatusTooManyRequests)
		res.has(t, "Too many tries in a short time. Please wait")
		if res.header.Get("Retry-After") == "" {
			t.Fatal("429 without Retry-After")
		}
		if _, ok := v.cookies[sessionCookie]; ok {
			t.Fatal("signed in despite the limit")
		}
	})
}

// A post without the page's token, or with another, is refused with a 403 page and
// changes nothing; the htmx header is accepted in place of the field.
func TestFormsNeedTheCSRFToken(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.openEveryDay(2)
		item := e.newStock("Card tubes", 10, 0.2)
		v := e.member()
		add := url.Values{"stock_item_id": {itoa(item)}, "quantity": {"2"}, "back": {"/stock"}}
		for name, token := range map[string]string{"none": "", "another": strings.Repeat("A", 26)} {
			form := url.Values{}
			for k, vs := range add {
				form[k] = vs
			}
			if token != "" {
				form.Set(csrfField, token)
			}
			v.postBare("/basket/add", form).want(http.StatusForbidden).has(t, "did not come from this site")
			if _, ok := v.cookies[basketCookie]; ok {
				t.Fatalf("%s token: the basket changed", name)
			}
		}
		// The other forms refuse too, signed in or not.
		v.postBare("/sign-out", url.Values{}).want(http.StatusForbidden)
		e.visitor().postBare("/sign-in", url.Values{"email": {"a@b.example"}, "password": {"x"}}).want(http.StatusForbidden)
		e.visitor().postBare("/pickup", url.Values{"business_name": {"x"}}).want(http.StatusForbidden)
		req := httptest.NewRequest(http.MethodPost, "/basket/add", strings.NewReader(add.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set(csrfHeader, v.cookies[csrfCookie].Value)
		v.send(req).redirectsTo(t, "/stock")
		if v.cookies[basketCookie] == nil {
			t.Fatal("the htmx header did not let the post through")
		}
	})
}

// Member pages are for members: staff see the stock but not a basket, and the
// navigation shows each only what their role may use.
func TestPageRoles(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		staff := e.visitor()
		staff.signIn(e.users[models.RoleStaff])
		staff.get("/stock").want(http.StatusOK).hasNot(t, `href="/basket"`)
		staff.get("/basket").want(http.StatusForbidden).has(t, "this page is for member groups")
		staff.get("/reservations").want(http.StatusForbidden)
		m := e.member()
		m.get("/stock").want(http.StatusOK).has(t, `href="/basket"`, `href="/reservations"`)
		m.get("/").redirectsTo(t, "/stock")
		e.visitor().get("/").want(http.StatusOK).has(t, `href="/sign-in"`, `href="/pickup"`, `href="/wanted"`).hasNot(t, `href="/basket"`)
	})
}

// The member's journey without JavaScript: stock, basket, a slot, a reservation, a
// change and a cancellation, each through the same rules as the API.
func TestMemberReservesThroughThePages(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.openEveryDay(2)
		card := e.newStock("Card tubes", 10, 0.2)
		foam := e.newStock("Foam blocks", 4, 1)
		band, err := e.store.CreateBand(context.Background(), nil, "Small group", 2500, 12.5)
		if err != nil {
			t.Fatal(err)
		}
		testdb.Write(t, e.store, func(tx *gorm.DB) *gorm.DB { return tx.Model(e.org).Update("band_id", band.ID) })
		v := e.member()

		stock := v.get("/stock?q=card").want(http.StatusOK)
		stock.has(t, "Card tubes", "<strong>10 each</strong> free (2 kg)", `<label for="q-`+itoa(card)+`">Quantity (each)</label>`).hasNot(t, "Foam blocks")
		v.post("/basket/add", url.Values{"stock_item_id": {itoa(card)}, "quantity": {"4"}, "back": {"/stock?q=card"}}).redirectsTo(t, "/stock?q=card")
		v.get("/stock?q=card").has(t, "Added to your basket.", "Change in basket")
		v.post("/basket/add", url.Values{"stock_item_id": {itoa(foam)}, "quantity": {"9"}, "back": {"/stock"}}).redirectsTo(t, "/stock")
		v.get("/stock").has(t, "Not added: Only 4 each available.")
		v.post("/basket/add", url.Values{"stock_item_id": {itoa(foam)}, "quantity": {"0"}, "back": {"/stock"}}).redirectsTo(t, "/stock")
		v.get("/stock").has(t, "Not added: enter a quantity more than 0.")
		v.post("/basket/add", url.Values{"stock_item_id": {itoa(foam)}, "quantity": {"1"}, "back": {"/stock"}}).want(http.StatusSeeOther)

		basket := v.get("/basket").want(http.StatusOK)
		basket.has(t, "Card tubes", "Foam blocks", "1.8 kg in all")
		field := "quantity_" + itoa(card)
		v.post("/basket", url.Values{field: {"11"}, "quantity_" + itoa(foam): {"1"}}).want(http.StatusUnprocessableEntity).
			has(t, `id="e-`+field+`"`, "Only 10 each available", `value="11"`, `aria-describedby="e-`+field+`"`)
		v.post("/basket", url.Values{field: {"5"}, "quantity_" + itoa(foam): {"1"}}).redirectsTo(t, "/basket")
		v.post("/basket", url.Values{"remove": {itoa(foam)}}).redirectsTo(t, "/basket")
		v.get("/basket").has(t, "Removed from your basket.", "Card tubes").hasNot(t, "Foam blocks")

		reserve := v.get("/reserve").want(http.StatusOK)
		slot := e.tomorrowSlot()
		reserve.has(t, slot.Format("Mon 2 Jan 2006, 15:04")+" to 11:00", "2 places left", "<strong>1 kg</strong>",
			"Your Small group membership allows 12.5 kg a visit")
		v.post("/reserve", url.Values{}).want(http.StatusUnprocessableEntity).has(t, "There is a problem", "Choose a visit slot", `id="e-slot_start"`)
		res := v.post("/reserve", url.Values{"slot_start": {slot.UTC().Format(time.RFC3339)}, "notes": {"for year 2"}})
		res.want(http.StatusSeeOther)
		loc := res.header.Get("Location")
		if !strings.HasPrefix(loc, "/reservations/") {
			t.Fatalf("reserving went to %q", loc)
		}
		if _, ok := v.cookies[basketCookie]; ok {
			t.Fatal("the basket is kept after reserving")
		}
		if it := e.stockItem(card); it.ReservedMilli.Quantity() != 5 || it.Available.Quantity() != 5 {
			t.Fatalf("card after reserving: %+v", it)
		}
		page := v.get(loc).want(http.StatusOK)
		page.has(t, "Reserved for "+slot.Format("Mon 2 Jan 2006"), "pending", "Card tubes", "for year 2", `value="5"`)
		v.get("/stock?q=card").has(t, "<strong>5 each</strong> free")
		page.has(t, "1 place left") // its own slot, offered to move to
		v.get("/reservations").want(http.StatusOK).has(t, loc, "pending", "1 line", "1 kg")

		v.post(loc, url.Values{"lines[0].quantity": {"20"}, "slot_start": {slot.UTC().Format(time.RFC3339)}}).want(http.StatusConflict).has(t, "Card tubes")
		v.post(loc, url.Values{"lines[0].quantity": {"3"}, "slot_start": {slot.UTC().Format(time.RFC3339)}}).redirectsTo(t, loc)
		if it := e.stockItem(card); it.ReservedMilli.Quantity() != 3 {
			t.Fatalf("card after the change: %+v", it)
		}
		v.get(loc+"/cancel").want(http.StatusOK).has(t, "Yes, cancel it", "No, keep it")
		v.post(loc+"/cancel", url.Values{}).redirectsTo(t, loc)
		v.get(loc).has(t, "Reservation cancelled", "cancelled").hasNot(t, "Save changes")
		if it := e.stockItem(card); it.ReservedMilli.Quantity() != 0 {
			t.Fatalf("card after cancelling: %+v", it)
		}
		e.checkLedger()
	})
}

// Another group's reservation is a 404 page, to look at, change or cancel.
func TestAnotherGroupsReservationIsNotFound(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.openEveryDay(2)
		card := e.newStock("Card tubes", 10, 0.2)
		_, _, r := e.otherGroupsReservation(card, 2)
		v := e.member()
		path := "/reservations/" + itoa(r.ID)
		v.get(path).want(http.StatusNotFound).has(t, "Page not found").hasNot(t, "Card tubes")
		v.get(path + "/cancel").want(http.StatusNotFound)
		v.post(path, url.Values{"lines[0].quantity": {"1"}}).want(http.StatusNotFound)
		v.post(path+"/cancel", url.Values{}).want(http.StatusNotFound)
		v.get("/reservations/abc").want(http.StatusNotFound)
		v.get("/reservations").hasNot(t, path)
		if it := e.stockItem(card); it.ReservedMilli.Quantity() != 2 {
			t.Fatalf("the other group's reservation changed: %+v", it)
		}
	})
}

// The home page welcomes a visitor and sends each signed-in role to where its day starts.
func TestHomePageSendsEachRoleToItsStart(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.visitor().get("/").want(http.StatusOK).has(t, `href="/sign-in"`, `href="/pickup"`, `href="/wanted"`)
		for role, start := range startPages {
			e.signedIn(role).get("/").redirectsTo(t, start)
			e.signedIn(role).get(start).want(http.StatusOK)
		}
	})
}

// Reservations from today on are listed soonest first; earlier visits are the history,
// latest first, each on its own page.
func TestReservationHistoryPage(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.openEveryDay(2)
		card := e.newStock("Card tubes", 10, 0.2)
		var upcoming, earlier models.Reservation
		e.reserve(e.as(models.RoleMember), line(card, 2)).want(http.StatusCreated).decode(&earlier)
		past := e.tomorrowSlot().AddDate(0, 0, -10)
		testdb.Write(t, e.store, func(tx *gorm.DB) *gorm.DB {
			return tx.Model(&models.Reservation{}).Where("id = ?", earlier.ID).
				Updates(map[string]any{"slot_start": past, "slot_end": past.Add(time.Hour), "status": models.StatusCollected})
		})
		e.reserve(e.as(models.RoleMember), line(card, 1)).want(http.StatusCreated).decode(&upcoming)
		v := e.member()
		v.get("/reservations").want(http.StatusOK).has(t, "/reservations/"+itoa(upcoming.ID), `href="/reservations/history"`).
			hasNot(t, "/reservations/"+itoa(earlier.ID)+`"`)
		v.get("/reservations/history").want(http.StatusOK).has(t, "Your history", "/reservations/"+itoa(earlier.ID), "collected",
			past.Format("Mon 2 Jan 2006")).hasNot(t, "/reservations/"+itoa(upcoming.ID)+`"`)
		e.visitor().get("/reservations/history").redirectsTo(t, "/sign-in?next=%2Freservations%2Fhistory")
	})
}

// A lapsed group sees when its membership ended and cannot reserve.
func TestLapsedMembershipOnThePages(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.openEveryDay(2)
		card := e.newStock("Card tubes", 10, 0.2)
		v := e.member()
		v.post("/basket/add", url.Values{"stock_item_id": {itoa(card)}, "quantity": {"1"}, "back": {"/basket"}}).want(http.StatusSeeOther)
		ended := models.NewDate(time.Now()).AddDays(-3)
		testdb.Write(t, e.store, func(tx *gorm.DB) *gorm.DB { return tx.Model(e.org).Update("membership_expires_on", ended) })
		msg := "Your group's membership ended on " + ended.Format("2 Jan 2006")
		v.get("/stock").want(http.StatusOK).has(t, msg, "Card tubes").hasNot(t, "Add to basket")
		v.get("/basket").has(t, msg).hasNot(t, `href="/reserve"`)
		v.get("/reserve").has(t, msg).hasNot(t, `action="/reserve"`)
		v.post("/reserve", url.Values{"slot_start": {e.tomorrowSlot().UTC().Format(time.RFC3339)}}).want(http.StatusUnprocessableEntity).has(t, "lapsed on")
		if it := e.stockItem(card); it.ReservedMilli.Quantity() != 0 {
			t.Fatalf("a lapsed group reserved: %+v", it)
		}
	})
}

// The public pickup form: the model's rules shown beside the fields with the typed
// values kept, the reference and a status page on success, the honeypot and the limit.
func TestPickupRequestPages(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		cat := e.newCategory("Paper and card", "kg", map[string]float64{"kg": 1}, 1)
		v := e.visitor()
		v.get("/pickup").want(http.StatusOK).has(t, `<label for="f-business_name">Business name</label>`, "Paper and card",
			`<label for="f-website">Leave this empty</label>`)
		bad := url.Values{"business_name": {"Albion Print"}, "approx_kg": {"lots"}, "category_ids": {itoa(cat.ID)}}
		v.post("/pickup", bad).want(http.StatusUnprocessableEntity).
			has(t, `id="e-approx_kg"`, "must be a number", `value="Albion Print"`, `value="`+itoa(cat.ID)+`" checked`)
		bad.Set("approx_kg", "120")
		res := v.post("/pickup", bad).want(http.StatusUnprocessableEntity)
		res.has(t, `id="e-email"`, `id="e-postcode"`, `aria-describedby="e-postcode"`)

		today := e.srv.today()
		form := url.Values{"business_name": {"Albion Print"}, "contact_name": {"Jas Bains"}, "email": {"jas@albion.example"},
			"address": {"12 Spon Lane, West Bromwich"}, "postcode": {"b70 6au"}, "description": {"card offcuts"}, "approx_kg": {"120.5"},
			"earliest_date": {today.AddDays(1).String()}, "latest_date": {today.AddDays(10).String()}, "category_ids": {itoa(cat.ID)}}
		res = v.post("/pickup", form)
		res.want(http.StatusSeeOther)
		var pr models.PickupRequest
		if err := e.store.DB(context.Background()).Last(&pr).Error; err != nil {
			t.Fatal(err)
		}
		if res.header.Get("Location") != "/pickup/status?reference="+pr.Reference || pr.ApproxG.Kg() != 120.5 || pr.Postcode != "B70 6AU" {
			t.Fatalf("went to %q; kept %+v", res.header.Get("Location"), pr)
		}
		v.get(res.header.Get("Location")).want(http.StatusOK).has(t, "Your reference is "+pr.Reference, `value="`+pr.Reference+`"`)
		v.get("/pickup/status?reference="+pr.Reference+"&email=jas%40albion.example").want(http.StatusOK).
			has(t, "<dd>"+pr.Reference+"</dd>", "status-new", today.AddDays(1).Format("2 Jan 2006"))
		v.get("/pickup/status?reference="+pr.Reference+"&email=someone%40else.example").want(http.StatusNotFound).
			has(t, "We have no request with that reference and email").hasNot(t, "status-new")

		robot := url.Values{"website": {"http://spam.example"}}
		for k, vs := range form {
			robot[k] = vs
		}
		v.post("/pickup", robot).want(http.StatusSeeOther)
		for i := 1; i < models.PublicPickupLimit; i++ {
			v.post("/pickup", form).want(http.StatusSeeOther)
		}
		v.post("/pickup", form).want(http.StatusTooManyRequests).has(t, "Too many attempts")
		var n int64
		e.store.DB(context.Background()).Model(&models.PickupRequest{}).Count(&n)
		if n != models.PublicPickupLimit {
			t.Fatalf("%d requests kept, want %d", n, models.PublicPickupLimit)
		}
	})
}

func TestWantedPage(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.visitor().get("/wanted").want(http.StatusOK).has(t, "We have enough of everything just now")
		name, unit, src, factor, min := "Fabric", "kg", "test", 1.0, 40.0
		if _, err := e.store.CreateCategory(context.Background(), nil, models.CategoryInput{Name: &name, DefaultUnit: &unit,
			UnitWeightsKg: map[string]float64{"kg": 1}, CO2eKgPerKg: &factor, CO2eSource: &src, MinStockKg: &min}, e.srv.today()); err != nil {
			t.Fatal(err)
		}
		e.visitor().get("/wanted").want(http.StatusOK).has(t, "<td>Fabric</td>", "40 kg more")
	})
}

// The group page: the membership, what was taken this year, and the contact details,
// the only fields a member may change.
func TestGroupPage(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		card := e.newStock("Card tubes", 10, 0.5)
		if _, err := e.store.IssueWalkIn(context.Background(), e.users[models.RoleStaff], e.org.ID,
			[]models.LineInput{{StockItemID: card, Quantity: 5}}, "", london); err != nil {
			t.Fatal(err)
		}
		v := e.member()
		page := v.get("/group").want(http.StatusOK)
		page.has(t, e.org.Name, "runs to "+e.org.MembershipExpiresOn.Format("2 Jan 2006"), "2.5 kg in 1 visit",
			`<label for="f-email">Email address</label>`)
		v.post("/group", url.Values{"contact_name": {"Amrit Kaur"}, "email": {"not an email"}, "phone": {""}}).want(http.StatusUnprocessableEntity).
			has(t, `id="e-email"`, `value="not an email"`, `value="Amrit Kaur"`)
		v.post("/group", url.Values{"contact_name": {"Amrit Kaur"}, "email": {"office@greets.example"}, "phone": {"0121 555 0100"}}).
			redirectsTo(t, "/group")
		v.get("/group").has(t, "contact details are saved", `value="office@greets.example"`)
		var o models.Organisation
		if err := e.store.DB(context.Background()).First(&o, e.org.ID).Error; err != nil {
			t.Fatal(err)
		}
		if o.ContactName != "Amrit Kaur" || o.Email != "office@greets.example" || o.Name != e.org.Name {
			t.Fatalf("organisation after the change: %+v", o)
		}
		staff := e.visitor()
		staff.signIn(e.users[models.RoleStaff])
		staff.get("/group").want(http.StatusForbidden)
	})
}

// A page's unexpected error is a 500 page that says what to do, with the request id to
// quote, and nothing internal; the log has the error.
func TestInternalErrorPage(t *testing.T) {
	store := testdb.SQLite(t, nil)
	var logs strings.Builder
	srv := NewServer(Deps{Store: store, Logger: slog.New(slog.NewTextHandler(&logs, nil)), Config: Config{TokenTTL: time.Hour, Location: london}})
	srv.echo.GET("/boom-page", srv.page(public, func(echo.Context) error { return errors.New("pq: relation secret_table does not exist") }))
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/boom-page", nil))
	id := rec.Header().Get(echo.HeaderXRequestID)
	body := rec.Body.String()
	if rec.Code != http.StatusInternalServerError || !strings.Contains(body, "Something went wrong") || !strings.Contains(body, "quote "+id) ||
		!strings.Contains(body, `href="/"`) || strings.Contains(body, "secret_table") {
		t.Fatalf("500 page: %d %s", rec.Code, body)
	}
	if !strings.Contains(logs.String(), "secret_table") || !strings.Contains(logs.String(), id) {
		t.Fatalf("the log lacks the error or the request id: %s", logs.String())
	}
}

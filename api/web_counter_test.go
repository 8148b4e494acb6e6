package api

import (
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/models/testdb"
	"gorm.io/gorm"
)

// A member's reservation at the counter: listed under its slot this week, confirmed,
// checked out with one line taken short and one not taken; the slip lists what was
// taken and its weight, and the stock shows what went back on the shelf.
func TestCounterChecksOutAReservation(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.openEveryDay(3)
		card := e.newStock("Card tubes", 20, 0.2)
		foam := e.newStock("Foam blocks", 5, 1)
		var r models.Reservation
		e.reserve(e.as(models.RoleMember), line(card, 4), line(foam, 2)).want(http.StatusCreated).decode(&r)
		path := "/counter/" + itoa(r.ID)
		v := e.signedIn(models.RoleStaff)
		v.get("/counter").want(http.StatusOK).has(t, "Today at the counter", "No reservations today").hasNot(t, path)
		v.get("/counter?week=1").want(http.StatusOK).has(t, "This week at the counter", ukSlot(london, r.SlotStart, r.SlotEnd),
			`href="`+path+`"`, "Greets Green Primary School", "pending", "2 lines, 2.8 kg")
		page := v.get(path).want(http.StatusOK)
		page.has(t, "Greets Green Primary School", "Confirm this reservation", "Card tubes", `name="lines[0].quantity"`, `value="4"`, "Check out").
			hasNot(t, "Not collected") // the slot has not begun
		v.post(path+"/confirm", url.Values{}).redirectsTo(t, path)
		v.get(path).has(t, "Reservation confirmed.", "confirmed").hasNot(t, "Confirm this reservation")

		take := url.Values{"lines[0].stock_item_id": {itoa(card)}, "lines[0].taken": {"1"}, "lines[0].quantity": {"9"},
			"lines[1].stock_item_id": {itoa(foam)}, "lines[1].quantity": {"2"}}
		v.post(path+"/collect", take).want(http.StatusUnprocessableEntity).has(t, "at most 4 was reserved", `value="9"`)
		none := url.Values{"lines[0].stock_item_id": {itoa(card)}, "lines[0].quantity": {"4"}, "lines[1].stock_item_id": {itoa(foam)}}
		v.post(path+"/collect", none).want(http.StatusUnprocessableEntity).has(t, "if nothing was taken").
			hasNot(t, `name="lines[0].taken" value="1" checked`)
		take.Set("lines[0].quantity", "lots")
		v.post(path+"/collect", take).want(http.StatusUnprocessableEntity).has(t, `id="e-lines[0].quantity"`)
		take.Set("lines[0].quantity", "3")
		v.post(path+"/collect", take).redirectsTo(t, path)
		v.get(path).has(t, "Checked out: 0.6 kg taken", "collected", "Print the check-out slip").hasNot(t, `action="`+path+`/collect"`)
		slip := v.get(path + "/slip").want(http.StatusOK)
		slip.has(t, "Check-out slip", "Greets Green Primary School", "Card tubes", "3 each", "0.6 kg").hasNot(t, "Foam blocks")
		if it := e.stockItem(card); it.OnHandMilli.Quantity() != 17 || it.ReservedMilli.Quantity() != 0 {
			t.Fatalf("card after check-out: %+v", it)
		}
		if it := e.stockItem(foam); it.OnHandMilli.Quantity() != 5 || it.ReservedMilli.Quantity() != 0 {
			t.Fatalf("foam after check-out: %+v", it)
		}
		v.post(path+"/collect", take).want(http.StatusConflict).has(t, "is collected")
		e.checkLedger()
	})
}

// A walk-in: the group and items chosen, the same rules as a reservation (a lapsed group
// is refused), one issue however often the form is sent, shown on today's counter.
func TestCounterWalkIn(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		card := e.newStock("Card tubes", 20, 0.2)
		v := e.signedIn(models.RoleStaff)
		form := v.get("/counter/walk-in").want(http.StatusOK)
		form.has(t, "Walk-in issue", "Greets Green Primary School", `name="lines[2].stock_item_id"`, `list="items"`)
		label := "Card tubes · " + e.stockItem(card).Location + " · 20 each free #" + itoa(card)
		v.get("/counter/items?item=card").want(http.StatusOK).has(t, `<option value="`+label+`">`)
		v.get("/counter/items?lines%5B0%5D.stock_item_id=tubes").want(http.StatusOK).has(t, label)
		v.get("/counter/items?item=felt").want(http.StatusOK).has(t, "Nothing matches")
		key := formKey(t, form)
		send := url.Values{"idempotency_key": {key}, "organisation_id": {itoa(e.org.ID)}, "lines[0].stock_item_id": {label}, "lines[0].quantity": {"25"}}
		v.post("/counter/walk-in", send).want(http.StatusConflict).has(t, "not enough stock", "20 available", `value="25"`)
		send.Set("lines[0].quantity", "5")
		send.Set("lines[2].stock_item_id", "nothing like it")
		send.Set("lines[2].quantity", "1")
		v.post("/counter/walk-in", send).want(http.StatusUnprocessableEntity).has(t, `id="e-lines[2].stock_item_id"`, "No one item matches")
		send.Del("lines[2].stock_item_id")
		send.Del("lines[2].quantity")
		res := v.post("/counter/walk-in", send)
		res.want(http.StatusSeeOther)
		to := res.header.Get("Location")
		v.post("/counter/walk-in", send).redirectsTo(t, to)
		v.get(to).has(t, "This was saved already", "collected", "walk-in visit", "Print the check-out slip")
		if it := e.stockItem(card); it.OnHandMilli.Quantity() != 15 {
			t.Fatalf("card after one walk-in sent twice: %+v", it)
		}
		v.get("/counter").has(t, `href="`+to+`"`, "collected", "1 line, 1 kg")

		// Typed without choosing from the list: the only item matching is taken.
		lapsed := e.newOrganisation("Tipton Play Group")
		testdb.Write(t, e.store, func(tx *gorm.DB) *gorm.DB {
			return tx.Model(lapsed).Update("membership_expires_on", e.srv.today().AddDays(-1))
		})
		again := url.Values{"idempotency_key": {formKey(t, v.get("/counter/walk-in"))}, "organisation_id": {itoa(lapsed.ID)},
			"lines[0].stock_item_id": {"card tubes"}, "lines[0].quantity": {"1"}}
		v.post("/counter/walk-in", again).want(http.StatusUnprocessableEntity).has(t, "lapsed")
		if it := e.stockItem(card); it.OnHandMilli.Quantity() != 15 {
			t.Fatalf("a lapsed group took stock: %+v", it)
		}
		e.checkLedger()
	})
}

// Not collected: only once the slot has begun, after a confirmation; the stock goes back.
func TestCounterNotCollected(t *testing.T) {
	var now atomic.Int64
	now.Store(time.Now().UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()) }
	testdb.EachWith(t, clock, func(t *testing.T, store *models.Store) {
		now.Store(time.Now().UnixNano())
		e := newEnv(t, store)
		card, r := e.twoCardTubes()
		path := "/counter/" + itoa(r.ID)
		v := e.signedIn(models.RoleStaff)
		v.post(path+"/not-collected", url.Values{}).want(http.StatusConflict).has(t, "has not started yet")
		now.Store(r.SlotStart.Add(90 * time.Minute).UnixNano())
		v = e.signedIn(models.RoleStaff) // the session has run out meanwhile
		v.get(path).want(http.StatusOK).has(t, "Not collected")
		v.get(path+"/not-collected").want(http.StatusOK).has(t, "did not come", "Yes, not collected", "No, go back")
		v.post(path+"/not-collected", url.Values{}).redirectsTo(t, path)
		v.get(path).has(t, "Marked as not collected", "expired").hasNot(t, "Check out")
		v.get(path+"/slip").want(http.StatusConflict).has(t, "no slip yet")
		e.refreshTokens()
		if it := e.stockItem(card); it.ReservedMilli.Quantity() != 0 || it.OnHandMilli.Quantity() != 20 {
			t.Fatalf("card after not collected: %+v", it)
		}
	})
}

// The counter is for staff and managers; a member or driver is refused, even for their
// own group's reservation, and posts without the form's token change nothing.
func TestCounterPagesRoles(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		card, r := e.twoCardTubes()
		path := "/counter/" + itoa(r.ID)
		for _, role := range []models.Role{models.RoleMember, models.RoleDriver} {
			v := e.visitor()
			v.signIn(e.users[role])
			for _, p := range []string{"/counter", "/counter/walk-in", "/counter/items?item=card", path, path + "/slip", path + "/not-collected"} {
				v.get(p).want(http.StatusForbidden).has(t, "this page is for managers or staff")
			}
			v.post(path+"/confirm", url.Values{}).want(http.StatusForbidden)
			v.post(path+"/collect", url.Values{"lines[0].stock_item_id": {itoa(card)}, "lines[0].taken": {"1"}, "lines[0].quantity": {"2"}}).
				want(http.StatusForbidden)
		}
		v := e.signedIn(models.RoleStaff)
		v.get("/counter/999999").want(http.StatusNotFound)
		v.postBare(path+"/confirm", url.Values{}).want(http.StatusForbidden)
		v.postBare(path+"/collect", url.Values{"lines[0].stock_item_id": {itoa(card)}, "lines[0].taken": {"1"}, "lines[0].quantity": {"2"}}).
			want(http.StatusForbidden)
		v.postBare("/counter/walk-in", url.Values{"idempotency_key": {"k"}, "organisation_id": {itoa(e.org.ID)},
			"lines[0].stock_item_id": {"#" + itoa(card)}, "lines[0].quantity": {"1"}}).want(http.StatusForbidden)
		if it := e.stockItem(card); it.OnHandMilli.Quantity() != 20 || it.ReservedMilli.Quantity() != 2 {
			t.Fatalf("posts without the token changed the stock: %+v", it)
		}
		m := e.visitor()
		m.signIn(e.users[models.RoleManager])
		m.get(path).want(http.StatusOK).has(t, "Card tubes")
	})
}

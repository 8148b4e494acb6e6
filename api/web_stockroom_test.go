package api

import (
	"encoding/csv"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/scrapstore/scrapstore/models"
)

// The stockroom pages are for staff and managers: a member or a driver is refused
// every one, and every form refuses a post without the page's token.
func TestStockroomPagesRolesAndCSRF(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		item := e.newStock("Card tubes", 10, 0.2)
		st, err := e.store.OpenStocktake(t.Context(), nil, nil, &e.stockItemPtr(item).CategoryID)
		if err != nil {
			t.Fatal(err)
		}
		gets := []string{"/stockroom", "/stockroom/stock.csv", "/stockroom/items/" + itoa(item), "/stockroom/wanted", "/stockroom/stocktakes",
			stocktakePath(st.ID), stocktakePath(st.ID) + "/differences"}
		posts := []string{"/stockroom/items/" + itoa(item) + "/adjust", "/stockroom/items/" + itoa(item) + "/move", "/stockroom/wanted",
			"/stockroom/stocktakes", stocktakePath(st.ID) + "/count", stocktakePath(st.ID) + "/close"}
		for _, role := range []models.Role{models.RoleMember, models.RoleDriver} {
			v := e.signedIn(role)
			v.get("/stock").want(http.StatusOK).hasNot(t, `href="/stockroom"`)
			for _, p := range gets {
				v.get(p).want(http.StatusForbidden).has(t, "this page is for managers or staff")
			}
			for _, p := range posts {
				v.post(p, url.Values{}).want(http.StatusForbidden)
			}
		}
		e.visitor().get("/stockroom").redirectsTo(t, "/sign-in?next=%2Fstockroom")
		staff := e.signedIn(models.RoleStaff)
		staff.get("/stock").want(http.StatusOK).has(t, `href="/stockroom"`)
		for _, p := range posts {
			staff.postBare(p, url.Values{"delta": {"5"}, "reason": {"other"}, "stock_item_id": {itoa(item)}, "counted": {"1"}, "confirm": {"yes"}}).
				want(http.StatusForbidden).has(t, "did not come from this site")
		}
		if it := e.stockItem(item); it.OnHandMilli.Quantity() != 10 {
			t.Fatalf("a refused post changed the stock: %+v", it)
		}
		if got, _ := e.store.Stocktake(t.Context(), st.ID); got.Status != "open" || got.Lines[0].CountedMilli != nil {
			t.Fatalf("a refused post changed the stocktake: %+v", got)
		}
	})
}

func (e *testEnv) stockItemPtr(id int64) *models.StockItem {
	it := e.stockItem(id)
	return &it
}

// Staff find stock by words, category, location and what is free; sort it; page it;
// and download the list as filtered.
func TestStockroomListFiltersSortsPagesAndExports(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		card := e.newStock("Card tubes", 10, 0.2)
		foam := e.newStock("Foam blocks", 4, 1)
		e.newStock("Felt squares", 6, 0.05)
		if _, err := e.store.AdjustStock(t.Context(), nil, foam, -4, "damaged", ""); err != nil {
			t.Fatal(err)
		}
		v := e.signedIn(models.RoleStaff)
		v.get("/stockroom").want(http.StatusOK).
			has(t, "Card tubes", "Foam blocks", "Felt squares", "10 each", ">10<", "2 kg", `href="/stockroom/stock.csv?"`)
		v.get("/stockroom?q=card").want(http.StatusOK).has(t, "Card tubes").hasNot(t, "Foam blocks", "Felt squares")
		v.get("/stockroom?available_only=true").want(http.StatusOK).has(t, "Card tubes", "checked").hasNot(t, "Foam blocks")
		it := e.stockItem(card)
		v.get("/stockroom?category_id="+itoa(it.CategoryID)).want(http.StatusOK).has(t, "Card tubes").hasNot(t, "Foam blocks")
		v.get("/stockroom?location_id="+itoa(it.LocationID)).want(http.StatusOK).has(t, "Card tubes").hasNot(t, "Felt squares")
		res := v.get("/stockroom?sort=-description").want(http.StatusOK)
		if strings.Index(res.html, "Foam blocks") > strings.Index(res.html, "Card tubes") {
			t.Fatal("Z to A did not put Foam before Card")
		}
		v.get("/stockroom?category_id=x").want(http.StatusUnprocessableEntity).has(t, "must be a whole number")
		v.get("/stockroom?q=nothing-like-it").want(http.StatusOK).has(t, "Nothing matches")
		res = v.get("/stockroom?q=f&available_only=true").want(http.StatusOK).has(t, `/stockroom/stock.csv?available_only=true&amp;q=f`)

		csvRes := v.get("/stockroom/stock.csv?q=f&available_only=true").want(http.StatusOK)
		rows, err := csv.NewReader(strings.NewReader(csvRes.html)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 || rows[1][3] != "Felt squares" {
			t.Fatalf("the export as filtered: %v", rows)
		}
		// The API's export takes the same filters.
		e.do(http.MethodGet, "/api/v1/stock.csv?q=card", e.as(models.RoleStaff), nil).want(http.StatusOK)

		for i := range 52 {
			e.newStock("Bulk item "+string(rune('A'+i/26))+string(rune('a'+i%26)), 1, 1)
		}
		res = v.get("/stockroom?q=bulk").want(http.StatusOK).has(t, "Bulk item Aa", "Next page").hasNot(t, "Bulk item Bz")
		next := res.html[strings.Index(res.html, `<p class="pager"><a href="`)+len(`<p class="pager"><a href="`):]
		next = strings.ReplaceAll(next[:strings.Index(next, `"`)], "&amp;", "&")
		v.get(next).want(http.StatusOK).has(t, "Bulk item Bz").hasNot(t, "Bulk item Aa")
	})
}

// An item's page shows its movements; staff adjust it with a reason and move it, and a
// problem shows beside its field.
func TestStockroomItemAdjustAndMove(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		card := e.newStock("Card tubes", 10, 0.2)
		path := "/stockroom/items/" + itoa(card)
		v := e.signedIn(models.RoleStaff)
		v.get(path).want(http.StatusOK).has(t, "Card tubes", "10 each", "received", "Adjust the quantity", "used in workshop")
		v.get("/stockroom/items/999999").want(http.StatusNotFound)

		v.post(path+"/adjust", url.Values{"delta": {"lots"}, "reason": {"other"}}).want(http.StatusUnprocessableEntity).
			has(t, "Enter the change as a number", `value="lots"`)
		v.post(path+"/adjust", url.Values{"delta": {"2"}, "reason": {""}}).want(http.StatusUnprocessableEntity).has(t, "Reason must be one of")
		v.post(path+"/adjust", url.Values{"delta": {"-20"}, "reason": {"miscounted"}}).want(http.StatusConflict).has(t, "cannot take away 20")
		v.post(path+"/adjust", url.Values{"delta": {"-3"}, "reason": {"damaged"}, "note": {"wet"}}).redirectsTo(t, path)
		v.get(path).want(http.StatusOK).has(t, "The stock is adjusted.", "7 each", "damaged: wet", "<td>written off</td>")
		if it := e.stockItem(card); it.OnHandMilli.Quantity() != 7 {
			t.Fatalf("after the adjustment: %+v", it)
		}

		v.post(path+"/move", url.Values{"location_id": {""}}).want(http.StatusUnprocessableEntity).has(t, "Choose a location")
		to := e.newLocation("B9")
		res := v.post(path+"/move", url.Values{"location_id": {itoa(to.ID)}}).want(http.StatusSeeOther)
		moved := res.header.Get("Location")
		v.get(moved).want(http.StatusOK).has(t, "Moved to B9.", "7 each", "moved")
		if it := e.stockItem(card); it.OnHandMilli.Quantity() != 0 {
			t.Fatalf("the old item after the move: %+v", it)
		}
		e.checkLedger()
	})
}

// Staff see each category's minimum; managers change them, which puts a category on
// the public wanted list.
func TestStockroomWantedList(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		card := e.newStock("Card tubes", 10, 0.2) // 2 kg
		cat := e.stockItem(card).CategoryID
		field := "min_" + itoa(cat)
		staff := e.signedIn(models.RoleStaff)
		staff.get("/stockroom/wanted").want(http.StatusOK).has(t, "Managers change the minimums").hasNot(t, `name="`+field+`"`)
		staff.post("/stockroom/wanted", url.Values{field: {"5"}}).want(http.StatusForbidden)

		m := e.signedIn(models.RoleManager)
		m.get("/stockroom/wanted").want(http.StatusOK).has(t, `name="`+field+`"`, "Save the minimums")
		m.post("/stockroom/wanted", url.Values{field: {"-1"}}).want(http.StatusUnprocessableEntity).has(t, "must be between 0 and 1000000", `value="-1"`)
		m.post("/stockroom/wanted", url.Values{field: {"five"}}).want(http.StatusUnprocessableEntity).has(t, "Enter a weight in kg")
		m.post("/stockroom/wanted", url.Values{field: {"5"}}).redirectsTo(t, "/stockroom/wanted")
		m.get("/stockroom/wanted").want(http.StatusOK).has(t, "1 minimum changed", "yes: 2 kg free, 3 kg short")
		e.visitor().get("/wanted").want(http.StatusOK).has(t, "3 kg more")
	})
}

// A stocktake without JavaScript: opened for a location, counted line by line with
// plain posts, its differences looked at, and closed with a confirmation.
func TestStocktakePages(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		card := e.newStock("Card tubes", 10, 0.2)
		it := e.stockItem(card)
		loc := it.LocationID
		v := e.signedIn(models.RoleStaff)
		v.get("/stockroom/stocktakes").want(http.StatusOK).has(t, "No stocktakes yet", "Open a stocktake")
		v.post("/stockroom/stocktakes", url.Values{}).want(http.StatusUnprocessableEntity).has(t, "Choose a location or a category")
		res := v.post("/stockroom/stocktakes", url.Values{"location_id": {itoa(loc)}}).want(http.StatusSeeOther)
		sheet := res.header.Get("Location")
		v.get(sheet).want(http.StatusOK).has(t, "Stocktake opened with 1 item to count.", "Card tubes", "0 of 1 counted", `name="counted"`)
		v.get("/stockroom/stocktakes").want(http.StatusOK).has(t, "location "+it.Location+" (Shelf "+it.Location+")", "open")

		count := sheet + "/count"
		v.post(count, url.Values{"stock_item_id": {itoa(card)}, "counted": {"eight"}}).want(http.StatusUnprocessableEntity).
			has(t, "Enter the count as a number", `value="eight"`)
		v.post(count, url.Values{"stock_item_id": {itoa(card)}, "counted": {"-1"}}).want(http.StatusUnprocessableEntity).
			has(t, "must be between 0 and 1000000")
		v.post(count, url.Values{"stock_item_id": {itoa(card)}, "counted": {"8"}}).redirectsTo(t, sheet+"#line-"+itoa(card))
		v.get(sheet).want(http.StatusOK).has(t, "Count saved.", "1 of 1 counted", `value="8"`)

		v.get(sheet+"/differences").want(http.StatusOK).has(t, "Differences before closing", "10 each", "-2", "-0.4 kg", "I have checked the differences")
		v.post(sheet+"/close", url.Values{}).want(http.StatusUnprocessableEntity).has(t, "Tick the box")
		if it := e.stockItem(card); it.OnHandMilli.Quantity() != 10 {
			t.Fatalf("closed without the confirmation: %+v", it)
		}
		v.post(sheet+"/close", url.Values{"confirm": {"yes"}}).redirectsTo(t, sheet)
		v.get(sheet).want(http.StatusOK).has(t, "Stocktake closed", "Closed stocktake", "-2", ", closed "+e.srv.today().Format("2 Jan 2006")+".").
			hasNot(t, `name="counted"`)
		if it := e.stockItem(card); it.OnHandMilli.Quantity() != 8 {
			t.Fatalf("after closing: %+v", it)
		}
		v.post(sheet+"/close", url.Values{"confirm": {"yes"}}).want(http.StatusConflict).has(t, "closed already")
		v.post(count, url.Values{"stock_item_id": {itoa(card)}, "counted": {"3"}}).want(http.StatusConflict)
		v.get("/stockroom/stocktakes/999999").want(http.StatusNotFound)
		e.checkLedger()
	})
}

// With htmx a count comes back as its line and the progress, to swap in place.
func TestStocktakeCountWithHtmx(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		card := e.newStock("Card tubes", 10, 0.2)
		it := e.stockItem(card)
		st, err := e.store.OpenStocktake(t.Context(), nil, nil, &it.CategoryID)
		if err != nil {
			t.Fatal(err)
		}
		v := e.signedIn(models.RoleStaff)
		v.get(stocktakePath(st.ID)).want(http.StatusOK).has(t, "category "+it.Category)
		send := func(counted string) *pageResult {
			form := url.Values{"stock_item_id": {itoa(card)}, "counted": {counted}}
			req := httptestForm(stocktakePath(st.ID)+"/count", form)
			req.Header.Set("HX-Request", "true")
			req.Header.Set(csrfHeader, v.cookies[csrfCookie].Value)
			return v.send(req)
		}
		send("x").want(http.StatusOK).has(t, `id="line-`+itoa(card)+`"`, "Enter the count as a number", `aria-invalid="true"`).hasNot(t, "<html")
		send("11").want(http.StatusOK).has(t, "Saved", `value="11"`, `hx-swap-oob="outerHTML:#progress"`, "1 of 1 counted").hasNot(t, "<html")
	})
}

func httptestForm(path string, form url.Values) *http.Request {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

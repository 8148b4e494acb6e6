package api

import (
	"fmt"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/scrapstore/scrapstore/models"
)

// offline cuts the tab's connection, or gives it back, as a tablet losing its signal.
func (b *tab) offline(off bool) {
	b.t.Helper()
	if _, err := chromedp.Call(b.ctx, network.Enable, network.EnableParams{}); err != nil {
		b.t.Fatal(err)
	}
	cond := &network.Conditions{Offline: off, DownloadThroughput: -1, UploadThroughput: -1}
	if _, err := chromedp.Call(b.ctx, network.EmulateNetworkConditionsByRule,
		network.EmulateNetworkConditionsByRuleParams{MatchedNetworkConditions: []*network.Conditions{cond}}); err != nil {
		b.t.Fatal(err)
	}
	if _, err := chromedp.Call(b.ctx, network.OverrideNetworkState,
		network.OverrideNetworkStateParams{Offline: off, DownloadThroughput: -1, UploadThroughput: -1}); err != nil {
		b.t.Fatal(err)
	}
}

// Staff filter the stock list as they type, open an item and adjust it.
func TestBrowserStockroomList(t *testing.T) {
	chromium(t)
	browserEnv(t, func(t *testing.T, e *testEnv) {
		card := e.newStock("Card tubes", 10, 0.2)
		e.newStock("Foam blocks", 4, 1)
		b := newTab(t, e)
		b.open("/stockroom")
		b.signInAs(e.users[models.RoleStaff])
		b.waitFor("Foam blocks")
		b.check("stock-list")
		b.do(chromedp.SendKeys(chromedp.CSS("#f-q"), "card"))
		if !b.until(`!document.querySelector("#results").innerText.includes("Foam") && location.search.includes("q=card")`) {
			t.Fatalf("search did not narrow the list: %s", b.text())
		}
		if !b.until(`document.querySelector("a[download]").getAttribute("href") === "/stockroom/stock.csv?q=card"`) {
			t.Fatal("the CSV link does not follow the filter")
		}
		b.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`a[href="/stockroom/items/%d"]`, card))))
		b.waitFor("Adjust the quantity")
		b.do(chromedp.SendKeys(chromedp.CSS("#f-delta"), "-2"), chromedp.SetValue(chromedp.CSS("#f-reason"), "damaged"),
			chromedp.Click(chromedp.CSS(`form[action$="/adjust"] button`)))
		b.waitFor("The stock is adjusted.")
		b.check("stock-item")
		if it := e.stockItem(card); it.OnHandMilli.Quantity() != 8 {
			t.Fatalf("after adjusting in the browser: %+v", it)
		}
		// A form too large to send is refused with a page that says so, and changes nothing.
		b.do(chromedp.SendKeys(chromedp.CSS("#f-delta"), "-1"), chromedp.SetValue(chromedp.CSS("#f-reason"), "damaged"))
		if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.querySelector("#f-note").value = "x".repeat(1100000); true`)); err != nil {
			t.Fatal(err)
		}
		b.do(chromedp.Click(chromedp.CSS(`form[action$="/adjust"] button`)))
		b.waitFor("That is too much to send")
		if !b.until(`document.body.innerText.includes("Signed in as")`) {
			t.Fatal("the refusal's page shows the person signed out")
		}
		b.check("too-large")
		if it := e.stockItem(card); it.OnHandMilli.Quantity() != 8 {
			t.Fatalf("a form too large changed the stock: %+v", it)
		}
	})
}

// A stocktake counted on a tablet: each line saves as it is typed and Enter moves on;
// the progress shows; a count typed while the connection is lost is kept and sent
// when it comes back; then the differences, and closing with a confirmation.
func TestBrowserStocktakeSheet(t *testing.T) {
	chromium(t)
	browserEnv(t, func(t *testing.T, e *testEnv) {
		card := e.newStock("Card tubes", 10, 0.2)
		loc := e.stockItem(card).LocationID
		felt, err := e.store.ReceiveDonation(t.Context(), nil, models.DonationInput{Lines: []models.DonationLineInput{{
			CategoryID: &e.stockItemPtr(card).CategoryID, Description: "Felt squares", LocationID: &loc, Quantity: 6}}})
		if err != nil {
			t.Fatal(err)
		}
		feltID := felt.Lines[0].StockItemID
		b := newTab(t, e)
		b.open("/stockroom/stocktakes")
		b.signInAs(e.users[models.RoleStaff])
		b.waitFor("Open a stocktake")
		b.check("stocktakes")
		b.do(chromedp.SetValue(chromedp.CSS("#f-location_id"), itoa(loc)), chromedp.Click(chromedp.CSS(`form[action="/stockroom/stocktakes"] button`)))
		b.waitFor("0 of 2 counted")
		b.check("counting-sheet")

		first, second := fmt.Sprintf("#c-%d", card), fmt.Sprintf("#c-%d", feltID)
		b.do(chromedp.Click(chromedp.CSS(first)), chromedp.KeyEvent("9"+kb.Enter))
		b.waitFor("1 of 2 counted")
		if !b.until(fmt.Sprintf(`document.activeElement === document.querySelector(%q)`, second)) {
			t.Fatal("Enter did not move to the next line")
		}
		if st := e.stocktakeOf(loc); st.Lines[0].CountedMilli == nil || st.Lines[0].CountedMilli.Quantity() != 9 {
			t.Fatalf("the first count was not saved: %+v", st.Lines[0])
		}

		b.offline(true)
		b.do(chromedp.KeyEvent("5" + kb.Tab))
		b.waitFor("Not saved yet")
		b.check("counting-offline")
		if st := e.stocktakeOf(loc); st.Lines[1].CountedMilli != nil {
			t.Fatal("a count was saved while offline")
		}
		b.offline(false)
		b.waitFor("2 of 2 counted")
		if st := e.stocktakeOf(loc); st.Lines[1].CountedMilli == nil || st.Lines[1].CountedMilli.Quantity() != 5 {
			t.Fatalf("the count typed offline was lost: %+v", st.Lines[1])
		}

		b.do(chromedp.Click(chromedp.CSS(`a[href$="/differences"]`)))
		b.waitFor("Counts that differ from the books")
		b.check("differences")
		b.do(chromedp.Click(chromedp.CSS(`button.danger`)))
		b.waitFor("Tick the box")
		b.do(chromedp.Click(chromedp.CSS(`#f-confirm`)), chromedp.Click(chromedp.CSS(`button.danger`)))
		b.waitFor("Stocktake closed")
		b.check("closed")
		if it := e.stockItem(card); it.OnHandMilli.Quantity() != 9 {
			t.Fatalf("card after closing: %+v", it)
		}
		if it := e.stockItem(feltID); it.OnHandMilli.Quantity() != 5 {
			t.Fatalf("felt after closing: %+v", it)
		}
		e.checkLedger()
		b.open("/stockroom/stocktakes")
		b.waitFor("Stocktakes, newest first")
		b.check("stocktakes-closed")
	})
}

// stocktakeOf is the newest stocktake of a location.
func (e *testEnv) stocktakeOf(loc int64) *models.Stocktake {
	e.t.Helper()
	list, _, err := e.store.ListStocktakes(e.t.Context(), models.Page{Limit: 1})
	if err != nil || len(list) == 0 || list[0].LocationID == nil || *list[0].LocationID != loc {
		e.t.Fatalf("no stocktake of location %d: %v %v", loc, list, err)
	}
	st, err := e.store.Stocktake(e.t.Context(), list[0].ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return st
}

// Staff accept a collection request with a new donor, give the donor opening hours on
// the weekly grid, and a volunteer logs their hours; each page passes axe-core.
func TestBrowserCollectionsAndHours(t *testing.T) {
	chromium(t)
	browserEnv(t, func(t *testing.T, e *testEnv) {
		id := e.newRequest("albion")
		e.newVolunteer("Sam Okafor", e.users[models.RoleStaff].Email)
		b := newTab(t, e)
		b.open("/pickup-requests")
		b.signInAs(e.users[models.RoleStaff])
		b.waitFor("card tubes and offcuts")
		b.check("pickup-queue")
		b.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`a[href="/pickup-requests/%d"]`, id))))
		b.waitFor("A new donor from this request")
		b.check("pickup-request")
		b.do(chromedp.SetValue(chromedp.CSS("#f-priority"), "4"), chromedp.Click(chromedp.CSS(`form[action$="/accept"] button`)))
		b.waitFor("Accepted")
		r := e.pickup(id)
		if r.DonorID == nil || r.Priority != 4 {
			t.Fatalf("after accepting in the browser: %+v", r)
		}

		b.open(fmt.Sprintf("/donors/%d", *r.DonorID))
		b.waitFor("Opening hours")
		b.do(chromedp.SetValue(chromedp.CSS("#f-oh_tue_0_from"), "08:30"), chromedp.SetValue(chromedp.CSS("#f-oh_tue_0_to"), "16:00"),
			chromedp.SetValue(chromedp.CSS("#f-oh_wed_0_from"), "10:00"),
			chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)))
		b.waitFor("give the time it opens and the time it closes")
		b.check("donor-problem")
		b.do(chromedp.SetValue(chromedp.CSS("#f-oh_wed_0_to"), "12:00"), chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)))
		b.waitFor("Your changes are saved.")
		d, err := e.store.Donor(t.Context(), *r.DonorID)
		if err != nil || len(d.OpeningHours["tue"]) != 1 || d.OpeningHours["wed"][0].To != "12:00" {
			t.Fatalf("the donor's hours: %+v %v", d, err)
		}
		b.open("/donors")
		b.waitFor("Donors by name")
		b.check("donors")

		b.open("/hours")
		b.waitFor("Thank you for your time, Sam Okafor")
		b.do(chromedp.SendKeys(chromedp.CSS("#f-hours"), "3"), chromedp.SetValue(chromedp.CSS("#f-activity"), "sorting"),
			chromedp.Click(chromedp.CSS(`form[action="/hours"] button`)))
		b.waitFor("Thank you: 3 hours logged.")
		b.check("own-hours")
		b.open("/volunteer-hours")
		b.waitFor("Sam Okafor")
		b.check("volunteer-hours")
		// On a phone the table is wider than the screen: from the form's button, Tab
		// reaches the table, the arrow keys scroll it, and Tab then Enter open a correction.
		b.do(chromedp.Focus(chromedp.CSS("form.search button")), chromedp.KeyEvent(kb.Tab))
		if !b.until(`document.activeElement.getAttribute("aria-labelledby") === "hours-caption"`) {
			t.Fatal("Tab after the form's button does not reach the table of hours")
		}
		b.do(chromedp.KeyEvent(kb.ArrowRight + kb.ArrowRight + kb.ArrowRight + kb.ArrowRight))
		if !b.until(`document.activeElement.scrollLeft > 0`) {
			t.Fatal("the arrow keys do not scroll the table of hours on a phone")
		}
		b.do(chromedp.KeyEvent(kb.Tab + kb.Enter))
		b.waitFor("Save the correction")
		b.check("hours-entry")
	})
}

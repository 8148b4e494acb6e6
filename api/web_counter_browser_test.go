package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/scrapstore/scrapstore/models"
)

// signInByKeyboard signs u in on the sign-in page the tab is showing, without a click.
func (b *tab) signInByKeyboard(u *models.User) {
	b.t.Helper()
	b.waitFor("Email address")
	b.tabTo("#f-email")
	b.do(chromedp.KeyEvent(u.Email))
	b.tabTo("#f-password")
	b.do(chromedp.KeyEvent(testPassword + kb.Enter))
}

// typeLine types one donation line from its category field on: Tab between fields, the
// location chosen by typing its code.
func (b *tab) typeLine(category, description, quantity, unit, weight, location string) {
	b.t.Helper()
	for _, s := range []string{category, description, quantity, unit, weight} {
		b.do(chromedp.KeyEvent(s + kb.Tab))
	}
	if location != "" {
		b.do(chromedp.KeyEvent(location))
	}
}

// A volunteer logs a three-line donation with the keyboard alone: Enter starts each next
// line, the weight is estimated as they type, Ctrl+Enter saves; the donation's page
// shows the stock gone up by the right kg.
func TestBrowserDonationByKeyboard(t *testing.T) {
	chromium(t)
	browserEnv(t, func(t *testing.T, e *testEnv) {
		paper := e.newCategory("Paper and card", "box", map[string]float64{"box": 4}, 1)
		e.newCategory("Fabric", "bag", map[string]float64{"bag": 2.5}, 1)
		b1, c2 := e.newLocation("B1"), e.newLocation("C2")
		before, err := e.store.ReceiveDonation(context.Background(), nil, models.DonationInput{Lines: []models.DonationLineInput{{CategoryID: &paper.ID,
			Description: "A4 offcuts", LocationID: &b1.ID, Quantity: 2}}})
		if err != nil {
			t.Fatal(err)
		}
		offcuts := before.Lines[0].StockItemID
		if _, err := e.store.CreateDonor(context.Background(), nil, models.DonorInput{Name: ptr("Albion Print"), Postcode: ptr("B70 6AU")}); err != nil {
			t.Fatal(err)
		}
		b := newTab(t, e)
		b.open("/donations/new")
		b.signInByKeyboard(e.users[models.RoleStaff])
		b.waitFor("Tab moves through a line")
		b.check("donation-new")

		// Saved empty: the problem is shown, and the form is as it was.
		b.tabTo(`input[name="lines[0].category_id"]`)
		b.do(chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(0x2))) // Ctrl+Enter
		b.waitFor("Lines must have at least one line")
		b.check("donation-problems")

		b.tabTo(`input[name="lines[0].category_id"]`)
		b.typeLine("Paper and card", "A4 offcuts", "3", "box", "", "B")
		b.waitFor("About 12 kg, estimated")
		b.do(chromedp.KeyEvent(kb.Enter))
		if !b.until(`document.activeElement.name === "lines[1].category_id"`) {
			got, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.activeElement.name + " " + document.querySelectorAll(".line").length + " " +
				document.querySelector('[name="lines[0].location_id"]').value`))
			t.Fatal("Enter did not start line 2: ", got)
		}
		b.typeLine("Fabric", "Cotton offcuts", "2", "", "6.2", "")
		b.waitFor("Weighed: 6.2 kg")
		b.do(chromedp.KeyEvent(kb.Enter))
		if !b.until(`document.activeElement.name === "lines[2].category_id"`) {
			t.Fatal("Enter did not start line 3")
		}
		if !b.until(fmt.Sprintf(`document.querySelector('[name="lines[2].location_id"]').value === "%d"`, b1.ID)) {
			t.Fatal("line 3 did not keep the last location")
		}
		b.typeLine("Paper and card", "Card tubes", "4", "box", "", "C")
		b.waitFor("About 16 kg, estimated")
		if !b.until(fmt.Sprintf(`document.querySelector('[name="lines[2].location_id"]').value === "%d"`, c2.ID)) {
			t.Fatal("typing C did not choose shelf C2")
		}
		// The donor found by postcode: htmx offers the donors as it is typed.
		b.tabTo("#f-donor")
		b.do(chromedp.KeyEvent("b70"))
		if !b.until(`document.querySelectorAll("#donors option").length === 1`) {
			t.Fatal("typing a postcode offered no donor")
		}
		b.do(chromedp.KeyEvent(kb.Backspace + kb.Backspace + kb.Backspace + "Albion Print · B70 6AU"))
		b.check("donation-lines")
		b.do(chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(0x2))) // Ctrl+Enter, from the donor field
		b.waitFor("Donation saved: 3 lines, 34.2 kg.")
		b.check("donation")
		for _, s := range []string{"Albion Print · B70 6AU", "A4 offcuts · B1", "5 box (20 kg)", "Cotton offcuts · B1", "Card tubes · C2",
			"4 box (16 kg)", "weighed", "estimated"} {
			b.waitFor(s)
		}
		if it := e.stockItem(offcuts); it.OnHandMilli.Quantity() != 5 {
			t.Fatalf("A4 offcuts after the donation: %+v", it)
		}
		var n int64
		if err := e.store.DB(context.Background()).Model(&models.Donation{}).Count(&n).Error; err != nil || n != 2 {
			t.Fatalf("%d donations (%v), want the first and this one", n, err)
		}

		// Voiding asks first and needs a reason.
		b.tabTo(`a.danger`)
		b.do(chromedp.KeyEvent(kb.Enter))
		b.waitFor("This cannot be undone")
		b.check("donation-void")
		b.tabTo("#f-reason")
		b.do(chromedp.KeyEvent("logged on the wrong day" + kb.Enter))
		b.waitFor("Donation voided")
		if it := e.stockItem(offcuts); it.OnHandMilli.Quantity() != 2 {
			t.Fatalf("A4 offcuts after the void: %+v", it)
		}
		b.open("/donations")
		b.waitFor("Latest donations")
		b.check("donations")
		e.checkLedger()
	})
}

// A member's reservation is checked out at the counter with one line taken short: the
// slip, the reservation and the stock show what was taken and what went back.
func TestBrowserCounterCheckOut(t *testing.T) {
	chromium(t)
	browserEnv(t, func(t *testing.T, e *testEnv) {
		e.openEveryDay(3)
		card := e.newStock("Card tubes", 20, 0.2)
		foam := e.newStock("Foam blocks", 5, 1)
		var r models.Reservation
		e.reserve(e.as(models.RoleMember), line(card, 4), line(foam, 2)).want(http.StatusCreated).decode(&r)
		b := newTab(t, e)
		b.open("/counter?week=1")
		b.signInByKeyboard(e.users[models.RoleStaff])
		b.waitFor("This week at the counter")
		b.check("counter")
		b.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`a[href="/counter/%d"]`, r.ID))))
		b.waitFor("Confirm this reservation")
		b.check("counter-reservation")
		b.do(chromedp.Click(chromedp.CSS(`form[action$="/confirm"] button`)))
		b.waitFor("Reservation confirmed.")
		q := `input[name="lines[0].quantity"]`
		b.do(chromedp.Clear(chromedp.CSS(q)), chromedp.SendKeys(chromedp.CSS(q), "3"), chromedp.Click(chromedp.CSS(`form[action$="/collect"] button`)))
		b.waitFor("Checked out: 2.6 kg taken")
		b.waitFor("What was reserved and taken")
		b.check("counter-collected")
		b.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`a[href="/counter/%d/slip"]`, r.ID))))
		b.waitFor("What was taken")
		b.check("slip")
		if s := b.text(); !contains(s, "Card tubes", "3 each", "0.6 kg", "Foam blocks", "2 each", "2.6 kg") {
			t.Fatalf("the slip says:\n%s", s)
		}
		if it := e.stockItem(card); it.OnHandMilli.Quantity() != 17 || it.ReservedMilli.Quantity() != 0 || it.Available.Quantity() != 17 {
			t.Fatalf("card after check-out: %+v", it)
		}
		b.open("/stock?q=card")
		b.waitFor("17 each")

		// The member sees what was collected on their reservation.
		m := newTab(t, e)
		m.open(fmt.Sprintf("/reservations/%d", r.ID))
		m.signInByKeyboard(e.users[models.RoleMember])
		m.waitFor("What was reserved")
		if s := m.text(); !contains(s, "collected", "4 each", "3 each") {
			t.Fatalf("the member's reservation says:\n%s", s)
		}

		// A walk-in: the item found as it is typed (htmx fills the list to choose from).
		b.open("/counter/walk-in")
		b.waitFor("Walk-in issue")
		b.check("walk-in")
		item := `input[name="lines[0].stock_item_id"]`
		b.do(chromedp.SendKeys(chromedp.CSS(item), "foam"))
		if !b.until(`document.querySelectorAll("#items option").length === 1`) {
			t.Fatal("typing an item offered nothing to choose")
		}
		label, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector("#items option").value`))
		if err != nil || !strings.HasSuffix(label, fmt.Sprintf("#%d", foam)) {
			t.Fatalf("the item offered is %q (%v)", label, err)
		}
		b.do(chromedp.SetValue(chromedp.CSS(item), label), chromedp.SendKeys(chromedp.CSS(`input[name="lines[0].quantity"]`), "1"),
			chromedp.SetValue(chromedp.CSS("#f-organisation_id"), itoa(e.org.ID)), chromedp.Click(chromedp.CSS("button.save")))
		b.waitFor("Issued: 1 kg.")
		if it := e.stockItem(foam); it.OnHandMilli.Quantity() != 2 { // 5, less 2 checked out and 1 issued
			t.Fatalf("foam after the walk-in: %+v", it)
		}
		e.checkLedger()
	})
}

func contains(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

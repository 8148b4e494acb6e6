package api

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/scrapstore/scrapstore/models"
)

// tabTo presses Tab until the element matching css has the focus, and checks that the
// focus can be seen there: the way someone without a mouse moves through a page.
func (b *tab) tabTo(css string) {
	b.t.Helper()
	for range 80 {
		b.do(chromedp.KeyEvent(kb.Tab))
		at := fmt.Sprintf(`document.activeElement && document.activeElement.matches(%q)`, css)
		if ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](at)); err == nil && ok {
			seen := `(s => s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0)(getComputedStyle(document.activeElement))`
			if ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](seen)); err != nil || !ok {
				b.t.Fatalf("%s has the focus but shows no outline", css)
			}
			return
		}
	}
	b.t.Fatalf("Tab never reached %s", css)
}

// A member signs in, puts stock in the basket, chooses a slot and reserves with the
// keyboard alone: Tab to move, typing, Space and Enter; never a click.
func TestBrowserKeyboardOnly(t *testing.T) {
	chromium(t)
	browserEnv(t, func(t *testing.T, e *testEnv) {
		e.openEveryDay(3)
		card := e.newStock("Card tubes", 10, 0.2)
		b := newTab(t, e)
		member := e.users[models.RoleMember]

		b.open("/stock")
		b.waitFor("Email address")
		b.tabTo("#f-email")
		b.do(chromedp.KeyEvent(member.Email))
		b.tabTo("#f-password")
		b.do(chromedp.KeyEvent(testPassword + kb.Enter))
		b.waitFor("Card tubes")

		b.tabTo(fmt.Sprintf("#q-%d", card))
		b.do(chromedp.KeyEvent(kb.Backspace + "3"))
		b.tabTo("form.add button")
		b.do(chromedp.KeyEvent(kb.Enter))
		b.waitFor("Added to your basket.")

		b.tabTo(`a[href="/basket"]`)
		b.do(chromedp.KeyEvent(kb.Enter))
		b.waitFor("0.6 kg in all")
		b.tabTo(`a[href="/reserve"]`)
		b.do(chromedp.KeyEvent(kb.Enter))
		b.waitFor("Choose when you will come")
		b.tabTo(`input[name="slot_start"]:not([disabled])`)
		b.do(chromedp.KeyEvent(" "))
		b.tabTo(`form[action="/reserve"] button[type="submit"]`)
		b.do(chromedp.KeyEvent(kb.Enter))
		b.waitFor("Reserved for")
		if it := e.stockItem(card); it.ReservedMilli.Quantity() != 3 {
			t.Fatalf("card after reserving by keyboard: %+v", it)
		}
	})
}

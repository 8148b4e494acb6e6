package api

import (
	"context"
	_ "embed"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/scrapstore/scrapstore/models"
)

// Browser tests: the pages in headless Chromium, driven as a person would, with
// axe-core checking each page for accessibility. Set SCRAPSTORE_SCREENSHOTS to a
// directory to keep a screenshot of each page at 390 and 1280 px wide.

//go:embed testdata/axe/axe.min.js
var axeSource string

// chromium finds the browser, or skips the test saying how to install it.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("browser tests skipped: Chromium is not installed (apt-get install chromium)")
	return ""
}

// tab is one browser tab on a test server.
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string
	shot int
}

func newTab(t *testing.T, e *testEnv) *tab {
	path := chromium(t)
	srv := httptest.NewServer(e.srv)
	t.Cleanup(srv.Close)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-component-update", true), chromedp.Flag("lang", "en-GB"), chromedp.WindowSize(390, 844))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelTime(); cancelTab(); cancelAlloc() })
	tb := &tab{t: t, ctx: ctx, base: srv.URL}
	tb.do(chromedp.EmulateViewport(390, 844))
	return tb
}

func (b *tab) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatal(err)
	}
}

func (b *tab) open(path string) { b.t.Helper(); b.do(chromedp.Navigate(b.base + path)) }

// text is what the page's main part says.
func (b *tab) text() string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		b.t.Fatal(err)
	}
	return s
}

// waitFor waits until the main part of the page says text.
func (b *tab) waitFor(text string) {
	b.t.Helper()
	js := fmt.Sprintf(`!!document.querySelector("main") && document.querySelector("main").innerText.includes(%q)`, text)
	if !b.until(js) {
		b.t.Fatalf("the page never said %q; it says:\n%s", text, b.text())
	}
}

// until evaluates js until it is true, for up to 15 seconds. (chromedp's Poll makes a
// function from a string in the page, which the pages' Content-Security-Policy forbids.)
func (b *tab) until(js string) bool {
	b.t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		// Errors are expected while a page loads; the deadline ends the wait.
		if ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](js)); err == nil && ok {
			return true
		}
	}
	return false
}

// check runs axe-core on the page, failing on serious or critical problems, and
// keeps screenshots when asked to.
func (b *tab) check(name string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](axeSource+"\n;true")); err != nil {
		b.t.Fatalf("inject axe-core: %v", err)
	}
	found, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations
		.filter(v => v.impact === "serious" || v.impact === "critical")
		.map(v => v.impact + " " + v.id + ": " + v.help + " at " + v.nodes.map(n => n.target.join(" ")).join(", ")))`, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("axe-core on %s: %v", name, err)
	}
	for _, f := range found {
		b.t.Errorf("%s: %s", name, f)
	}
	b.fits(name)
	dir := os.Getenv("SCRAPSTORE_SCREENSHOTS")
	if dir == "" {
		return
	}
	b.shot++
	for _, width := range []int64{390, 1280} {
		b.do(chromedp.EmulateViewport(width, 800))
		png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
		if err != nil {
			b.t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%02d-%s-%d.png", strings.ReplaceAll(strings.TrimPrefix(b.t.Name(), "TestBrowser"),
			"/", "-"), b.shot, name, width)), png, 0o644); err != nil {
			b.t.Fatal(err)
		}
	}
	b.do(chromedp.EmulateViewport(390, 844))
}

// signInAs signs the tab in on the sign-in page it was sent to.
func (b *tab) signInAs(u *models.User) {
	b.t.Helper()
	b.waitFor("Email address")
	b.do(chromedp.SendKeys(chromedp.CSS("#f-email"), u.Email), chromedp.SendKeys(chromedp.CSS("#f-password"), testPassword+kb.Enter))
}

// signIn signs the tab in as u from the sign-in page, then opens path.
func (b *tab) signIn(u *models.User, path string) {
	b.t.Helper()
	b.open("/sign-in?next=" + path)
	b.signInAs(u)
}

// fits checks that the page needs no sideways scrolling on a 360 px phone, nor on a
// 1280 px screen zoomed to 200% (640 CSS pixels at twice the density).
func (b *tab) fits(name string) {
	b.t.Helper()
	for _, v := range []struct {
		width int64
		scale float64
	}{{360, 1}, {640, 2}} {
		b.do(chromedp.EmulateViewport(v.width, 740, chromedp.EmulateScale(v.scale)))
		wide, err := chromedp.Run(b.ctx, chromedp.Evaluate[int64](`document.documentElement.scrollWidth`))
		if err != nil {
			b.t.Fatal(err)
		}
		if wide > v.width {
			b.t.Errorf("%s at %d px wide, scale %g: the page is %d px wide and scrolls sideways", name, v.width, v.scale, wide)
		}
	}
	b.do(chromedp.EmulateViewport(390, 844))
}

// A member signs in, searches the stock, fills a basket, chooses a slot, reserves,
// sees the reservation and the stock's availability go down, changes a quantity and
// cancels.
func TestBrowserMemberJourney(t *testing.T) {
	chromium(t)
	browserEnv(t, func(t *testing.T, e *testEnv) {
		e.openEveryDay(3)
		card := e.newStock("Card tubes", 10, 0.2)
		e.newStock("Foam blocks", 4, 1)
		b := newTab(t, e)
		member := e.users[models.RoleMember]

		b.open("/stock")
		b.waitFor("Email address")
		b.check("sign-in")
		b.do(chromedp.SendKeys(chromedp.CSS("#f-email"), member.Email), chromedp.SendKeys(chromedp.CSS("#f-password"), testPassword),
			chromedp.Click(chromedp.CSS(`main button[type="submit"]`)))
		b.waitFor("Foam blocks")
		b.check("stock")

		// Search as you type (htmx): only the card is left.
		b.do(chromedp.SendKeys(chromedp.CSS("#f-q"), "card"))
		if !b.until(`!document.querySelector("#results").innerText.includes("Foam")`) {
			t.Fatalf("search did not narrow the list: %s", b.text())
		}
		qty := fmt.Sprintf("#q-%d", card)
		b.do(chromedp.Clear(chromedp.CSS(qty)), chromedp.SendKeys(chromedp.CSS(qty), "4"), chromedp.Click(chromedp.CSS("form.add button")))
		b.waitFor("Added to your basket.")

		b.open("/basket")
		b.waitFor("0.8 kg in all")
		b.check("basket")
		b.do(chromedp.Click(chromedp.CSS(`a[href="/reserve"]`)))
		b.waitFor("Choose when you will come")
		b.check("reserve")
		b.do(chromedp.Click(chromedp.CSS(`input[name="slot_start"]:not([disabled])`)), chromedp.SendKeys(chromedp.CSS("#f-notes"), "for year 2"),
			chromedp.Click(chromedp.CSS(`form[action="/reserve"] button[type="submit"]`)))
		b.waitFor("Reserved for")
		b.check("reservation")
		if it := e.stockItem(card); it.ReservedMilli.Quantity() != 4 {
			t.Fatalf("card after reserving: %+v", it)
		}

		b.open("/stock?q=card")
		b.waitFor("6 each free")

		b.open("/reservations")
		b.waitFor("pending")
		b.check("reservations")
		b.do(chromedp.Click(chromedp.CSS(`main .item h2 a`)))
		b.waitFor("What is reserved")
		b.do(chromedp.Clear(chromedp.CSS(`input[name="lines[0].quantity"]`)), chromedp.SendKeys(chromedp.CSS(`input[name="lines[0].quantity"]`), "2"),
			chromedp.Click(chromedp.CSS(`form.form button[type="submit"]`)))
		b.waitFor("Your changes are saved.")
		if it := e.stockItem(card); it.ReservedMilli.Quantity() != 2 {
			t.Fatalf("card after the change: %+v", it)
		}
		b.do(chromedp.Click(chromedp.CSS(`a.danger`)))
		b.waitFor("This cannot be undone.")
		b.check("cancel")
		b.do(chromedp.Click(chromedp.CSS(`button.danger`)))
		b.waitFor("Reservation cancelled")
		b.do(chromedp.Click(chromedp.CSS(`nav a[href="/reservations"]`)))
		b.do(chromedp.Click(chromedp.CSS(`main a[href="/reservations/history"]`)))
		b.waitFor("No earlier visits yet")
		b.check("history")
		b.open("/group")
		b.waitFor("Who the store should contact")
		b.check("group")
		if it := e.stockItem(card); it.ReservedMilli.Quantity() != 0 {
			t.Fatalf("card after cancelling: %+v", it)
		}
		e.checkLedger()
	})
}

// A business sends a pickup request and reads its status; the wanted list and the
// error pages pass axe-core too.
func TestBrowserPickupRequest(t *testing.T) {
	chromium(t)
	browserEnv(t, func(t *testing.T, e *testEnv) {
		e.newCategory("Paper and card", "kg", map[string]float64{"kg": 1}, 1)
		b := newTab(t, e)
		b.open("/")
		b.waitFor("Ask for a collection")
		b.check("home")
		b.open("/wanted")
		b.waitFor("We have enough")
		b.check("wanted")
		b.open("/no-such-page")
		b.waitFor("There is no page at this address")
		b.check("not-found")

		b.open("/pickup")
		b.waitFor("Tell us what you have")
		// Sent empty first: the problems show beside the fields.
		b.do(chromedp.Click(chromedp.CSS(`form[action="/pickup"] button[type="submit"]`)))
		b.waitFor("There is a problem")
		if !b.until(`document.activeElement.classList.contains("problems")`) {
			t.Fatal("focus did not move to the list of problems")
		}
		b.check("pickup-problems")
		today := e.srv.today()
		for sel, val := range map[string]string{"#f-business_name": "Albion Print", "#f-contact_name": "Jas Bains", "#f-email": "jas@albion.example",
			"#f-address": "12 Spon Lane, West Bromwich", "#f-postcode": "B70 6AU", "#f-description": "card offcuts", "#f-approx_kg": "120"} {
			b.do(chromedp.SendKeys(chromedp.CSS(sel), val))
		}
		// Date inputs take what a person types in the browser's own order; set them as the browser sends them.
		b.do(chromedp.SetValue(chromedp.CSS("#f-earliest_date"), today.AddDays(1).String()), chromedp.SetValue(chromedp.CSS("#f-latest_date"),
			today.AddDays(8).String()),
			chromedp.Click(chromedp.CSS(`input[name="category_ids"]`)),
			chromedp.Click(chromedp.CSS(`form[action="/pickup"] button[type="submit"]`)))
		b.waitFor("Your reference is PR-")
		b.check("pickup-sent")
		text := b.text()
		i := strings.Index(text, "PR-")
		ref := text[i : i+11]
		b.do(chromedp.SendKeys(chromedp.CSS("#f-email"), "jas@albion.example"), chromedp.Click(chromedp.CSS(`form[action="/pickup/status"] button`)))
		b.waitFor("Days we may come")
		b.check("pickup-status")
		if s := b.text(); !strings.Contains(s, ref) || !strings.Contains(s, "new") || !strings.Contains(s, today.AddDays(8).Format("2 Jan 2006")) {
			t.Fatalf("status page says:\n%s", s)
		}
	})
}

package api

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/scrapstore/scrapstore/models"
)

// setOffline cuts the tab's network, or gives it back, as a van loses its signal:
// requests fail and the page hears that it is offline.
func (b *tab) setOffline(off bool) {
	b.t.Helper()
	b.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			MatchedNetworkConditions:    []*network.Conditions{{Offline: off, DownloadThroughput: -1, UploadThroughput: -1}},
			EmulateOfflineServiceWorker: &off}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, t, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: off, DownloadThroughput: -1,
			UploadThroughput: -1})
		return err
	}))
}

// stopSays waits until a stop's card says text.
func (b *tab) stopSays(st models.RunStop, text string) {
	b.t.Helper()
	if !b.until(fmt.Sprintf(`document.getElementById("stop-%d").innerText.includes(%q)`, st.ID, text)) {
		b.t.Fatalf("stop %d never said %q; the page says:\n%s", st.Sequence, text, b.text())
	}
}

// A driver on a phone starts the run, completes the first stop, loses the signal and
// completes the second: it waits on the phone, marked, and nothing reaches the store;
// when the signal returns it is sent, and the stock shows both stops with exactly one
// donation each.
func TestBrowserDriverOffline(t *testing.T) {
	chromium(t)
	browserEnv(t, func(t *testing.T, e *testEnv) {
		d := e.driverDay()
		first, second := d.run.Stops[0], d.run.Stops[1]
		driver := e.users[models.RoleDriver]
		b := newTab(t, e)
		b.open("/driver")
		b.waitFor("Email address")
		b.do(chromedp.SendKeys(chromedp.CSS("#f-email"), driver.Email), chromedp.SendKeys(chromedp.CSS("#f-password"), testPassword),
			chromedp.Click(chromedp.CSS(`main button[type="submit"]`)))
		b.waitFor("Tomorrow")
		b.check("runs")
		b.do(chromedp.Click(chromedp.CSS(`a.run-link`)))
		b.waitFor("Start the run")
		b.check("run")

		// A refusal is said, and the form comes back to be sent again.
		b.do(chromedp.Click(chromedp.CSS(`#run button[type="submit"]`)))
		b.waitFor("Not done: Start the run: odometer km is required")
		b.check("run-refused")
		b.do(chromedp.SendKeys(chromedp.CSS("#f-start-odometer_km"), "48000"), chromedp.Click(chromedp.CSS(`#run button[type="submit"]`)))
		b.waitFor("Odometer at the start: 48000 km")
		b.waitFor("Sent: Start the run.")

		b.do(chromedp.SendKeys(chromedp.CSS("#f-"+d.kgField(first, d.paper)), "12.5"),
			chromedp.Click(chromedp.CSS(fmt.Sprintf(`#stop-%d form[action$="/complete"] button`, first.ID))))
		b.stopSays(first, "Paper and card: 12.5 kg")
		b.waitFor("Sent: Stop 1: done.")

		// The service worker looks after the page before the signal goes.
		if !b.until(`navigator.serviceWorker.controller !== null`) {
			t.Fatal("no service worker controls the run page")
		}
		b.setOffline(true)
		if !b.until(`!navigator.onLine`) {
			t.Fatal("the page does not know it is offline")
		}
		b.do(chromedp.SendKeys(chromedp.CSS("#f-"+d.kgField(second, d.cloth)), "4"),
			chromedp.Click(chromedp.CSS(fmt.Sprintf(`#stop-%d form[action$="/complete"] button`, second.ID))))
		b.stopSays(second, "Waiting to send: Stop 2: done.")
		b.waitFor("1 action waiting to send. No signal")
		b.check("run-offline")
		// Tries while offline reach nothing: the stop is still to do in the store.
		if !b.until(`document.getElementById("queue").innerText.includes("No signal")`) {
			t.Fatal("the waiting mark went away while offline")
		}
		if r := e.run(d.run.ID); r.Stops[1].Status != "planned" || e.donationCount() != 1 {
			t.Fatalf("offline, the store has %+v and %d donations", r.Stops, e.donationCount())
		}
		// Opened again in the dead spot, the page comes from the phone, still marked.
		b.open(fmt.Sprintf("/driver/runs/%d", d.run.ID))
		b.stopSays(second, "Waiting to send: Stop 2: done.")
		b.stopSays(first, "Paper and card: 12.5 kg")
		// The driver types on while waiting; the page drawn again once it is sent keeps it.
		b.do(chromedp.SendKeys(chromedp.CSS("#f-finish-odometer_km"), "48060"))

		b.setOffline(false)
		b.stopSays(second, "Fabric: 4 kg")
		b.waitFor("Sent: Stop 2: done.")
		if !b.until(`document.querySelectorAll(".waiting").length === 0 && localStorage.getItem("scrapstore.driver.queue") === "[]"`) {
			t.Fatalf("something is still waiting: %s", b.text())
		}
		b.check("run-sent")
		if !b.until(`document.getElementById("f-finish-odometer_km").value === "48060"`) {
			t.Fatal("drawing the page again lost what the driver typed")
		}
		b.do(chromedp.Click(chromedp.CSS(`form.finish button[type="submit"]`)))
		b.waitFor("Odometer at the finish: 48060 km")
		b.check("run-finished")

		r := e.run(d.run.ID)
		var donations []models.Donation
		if err := e.store.DB(context.Background()).Preload("Lines").Order("id").Find(&donations).Error; err != nil {
			t.Fatal(err)
		}
		if r.Status != "finished" || len(donations) != 2 || r.Stops[0].DonationID == nil || r.Stops[1].DonationID == nil ||
			*r.Stops[0].DonationID != donations[0].ID || *r.Stops[1].DonationID != donations[1].ID {
			t.Fatalf("want the run finished with one donation per stop: %+v, donations %+v", r, donations)
		}
		stock, _, err := e.store.ListStock(context.Background(), models.StockFilter{}, models.Page{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		onHand := map[int64]float64{}
		for _, it := range stock {
			onHand[it.CategoryID] += it.OnHandMilli.Quantity()
		}
		if onHand[d.paper.ID] != 12.5 || onHand[d.cloth.ID] != 4 || len(onHand) != 2 {
			t.Fatalf("stock on hand by category: %v", onHand)
		}
		e.checkLedger()
		b.open("/stock")
		b.waitFor("Fabric")
		b.waitFor("Paper and card")

		b.open(fmt.Sprintf("/driver/runs/%d", d.run.ID))
		b.waitFor("Odometer at the finish: 48060 km")
		// Signing out leaves nothing of the run on the phone.
		b.do(chromedp.Click(chromedp.CSS(`form.who button`)))
		b.waitFor("You have signed out.")
		kept, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`caches.open("scrapstore-driver").then(c => c.keys())
			.then(ks => ks.map(k => new URL(k.url).pathname).filter(p => !p.startsWith("/static/")))`, chromedp.EvalAwaitPromise))
		if err != nil || len(kept) != 0 {
			t.Fatalf("after signing out the phone keeps %v (%v)", kept, err)
		}
	})
}

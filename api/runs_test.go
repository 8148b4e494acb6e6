package api

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/scrapstore/scrapstore/models"
)

// The whole way: a business asks on the public form, staff accept it, tomorrow is
// planned, the run sheet prints, the driver completes the stop with weights, stock goes
// up by them and the request is collected.
func TestCollectionWalk(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		mgr, staff := e.as(models.RoleManager), e.as(models.RoleStaff)
		e.newVan("Transit", "BV21RDE")
		cat := e.newCategory("Paper and card", "box", map[string]float64{"box": 4}, 0.92)
		loc := e.newLocation("VAN1")

		form := e.pickupForm("albion")
		var receipt pickupReceipt
		e.do(http.MethodPost, "/api/v1/pickup-requests", "", form).want(http.StatusCreated).decode(&receipt)
		huge := e.pickupForm("huge")
		huge["approx_kg"] = 5000
		var hugeReceipt pickupReceipt
		e.do(http.MethodPost, "/api/v1/pickup-requests", "", huge).want(http.StatusCreated).decode(&hugeReceipt)
		var reqs List[models.PickupRequest]
		e.do(http.MethodGet, "/api/v1/pickup-requests?status=new", staff, nil).want(http.StatusOK).decode(&reqs)
		for _, r := range reqs.Items {
			e.do(http.MethodPost, "/api/v1/pickup-requests/"+itoa(r.ID)+"/accept", staff, map[string]any{"latitude": 52.505, "longitude": -1.98}).
				want(http.StatusOK)
		}

		tomorrow := e.srv.today().AddDays(1).String()
		// A wardrobe to deliver to a household tomorrow.
		wardrobe := e.register(e.furnitureType("Double wardrobe", 55, false, false).ID)
		e.moveTo(wardrobe.ID, "checking").want(http.StatusOK)
		e.moveTo(wardrobe.ID, "available").want(http.StatusOK)
		var hh models.Recipient
		e.do(http.MethodPost, "/api/v1/recipients", staff, map[string]any{"kind": "household", "name": "Mr Evans", "address": "9 Park Lane, Oldbury",
			"postcode": "B69 4AA",
			"latitude": 52.50, "longitude": -2.02}).want(http.StatusCreated).decode(&hh)
		e.do(http.MethodPost, "/api/v1/furniture/"+itoa(wardrobe.ID)+"/reserve", staff, map[string]any{"recipient_id": hh.ID}).want(http.StatusOK)
		var ho models.Handover
		e.do(http.MethodPost, "/api/v1/furniture/"+itoa(wardrobe.ID)+"/handover", staff, map[string]any{"method": "delivered", "on": tomorrow}).
			want(http.StatusCreated).decode(&ho)
		var dry models.PlanResult
		e.do(http.MethodPost, "/api/v1/plans", mgr, map[string]any{"date": tomorrow, "dry_run": true}).want(http.StatusOK).decode(&dry)
		if len(dry.Runs) != 1 || len(dry.Runs[0].Stops) != 2 || len(dry.Unassigned) != 1 || dry.Unassigned[0].Code != "capacity" {
			t.Fatalf("dry run %+v", dry)
		}
		var n int64
		e.store.DB(t.Context()).Model(&models.Run{}).Count(&n)
		if n != 0 {
			t.Fatal("a dry run made runs")
		}
		var plan models.PlanResult
		e.do(http.MethodPost, "/api/v1/plans", mgr, map[string]any{"date": tomorrow}).want(http.StatusCreated).decode(&plan)
		if len(plan.Runs) != 1 {
			t.Fatalf("plan %+v", plan)
		}
		// Planning again never replaces the run.
		var again models.PlanResult
		e.do(http.MethodPost, "/api/v1/plans", mgr, map[string]any{"date": tomorrow}).want(http.StatusCreated).decode(&again)
		if len(again.Runs) != 0 {
			t.Fatalf("second plan %+v", again)
		}
		var st pickupStatusView
		e.do(http.MethodGet, "/api/v1/pickup-requests/status?reference="+receipt.Reference+"&email="+url.QueryEscape(form["email"].(string)), "", nil).
			want(http.StatusOK).decode(&st)
		if st.Status != "scheduled" {
			t.Fatalf("status %s", st.Status)
		}

		var runs List[models.Run]
		e.do(http.MethodGet, "/api/v1/runs?date="+tomorrow, staff, nil).want(http.StatusOK).decode(&runs)
		run := runs.Items[0]
		// The huge request cannot join the run unless forced; taking it off again puts it back.
		var hugeReq models.PickupRequest
		e.store.DB(t.Context()).Where("reference = ?", hugeReceipt.Reference).First(&hugeReq)
		p := e.do(http.MethodPost, "/api/v1/runs/"+itoa(run.ID)+"/stops", staff, map[string]any{"request_id": hugeReq.ID, "position": 1}).
			problem(http.StatusConflict, "")
		if !strings.Contains(p.Detail, "over capacity") {
			t.Fatalf("409 says %q", p.Detail)
		}
		var changed List[models.Run]
		e.do(http.MethodPost, "/api/v1/runs/"+itoa(run.ID)+"/stops", staff, map[string]any{"request_id": hugeReq.ID, "position": 1, "force": true}).
			want(http.StatusOK).decode(&changed)
		if len(changed.Items[0].Stops) != 3 || *changed.Items[0].Stops[0].RequestID != hugeReq.ID ||
			!changed.Items[0].Stops[1].StartAt.After(changed.Items[0].Stops[0].StartAt) {
			t.Fatalf("after adding: %+v", changed.Items[0].Stops)
		}
		e.do(http.MethodDelete, "/api/v1/stops/"+itoa(changed.Items[0].Stops[0].ID), staff, nil).want(http.StatusOK).decode(&changed)
		if len(changed.Items[0].Stops) != 2 || changed.Items[0].Stops[0].Sequence != 1 {
			t.Fatalf("after removing: %+v", changed.Items[0].Stops)
		}
		e.store.DB(t.Context()).First(&hugeReq, hugeReq.ID)
		if hugeReq.Status != "accepted" {
			t.Fatalf("removed request is %s", hugeReq.Status)
		}
		e.do(http.MethodGet, "/api/v1/runs?date="+tomorrow, staff, nil).want(http.StatusOK).decode(&runs)
		run = runs.Items[0]
		driver := e.users[models.RoleDriver]
		e.do(http.MethodGet, "/api/v1/runs/"+itoa(run.ID), e.as(models.RoleDriver), nil).problem(http.StatusNotFound, "")
		e.do(http.MethodPatch, "/api/v1/runs/"+itoa(run.ID), staff, map[string]any{"driver_id": driver.ID}).want(http.StatusOK)
		res := e.do(http.MethodGet, "/api/v1/runs/"+itoa(run.ID)+"/sheet.pdf", e.as(models.RoleDriver), nil).want(http.StatusOK)
		if !bytes.HasPrefix(res.body, []byte("%PDF-")) {
			t.Fatal("the run sheet is not a PDF")
		}
		var mine List[models.Run]
		e.do(http.MethodGet, "/api/v1/runs/mine?date="+tomorrow, e.as(models.RoleDriver), nil).want(http.StatusOK).decode(&mine)
		if len(mine.Items) != 1 {
			t.Fatalf("driver sees %d runs", len(mine.Items))
		}
		e.do(http.MethodPost, "/api/v1/runs/"+itoa(run.ID)+"/start", e.as(models.RoleDriver), map[string]any{"odometer_km": 12000}).want(http.StatusOK)
		var stop, drop models.RunStop
		for _, st := range run.Stops {
			if st.Kind == "delivery" {
				drop = st
			} else {
				stop = st
			}
		}
		if drop.HandoverID == nil || *drop.HandoverID != ho.ID {
			t.Fatalf("no delivery stop for hand-over %d: %+v", ho.ID, run.Stops)
		}
		e.do(http.MethodPost, "/api/v1/stops/"+itoa(drop.ID)+"/complete", e.as(models.RoleDriver), map[string]any{}).want(http.StatusOK)
		var delivered models.Handover
		e.store.DB(t.Context()).First(&delivered, ho.ID)
		if delivered.DeliveryStatus != "delivered" {
			t.Fatalf("hand-over is %s", delivered.DeliveryStatus)
		}
		body := map[string]any{"location_id": loc.ID, "lines": []map[string]any{{"category_id": cat.ID, "description": "Card offcuts", "quantity": 6,
			"unit": "box", "weight_kg": 22.5}}}
		e.do(http.MethodPost, "/api/v1/stops/"+itoa(stop.ID)+"/complete", e.as(models.RoleDriver), body).want(http.StatusOK)
		e.do(http.MethodPost, "/api/v1/stops/"+itoa(stop.ID)+"/complete", e.as(models.RoleDriver), body).problem(http.StatusConflict, "")
		var stock List[models.StockItem]
		e.do(http.MethodGet, "/api/v1/stock?location_id="+itoa(loc.ID), staff, nil).want(http.StatusOK).decode(&stock)
		if len(stock.Items) != 1 || stock.Items[0].OnHandMilli.Quantity() != 6 {
			t.Fatalf("stock %+v", stock.Items)
		}
		var donations List[models.Donation]
		e.do(http.MethodGet, "/api/v1/donations", staff, nil).want(http.StatusOK).decode(&donations)
		if len(donations.Items) != 1 || donations.Items[0].Channel != "collection" || donations.Items[0].Lines[0].WeightG.Kg() != 22.5 {
			t.Fatalf("donations %+v", donations.Items)
		}
		e.do(http.MethodGet, "/api/v1/pickup-requests/status?reference="+receipt.Reference+"&email="+url.QueryEscape(form["email"].(string)), "", nil).
			want(http.StatusOK).decode(&st)
		if st.Status != "collected" {
			t.Fatalf("status %s", st.Status)
		}
		e.do(http.MethodPost, "/api/v1/runs/"+itoa(run.ID)+"/finish", e.as(models.RoleDriver), map[string]any{"odometer_km": 11000}).
			problem(http.StatusUnprocessableEntity, "odometer_km")
		e.do(http.MethodPost, "/api/v1/runs/"+itoa(run.ID)+"/finish", e.as(models.RoleDriver), map[string]any{"odometer_km": 12042}).want(http.StatusOK)
		e.checkLedger()
		// The report counts the run, its stop and the van's km by odometer.
		var f models.Figures
		e.do(http.MethodGet, "/api/v1/reports/figures?from="+tomorrow+"&to="+tomorrow, mgr, nil).want(http.StatusOK).decode(&f)
		if f.Logistics.Runs != 1 || f.Logistics.StopsCompleted != 2 || f.Logistics.Km != 42 || f.CO2e.VanKg != 10.735 {
			t.Fatalf("logistics figures %+v, van %v", f.Logistics, f.CO2e.VanKg)
		}
	})
}

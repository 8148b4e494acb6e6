package api

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/models/testdb"
	"gorm.io/gorm"
)

func (e *testEnv) pickupForm(name string) map[string]any {
	today := e.srv.today()
	return map[string]any{
		"business_name": name, "contact_name": "Jas Bains", "email": "jas@" + name + ".example", "phone": "0121 555 0199",
		"address": "12 Spon Lane, West Bromwich", "postcode": "b70 6au", "description": "card tubes and offcuts",
		"approx_kg": 120.5, "approx_m3": 1.5, "earliest_date": today.AddDays(1).String(), "latest_date": today.AddDays(10).String(),
		"access_notes": "ring the bell at the side gate",
	}
}

// A business asks on the public form, sees its status with its reference and email,
// and staff accept it.
func TestPublicPickupRequest(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		var receipt pickupReceipt
		e.do(http.MethodPost, "/api/v1/pickup-requests", "", e.pickupForm("albion")).want(http.StatusCreated).decode(&receipt)
		if receipt.Status != "new" || len(receipt.Reference) != 11 {
			t.Fatalf("receipt %+v", receipt)
		}
		statusURL := "/api/v1/pickup-requests/status?reference=" + receipt.Reference + "&email=" + url.QueryEscape("JAS@albion.example")
		var st pickupStatusView
		e.do(http.MethodGet, statusURL, "", nil).want(http.StatusOK).decode(&st)
		if st.Status != "new" {
			t.Fatalf("status %+v", st)
		}
		e.do(http.MethodGet, "/api/v1/pickup-requests/status?reference="+receipt.Reference+"&email=someone@else.example", "", nil).
			problem(http.StatusNotFound, "")
		e.do(http.MethodGet, "/api/v1/pickup-requests/status?reference="+receipt.Reference, "", nil).problem(http.StatusUnprocessableEntity, "email")

		var list List[models.PickupRequest]
		e.do(http.MethodGet, "/api/v1/pickup-requests?status=new", e.as(models.RoleStaff), nil).want(http.StatusOK).decode(&list)
		if len(list.Items) != 1 || list.Items[0].Postcode != "B70 6AU" || list.Items[0].ApproxG.Kg() != 120.5 {
			t.Fatalf("staff see %+v", list.Items)
		}
		id := strconv.FormatInt(list.Items[0].ID, 10)
		staff := e.as(models.RoleStaff)
		e.do(http.MethodPost, "/api/v1/pickup-requests/"+id+"/accept", staff, map[string]any{"latitude": 52.52}).
			problem(http.StatusUnprocessableEntity, "longitude")
		e.do(http.MethodPost, "/api/v1/pickup-requests/"+id+"/accept", staff, map[string]any{"latitude": 95, "longitude": -1.99}).
			problem(http.StatusUnprocessableEntity, "latitude")
		var got models.PickupRequest
		e.do(http.MethodPost, "/api/v1/pickup-requests/"+id+"/accept", staff, map[string]any{"latitude": 52.52, "longitude": -1.99, "priority": 3}).
			want(http.StatusOK).decode(&got)
		if got.Status != "accepted" || *got.Latitude != 52.52 || got.Priority != 3 {
			t.Fatalf("accepted %+v", got)
		}
		p := e.do(http.MethodPost, "/api/v1/pickup-requests/"+id+"/reject", staff, map[string]any{"reason": "too far"}).problem(http.StatusConflict, "")
		if len(p.Allowed) == 0 {
			t.Fatalf("409 lists no allowed moves: %+v", p)
		}
		e.do(http.MethodPost, "/api/v1/pickup-requests/"+id+"/cancel", staff, map[string]any{"reason": "business closed"}).want(http.StatusOK)
		e.do(http.MethodGet, statusURL, "", nil).want(http.StatusOK).decode(&st)
		if st.Status != "cancelled" || st.StatusReason != "business closed" {
			t.Fatalf("status after cancel %+v", st)
		}
	})
}

func TestPublicPickupBadInput(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		cases := map[string]func(f map[string]any){
			"business_name": func(f map[string]any) { f["business_name"] = "" },
			"postcode":      func(f map[string]any) { f["postcode"] = "12345" },
			"email":         func(f map[string]any) { f["email"] = "nope"; f["phone"] = "" },
			"approx_kg":     func(f map[string]any) { f["approx_kg"] = -4 },
			"earliest_date": func(f map[string]any) { f["earliest_date"] = "2020-01-01" },
			"latest_date":   func(f map[string]any) { f["latest_date"] = e.srv.today().String() },
			"category_ids":  func(f map[string]any) { f["category_ids"] = []int{424242} },
			"donor_id":      func(f map[string]any) { f["donor_id"] = 1 },
			"priority":      func(f map[string]any) { f["priority"] = 5 },
		}
		for field, spoil := range cases {
			f := e.pickupForm("bad")
			spoil(f)
			e.do(http.MethodPost, "/api/v1/pickup-requests", "", f).problem(http.StatusUnprocessableEntity, field)
		}
		e.do(http.MethodPost, "/api/v1/pickup-requests", "", `{"earliest_date": "soon"}`).problem(http.StatusUnprocessableEntity, "earliest_date")
		var n int64
		e.store.DB(t.Context()).Model(&models.PickupRequest{}).Count(&n)
		if n != 0 {
			t.Fatalf("%d requests kept from bad input", n)
		}
	})
}

// The honeypot keeps robots' requests out, and the sixth request in an hour from one
// address is refused.
func TestPublicPickupHoneypotAndLimit(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		robot := e.pickupForm("robot")
		robot["website"] = "http://spam.example"
		e.do(http.MethodPost, "/api/v1/pickup-requests", "", robot).want(http.StatusCreated)
		for i := 0; i < models.PublicPickupLimit; i++ {
			e.do(http.MethodPost, "/api/v1/pickup-requests", "", e.pickupForm(fmt.Sprint("firm", i))).want(http.StatusCreated)
		}
		res := e.do(http.MethodPost, "/api/v1/pickup-requests", "", e.pickupForm("sixth"))
		res.problem(http.StatusTooManyRequests, "")
		if res.header.Get("Retry-After") == "" {
			t.Fatal("429 without Retry-After")
		}
		var n int64
		e.store.DB(t.Context()).Model(&models.PickupRequest{}).Count(&n)
		if n != models.PublicPickupLimit {
			t.Fatalf("%d requests kept, want %d (the robot's is not)", n, models.PublicPickupLimit)
		}
		// Staff are not limited, and can ask for a known donor, whose details it takes.
		lat, lon := 52.5, -2.0
		donor := models.Donor{Name: "Hawthorns Print Ltd", Email: "print@hawthorns.example", Address: "1 Halfords Lane", Postcode: "B71 4LF",
			Latitude: &lat, Longitude: &lon, OpeningHours: models.OpeningHours{"mon": {{From: "08:00", To: "16:00"}}}, Active: true}
		testdb.Write(t, e.store, func(tx *gorm.DB) *gorm.DB { return tx.Create(&donor) })
		var got models.PickupRequest
		e.do(http.MethodPost, "/api/v1/pickup-requests", e.as(models.RoleStaff), map[string]any{
			"donor_id": donor.ID, "earliest_date": e.srv.today().AddDays(1).String(), "latest_date": e.srv.today().AddDays(3).String(),
			"approx_kg": 80, "priority": 2,
		}).want(http.StatusCreated).decode(&got)
		if got.BusinessName != donor.Name || got.Postcode != "B71 4LF" || *got.Latitude != lat || len(got.OpeningHours["mon"]) != 1 || got.Priority != 2 {
			t.Fatalf("staff request %+v", got)
		}
	})
}

func TestVehiclesAndAbsences(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		mgr := e.as(models.RoleManager)
		var v models.Vehicle
		e.do(http.MethodPost, "/api/v1/vehicles", mgr, map[string]any{
			"name": "Big van", "registration": "ab12 cde", "capacity_kg": 1100, "capacity_m3": 11.5, "skills": []string{"tail_lift"},
			"shifts": map[string]any{"mon": map[string]string{"from": "08:00", "to": "16:00"}}, "cost_per_km_pence": 32,
		}).want(http.StatusCreated).decode(&v)
		if v.Registration != "AB12CDE" || v.CapacityG.Kg() != 1100 || v.Skills[0] != "tail_lift" || v.Shifts["mon"].To != "16:00" {
			t.Fatalf("vehicle %+v", v)
		}
		e.do(http.MethodPost, "/api/v1/vehicles", mgr, map[string]any{"name": "Twin", "registration": "AB12CDE", "capacity_kg": 1, "capacity_m3": 1}).
			problem(http.StatusConflict, "")
		e.do(http.MethodPost, "/api/v1/vehicles", mgr, map[string]any{"name": "X", "registration": "X1", "capacity_kg": -1, "capacity_m3": 1}).
			problem(http.StatusUnprocessableEntity, "capacity_kg")
		e.do(http.MethodPost, "/api/v1/vehicles", mgr, map[string]any{"name": "X", "registration": "X1", "capacity_kg": 1, "capacity_m3": 1,
			"skills": []string{"Tail Lift!"}}).problem(http.StatusUnprocessableEntity, "skills[0]")
		e.do(http.MethodPost, "/api/v1/vehicles", mgr, map[string]any{"name": "X", "registration": "X1", "capacity_kg": 1, "capacity_m3": 1,
			"shifts": map[string]any{"mon": map[string]string{"from": "16:00", "to": "08:00"}}}).problem(http.StatusUnprocessableEntity, "shifts.mon[0]")
		e.do(http.MethodPatch, "/api/v1/vehicles/"+itoa(v.ID), mgr, map[string]any{"active": false}).want(http.StatusOK).decode(&v)
		if v.Active {
			t.Fatal("not retired")
		}
		e.do(http.MethodPatch, "/api/v1/vehicles/"+itoa(v.ID), e.as(models.RoleStaff), map[string]any{"active": true}).problem(http.StatusForbidden, "")

		driver := e.users[models.RoleDriver]
		path := "/api/v1/drivers/" + itoa(driver.ID) + "/absences"
		day := e.srv.today().AddDays(7).String()
		e.do(http.MethodPost, path, e.as(models.RoleStaff), map[string]any{"day": day, "reason": "hospital appointment"}).want(http.StatusCreated)
		e.do(http.MethodPost, path, e.as(models.RoleStaff), map[string]any{"day": day}).problem(http.StatusConflict, "")
		e.do(http.MethodPost, "/api/v1/drivers/"+itoa(e.users[models.RoleStaff].ID)+"/absences", e.as(models.RoleStaff), map[string]any{"day": day}).
			problem(http.StatusNotFound, "")
		var list List[models.DriverAbsence]
		e.do(http.MethodGet, path, e.as(models.RoleStaff), nil).want(http.StatusOK).decode(&list)
		if len(list.Items) != 1 || list.Items[0].Day.String() != day {
			t.Fatalf("absences %+v", list.Items)
		}
	})
}

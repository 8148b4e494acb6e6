package api

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/scrapstore/scrapstore/models"
)

// newVolunteer is a builder: a volunteer with an email, and their timebank account.
func (e *testEnv) newVolunteer(name, email string) *models.Volunteer {
	e.t.Helper()
	vol, err := e.store.CreateVolunteer(e.t.Context(), nil, models.VolunteerInput{Name: name, Email: email, Kind: "volunteer"}, e.srv.today())
	if err != nil {
		e.t.Fatal(err)
	}
	return vol
}

func (e *testEnv) credits(volunteerID int64) float64 {
	e.t.Helper()
	tb, err := e.store.VolunteerTimebank(e.t.Context(), volunteerID, models.Page{Limit: 1})
	if err != nil {
		e.t.Fatal(err)
	}
	return tb.Account.BalanceQuarters.Hours()
}

// A signed-in user logs their own hours on the volunteer record with their email; a
// user with no such record is told how to get one.
func TestOwnHoursPage(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		staff := e.signedIn(models.RoleStaff)
		staff.get("/hours").want(http.StatusOK).has(t, "There is no volunteer record with your email").hasNot(t, `action="/hours"`)
		staff.post("/hours", url.Values{"hours": {"2"}}).want(http.StatusNotFound)

		vol := e.newVolunteer("Sam Okafor", strings.ToUpper(e.users[models.RoleStaff].Email))
		today := e.srv.today().String()
		staff.get("/hours").want(http.StatusOK).has(t, "Thank you for your time, Sam Okafor", "you have 0", `value="`+today+`"`, "furniture repair")
		staff.post("/hours", url.Values{"date": {today}, "hours": {"lots"}, "activity": {"sorting"}}).want(http.StatusUnprocessableEntity).
			has(t, "Enter the hours as a number", `value="lots"`)
		staff.post("/hours", url.Values{"date": {today}, "hours": {"13"}, "activity": {""}}).want(http.StatusUnprocessableEntity).
			has(t, "Hours must be in quarter hours", "Activity must be one of")
		staff.post("/hours", url.Values{"date": {"yesterday"}, "hours": {"1"}, "activity": {"counter"}}).want(http.StatusUnprocessableEntity).
			has(t, "Enter the day")
		staff.post("/hours", url.Values{"date": {today}, "hours": {"2.5"}, "activity": {"sorting"}}).redirectsTo(t, "/hours")
		staff.get("/hours").want(http.StatusOK).has(t, "Thank you: 2.5 hours logged.", "you have 2.5", "sorting")
		if got := e.credits(vol.ID); got != 2.5 {
			t.Fatalf("credits after logging: %v", got)
		}

		// A driver logs too, on their own record; a member group has no such page.
		driverVol := e.newVolunteer("Dee Driver", e.users[models.RoleDriver].Email)
		driver := e.signedIn(models.RoleDriver)
		driver.post("/hours", url.Values{"date": {today}, "hours": {"4"}, "activity": {"driving"}}).redirectsTo(t, "/hours")
		if e.credits(driverVol.ID) != 4 || e.credits(vol.ID) != 2.5 {
			t.Fatal("the driver's hours went to the wrong record")
		}
		member := e.member()
		member.get("/hours").want(http.StatusForbidden)
		member.post("/hours", url.Values{"date": {today}, "hours": {"1"}, "activity": {"sorting"}}).want(http.StatusForbidden)
		staff.postBare("/hours", url.Values{"date": {today}, "hours": {"1"}, "activity": {"sorting"}}).want(http.StatusForbidden).
			has(t, "did not come from this site")
		if e.credits(vol.ID) != 2.5 {
			t.Fatal("a refused post logged hours")
		}
	})
}

// Staff see everyone's hours and correct an entry; the credits follow, and a
// correction that would take back credits already spent is refused.
func TestVolunteerHoursPages(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		vol := e.newVolunteer("Sam Okafor", "sam@example.org")
		other := e.newVolunteer("Ada Jones", "ada@example.org")
		h, err := e.store.LogHours(t.Context(), nil, vol.ID, e.srv.today(), 3, "sorting", e.srv.today())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.LogHours(t.Context(), nil, other.ID, e.srv.today(), 1, "counter", e.srv.today()); err != nil {
			t.Fatal(err)
		}
		staff := e.signedIn(models.RoleStaff)
		staff.get("/volunteer-hours").want(http.StatusOK).has(t, "Sam Okafor", "Ada Jones", "/volunteer-hours/"+itoa(h.ID))
		staff.get("/volunteer-hours?volunteer_id="+itoa(other.ID)).want(http.StatusOK).has(t, "counter").hasNot(t, "/volunteer-hours/"+itoa(h.ID))
		staff.get("/volunteer-hours?from=nonsense").want(http.StatusUnprocessableEntity)

		entry := "/volunteer-hours/" + itoa(h.ID)
		staff.get(entry).want(http.StatusOK).has(t, "Sam Okafor", `value="3"`, "Save the correction")
		staff.get("/volunteer-hours/999999").want(http.StatusNotFound)
		staff.post(entry, url.Values{"hours": {"0.3"}, "activity": {"sorting"}}).want(http.StatusUnprocessableEntity).has(t, "quarter hours")
		staff.post(entry, url.Values{"hours": {"1.5"}, "activity": {"workshop"}}).redirectsTo(t, "/volunteer-hours?volunteer_id="+itoa(vol.ID))
		staff.get("/volunteer-hours?volunteer_id="+itoa(vol.ID)).want(http.StatusOK).has(t, "The hours are corrected.", "1.5", "workshop")
		if got := e.credits(vol.ID); got != 1.5 {
			t.Fatalf("credits after the correction: %v", got)
		}

		// Sam spends a credit; taking the hours down to a quarter would need it back.
		tb, err := e.store.VolunteerTimebank(t.Context(), vol.ID, models.Page{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		store := e.storeAccountID()
		if _, err := e.store.TransferCredits(t.Context(), nil, tb.Account.ID, store, 1, "a workshop place"); err != nil {
			t.Fatal(err)
		}
		staff.post(entry, url.Values{"hours": {"0.25"}, "activity": {"workshop"}}).want(http.StatusConflict).has(t, "not enough")
		// The API corrects through the same rules.
		e.do(http.MethodPatch, "/api/v1/volunteer-hours/"+itoa(h.ID), e.as(models.RoleStaff), map[string]any{"hours": 2, "activity": "sorting"}).
			want(http.StatusOK)
		if got := e.credits(vol.ID); got != 1 {
			t.Fatalf("credits after the API's correction: %v", got)
		}
		if total, err := e.store.TimebankTotal(t.Context()); err != nil || total != 0 {
			t.Fatalf("the timebank does not balance: %d %v", total, err)
		}

		for _, role := range []models.Role{models.RoleMember, models.RoleDriver} {
			v := e.signedIn(role)
			v.get("/volunteer-hours").want(http.StatusForbidden)
			v.get(entry).want(http.StatusForbidden)
			v.post(entry, url.Values{"hours": {"5"}, "activity": {"sorting"}}).want(http.StatusForbidden)
		}
		staff.postBare(entry, url.Values{"hours": {"5"}, "activity": {"sorting"}}).want(http.StatusForbidden).has(t, "did not come from this site")
		if got := e.credits(vol.ID); got != 1 {
			t.Fatalf("a refused post changed the hours: %v", got)
		}
	})
}

// storeAccountID is the store's timebank account.
func (e *testEnv) storeAccountID() int64 {
	e.t.Helper()
	var id int64
	if err := e.store.DB(e.t.Context()).Model(&models.TimebankAccount{}).Where("is_store = ?", true).Pluck("id", &id).Error; err != nil {
		e.t.Fatal(err)
	}
	return id
}

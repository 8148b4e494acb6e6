package api

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/scrapstore/scrapstore/models"
)

// A manager adds a member, changes them to staff, resets their password, deactivates
// them after a question and lets them back; each change is what the Store allows.
func TestUserPages(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		v := e.signedIn(models.RoleManager)
		v.get("/people").want(http.StatusOK).has(t, `href="/people/users"`)
		v.get("/people/users").want(http.StatusOK).has(t, e.users[models.RoleStaff].Name, e.users[models.RoleDriver].Email, e.org.Name)
		v.get("/people/users?role=driver").has(t, e.users[models.RoleDriver].Name).hasNot(t, e.users[models.RoleStaff].Email)
		v.get("/people/users/new").want(http.StatusOK).has(t, `<label for="f-role">Role</label>`, `<option value="`+itoa(e.org.ID)+`">`+e.org.Name)

		form := url.Values{"name": {"Priya Shah"}, "email": {"priya@example.org"}, "role": {"member"}, "password": {"short"}}
		v.post("/people/users", form).want(http.StatusUnprocessableEntity).
			has(t, `id="e-organisation_id"`, "is required for a member", `id="e-password"`, `value="Priya Shah"`).hasNot(t, `value="short"`)
		form.Set("organisation_id", itoa(e.org.ID))
		form.Set("password", "a long enough pass phrase")
		res := v.post("/people/users", form)
		res.want(http.StatusSeeOther)
		page := res.location()
		v.get(page).want(http.StatusOK).has(t, "Priya Shah can now sign in as member.", "priya@example.org",
			`<option value="`+itoa(e.org.ID)+`" selected>`)
		v.post("/people/users", form).want(http.StatusConflict).has(t, "a user with email priya@example.org already exists")

		priya := e.visitor()
		priya.get("/sign-in")
		priya.post("/sign-in", url.Values{"email": {"priya@example.org"}, "password": {"a long enough pass phrase"}}).want(http.StatusSeeOther)
		priya.get("/basket").want(http.StatusOK)

		v.post(page, url.Values{"name": {"Priya Shah"}, "role": {"staff"}, "organisation_id": {itoa(e.org.ID)}}).want(http.StatusUnprocessableEntity).
			has(t, "only members belong to an organisation")
		v.post(page, url.Values{"name": {"Priya Shah"}, "role": {"staff"}}).redirectsTo(t, page)
		v.get(page).has(t, "Saved.", "<dd>staff</dd>")
		priya.get("/basket").want(http.StatusSeeOther) // the role change signed her out

		v.post(page+"/password", url.Values{"password": {"x"}}).want(http.StatusUnprocessableEntity).has(t, `id="e-password"`)
		v.post(page+"/password", url.Values{"password": {"another long pass phrase"}}).redirectsTo(t, page)
		v.get(page).has(t, "The password is changed")

		v.get(page+"/deactivate").want(http.StatusOK).has(t, "Stop Priya Shah signing in?", "Yes, deactivate", "No, keep them")
		v.post(page+"/active", url.Values{"active": {"no"}}).redirectsTo(t, page)
		v.get(page).has(t, "Deactivated", "<strong>no</strong>: deactivated", "Let them sign in again")
		v.get("/people/users?active=no").has(t, "Priya Shah").hasNot(t, e.users[models.RoleStaff].Email)
		priya.get("/sign-in")
		priya.post("/sign-in", url.Values{"email": {"priya@example.org"}, "password": {"another long pass phrase"}}).want(http.StatusUnauthorized)
		v.post(page+"/active", url.Values{"active": {"yes"}}).redirectsTo(t, page)
		priya.post("/sign-in", url.Values{"email": {"priya@example.org"}, "password": {"another long pass phrase"}}).want(http.StatusSeeOther)

		me := "/people/users/" + itoa(e.users[models.RoleManager].ID)
		v.post(me+"/active", url.Values{"active": {"no"}}).want(http.StatusUnprocessableEntity).has(t, "you cannot deactivate yourself")
		v.get("/people/users/999999").want(http.StatusNotFound)
	})
}

// A manager adds a band and a group, gives it the band, renews its lapsed membership and
// finds it among the current ones.
func TestGroupPages(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		v := e.signedIn(models.RoleManager)
		v.get("/people/groups").want(http.StatusOK).has(t, e.org.Name, "No bands yet")
		v.post("/people/bands", url.Values{"name": {"Small group"}, "annual_fee": {"-1"}, "allowance_kg": {"12.5"}}).
			want(http.StatusUnprocessableEntity).has(t, `id="e-annual_fee"`, "Annual fee must be between £0 and £100,000", `value="Small group"`)
		v.post("/people/bands", url.Values{"name": {"Small group"}, "annual_fee": {"25"}, "allowance_kg": {"12.5"}}).redirectsTo(t, "/people/groups")
		v.get("/people/groups").has(t, "Band Small group added.", "<td>Small group</td>", "£25.00", "12.5 kg")
		var band models.Band
		if err := e.store.DB(context.Background()).Where("name = ?", "Small group").First(&band).Error; err != nil || band.AnnualFeePence != 2500 {
			t.Fatalf("band %+v: %v", band, err)
		}

		v.get("/people/groups/new").want(http.StatusOK).has(t, `<label for="f-kind">Kind</label>`, "Small group", "play group")
		form := url.Values{"name": {"Friar Park Play"}, "kind": {"play_group"}, "postcode": {"not one"}, "band_id": {itoa(band.ID)},
			"people_served": {"40"}}
		v.post("/people/groups", form).want(http.StatusUnprocessableEntity).has(t, `id="e-postcode"`, "is not a UK postcode", `value="Friar Park Play"`)
		form.Set("postcode", "ws10 0ab")
		res := v.post("/people/groups", form)
		res.want(http.StatusSeeOther)
		page := res.location()
		v.get(page).want(http.StatusOK).has(t, "Friar Park Play added.", "<strong>none yet</strong>", "Small group (£25.00 a year, 12.5 kg a visit)",
			`value="WS10 0AB"`, `value="25.00"`)
		v.get("/people/groups?lapsed=yes").has(t, "Friar Park Play").hasNot(t, e.org.Name)

		v.post(page+"/renew", url.Values{"paid": {"25"}, "method": {"by pigeon"}, "paid_on": {e.srv.today().String()}}).
			want(http.StatusUnprocessableEntity).has(t, `id="e-method"`)
		v.post(page+"/renew", url.Values{"paid": {"25"}, "method": {"card"}, "paid_on": {e.srv.today().String()}}).redirectsTo(t, page)
		next := e.srv.today().AddDate(1, 0, 0).Format("2 Jan 2006")
		v.get(page).has(t, "Renewed: the membership runs to "+next, "runs to "+next, "Payments, latest first",
			`<td class="day">`+e.srv.today().Format("2 Jan 2006")+`</td><td class="num">£25.00</td><td>card</td><td class="day">`+next+"</td>")
		v.get("/people/groups?lapsed=no&q=friar").has(t, "Friar Park Play", "to "+next)

		v.post(page, url.Values{"name": {"Friar Park Play"}, "kind": {"play_group"}, "email": {"nope"}}).want(http.StatusUnprocessableEntity).
			has(t, `id="e-email"`)
		v.post(page, url.Values{"name": {"Friar Park Playscheme"}, "kind": {"play_group"}, "email": {"hello@friarpark.example"},
			"band_id": {itoa(band.ID)}}).redirectsTo(t, page)
		v.get(page).has(t, "Saved.", `value="Friar Park Playscheme"`, `value="hello@friarpark.example"`)
		v.get("/people/groups/999999").want(http.StatusNotFound)
	})
}

// A manager opens Thursdays to member groups, sees a bad opening refused beside its
// field, stops an opening after a question and closes a day.
func TestSlotPages(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		v := e.signedIn(models.RoleManager)
		v.get("/people/slots").want(http.StatusOK).has(t, "No openings yet", `<label for="f-starts">Opens at (such as 16:00)</label>`, `value="30"`)
		rule := url.Values{"weekday": {"4"}, "starts": {"16:00"}, "ends": {"19:00"}, "slot_minutes": {"50"}, "places": {"3"}, "label": {"late opening"}}
		v.post("/people/slots/rules", rule).want(http.StatusUnprocessableEntity).
			has(t, `id="e-slot_minutes"`, "must divide the opening (180 minutes) into whole slots", `value="late opening"`, `<option value="4" selected>`)
		rule.Set("slot_minutes", "60")
		v.post("/people/slots/rules", rule).redirectsTo(t, "/people/slots")
		v.get("/people/slots").has(t, "Added: Thursdays 16:00 to 19:00.", "<td>16:00 to 19:00</td>", "60 min, 3 groups each", "late opening")
		v.post("/people/slots/rules", rule).want(http.StatusUnprocessableEntity).has(t, "overlaps the opening 16:00-19:00")
		rules, _, err := e.store.SlotRules(context.Background(), models.Page{Limit: 10})
		if err != nil || len(rules) != 1 {
			t.Fatalf("rules %+v: %v", rules, err)
		}
		del := "/people/slots/rules/" + itoa(rules[0].ID) + "/delete"
		v.get(del).want(http.StatusOK).has(t, "Stop this opening?", "Thursdays 16:00 to 19:00", "Yes, stop it")
		v.post(del, url.Values{}).redirectsTo(t, "/people/slots")
		v.get("/people/slots").has(t, "The opening is stopped", "No openings yet")
		v.post(del, url.Values{}).want(http.StatusNotFound)

		day := e.srv.today().AddDays(7)
		v.post("/people/slots/closed", url.Values{"day": {""}}).want(http.StatusUnprocessableEntity).has(t, `id="e-day"`, "Choose the day")
		v.post("/people/slots/closed", url.Values{"day": {day.String()}, "reason": {"staff training"}}).redirectsTo(t, "/people/slots")
		v.get("/people/slots").has(t, "Closed on "+day.Format("2 Jan 2006"), "<li>"+day.Format("2 Jan 2006")+": staff training</li>")
		v.post("/people/slots/closed", url.Values{"day": {day.String()}}).want(http.StatusConflict).has(t, "is already closed")
	})
}

// A manager adds a van with its shifts, sees a bad shift refused beside its day, takes
// the van out of use, and records a driver's day away.
func TestVanAndDriverPages(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		v := e.signedIn(models.RoleManager)
		v.get("/people/vans").want(http.StatusOK).has(t, "No vans yet")
		v.get("/people/vans/new").want(http.StatusOK).has(t, `<label for="f-capacity_kg">Carries up to (kg)</label>`, `aria-label="Monday from"`,
			`value="`+itoa(models.DefaultUnload)+`"`)
		van := url.Values{"name": {"Big van"}, "registration": {"ab12 cde"}, "capacity_kg": {"800"}, "capacity_m3": {"10.5"}, "cost_per_km": {"0.35"},
			"unload_minutes": {"20"}, "shifts.mon.from": {"09:00"}, "shifts.mon.to": {"08:00"}}
		v.post("/people/vans", van).want(http.StatusUnprocessableEntity).has(t, `id="e-shifts-mon"`, "Monday: must end after it starts", `value="Big van"`)
		van.Set("shifts.mon.to", "16:30")
		van.Set("shifts.thu.from", "10:00")
		van.Set("shifts.thu.to", "14:00")
		v.post("/people/vans", van).redirectsTo(t, "/people/vans")
		v.get("/people/vans").has(t, "Big van (AB12CDE) added.", "800 kg, 10.5 m³", "mon 09:00-16:30, thu 10:00-14:00", "<td>yes</td>")
		v.post("/people/vans", van).want(http.StatusConflict).has(t, "a vehicle registered AB12CDE already exists")
		vans, _, err := e.store.Vehicles(context.Background(), nil, models.Page{Limit: 10})
		if err != nil || len(vans) != 1 || vans[0].CostPerKmPence != 35 || vans[0].UnloadMinutes != 20 {
			t.Fatalf("vans %+v: %v", vans, err)
		}
		page := "/people/vans/" + itoa(vans[0].ID)
		v.get(page).want(http.StatusOK).has(t, `value="AB12CDE"`, `value="16:30"`, `name="active" value="yes" checked`, `value="0.35"`)
		van.Del("shifts.thu.from")
		van.Del("shifts.thu.to")
		v.post(page, van).redirectsTo(t, "/people/vans") // no "active": out of use
		v.get("/people/vans").has(t, "Big van saved.", "<strong>no</strong>").hasNot(t, "thu 10:00")
		v.get("/people/vans/999999").want(http.StatusNotFound)

		driver := e.users[models.RoleDriver]
		v.get("/people/drivers").want(http.StatusOK).has(t, "<td>"+driver.Name+"</td>", "not away")
		day := e.srv.today().AddDays(3)
		v.post("/people/drivers/absences", url.Values{"day": {day.String()}}).want(http.StatusUnprocessableEntity).
			has(t, `id="e-driver_id"`, "Choose the driver")
		v.post("/people/drivers/absences", url.Values{"driver_id": {itoa(driver.ID)}, "day": {day.String()}, "reason": {"dentist"}}).
			redirectsTo(t, "/people/drivers")
		v.get("/people/drivers").has(t, "Recorded: away on "+day.Format("2 Jan 2006"), day.Format("2 Jan 2006")+": dentist")
		v.post("/people/drivers/absences", url.Values{"driver_id": {itoa(driver.ID)}, "day": {day.String()}}).want(http.StatusConflict).
			has(t, "is already away")
		v.post("/people/drivers/absences", url.Values{"driver_id": {itoa(e.users[models.RoleStaff].ID)}, "day": {day.String()}}).
			want(http.StatusNotFound)
	})
}

// A manager adds a volunteer, sees their hours and credits, spends some at the store and
// is refused spending more than they have.
func TestVolunteerPages(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		v := e.signedIn(models.RoleManager)
		v.get("/people/volunteers").want(http.StatusOK).has(t, "No volunteers yet", "Add a volunteer")
		v.post("/people/volunteers", url.Values{"name": {"Sam Lee"}, "kind": {"hero"}}).want(http.StatusUnprocessableEntity).
			has(t, `id="e-kind"`, `value="Sam Lee"`)
		res := v.post("/people/volunteers", url.Values{"name": {"Sam Lee"}, "kind": {"volunteer"}, "started_on": {e.srv.today().String()}})
		res.want(http.StatusSeeOther)
		page := res.location()
		v.get(page).want(http.StatusOK).has(t, "Sam Lee added, with a timebank account.", "<strong>0</strong> credits", "No hours yet")
		var vol models.Volunteer
		if err := e.store.DB(context.Background()).Where("name = ?", "Sam Lee").First(&vol).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.LogHours(context.Background(), e.users[models.RoleStaff], vol.ID, e.srv.today(), 3.5, "sorting", e.srv.today()); err != nil {
			t.Fatal(err)
		}
		v.get("/people/volunteers").has(t, `<a href="`+page+`">Sam Lee</a>`, `<td class="num">3.5</td>`)
		v.get(page).has(t, "<strong>3.5</strong> credits", "<td>sorting</td>", "the store (spent)")

		accounts, err := e.store.TimebankAccounts(context.Background())
		if err != nil || !accounts[0].IsStore {
			t.Fatalf("accounts %+v: %v", accounts, err)
		}
		store := itoa(accounts[0].ID)
		v.post(page+"/transfer", url.Values{"credits": {"5"}, "to_account": {store}}).want(http.StatusConflict).has(t, "not enough to move 5")
		v.post(page+"/transfer", url.Values{"credits": {"0.3"}, "to_account": {store}}).want(http.StatusUnprocessableEntity).
			has(t, `id="e-credits"`, `value="0.3"`)
		v.post(page+"/transfer", url.Values{"credits": {"1.5"}, "to_account": {store}, "note": {"a workshop place"}}).redirectsTo(t, page)
		v.get(page).has(t, "1.5 credits moved.", "<strong>2</strong> credits", "a workshop place", "−1.5")
		v.get("/people/volunteers/999999").want(http.StatusNotFound)
	})
}

// A manager adds a workshop, gives its two places, and the third person is refused.
func TestWorkshopPages(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		v := e.signedIn(models.RoleManager)
		v.get("/people/workshops").want(http.StatusOK).has(t, "No workshops ahead", `<label for="f-starts">Starts at (such as 10:00)</label>`)
		day := e.srv.today().AddDays(5)
		form := url.Values{"title": {"Junk modelling"}, "kind": {"creative_session"}, "day": {day.String()}, "starts": {"14:00"}, "ends": {"13:00"},
			"leader": {"Ana"}, "places": {"2"}}
		v.post("/people/workshops", form).want(http.StatusUnprocessableEntity).
			has(t, `id="e-ends"`, "It must end after it starts", `value="Junk modelling"`)
		form.Set("ends", "1pm")
		v.post("/people/workshops", form).want(http.StatusUnprocessableEntity).has(t, "must be a time such as 14:30")
		form.Set("ends", "16:00")
		res := v.post("/people/workshops", form)
		res.want(http.StatusSeeOther)
		page := res.location()
		v.get(page).want(http.StatusOK).has(t, "Junk modelling added.", "creative session", day.Format("Mon 2 Jan 2006")+", 14:00 to 16:00",
			"0 taken of 2", "No one yet.")
		v.get("/people/workshops").has(t, "Junk modelling", "0 of 2")
		v.post(page+"/attendees", url.Values{"name": {""}}).want(http.StatusUnprocessableEntity).has(t, `id="e-name"`)
		v.post(page+"/attendees", url.Values{"name": {"Jo"}, "organisation_id": {itoa(e.org.ID)}}).redirectsTo(t, page)
		v.post(page+"/attendees", url.Values{"name": {"Kim"}}).redirectsTo(t, page)
		v.get(page).has(t, "Kim has a place.", "<li>Jo ("+e.org.Name+")</li>", "<li>Kim</li>", "<strong>Full:</strong>")
		v.post(page+"/attendees", url.Values{"name": {"Lou"}}).want(http.StatusConflict).has(t, "Junk modelling is full (2 places)")
		v.get("/people/workshops/999999").want(http.StatusNotFound)
	})
}

// The people pages are for managers only; every form needs the page's token.
func TestPeoplePagesRolesAndCSRF(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		driver := "/people/users/" + itoa(e.users[models.RoleDriver].ID)
		for _, role := range []models.Role{models.RoleStaff, models.RoleDriver, models.RoleMember} {
			v := e.visitor()
			v.signIn(e.users[role])
			v.get("/stock").hasNot(t, `href="/people"`)
			for _, p := range []string{"/people", "/people/users", "/people/users/new", driver, driver + "/deactivate", "/people/groups",
				"/people/groups/new", "/people/groups/" + itoa(e.org.ID), "/people/slots", "/people/vans", "/people/vans/new", "/people/drivers",
				"/people/volunteers", "/people/workshops"} {
				v.get(p).want(http.StatusForbidden).has(t, "this page is for managers")
			}
			v.post(driver+"/active", url.Values{"active": {"no"}}).want(http.StatusForbidden)
			v.post("/people/groups/"+itoa(e.org.ID)+"/renew", url.Values{"paid": {"1"}, "method": {"cash"}}).want(http.StatusForbidden)
			v.post("/people/slots/closed", url.Values{"day": {e.srv.today().String()}}).want(http.StatusForbidden)
			v.post("/people/vans", url.Values{"name": {"Van"}}).want(http.StatusForbidden)
			v.post("/people/volunteers", url.Values{"name": {"Vol"}, "kind": {"volunteer"}}).want(http.StatusForbidden)
		}
		e.visitor().get("/people/users").redirectsTo(t, "/sign-in?next=%2Fpeople%2Fusers")
		m := e.signedIn(models.RoleManager)
		m.get("/stock").has(t, `href="/people"`)
		m.postBare(driver+"/active", url.Values{"active": {"no"}}).want(http.StatusForbidden).has(t, "did not come from this site")
		m.postBare("/people/users", url.Values{"name": {"X"}, "email": {"x@example.org"}, "role": {"staff"}, "password": {"a long enough pass phrase"},
			csrfField: {strings.Repeat("A", 26)}}).want(http.StatusForbidden)
		m.postBare("/people/slots/closed", url.Values{"day": {e.srv.today().String()}}).want(http.StatusForbidden)
		m.postBare("/people/drivers/absences", url.Values{"driver_id": {itoa(e.users[models.RoleDriver].ID)}, "day": {e.srv.today().String()}}).
			want(http.StatusForbidden)
		m.postBare("/people/volunteers", url.Values{"name": {"Vol"}, "kind": {"volunteer"}}).want(http.StatusForbidden)
		m.postBare("/people/bands", url.Values{"name": {"Free"}, "annual_fee": {"0"}, "allowance_kg": {"5"}}).want(http.StatusForbidden)
		u, err := e.store.User(context.Background(), e.users[models.RoleDriver].ID)
		if err != nil || !u.Active {
			t.Fatalf("a refused form changed the driver: %+v %v", u, err)
		}
		var n int64
		e.store.DB(context.Background()).Model(&models.User{}).Where("email = ?", "x@example.org").Count(&n)
		if n != 0 {
			t.Fatal("a refused form added a user")
		}
	})
}

// The people pages in a browser: axe-core finds nothing serious, at phone and desk widths.
func TestBrowserPeople(t *testing.T) {
	chromium(t)
	browserEnv(t, func(t *testing.T, e *testEnv) {
		b := newTab(t, e)
		m := e.users[models.RoleManager]
		b.open("/people")
		b.waitFor("Email address")
		b.do(chromedp.SendKeys(chromedp.CSS("#f-email"), m.Email), chromedp.SendKeys(chromedp.CSS("#f-password"), testPassword+kb.Enter))
		b.waitFor("Who may sign in")
		b.check("people")
		b.open("/people/users/new")
		b.waitFor("First password")
		b.do(chromedp.SendKeys(chromedp.CSS("#f-name"), "Priya Shah"), chromedp.SendKeys(chromedp.CSS("#f-email"), "priya@example.org"),
			chromedp.SetValue(chromedp.CSS("#f-role"), "member"), chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)))
		b.waitFor("There is a problem")
		b.check("user-problems")
		b.do(chromedp.SetValue(chromedp.CSS("#f-organisation_id"), itoa(e.org.ID)),
			chromedp.SendKeys(chromedp.CSS("#f-password"), "a long enough pass phrase"), chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)))
		b.waitFor("Priya Shah can now sign in as member.")
		b.check("user")
		b.do(chromedp.Click(chromedp.CSS(`a.danger`)))
		b.waitFor("Yes, deactivate")
		b.check("user-deactivate")
		b.do(chromedp.Click(chromedp.CSS(`button.danger`)))
		b.waitFor("Deactivated")
		b.open("/people/users")
		b.waitFor("Priya Shah")
		b.check("users")

		b.open("/people/groups")
		b.waitFor("Add a band")
		b.do(chromedp.SendKeys(chromedp.CSS("#f-name"), "Small group"), chromedp.SendKeys(chromedp.CSS("#f-annual_fee"), "25"),
			chromedp.SendKeys(chromedp.CSS("#f-allowance_kg"), "12.5"+kb.Enter))
		b.waitFor("Band Small group added.")
		b.check("groups")
		b.open("/people/groups/" + itoa(e.org.ID))
		b.waitFor("Renew the membership")
		b.check("group")
		b.do(chromedp.SendKeys(chromedp.CSS("#f-paid"), "25"+kb.Enter))
		b.waitFor("Payments, latest first")
		b.check("group-renewed")
		b.open("/people/groups/new")
		b.waitFor("People it serves")
		b.check("group-new")

		e.openEveryDay(1)
		b.open("/people/slots")
		b.waitFor("Add a weekly opening")
		b.check("slots")
		b.do(chromedp.Click(chromedp.CSS(`a[href$="/delete"]`)))
		b.waitFor("Yes, stop it")
		b.check("slot-rule-delete")

		b.open("/people/vans/new")
		b.waitFor("Shifts")
		b.do(chromedp.SendKeys(chromedp.CSS("#f-name"), "Big van"), chromedp.SendKeys(chromedp.CSS("#f-registration"), "AB12CDE"),
			chromedp.SendKeys(chromedp.CSS("#f-capacity_kg"), "800"), chromedp.SendKeys(chromedp.CSS("#f-capacity_m3"), "10"),
			chromedp.SendKeys(chromedp.CSS(`input[name="shifts.mon.from"]`), "09:00"), chromedp.SendKeys(chromedp.CSS(`input[name="shifts.mon.to"]`), "08:00"),
			chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)))
		b.waitFor("must end after it starts")
		b.check("van-problems")
		b.do(chromedp.SetValue(chromedp.CSS(`input[name="shifts.mon.to"]`), "16:00"), chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)))
		b.waitFor("Big van (AB12CDE) added.")
		b.check("vans")
		b.open("/people/drivers")
		b.waitFor("A driver is away")
		b.check("drivers")

		b.open("/people/volunteers")
		b.waitFor("Add a volunteer")
		b.do(chromedp.SendKeys(chromedp.CSS("#f-name"), "Sam Lee"), chromedp.SetValue(chromedp.CSS("#f-kind"), "volunteer"),
			chromedp.Click(chromedp.CSS(`main form[method="post"] button[type="submit"]`)))
		b.waitFor("Sam Lee added")
		b.check("volunteer")
		// With hours given and credits spent, the page shows both tables.
		path, err := chromedp.Run(b.ctx, chromedp.Evaluate[string]("location.pathname"))
		if err != nil {
			t.Fatal(err)
		}
		volunteerID, err := strconv.ParseInt(strings.TrimPrefix(path, "/people/volunteers/"), 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.LogHours(t.Context(), nil, volunteerID, e.srv.today(), 3, "sorting", e.srv.today()); err != nil {
			t.Fatal(err)
		}
		b.open(path)
		b.do(chromedp.SendKeys(chromedp.CSS("#f-credits"), "1"+kb.Enter))
		b.waitFor("1 credits moved.")
		b.check("volunteer-with-hours")
		b.open("/people/volunteers")
		b.waitFor("Sam Lee")
		b.check("volunteers")
		b.open("/people/workshops")
		b.waitFor("Add a workshop")
		b.do(chromedp.SendKeys(chromedp.CSS("#f-title"), "Junk modelling"), chromedp.SetValue(chromedp.CSS("#f-kind"), "creative_session"),
			chromedp.SendKeys(chromedp.CSS("#f-starts"), "14:00"), chromedp.SendKeys(chromedp.CSS("#f-ends"), "16:00"),
			chromedp.Click(chromedp.CSS(`main form[method="post"] button[type="submit"]`)))
		b.waitFor("Junk modelling added.")
		b.check("workshop")
		b.open("/people/workshops")
		b.waitFor("Junk modelling")
		b.check("workshops")
	})
}

// Every furniture and people page, by its route table: a role it is not for gets a 403
// page, and every form refuses a post without the page's token.
func TestFurnitureAndPeopleRoutesRefuse(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		visitors := map[models.Role]*visitor{}
		for _, r := range models.Roles {
			visitors[r] = e.visitor()
			visitors[r].signIn(e.users[r])
		}
		routes := slices.Concat(e.srv.furniturePages(), e.srv.peoplePages())
		for _, p := range routes {
			path := strings.NewReplacer(":photo_id", "1", ":id", "1").Replace(p.path)
			for _, r := range models.Roles {
				if slices.Contains(p.roles, r) {
					if p.method == http.MethodPost {
						visitors[r].postBare(path, url.Values{}).want(http.StatusForbidden).has(t, "did not come from this site")
					}
					continue
				}
				res := visitors[r].get(path)
				if p.method == http.MethodPost {
					res = visitors[r].post(path, url.Values{})
				}
				res.want(http.StatusForbidden).has(t, "this page is for "+roleNames(p.roles))
			}
		}
	})
}

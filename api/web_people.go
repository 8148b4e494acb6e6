package api

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/scrapstore/scrapstore/models"
)

// The people pages, for managers: who may sign in and as what, the member groups with
// their bands and renewals, the visit openings and closed days, the vans and drivers'
// days away, the volunteers with their hours and timebank, and the workshops. Each calls
// the same Store method as the API, as the signed-in manager.

func (s *Server) peoplePages() []pageRoute {
	return []pageRoute{
		{http.MethodGet, "/people", managers, s.peoplePage},
		{http.MethodGet, "/people/users", managers, s.usersPage},
		{http.MethodGet, "/people/users/new", managers, s.newUserPage},
		{http.MethodPost, "/people/users", managers, s.createUserPage},
		{http.MethodGet, "/people/users/:id", managers, s.userPage},
		{http.MethodPost, "/people/users/:id", managers, s.changeUserPage},
		{http.MethodPost, "/people/users/:id/password", managers, s.resetPasswordPage},
		{http.MethodGet, "/people/users/:id/deactivate", managers, s.deactivateUserPage},
		{http.MethodPost, "/people/users/:id/active", managers, s.userActivePage},
		{http.MethodGet, "/people/groups", managers, s.groupsPage},
		{http.MethodPost, "/people/bands", managers, s.createBandPage},
		{http.MethodGet, "/people/groups/new", managers, s.newGroupPage},
		{http.MethodPost, "/people/groups", managers, s.createGroupPage},
		{http.MethodGet, "/people/groups/:id", managers, s.editGroupPage},
		{http.MethodPost, "/people/groups/:id", managers, s.changeGroupPage},
		{http.MethodPost, "/people/groups/:id/renew", managers, s.renewGroupPage},
		{http.MethodGet, "/people/slots", managers, s.slotsPage},
		{http.MethodPost, "/people/slots/rules", managers, s.createSlotRulePage},
		{http.MethodGet, "/people/slots/rules/:id/delete", managers, s.deleteSlotRuleQuestion},
		{http.MethodPost, "/people/slots/rules/:id/delete", managers, s.deleteSlotRulePage},
		{http.MethodPost, "/people/slots/closed", managers, s.closeDayPage},
		{http.MethodGet, "/people/vans", managers, s.vansPage},
		{http.MethodGet, "/people/vans/new", managers, s.newVanPage},
		{http.MethodPost, "/people/vans", managers, s.createVanPage},
		{http.MethodGet, "/people/vans/:id", managers, s.vanPage},
		{http.MethodPost, "/people/vans/:id", managers, s.changeVanPage},
		{http.MethodGet, "/people/drivers", managers, s.driversPage},
		{http.MethodPost, "/people/drivers/absences", managers, s.addAbsencePage},
		{http.MethodGet, "/people/volunteers", managers, s.volunteersPage},
		{http.MethodPost, "/people/volunteers", managers, s.createVolunteerPage},
		{http.MethodGet, "/people/volunteers/:id", managers, s.volunteerPage},
		{http.MethodPost, "/people/volunteers/:id/transfer", managers, s.transferPage},
		{http.MethodGet, "/people/workshops", managers, s.workshopsPage},
		{http.MethodPost, "/people/workshops", managers, s.createWorkshopPage},
		{http.MethodGet, "/people/workshops/:id", managers, s.workshopPage},
		{http.MethodPost, "/people/workshops/:id/attendees", managers, s.addAttendeePage},
	}
}

func (s *Server) peoplePage(c echo.Context) error {
	return s.render(c, http.StatusOK, "people", "People", nil)
}

func roleChoices() []choice {
	out := make([]choice, len(models.Roles))
	for i, r := range models.Roles {
		out[i] = choice{string(r), string(r)}
	}
	return out
}

// organisationNames are the member groups in order of name for a select, and by id.
func (s *Server) organisationNames(c echo.Context) ([]choice, map[int64]string, error) {
	list, _, err := s.Store.ListOrganisations(c.Request().Context(), currentUser(c), models.OrganisationFilter{Today: s.today()},
		models.Page{Limit: models.MaxLimit})
	names := make(map[int64]string, len(list))
	options := make([]choice, len(list))
	for i, o := range list {
		names[o.ID], options[i] = o.Name, idChoice(o.ID, o.Name)
	}
	return options, names, err
}

type usersView struct {
	Users  []models.User
	Groups map[int64]string
	Roles  []choice
	Next   string
}

// Group is the name of a member's group.
func (uv usersView) Group(id *int64) string {
	if id == nil {
		return ""
	}
	return uv.Groups[*id]
}

// usersPage lists the users, by role and whether they may sign in.
func (s *Server) usersPage(c echo.Context) error {
	v := pageView(c)
	f := models.UserFilter{Role: models.Role(c.QueryParam("role"))}
	switch c.QueryParam("active") {
	case "yes", "no":
		active := c.QueryParam("active") == "yes"
		f.Active = &active
	}
	for _, k := range []string{"role", "active"} {
		v.Form.Set(k, c.QueryParam(k))
	}
	users, next, err := s.Store.ListUsers(c.Request().Context(), f, models.Page{Limit: 50, Cursor: c.QueryParam("cursor")})
	if err != nil {
		return err
	}
	_, groups, err := s.organisationNames(c)
	if err != nil {
		return err
	}
	uv := usersView{Users: users, Groups: groups, Roles: roleChoices()}
	uv.Next = nextPageLink(c, "/people/users", next)
	return s.render(c, http.StatusOK, "users", "Users", uv)
}

type userFormView struct {
	User   *models.User
	Roles  []choice
	Groups []choice
}

func (s *Server) newUserPage(c echo.Context) error { return s.showNewUser(c, http.StatusOK) }

func (s *Server) showNewUser(c echo.Context, status int) error {
	groups, _, err := s.organisationNames(c)
	if err != nil {
		return err
	}
	return s.render(c, status, "user_new", "Add a user", userFormView{Roles: roleChoices(), Groups: groups})
}

// formOrganisation reads the member group chosen; none is nil.
func formOrganisation(c echo.Context) *int64 {
	id, err := strconv.ParseInt(c.FormValue("organisation_id"), 10, 64)
	if err != nil {
		return nil
	}
	return &id
}

func (s *Server) createUserPage(c echo.Context) error {
	in := models.NewUser{Email: c.FormValue("email"), Name: c.FormValue("name"), Role: models.Role(c.FormValue("role")),
		OrganisationID: formOrganisation(c), Password: c.FormValue("password")}
	u, err := s.Store.CreateUser(c.Request().Context(), currentUser(c), in)
	if err == nil {
		return s.redirect(c, fmt.Sprintf("/people/users/%d", u.ID), u.Name+" can now sign in as "+string(u.Role)+".")
	}
	return s.formRefused(c, err, s.showNewUser)
}

// formRefused shows why the Store refused a form on the form's page, with what was typed:
// a validation error beside its fields, a conflict above them.
func (s *Server) formRefused(c echo.Context, err error, show func(echo.Context, int) error) error {
	if form, ferr := c.FormParams(); ferr == nil {
		pageView(c).Form = form
	}
	pageView(c).Form.Del("password")
	return s.formRefusal(c, err, show)
}

func (s *Server) userPage(c echo.Context) error { return s.showUser(c, http.StatusOK) }

func (s *Server) pathUser(c echo.Context) (*models.User, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	return s.Store.User(c.Request().Context(), id)
}

func (s *Server) showUser(c echo.Context, status int) error {
	u, err := s.pathUser(c)
	if err != nil {
		return err
	}
	groups, _, err := s.organisationNames(c)
	if err != nil {
		return err
	}
	v := pageView(c)
	if !v.Form.Has("name") {
		v.Form.Set("name", u.Name)
		v.Form.Set("role", string(u.Role))
		if u.OrganisationID != nil {
			v.Form.Set("organisation_id", strconv.FormatInt(*u.OrganisationID, 10))
		}
	}
	return s.render(c, status, "user", u.Name, userFormView{User: u, Roles: roleChoices(), Groups: groups})
}

// userAction changes the user of the path, then goes back to their page with a message.
func (s *Server) userAction(c echo.Context, change func(id int64) (models.UserChange, string)) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ch, msg := change(id)
	if _, err = s.Store.UpdateUser(c.Request().Context(), currentUser(c), id, ch); err == nil {
		return s.redirect(c, fmt.Sprintf("/people/users/%d", id), msg)
	}
	return s.formRefused(c, err, s.showUser)
}

// changeUserPage saves the name, role and member group.
func (s *Server) changeUserPage(c echo.Context) error {
	return s.userAction(c, func(int64) (models.UserChange, string) {
		name, role := c.FormValue("name"), models.Role(c.FormValue("role"))
		ch := models.UserChange{Name: &name, Role: &role, OrganisationID: formOrganisation(c)}
		return ch, "Saved. If the role changed, they are signed out and sign in again as " + string(role) + "."
	})
}

// resetPasswordPage sets a new password for a user who forgot theirs; they are signed
// out everywhere, and the manager tells them the new one.
func (s *Server) resetPasswordPage(c echo.Context) error {
	return s.userAction(c, func(int64) (models.UserChange, string) {
		pw := c.FormValue("password")
		return models.UserChange{Password: &pw}, "The password is changed and they are signed out everywhere. Tell them the new one."
	})
}

func (s *Server) deactivateUserPage(c echo.Context) error {
	u, err := s.pathUser(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "user_deactivate", "Stop "+u.Name+" signing in?", userFormView{User: u})
}

// userActivePage deactivates a user (after the question) or lets them sign in again.
func (s *Server) userActivePage(c echo.Context) error {
	return s.userAction(c, func(int64) (models.UserChange, string) {
		active := c.FormValue("active") == "yes"
		if active {
			return models.UserChange{Active: &active}, "They can sign in again."
		}
		return models.UserChange{Active: &active}, "Deactivated: they are signed out and cannot sign in. Their name stays in the history."
	})
}

// bandsByID are the membership bands in order of name, and by id.
func (s *Server) bandsByID(c echo.Context) ([]models.Band, map[int64]*models.Band, error) {
	list, _, err := s.Store.Bands(c.Request().Context(), models.Page{Limit: models.MaxLimit})
	byID := make(map[int64]*models.Band, len(list))
	for i := range list {
		byID[list[i].ID] = &list[i]
	}
	return list, byID, err
}

type groupsView struct {
	Groups []models.Organisation
	Bands  []models.Band
	BandOf map[int64]*models.Band
	Today  models.Date
	Next   string
}

// Band is the band of a group, if it has one.
func (gv groupsView) Band(id *int64) *models.Band {
	if id == nil {
		return nil
	}
	return gv.BandOf[*id]
}

// Lapsed says whether a group's membership is out of date today.
func (gv groupsView) Lapsed(o models.Organisation) bool { return o.Lapsed(gv.Today) }

func (s *Server) groupsPage(c echo.Context) error { return s.showGroups(c, http.StatusOK) }

// showGroups lists the member groups, searched and by whether their membership lapsed,
// beside the bands with a form to add one.
func (s *Server) showGroups(c echo.Context, status int) error {
	v := pageView(c)
	f := models.OrganisationFilter{Q: strings.TrimSpace(c.QueryParam("q")), Today: s.today()}
	switch c.QueryParam("lapsed") {
	case "yes", "no":
		lapsed := c.QueryParam("lapsed") == "yes"
		f.Lapsed = &lapsed
	}
	for _, k := range []string{"q", "lapsed"} {
		if !v.Form.Has(k) {
			v.Form.Set(k, c.QueryParam(k))
		}
	}
	groups, next, err := s.Store.ListOrganisations(c.Request().Context(), currentUser(c), f, models.Page{Limit: 50, Cursor: c.QueryParam("cursor")})
	if err != nil {
		return err
	}
	gv := groupsView{Groups: groups, Today: s.today()}
	if gv.Bands, gv.BandOf, err = s.bandsByID(c); err != nil {
		return err
	}
	gv.Next = nextPageLink(c, "/people/groups", next)
	return s.render(c, status, "groups", "Member groups and bands", gv)
}

func (s *Server) createBandPage(c echo.Context) error {
	var p models.Problems
	fee := formNumber(&p, c, "annual_fee")
	allowance := formNumber(&p, c, "allowance_kg")
	err := p.Err()
	if err == nil {
		var b *models.Band
		b, err = s.Store.CreateBand(c.Request().Context(), currentUser(c), c.FormValue("name"), int64(math.Round(fee*100)), allowance)
		if err == nil {
			return s.redirect(c, "/people/groups", "Band "+b.Name+" added.")
		}
	}
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		for i, fe := range ve.Errors {
			if fe.Field == "annual_fee_pence" {
				ve.Errors[i] = models.FieldError{Field: "annual_fee", Message: "Annual fee must be between £0 and £100,000"}
			}
		}
	}
	return s.formRefused(c, err, s.showGroups)
}

type groupFormView struct {
	Org      *models.Organisation
	Renewals []models.Renewal
	Band     *models.Band
	Lapsed   bool
	Kinds    []choice
	Bands    []choice
	Payments []choice
}

func (s *Server) newGroupPage(c echo.Context) error { return s.showGroupForm(c, http.StatusOK, nil) }

// showGroupForm is the form to add a group (o nil) or change one and renew its membership.
func (s *Server) showGroupForm(c echo.Context, status int, o *models.Organisation) error {
	bands, byID, err := s.bandsByID(c)
	if err != nil {
		return err
	}
	gv := groupFormView{Org: o, Kinds: choices(models.OrganisationKinds), Payments: choices(models.PaymentMethods)}
	for _, b := range bands {
		gv.Bands = append(gv.Bands, idChoice(b.ID, b.Name))
	}
	title := "Add a member group"
	if o != nil {
		title = o.Name
		gv.Lapsed = o.Lapsed(s.today())
		if gv.Renewals, err = s.Store.Renewals(c.Request().Context(), o.ID); err != nil {
			return err
		}
		if o.BandID != nil {
			gv.Band = byID[*o.BandID]
		}
		v := pageView(c)
		if !v.Form.Has("name") {
			for k, val := range map[string]string{"name": o.Name, "kind": o.Kind, "address": o.Address, "postcode": o.Postcode,
				"contact_name": o.ContactName, "email": o.Email, "phone": o.Phone, "people_served": strconv.Itoa(o.PeopleServed)} {
				v.Form.Set(k, val)
			}
			if o.BandID != nil {
				v.Form.Set("band_id", strconv.FormatInt(*o.BandID, 10))
			}
		}
		if !v.Form.Has("paid_on") {
			v.Form.Set("paid_on", s.today().String())
			if gv.Band != nil {
				v.Form.Set("paid", pounds(gv.Band.AnnualFeePence))
			}
		}
	}
	return s.render(c, status, "group_edit", title, gv)
}

// groupInput reads the group form.
func groupInput(p *models.Problems, c echo.Context) models.OrganisationInput {
	in := models.OrganisationInput{}
	for name, dst := range map[string]**string{"name": &in.Name, "kind": &in.Kind, "address": &in.Address, "postcode": &in.Postcode,
		"contact_name": &in.ContactName, "email": &in.Email, "phone": &in.Phone} {
		v := c.FormValue(name)
		*dst = &v
	}
	if raw := strings.TrimSpace(c.FormValue("people_served")); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil {
			p.Add("people_served", "must be a whole number, such as 120")
		}
		in.PeopleServed = &n
	}
	if id, err := strconv.ParseInt(c.FormValue("band_id"), 10, 64); err == nil {
		in.BandID = &id
	}
	return in
}

func (s *Server) createGroupPage(c echo.Context) error {
	var p models.Problems
	in := groupInput(&p, c)
	err := p.Err()
	if err == nil {
		var o *models.Organisation
		if o, err = s.Store.CreateOrganisation(c.Request().Context(), currentUser(c), in); err == nil {
			return s.redirect(c, fmt.Sprintf("/people/groups/%d", o.ID), o.Name+" added. Renew its membership below when it pays.")
		}
	}
	return s.formRefused(c, err, func(c echo.Context, status int) error { return s.showGroupForm(c, status, nil) })
}

func (s *Server) pathGroup(c echo.Context) (*models.Organisation, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	return s.Store.Organisation(c.Request().Context(), currentUser(c), id)
}

func (s *Server) editGroupPage(c echo.Context) error { return s.showManagedGroup(c, http.StatusOK) }

func (s *Server) showManagedGroup(c echo.Context, status int) error {
	o, err := s.pathGroup(c)
	if err != nil {
		return err
	}
	return s.showGroupForm(c, status, o)
}

// groupAction changes the group of the path, then goes back to its page with a message.
func (s *Server) groupAction(c echo.Context, do func(o *models.Organisation) (string, error)) error {
	o, err := s.pathGroup(c)
	if err != nil {
		return err
	}
	msg, err := do(o)
	if err == nil {
		return s.redirect(c, fmt.Sprintf("/people/groups/%d", o.ID), msg)
	}
	return s.formRefused(c, err, s.showManagedGroup)
}

func (s *Server) changeGroupPage(c echo.Context) error {
	return s.groupAction(c, func(o *models.Organisation) (string, error) {
		var p models.Problems
		in := groupInput(&p, c)
		if err := p.Err(); err != nil {
			return "", err
		}
		_, err := s.Store.UpdateOrganisation(c.Request().Context(), currentUser(c), o.ID, in)
		return "Saved.", err
	})
}

// renewGroupPage records a membership payment, which runs the membership a year on.
func (s *Server) renewGroupPage(c echo.Context) error {
	return s.groupAction(c, func(o *models.Organisation) (string, error) {
		var p models.Problems
		paid := formNumber(&p, c, "paid")
		on := formDate(&p, c, "paid_on")
		if paid < 0 || paid > 100_000 {
			p.Add("paid", "must be between £0 and £100,000")
		}
		if err := p.Err(); err != nil {
			return "", err
		}
		in := models.RenewalInput{PaidPence: int64(math.Round(paid * 100)), Method: c.FormValue("method"), PaidOn: on}
		_, org, err := s.Store.RenewMembership(c.Request().Context(), currentUser(c), o.ID, in, s.today())
		if err != nil {
			return "", err
		}
		return "Renewed: the membership runs to " + org.MembershipExpiresOn.Format("2 Jan 2006") + ".", nil
	})
}

// weekdayChoices are the days of the week as SlotRule numbers them (Sunday 0).
func weekdayChoices() []choice {
	out := make([]choice, 7)
	for d := range out {
		out[d] = choice{strconv.Itoa(d), time.Weekday(d).String()}
	}
	return out
}

type slotsView struct {
	Rules    []models.SlotRule
	Closed   []models.ClosedDay
	Weekdays []choice
	Rule     *models.SlotRule
}

// Day names a rule's weekday.
func (slotsView) Day(d int) string { return time.Weekday(d).String() }

func (s *Server) slotsPage(c echo.Context) error { return s.showSlots(c, http.StatusOK) }

// showSlots is the weekly openings for member groups' visits and the closed days ahead,
// each with a form to add one.
func (s *Server) showSlots(c echo.Context, status int) error {
	ctx := c.Request().Context()
	sv := slotsView{Weekdays: weekdayChoices()}
	var err error
	if sv.Rules, _, err = s.Store.SlotRules(ctx, models.Page{Limit: models.MaxLimit}); err != nil {
		return err
	}
	slices.SortFunc(sv.Rules, func(a, b models.SlotRule) int {
		return cmp.Or(cmp.Compare(a.Weekday, b.Weekday), cmp.Compare(a.Starts, b.Starts))
	})
	if sv.Closed, _, err = s.Store.ClosedDays(ctx, s.today(), models.Page{Limit: models.MaxLimit}); err != nil {
		return err
	}
	v := pageView(c)
	for k, val := range map[string]string{"slot_minutes": "30", "places": "2", "day": s.today().String()} {
		if !v.Form.Has(k) {
			v.Form.Set(k, val)
		}
	}
	return s.render(c, status, "slots", "Visit slots and closed days", sv)
}

func (s *Server) createSlotRulePage(c echo.Context) error {
	var p models.Problems
	r := models.SlotRule{Starts: c.FormValue("starts"), Ends: c.FormValue("ends"), Label: c.FormValue("label")}
	for name, dst := range map[string]*int{"weekday": &r.Weekday, "slot_minutes": &r.SlotMinutes, "places": &r.Places} {
		n, err := strconv.Atoi(strings.TrimSpace(c.FormValue(name)))
		if err != nil {
			p.Add(name, "must be a whole number")
		}
		*dst = n
	}
	err := p.Err()
	if err == nil {
		if _, err = s.Store.CreateSlotRule(c.Request().Context(), currentUser(c), r); err == nil {
			return s.redirect(c, "/people/slots", fmt.Sprintf("Added: %ss %s to %s.", time.Weekday(r.Weekday), r.Starts, r.Ends))
		}
	}
	return s.formRefused(c, err, s.showSlots)
}

func (s *Server) pathSlotRule(c echo.Context) (*models.SlotRule, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	rules, _, err := s.Store.SlotRules(c.Request().Context(), models.Page{Limit: models.MaxLimit})
	if err != nil {
		return nil, err
	}
	for i := range rules {
		if rules[i].ID == id {
			return &rules[i], nil
		}
	}
	return nil, fmt.Errorf("slot rule %d: %w", id, models.ErrNotFound)
}

func (s *Server) deleteSlotRuleQuestion(c echo.Context) error {
	r, err := s.pathSlotRule(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "slot_rule_delete", "Stop this opening?", slotsView{Rule: r})
}

func (s *Server) deleteSlotRulePage(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := s.Store.DeleteSlotRule(c.Request().Context(), currentUser(c), id); err != nil {
		return err
	}
	return s.redirect(c, "/people/slots", "The opening is stopped; visits already booked stay booked.")
}

func (s *Server) closeDayPage(c echo.Context) error {
	var p models.Problems
	day := formDate(&p, c, "day")
	if day.IsZero() && p.Err() == nil {
		p.Add("day", "Choose the day")
	}
	err := p.Err()
	if err == nil {
		var d *models.ClosedDay
		if d, err = s.Store.CloseDay(c.Request().Context(), currentUser(c), day, c.FormValue("reason")); err == nil {
			return s.redirect(c, "/people/slots", "Closed on "+d.Day.Format("2 Jan 2006")+": no visits can be booked that day.")
		}
	}
	return s.formRefused(c, err, s.showSlots)
}

type vansView struct {
	Vans []models.Vehicle
}

// Days says on which days a van works, from Monday.
func (vansView) Days(v models.Vehicle) string {
	var days []string
	for _, d := range models.Weekdays {
		if iv, ok := v.Shifts[d]; ok {
			days = append(days, d+" "+iv.From+"-"+iv.To)
		}
	}
	if len(days) == 0 {
		return "no shifts yet"
	}
	return strings.Join(days, ", ")
}

func (s *Server) vansPage(c echo.Context) error {
	vans, _, err := s.Store.Vehicles(c.Request().Context(), nil, models.Page{Limit: models.MaxLimit})
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "vans", "Vans", vansView{Vans: vans})
}

type vanView struct {
	Van  *models.Vehicle
	Days []choice
}

// shiftDays are the days a van may work, as the shifts key them and as they are said.
func shiftDays() []choice {
	out := make([]choice, len(models.Weekdays))
	for i, d := range models.Weekdays {
		out[i] = choice{d, time.Weekday((i + 1) % 7).String()}
	}
	return out
}

// namedShifts says which day a shift problem is on: "Monday: must end after it starts".
func namedShifts(err error) error {
	var ve *models.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	for i, fe := range ve.Errors {
		for _, d := range shiftDays() {
			if fe.Field == "shifts."+d.Value+"[0]" {
				ve.Errors[i].Message = d.Label + ": " + fe.Message
			}
		}
	}
	return ve
}

func (s *Server) newVanPage(c echo.Context) error { return s.showVanForm(c, http.StatusOK, nil) }

// showVanForm is the form to add a van (v nil) or change one, with its weekly shifts.
func (s *Server) showVanForm(c echo.Context, status int, van *models.Vehicle) error {
	v := pageView(c)
	title := "Add a van"
	if van != nil {
		title = van.Name
	}
	if van != nil && !v.Form.Has("name") {
		for k, val := range map[string]string{"name": van.Name, "registration": van.Registration, "capacity_kg": van.CapacityG.String(),
			"capacity_m3": quantity(float64(van.CapacityM3)), "cost_per_km": pounds(van.CostPerKmPence), "unload_minutes": strconv.Itoa(van.UnloadMinutes)} {
			v.Form.Set(k, val)
		}
		if van.Active {
			v.Form.Set("active", "yes")
		}
		for day, iv := range van.Shifts {
			v.Form.Set("shifts."+day+".from", iv.From)
			v.Form.Set("shifts."+day+".to", iv.To)
		}
	}
	if van == nil && !v.Form.Has("unload_minutes") {
		v.Form.Set("unload_minutes", strconv.Itoa(models.DefaultUnload))
	}
	return s.render(c, status, "van", title, vanView{Van: van, Days: shiftDays()})
}

// vanInput reads the van form; a day with no times has no shift.
func vanInput(p *models.Problems, c echo.Context, editing bool) models.VehicleInput {
	name, reg := c.FormValue("name"), c.FormValue("registration")
	in := models.VehicleInput{Name: &name, Registration: &reg}
	for field, dst := range map[string]**float64{"capacity_kg": &in.CapacityKg, "capacity_m3": &in.CapacityM3} {
		if strings.TrimSpace(c.FormValue(field)) != "" {
			n := formNumber(p, c, field)
			*dst = &n
		}
	}
	cost := int64(math.Round(formNumber(p, c, "cost_per_km") * 100))
	in.CostPerKmPence = &cost
	if raw := strings.TrimSpace(c.FormValue("unload_minutes")); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil {
			p.Add("unload_minutes", "must be a whole number of minutes")
		}
		in.UnloadMinutes = &n
	}
	shifts := map[string]models.Interval{}
	for _, d := range models.Weekdays {
		from, to := strings.TrimSpace(c.FormValue("shifts."+d+".from")), strings.TrimSpace(c.FormValue("shifts."+d+".to"))
		if from != "" || to != "" {
			shifts[d] = models.Interval{From: from, To: to}
		}
	}
	in.Shifts = &shifts
	if editing {
		active := c.FormValue("active") == "yes"
		in.Active = &active
	}
	return in
}

func (s *Server) createVanPage(c echo.Context) error {
	var p models.Problems
	in := vanInput(&p, c, false)
	err := p.Err()
	if err == nil {
		var van *models.Vehicle
		if van, err = s.Store.CreateVehicle(c.Request().Context(), currentUser(c), in); err == nil {
			return s.redirect(c, "/people/vans", van.Name+" ("+van.Registration+") added.")
		}
	}
	return s.formRefused(c, namedShifts(err), func(c echo.Context, status int) error { return s.showVanForm(c, status, nil) })
}

func (s *Server) pathVan(c echo.Context) (*models.Vehicle, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	return s.Store.Vehicle(c.Request().Context(), id)
}

func (s *Server) vanPage(c echo.Context) error { return s.showVan(c, http.StatusOK) }

func (s *Server) showVan(c echo.Context, status int) error {
	van, err := s.pathVan(c)
	if err != nil {
		return err
	}
	return s.showVanForm(c, status, van)
}

func (s *Server) changeVanPage(c echo.Context) error {
	van, err := s.pathVan(c)
	if err != nil {
		return err
	}
	var p models.Problems
	in := vanInput(&p, c, true)
	if err = p.Err(); err == nil {
		if van, err = s.Store.UpdateVehicle(c.Request().Context(), currentUser(c), van.ID, in); err == nil {
			return s.redirect(c, "/people/vans", van.Name+" saved.")
		}
	}
	return s.formRefused(c, namedShifts(err), s.showVan)
}

// driverAway is a driver and the days ahead they cannot work.
type driverAway struct {
	Driver models.User
	Away   []models.DriverAbsence
}

func (s *Server) driversPage(c echo.Context) error { return s.showDrivers(c, http.StatusOK) }

// showDrivers lists the drivers who may sign in with the days ahead each is away, and a
// form to add an absence.
func (s *Server) showDrivers(c echo.Context, status int) error {
	ctx := c.Request().Context()
	active := true
	drivers, _, err := s.Store.ListUsers(ctx, models.UserFilter{Role: models.RoleDriver, Active: &active}, models.Page{Limit: models.MaxLimit})
	if err != nil {
		return err
	}
	out := make([]driverAway, len(drivers))
	for i, d := range drivers {
		out[i].Driver = d
		if out[i].Away, _, err = s.Store.DriverAbsences(ctx, d.ID, s.today(), models.Page{Limit: models.MaxLimit}); err != nil {
			return err
		}
	}
	if v := pageView(c); !v.Form.Has("day") {
		v.Form.Set("day", s.today().String())
	}
	dv := driversView{Drivers: out}
	for _, d := range drivers {
		dv.Choices = append(dv.Choices, idChoice(d.ID, d.Name))
	}
	return s.render(c, status, "drivers", "Drivers' absences", dv)
}

type driversView struct {
	Drivers []driverAway
	Choices []choice
}

func (s *Server) addAbsencePage(c echo.Context) error {
	var p models.Problems
	day := formDate(&p, c, "day")
	if day.IsZero() && p.Err() == nil {
		p.Add("day", "Choose the day")
	}
	driver, perr := strconv.ParseInt(c.FormValue("driver_id"), 10, 64)
	if perr != nil {
		p.Add("driver_id", "Choose the driver")
	}
	err := p.Err()
	if err == nil {
		if _, err = s.Store.AddDriverAbsence(c.Request().Context(), currentUser(c), driver, day, c.FormValue("reason")); err == nil {
			return s.redirect(c, "/people/drivers", "Recorded: away on "+day.Format("2 Jan 2006")+".")
		}
	}
	return s.formRefused(c, err, s.showDrivers)
}

type volunteersView struct {
	Volunteers []models.Volunteer
	Hours      map[int64]float64
	Balance    map[int64]float64
	Since      models.Date
	Kinds      []choice
	Groups     []choice
	Next       string
}

func (s *Server) volunteersPage(c echo.Context) error { return s.showVolunteers(c, http.StatusOK) }

// showVolunteers lists the volunteers with their hours this year and their timebank
// credits, and a form to add one.
func (s *Server) showVolunteers(c echo.Context, status int) error {
	ctx := c.Request().Context()
	v := pageView(c)
	if !v.Form.Has("name") {
		v.Form.Set("kind", c.QueryParam("kind"))
		v.Form.Set("started_on", s.today().String())
	}
	list, next, err := s.Store.ListVolunteers(ctx, c.QueryParam("kind"), models.Page{Limit: 50, Cursor: c.QueryParam("cursor")})
	if err != nil {
		return err
	}
	today := s.today()
	vv := volunteersView{Volunteers: list, Since: models.NewDate(time.Date(today.Year(), 1, 1, 0, 0, 0, 0, time.UTC)),
		Kinds: choices(models.VolunteerKinds), Balance: map[int64]float64{}}
	if vv.Hours, err = s.Store.HoursSince(ctx, vv.Since); err != nil {
		return err
	}
	accounts, err := s.Store.TimebankAccounts(ctx)
	if err != nil {
		return err
	}
	for _, a := range accounts {
		if a.VolunteerID != nil {
			vv.Balance[*a.VolunteerID] = a.BalanceQuarters.Hours()
		}
	}
	if vv.Groups, _, err = s.organisationNames(c); err != nil {
		return err
	}
	vv.Next = nextPageLink(c, "/people/volunteers", next)
	return s.render(c, status, "volunteers", "Volunteers", vv)
}

func (s *Server) createVolunteerPage(c echo.Context) error {
	var p models.Problems
	in := models.VolunteerInput{Name: c.FormValue("name"), Email: c.FormValue("email"), Phone: c.FormValue("phone"), Kind: c.FormValue("kind"),
		Notes: c.FormValue("notes"), StartedOn: formDate(&p, c, "started_on")}
	if id, err := strconv.ParseInt(c.FormValue("placed_by_organisation_id"), 10, 64); err == nil {
		in.PlacedByOrganisationID = &id
	}
	err := p.Err()
	if err == nil {
		var vol *models.Volunteer
		if vol, err = s.Store.CreateVolunteer(c.Request().Context(), currentUser(c), in, s.today()); err == nil {
			return s.redirect(c, fmt.Sprintf("/people/volunteers/%d", vol.ID), vol.Name+" added, with a timebank account.")
		}
	}
	return s.formRefused(c, err, s.showVolunteers)
}

type volunteerView struct {
	Volunteer *models.Volunteer
	Hours     []models.VolunteerHours
	Timebank  *models.Timebank
	Accounts  []choice
	HoursNext string
}

func (s *Server) volunteerPage(c echo.Context) error { return s.showVolunteer(c, http.StatusOK) }

// showVolunteer is a volunteer's hours, newest first, and their timebank statement, with a
// form to spend their credits at the store or give them to another volunteer.
func (s *Server) showVolunteer(c echo.Context, status int) error {
	ctx := c.Request().Context()
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	vv := volunteerView{}
	if vv.Volunteer, err = s.Store.GetVolunteer(ctx, id); err != nil {
		return err
	}
	var next string
	page := models.Page{Limit: 50, Cursor: c.QueryParam("cursor")}
	if vv.Hours, next, err = s.Store.ListHours(ctx, models.HoursFilter{VolunteerID: id}, page); err != nil {
		return err
	}
	vv.HoursNext = nextPageLink(c, fmt.Sprintf("/people/volunteers/%d", id), next)
	if vv.Timebank, err = s.Store.VolunteerTimebank(ctx, id, models.Page{Limit: 50}); err != nil {
		return err
	}
	accounts, err := s.Store.TimebankAccounts(ctx)
	if err != nil {
		return err
	}
	for _, a := range accounts {
		switch {
		case a.ID == vv.Timebank.Account.ID:
		case a.IsStore:
			vv.Accounts = append(vv.Accounts, idChoice(a.ID, "the store (spent)"))
		default:
			vv.Accounts = append(vv.Accounts, idChoice(a.ID, a.Name))
		}
	}
	return s.render(c, status, "volunteer", vv.Volunteer.Name, vv)
}

// transferPage moves a volunteer's credits to the store (spent) or to another volunteer.
func (s *Server) transferPage(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	tb, err := s.Store.VolunteerTimebank(ctx, id, models.Page{Limit: 1})
	if err != nil {
		return err
	}
	var p models.Problems
	credits := formNumber(&p, c, "credits")
	to, perr := strconv.ParseInt(c.FormValue("to_account"), 10, 64)
	if perr != nil {
		p.Add("to_account", "Choose where the credits go")
	}
	if err = p.Err(); err == nil {
		if _, err = s.Store.TransferCredits(ctx, currentUser(c), tb.Account.ID, to, credits, c.FormValue("note")); err == nil {
			return s.redirect(c, fmt.Sprintf("/people/volunteers/%d", id), fmt.Sprintf("%s credits moved.", quantity(credits)))
		}
	}
	return s.formRefused(c, err, s.showVolunteer)
}

type workshopsView struct {
	Workshops []models.Workshop
	Kinds     []choice
	Next      string
}

func (s *Server) workshopsPage(c echo.Context) error { return s.showWorkshops(c, http.StatusOK) }

// showWorkshops lists the workshops from today on, soonest first, and a form to add one.
func (s *Server) showWorkshops(c echo.Context, status int) error {
	from := s.today().Start(s.Config.Location)
	list, next, err := s.Store.ListWorkshops(c.Request().Context(), &from, models.Page{Limit: 50, Cursor: c.QueryParam("cursor")})
	if err != nil {
		return err
	}
	wv := workshopsView{Workshops: list, Kinds: choices(models.WorkshopKinds)}
	wv.Next = nextPageLink(c, "/people/workshops", next)
	if v := pageView(c); !v.Form.Has("title") {
		v.Form.Set("day", s.today().AddDays(7).String())
		v.Form.Set("places", "12")
	}
	return s.render(c, status, "workshops", "Workshops", wv)
}

// formClock reads a time of day on a day, in the store's zone.
func (s *Server) formClock(p *models.Problems, c echo.Context, day models.Date, name string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", day.String()+" "+strings.TrimSpace(c.FormValue(name)), s.Config.Location)
	if err != nil {
		p.Add(name, "must be a time such as 14:30")
	}
	return t
}

func (s *Server) createWorkshopPage(c echo.Context) error {
	var p models.Problems
	day := formDate(&p, c, "day")
	if day.IsZero() && p.Err() == nil {
		p.Add("day", "Choose the day")
	}
	w := models.Workshop{Title: c.FormValue("title"), Kind: c.FormValue("kind"), Leader: c.FormValue("leader")}
	w.StartsAt, w.EndsAt = s.formClock(&p, c, day, "starts"), s.formClock(&p, c, day, "ends")
	places, perr := strconv.Atoi(strings.TrimSpace(c.FormValue("places")))
	if perr != nil {
		p.Add("places", "must be a whole number")
	}
	w.Places = places
	err := p.Err()
	if err == nil {
		var made *models.Workshop
		if made, err = s.Store.CreateWorkshop(c.Request().Context(), currentUser(c), w); err == nil {
			return s.redirect(c, fmt.Sprintf("/people/workshops/%d", made.ID), made.Title+" added.")
		}
	}
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		for i, fe := range ve.Errors {
			switch fe.Field {
			case "starts_at":
				ve.Errors[i] = models.FieldError{Field: "day", Message: "Day " + fe.Message}
			case "ends_at":
				ve.Errors[i] = models.FieldError{Field: "ends", Message: "It must end after it starts, within a week"}
			}
		}
	}
	return s.formRefused(c, err, s.showWorkshops)
}

type workshopView struct {
	Workshop  *models.Workshop
	Attendees []models.Attendee
	Groups    []choice
	GroupOf   map[int64]string
}

// Group is the name of an attendee's member group.
func (wv workshopView) Group(id *int64) string {
	if id == nil {
		return ""
	}
	return wv.GroupOf[*id]
}

func (s *Server) workshopPage(c echo.Context) error { return s.showWorkshop(c, http.StatusOK) }

// showWorkshop is a workshop with who is coming, and a form to add someone.
func (s *Server) showWorkshop(c echo.Context, status int) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	wv := workshopView{}
	if wv.Workshop, wv.Attendees, err = s.Store.Workshop(c.Request().Context(), id); err != nil {
		return err
	}
	if wv.Groups, wv.GroupOf, err = s.organisationNames(c); err != nil {
		return err
	}
	return s.render(c, status, "workshop", wv.Workshop.Title, wv)
}

func (s *Server) addAttendeePage(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	a, err := s.Store.AddAttendee(c.Request().Context(), currentUser(c), id, c.FormValue("name"), formOrganisation(c))
	if err == nil {
		return s.redirect(c, fmt.Sprintf("/people/workshops/%d", id), a.Name+" has a place.")
	}
	return s.formRefused(c, err, s.showWorkshop)
}

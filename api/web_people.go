package api

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/scrapstore/scrapstore/models"
)

// The people pages, for managers: who may sign in and as what, the member groups and
// their bands. Each calls the same Store method as the API, as the signed-in manager.

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

// organisationNames are the member groups by id, and in order of name for a select.
func (s *Server) organisationNames(c echo.Context) ([]models.Organisation, map[int64]string, error) {
	list, _, err := s.Store.ListOrganisations(c.Request().Context(), currentUser(c), models.OrganisationFilter{Today: s.today()},
		models.Page{Limit: models.MaxLimit})
	names := make(map[int64]string, len(list))
	for _, o := range list {
		names[o.ID] = o.Name
	}
	return list, names, err
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
	if next != "" {
		more := c.QueryParams()
		more.Set("cursor", next)
		uv.Next = "/people/users?" + more.Encode()
	}
	return s.render(c, http.StatusOK, "users", "Users", uv)
}

type userFormView struct {
	User   *models.User
	Roles  []choice
	Groups []models.Organisation
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
	return s.reserveProblem(c, err, show)
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

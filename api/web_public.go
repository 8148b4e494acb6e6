package api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/scrapstore/scrapstore/models"
)

// The pages anyone may use: the home page, signing in and out, the pickup request form
// with its status page, and the wanted list.

func (s *Server) publicPages() []pageRoute {
	return []pageRoute{
		{http.MethodGet, "/", public, s.homePage},
		{http.MethodGet, "/sign-in", public, s.signInPage},
		{http.MethodPost, "/sign-in", public, s.signIn},
		{http.MethodPost, "/sign-out", anyone, s.signOut},
		{http.MethodGet, "/pickup", public, s.pickupPage},
		{http.MethodPost, "/pickup", public, s.sendPickup},
		{http.MethodGet, "/pickup/status", public, s.pickupStatusPage},
		{http.MethodGet, "/wanted", public, s.wantedPage},
	}
}

// startPages are where each role starts its day: the home page sends them there.
var startPages = map[models.Role]string{
	models.RoleMember:  "/stock",
	models.RoleDriver:  "/driver",
	models.RoleStaff:   "/counter",
	models.RoleManager: "/dashboard",
}

func (s *Server) homePage(c echo.Context) error {
	if u := currentUser(c); u != nil {
		return c.Redirect(http.StatusSeeOther, startPages[u.Role])
	}
	return s.render(c, http.StatusOK, "home", "Welcome", nil)
}

func (s *Server) signInPage(c echo.Context) error {
	v := pageView(c)
	v.Form.Set("next", localPath(c.QueryParam("next")))
	return s.render(c, http.StatusOK, "sign_in", "Sign in", nil)
}

func (s *Server) signIn(c echo.Context) error {
	v := pageView(c)
	email, password := strings.TrimSpace(c.FormValue("email")), c.FormValue("password")
	v.Form.Set("email", email)
	v.Form.Set("next", localPath(c.FormValue("next")))
	var p models.Problems
	if email == "" {
		p.Add("email", "Enter your email address")
	}
	if password == "" {
		p.Add("password", "Enter your password")
	}
	err := p.Err()
	if err == nil {
		var secret string
		var tok *models.Token
		secret, tok, _, err = s.Store.Login(c.Request().Context(), email, password, c.RealIP(), s.Config.TokenTTL)
		if err == nil {
			s.setCookie(c, sessionCookie, secret, int(time.Until(tok.ExpiresAt).Seconds()))
			s.setCookie(c, basketCookie, "", -1)
			s.newCSRF(c)
			return s.redirect(c, v.Form.Get("next"), "")
		}
	}
	status := http.StatusUnprocessableEntity
	var rl *models.RateLimitError
	switch {
	case errors.As(err, &rl):
		status, v.Message = http.StatusTooManyRequests, waitMessage(c, rl)
	case errors.Is(err, models.ErrUnauthorized):
		status, v.Message = http.StatusUnauthorized, "That email and password do not match an account. Check them and try again."
	default:
		if err := formProblems(c, err); err != nil {
			return err
		}
		v.Form.Del("password")
	}
	return s.render(c, status, "sign_in", "Sign in", nil)
}

func (s *Server) signOut(c echo.Context) error {
	if ck, err := c.Cookie(sessionCookie); err == nil {
		if err := s.Store.Logout(c.Request().Context(), ck.Value); err != nil && !errors.Is(err, models.ErrUnauthorized) {
			return err
		}
	}
	s.setCookie(c, sessionCookie, "", -1)
	s.setCookie(c, basketCookie, "", -1)
	s.newCSRF(c)
	return s.redirect(c, "/sign-in", "You have signed out.")
}

// pickupForm is what the pickup page shows: the categories to tick.
type pickupForm struct {
	Categories []models.CategoryView
	Ticked     map[int64]bool
}

func (s *Server) pickupPage(c echo.Context) error {
	return s.showPickupForm(c, http.StatusOK)
}

func (s *Server) showPickupForm(c echo.Context, status int) error {
	cats, _, err := s.Store.ListCategories(c.Request().Context(), models.Page{Limit: models.MaxLimit}, s.today())
	if err != nil {
		return err
	}
	ticked := map[int64]bool{}
	for _, id := range pageView(c).Form["category_ids"] {
		if n, err := strconv.ParseInt(id, 10, 64); err == nil {
			ticked[n] = true
		}
	}
	return s.render(c, status, "pickup", "Ask for a collection", pickupForm{Categories: cats, Ticked: ticked})
}

// sendPickup is the public form: the same Store method, rules, honeypot and limit as
// the API's public route.
func (s *Server) sendPickup(c echo.Context) error {
	if c.FormValue("website") != "" {
		// A robot filled in the hidden field: answer as if it worked, and keep nothing.
		return s.redirect(c, "/pickup/status", "Thank you: your request has been sent.")
	}
	var p models.Problems
	in := models.PickupInput{
		BusinessName: c.FormValue("business_name"), ContactName: c.FormValue("contact_name"), Email: c.FormValue("email"),
		Phone: c.FormValue("phone"), Address: c.FormValue("address"), Postcode: c.FormValue("postcode"),
		Description: c.FormValue("description"), AccessNotes: c.FormValue("access_notes"),
		ApproxKg:     formNumber(&p, c, "approx_kg"),
		ApproxM3:     formNumber(&p, c, "approx_m3"),
		EarliestDate: formDate(&p, c, "earliest_date"),
		LatestDate:   formDate(&p, c, "latest_date"),
	}
	form, _ := c.FormParams()
	for _, id := range form["category_ids"] {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			p.Add("category_ids", "choose from the list")
			continue
		}
		in.CategoryIDs = append(in.CategoryIDs, n)
	}
	err := p.Err()
	if err == nil {
		var r *models.PickupRequest
		r, err = s.Store.RequestPickup(c.Request().Context(), nil, in, c.RealIP(), s.today())
		if err == nil {
			return s.redirect(c, "/pickup/status?reference="+r.Reference,
				"Thank you: your request has been sent. Your reference is "+r.Reference+". Keep it, with the email you gave, to see how the request is going.")
		}
	}
	if err := formProblems(c, err); err != nil {
		return err
	}
	return s.showPickupForm(c, http.StatusUnprocessableEntity)
}

// formNumber reads an optional decimal field; empty is 0.
func formNumber(p *models.Problems, c echo.Context, name string) float64 {
	raw := strings.TrimSpace(c.FormValue(name))
	if raw == "" {
		return 0
	}
	n, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		p.Add(name, "must be a number, such as 25 or 2.5")
	}
	return n
}

// formDate reads an optional date field (YYYY-MM-DD, as date inputs send it).
func formDate(p *models.Problems, c echo.Context, name string) models.Date {
	raw := strings.TrimSpace(c.FormValue(name))
	if raw == "" {
		return models.Date{}
	}
	d, err := models.ParseDate(raw)
	if err != nil {
		p.Add(name, "must be a date, such as 2026-11-26")
	}
	return d
}

func (s *Server) pickupStatusPage(c echo.Context) error {
	v := pageView(c)
	ref, email := strings.TrimSpace(c.QueryParam("reference")), strings.TrimSpace(c.QueryParam("email"))
	v.Form.Set("reference", ref)
	v.Form.Set("email", email)
	if ref == "" || email == "" {
		return s.render(c, http.StatusOK, "pickup_status", "Your collection request", nil)
	}
	r, err := s.Store.PickupStatus(c.Request().Context(), ref, email)
	if errors.Is(err, models.ErrNotFound) {
		v.Message = "We have no request with that reference and email. Check both and try again."
		return s.render(c, http.StatusNotFound, "pickup_status", "Your collection request", nil)
	}
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "pickup_status", "Your collection request", r)
}

func (s *Server) wantedPage(c echo.Context) error {
	list, err := s.Store.WantedList(c.Request().Context())
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "wanted", "What we need", list)
}

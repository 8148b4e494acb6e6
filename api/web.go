package api

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"maps"
	"math"
	"mime"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/labstack/echo/v4"

	"github.com/scrapstore/scrapstore/models"
)

// The web pages: html/template over the same Store as the API. Every form posts and
// redirects, so each page works without JavaScript; htmx only makes some quicker.

//go:embed web/templates web/static
var webFiles embed.FS

// Cookies the pages use. The session cookie holds the same token the API issues.
const (
	sessionCookie = "session"
	csrfCookie    = "csrf"
	flashCookie   = "flash"
	basketCookie  = "basket"
	csrfField     = "csrf"
	csrfHeader    = "X-CSRF-Token"
)

// contentSecurityPolicy allows nothing inline and nothing from another host.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'"

// pageRoute is one web page: who may see it (nil: anyone) and what handles it.
type pageRoute struct {
	method, path string
	roles        []models.Role
	handler      echo.HandlerFunc
}

var members = []models.Role{models.RoleMember}

// pageBodyLimits are the pages that take more than MaxBody: those that take photos.
var pageBodyLimits = map[string]int64{
	"POST /furniture":            photoFormBody,
	"POST /furniture/:id/photos": photoFormBody,
}

// pageTable lists every web page, beside the API's route table; each part of the site
// keeps its own list in its own file.
func (s *Server) pageTable() []pageRoute {
	return slices.Concat(
		s.publicPages(),
		s.memberPages(),
		s.planningPages(),
		s.reportPages(),
		s.stockroomPages(),
		s.stocktakePages(),
		s.hoursPages(),
		s.pickupPages(),
		s.furniturePages(),
		s.peoplePages(),
		s.driverPages(),
		s.donationPages(),
		s.counterPages(),
		s.dashboardPages(),
	)
}

// site is what every page is drawn from: the parsed templates and the static files,
// served under names that carry a hash of their content so browsers may keep them.
type site struct {
	pages  map[string]*template.Template
	assets map[string]string // file name → /static/<name>.<hash>.<ext>
	files  map[string][]byte // hashed name → content
}

func newSite(loc *time.Location) (*site, error) {
	w := &site{pages: map[string]*template.Template{}, assets: map[string]string{}, files: map[string][]byte{}}
	static, err := fs.ReadDir(webFiles, "web/static")
	if err != nil {
		return nil, err
	}
	for _, f := range static {
		b, err := webFiles.ReadFile("web/static/" + f.Name())
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(b)
		ext := path.Ext(f.Name())
		hashed := strings.TrimSuffix(f.Name(), ext) + "." + hex.EncodeToString(sum[:6]) + ext
		w.assets[f.Name()], w.files[hashed] = "/static/"+hashed, b
	}
	funcs := template.FuncMap{
		"asset": func(name string) (string, error) {
			if p, ok := w.assets[name]; ok {
				return p, nil
			}
			return "", fmt.Errorf("no static file %q", name)
		},
		"day":   func(d any) string { return ukDay(loc, d) },
		"slot":  func(start, end time.Time) string { return ukSlot(loc, start, end) },
		"kg":    kg,
		"money": pounds,
		"words": words,
		"qty":   quantity,
		"field": newField,
		"pick":  newSelect,
	}
	pages, err := fs.Glob(webFiles, "web/templates/page_*.html")
	if err != nil {
		return nil, err
	}
	for _, p := range pages {
		t, err := template.New("").Funcs(funcs).ParseFS(webFiles, "web/templates/layout.html", p)
		if err != nil {
			return nil, err
		}
		w.pages[strings.TrimSuffix(strings.TrimPrefix(path.Base(p), "page_"), ".html")] = t
	}
	return w, nil
}

// addPages registers the pages and the static files.
func (s *Server) addPages() {
	site, err := newSite(s.Config.Location)
	if err != nil {
		// The templates are compiled into the binary: a broken one is a programming
		// error that every test would show.
		panic(err)
	}
	s.site = site
	for _, p := range s.pageTable() {
		limit, ok := pageBodyLimits[p.method+" "+p.path]
		if !ok {
			limit = MaxBody
		}
		s.echo.Add(p.method, p.path, s.pageErrors(s.limitBody(limit, s.page(p.roles, p.handler))))
	}
	s.echo.GET("/static/:file", s.staticFile)
}

// pageErrors shows a page's refusal that came before the page itself ran (a form too
// large to read, a person who left while waiting their turn) as a page, not as the
// API's problem+json.
func (s *Server) pageErrors(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := next(c); err != nil && !c.Response().Committed {
			if c.Get(pageViewKey) == nil {
				// The refusal is what the page says, even if the session could not be read.
				_, _ = s.startPage(c)
			}
			return s.errorPage(c, err)
		}
		return nil
	}
}

// notFoundPage answers a browser's request for an address that is no page, instead of
// the API's problem+json; it reports whether it did.
func (s *Server) notFoundPage(c echo.Context, err error) bool {
	req := c.Request()
	if !errors.Is(err, echo.ErrNotFound) || req.Method != http.MethodGet || strings.HasPrefix(req.URL.Path, "/api/") {
		return false
	}
	return s.page(public, func(echo.Context) error { return models.ErrNotFound })(c) == nil
}

func (s *Server) staticFile(c echo.Context) error {
	b, ok := s.site.files[c.Param("file")]
	if !ok {
		return echo.ErrNotFound
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	return c.Blob(http.StatusOK, mime.TypeByExtension(path.Ext(c.Param("file"))), b)
}

// view is what a page template is given.
type view struct {
	StoreName string
	Title     string
	User      *models.User
	CSRF      string
	Flash     string
	Path      string
	// Errors holds the problems with the input, by field name as the models give them.
	Errors map[string]string
	// Problems lists them in order, for the summary at the top of the form.
	Problems []models.FieldError
	// Message is a problem that belongs to no one field.
	Message string
	Form    url.Values
	Data    any
}

// navLink is one link of the main navigation and who sees it (nil: everyone).
type navLink struct {
	Href, Label string
	roles       []models.Role
}

// navTable is the main navigation, in order.
var navTable = []navLink{
	// Member groups.
	{"/stock", "Stock", members},
	{"/basket", "Basket", members},
	{"/reservations", "Reservations", members},
	{"/group", "Your group", members},
	// Drivers.
	{"/driver", "Your runs", []models.Role{models.RoleDriver}},
	// Staff at the counter and in the stockroom; managers see all of it and their own pages.
	{"/dashboard", "Dashboard", staff},
	{"/counter", "Counter", staff},
	{"/donations", "Donations", staff},
	{"/stockroom", "Stock", staff}, // the stock list, stocktakes and the wanted list
	{"/furniture", "Furniture", staff},
	{"/pickup-requests", "Collections", staff},
	{"/plans", "Planning", managers},
	{"/reports", "Reports", managers},
	{"/people", "People", managers},
	{"/volunteer-hours", "Volunteers' hours", staff},
	{"/hours", "Your hours", staffDriver},
}

// publicNav is what a signed-out visitor sees.
var publicNav = []navLink{{"/wanted", "Wanted", nil}, {"/pickup", "Ask for a collection", nil}}

// Nav lists the links the person's role may use.
func (v *view) Nav() []navLink {
	if v.User == nil {
		return publicNav
	}
	var links []navLink
	for _, l := range navTable {
		if l.roles == nil || slices.Contains(l.roles, v.User.Role) {
			links = append(links, l)
		}
	}
	return links
}

// Current says whether a link is the page shown.
func (v *view) Current(href string) bool {
	return v.Path == href || strings.HasPrefix(v.Path, href+"/")
}

const pageViewKey = "page_view"

func pageView(c echo.Context) *view { return c.Get(pageViewKey).(*view) }

// startPage sets a page's security headers and its view, with the CSRF token and the
// signed-in person (a session that has ended is forgotten).
func (s *Server) startPage(c echo.Context) (*view, error) {
	h := c.Response().Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	v := &view{StoreName: s.storeName(), Path: c.Request().URL.Path, Errors: map[string]string{}, Form: url.Values{}}
	c.Set(pageViewKey, v)
	v.CSRF = s.csrfToken(c)
	if ck, err := c.Cookie(sessionCookie); err == nil && ck.Value != "" {
		u, err := s.Store.Authenticate(c.Request().Context(), ck.Value)
		switch {
		case err == nil:
			v.User = u
			c.Set(userKey, u)
		case errors.Is(err, models.ErrUnauthorized):
			s.setCookie(c, sessionCookie, "", -1)
		default:
			return v, err
		}
	}
	return v, nil
}

// page wraps a page handler: security headers, the CSRF token, the session, the role,
// and errors drawn as pages rather than problem+json.
func (s *Server) page(roles []models.Role, next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		v, err := s.startPage(c)
		if err != nil {
			return s.errorPage(c, err)
		}
		if ck, err := c.Cookie(flashCookie); err == nil {
			v.Flash, _ = url.QueryUnescape(ck.Value)
			s.setCookie(c, flashCookie, "", -1)
		}
		if c.Request().Method == http.MethodPost && !s.validCSRF(c, v.CSRF) {
			return s.errorPage(c, fmt.Errorf("this form has expired or did not come from this site: "+
				"go back, reload the page and send it again: %w", models.ErrForbidden))
		}
		if roles != nil {
			if v.User == nil {
				return c.Redirect(http.StatusSeeOther, "/sign-in?next="+url.QueryEscape(c.Request().URL.RequestURI()))
			}
			if !slices.Contains(roles, v.User.Role) {
				return s.errorPage(c, fmt.Errorf("this page is for %s: %w", roleNames(roles), models.ErrForbidden))
			}
		}
		if err := next(c); err != nil {
			return s.errorPage(c, err)
		}
		return nil
	}
}

func (s *Server) storeName() string {
	if s.Config.StoreName != "" {
		return s.Config.StoreName
	}
	return "Scrapstore"
}

// csrfToken is the browser's token, made on its first visit and kept in a cookie;
// every form and htmx request must send it back (the double-submit pattern, with the
// cookie SameSite=Lax so that another site cannot read or send it).
func (s *Server) csrfToken(c echo.Context) string {
	if ck, err := c.Cookie(csrfCookie); err == nil && len(ck.Value) == 26 {
		return ck.Value
	}
	return s.newCSRF(c)
}

// newCSRF gives the browser a new token; signing in and out change it.
func (s *Server) newCSRF(c echo.Context) string {
	tok := rand.Text()
	s.setCookie(c, csrfCookie, tok, 0)
	return tok
}

func (s *Server) validCSRF(c echo.Context, want string) bool {
	got := c.Request().Header.Get(csrfHeader)
	if got == "" {
		got = c.FormValue(csrfField)
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// setCookie sets an HttpOnly, SameSite=Lax cookie for the whole site, Secure over HTTPS.
// maxAge 0 lasts the browser session; below 0 deletes it.
func (s *Server) setCookie(c echo.Context, name, value string, maxAge int) {
	c.SetCookie(&http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: c.Request().TLS != nil || s.Config.SecureCookies})
}

// redirect ends an action: a flash message for the next page, then a 303 to it.
func (s *Server) redirect(c echo.Context, to, flash string) error {
	if flash != "" {
		s.setCookie(c, flashCookie, url.QueryEscape(flash), 60)
	}
	return c.Redirect(http.StatusSeeOther, to)
}

// render draws a page in the layout.
func (s *Server) render(c echo.Context, status int, name, title string, data any) error {
	v := pageView(c)
	v.Title, v.Data = title, data
	t, ok := s.site.pages[name]
	if !ok {
		return fmt.Errorf("no page template %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// formProblems shows a validation error next to its fields, keeping what was typed; any
// other error is returned for the error page.
func formProblems(c echo.Context, err error) error {
	v := pageView(c)
	var ve *models.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	form, _ := c.FormParams()
	v.Form = form
	for _, fe := range ve.Errors {
		fe.Message = readable(fe)
		v.Problems = append(v.Problems, fe)
		if _, seen := v.Errors[fe.Field]; !seen {
			v.Errors[fe.Field] = fe.Message
		}
	}
	return nil
}

// readable puts the field's name before a model's message that starts without it, so
// that it reads on its own: "Postcode is required", "Email: give an email address".
func readable(fe models.FieldError) string {
	if fe.Message == "" || !unicode.IsLower(rune(fe.Message[0])) {
		return fe.Message
	}
	name := fe.Field
	if i, rest, ok := strings.Cut(strings.TrimPrefix(name, "lines["), "]."); ok && strings.HasPrefix(name, "lines[") {
		if n, err := strconv.Atoi(i); err == nil {
			name = fmt.Sprintf("line %d %s", n+1, rest)
		}
	}
	name = strings.ReplaceAll(name, "_", " ")
	name = strings.ToUpper(name[:1]) + name[1:]
	for _, verb := range []string{"is ", "must ", "has ", "was "} {
		if strings.HasPrefix(fe.Message, verb) {
			return name + " " + fe.Message
		}
	}
	return name + ": " + fe.Message
}

// formRefusal shows why a form was refused, on the form drawn again: a validation error
// beside its fields, a conflict (stock or a slot gone, say) above them.
func (s *Server) formRefusal(c echo.Context, err error, show func(echo.Context, int) error) error {
	var ce *models.ConflictError
	if errors.As(err, &ce) {
		pageView(c).Message = ce.Detail
		return show(c, http.StatusConflict)
	}
	if err := formProblems(c, err); err != nil {
		return err
	}
	return show(c, http.StatusUnprocessableEntity)
}

// idempotencyField holds the key a creating form was drawn with (see once).
const idempotencyField = "idempotency_key"

// once does a creating form's work once per key the form was drawn with, through the
// API's idempotency records: a double click or a retried post waits for the first and
// goes where it went. A refusal frees the key, so the corrected form may be sent with it.
func (s *Server) once(c echo.Context, do func(ctx context.Context) (to, flash string, err error)) error {
	posted, err := c.FormParams()
	if err != nil {
		return err
	}
	v := pageView(c)
	v.Form = posted // what was typed, for the form drawn again after a refusal
	key := strings.TrimSpace(posted.Get(idempotencyField))
	if key == "" || len(key) > 255 {
		delete(v.Form, idempotencyField)
		return models.Conflict("this form came without its key: check it and send it again")
	}
	hashed := maps.Clone(posted)
	delete(hashed, csrfField)
	sum := sha256.Sum256([]byte(c.Request().URL.Path + "\n" + hashed.Encode()))
	ctx := c.Request().Context()
	var (
		claim *models.IdempotencyClaim
		prev  *models.IdempotencyKey
	)
	for {
		claim, prev, err = s.Store.ClaimIdempotencyKey(ctx, currentUser(c).ID, "web "+key, hex.EncodeToString(sum[:]))
		var ce *models.ConflictError
		if !errors.As(err, &ce) || ce.RetryAfterSeconds == 0 {
			break
		}
		select { // the first post is still being saved: wait for its answer
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	if err != nil {
		// This key cannot be used again: the form is drawn again with a new one.
		v.Form = maps.Clone(posted)
		delete(v.Form, idempotencyField)
		if errors.Is(err, models.ErrIdempotencyMismatch) {
			return models.Conflict("this form was sent already with other values: check them and send it again to make another")
		}
		return err
	}
	if prev != nil {
		return s.redirect(c, string(prev.Response), "This was saved already; here it is.")
	}
	bg := context.WithoutCancel(ctx)
	stopRenewing := s.renewClaim(bg, claim)
	to, flash, err := do(models.WithIdempotencyClaim(bg, claim))
	stopRenewing()
	if err != nil {
		if _, rerr := s.Store.ReleaseIdempotencyKey(bg, claim); rerr != nil {
			return rerr
		}
		return err
	}
	if err := s.Store.FinishIdempotencyKey(bg, claim, http.StatusSeeOther, "text/plain", []byte(to)); err != nil {
		return err
	}
	return s.redirect(c, to, flash)
}

// errorPage draws an error as a page that says what happened and what to do next.
func (s *Server) errorPage(c echo.Context, err error) error {
	v := pageView(c)
	var (
		status = http.StatusInternalServerError
		title  = "Something went wrong"
		ve     *models.ValidationError
		ce     *models.ConflictError
		rl     *models.RateLimitError
		tooBig *http.MaxBytesError
		re     *requestError
	)
	v.Message = err.Error()
	switch {
	case errors.As(err, &tooBig):
		status, title = http.StatusRequestEntityTooLarge, "That is too much to send"
		v.Message = fmt.Sprintf("The form came to more than %d MiB, more than this page takes. Send fewer or smaller photos, "+
			"or a shorter text.", tooBig.Limit>>20)
	case errors.As(err, &re):
		status, title, v.Message = re.Status, http.StatusText(re.Status), re.Detail
	case errors.Is(err, context.Canceled):
		status, title, v.Message = models.StatusClientClosed, "Stopped", "The request was stopped before it was answered."
	case errors.As(err, &ve):
		status, title, v.Message, v.Problems = http.StatusUnprocessableEntity, "Please check what you sent", "", ve.Errors
	case errors.As(err, &ce):
		status, title, v.Message = http.StatusConflict, "That cannot be done now", ce.Detail
	case errors.As(err, &rl):
		status, title, v.Message = http.StatusTooManyRequests, "Too many attempts", waitMessage(c, rl)
	case errors.Is(err, models.ErrNotFound):
		status, title, v.Message = http.StatusNotFound, "Page not found", ""
	case errors.Is(err, models.ErrForbidden):
		status, title = http.StatusForbidden, "You may not do that"
		v.Message = strings.TrimSuffix(err.Error(), ": "+models.ErrForbidden.Error())
	default:
		v.Message = "Please try again in a minute. If it keeps happening, tell the store and quote " +
			c.Response().Header().Get(echo.HeaderXRequestID) + "."
		s.Logger.ErrorContext(c.Request().Context(), "internal error", "request_id", c.Response().Header().Get(echo.HeaderXRequestID),
			"method", c.Request().Method, "route", c.Path(), "error", err.Error())
	}
	if rerr := s.render(c, status, "error", title, status); rerr != nil {
		return rerr
	}
	return nil
}

// waitMessage tells the person, and their browser by Retry-After, how long to wait.
func waitMessage(c echo.Context, rl *models.RateLimitError) string {
	c.Response().Header().Set("Retry-After", strconv.Itoa(rl.RetryAfterSeconds))
	mins := (rl.RetryAfterSeconds + 59) / 60
	if mins <= 1 {
		return "Too many tries in a short time. Please wait a minute and try again."
	}
	return fmt.Sprintf("Too many tries in a short time. Please wait %d minutes and try again.", mins)
}

// localPath is next if it is a path on this site, else "/": a sign-in link must not send
// anyone to another site.
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

// field is one input of a form: its label, what was typed and its problem.
type field struct {
	Name, Label, Type, Value, Error string
	Auto                            string // the autocomplete token, if any
}

func newField(v *view, name, label, typ string, autocomplete ...string) field {
	f := field{Name: name, Label: label, Type: typ, Value: v.Form.Get(name), Error: v.Errors[name]}
	if len(autocomplete) > 0 {
		f.Auto = autocomplete[0]
	}
	return f
}

// ukDay writes a date as people in the UK do: 26 Nov 2026 (a time, on the day it is in loc).
func ukDay(loc *time.Location, d any) string {
	switch t := d.(type) {
	case models.Date:
		return t.Format("2 Jan 2006")
	case *models.Date:
		if t == nil {
			return ""
		}
		return t.Format("2 Jan 2006")
	case time.Time:
		return t.In(loc).Format("2 Jan 2006")
	case *time.Time:
		if t == nil {
			return ""
		}
		return t.In(loc).Format("2 Jan 2006")
	}
	return fmt.Sprint(d)
}

// ukSlot writes a visit slot: Thu 27 Nov 2026, 10:00 to 11:00.
func ukSlot(loc *time.Location, start, end time.Time) string {
	return start.In(loc).Format("Mon 2 Jan 2006, 15:04") + " to " + end.In(loc).Format("15:04")
}

// kg writes a weight, kept in grams (models.Grams), added up in kilograms (models.Kg)
// or worked out on the page (float64), with at most one decimal.
func kg(w any) string {
	var v float64
	switch w := w.(type) {
	case models.Grams:
		v = float64(w.Kg())
	case models.Kg:
		v = float64(w)
	case float64:
		v = w
	default:
		return fmt.Sprint(w) + " kg"
	}
	return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) + " kg"
}

// quantity writes a quantity, kept in thousandths (models.Milli) or quarter hours
// (models.Quarters) or worked out on the page (float64), as it is: 2.5.
func quantity(q any) string {
	switch q := q.(type) {
	case models.Milli:
		return q.String()
	case models.Quarters:
		return q.String()
	case *models.Milli:
		if q != nil {
			return q.String()
		}
	case float64:
		return strconv.FormatFloat(q, 'f', -1, 64)
	}
	return fmt.Sprint(q)
}

// roleNames says who a page is for: "member groups", "managers or staff".
func roleNames(roles []models.Role) string {
	names := map[models.Role]string{models.RoleManager: "managers", models.RoleStaff: "staff",
		models.RoleDriver: "drivers", models.RoleMember: "member groups"}
	var out []string
	for _, r := range roles {
		out = append(out, names[r])
	}
	return strings.Join(out, " or ")
}

// plural is one or many, as n says: 1 stop, 2 stops.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// words writes a status or condition as it is said: "in_repair" is "in repair".
func words(s any) string { return strings.ReplaceAll(fmt.Sprint(s), "_", " ") }

package api

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/reports"
)

// The furniture pages, for staff: register an item with photos, find it by the tag a
// scanner types, move it through its safety checks, reserve it and hand it over, and
// print labels. Each calls the same Store method as the API.

func (s *Server) furniturePages() []pageRoute {
	return []pageRoute{
		{http.MethodGet, "/furniture", staff, s.furnitureListPage},
		{http.MethodGet, "/furniture/find", staff, s.findFurniturePage},
		{http.MethodGet, "/furniture/new", staff, s.newFurniturePage},
		{http.MethodPost, "/furniture", staff, s.registerFurniturePage},
		{http.MethodGet, "/furniture/labels.pdf", staff, s.furnitureLabelSheet},
		{http.MethodGet, "/furniture/:id", staff, s.furniturePage},
		{http.MethodGet, "/furniture/:id/label.pdf", staff, s.furnitureLabel},
		{http.MethodGet, "/furniture/:id/photos/:photo_id", staff, queried[photoQuery](s.getPhoto)},
		{http.MethodPost, "/furniture/:id/photos", staff, s.addFurniturePhotos},
		{http.MethodPost, "/furniture/:id/fire-label", staff, s.fireLabelChecked},
		{http.MethodPost, "/furniture/:id/safety-test", staff, s.safetyTestPage},
		{http.MethodPost, "/furniture/:id/status", staff, s.furnitureStatusPage},
		{http.MethodPost, "/furniture/:id/reserve", staff, s.reserveFurniturePage},
		{http.MethodPost, "/furniture/:id/recipients", staff, s.addRecipientPage},
		{http.MethodPost, "/furniture/:id/handover", staff, s.handOverPage},
	}
}

// maxFormPhotos is how many photos one form may send; photoFormBody the largest body.
const (
	maxFormPhotos = 4
	photoFormBody = maxFormPhotos*models.MaxPhotoBytes + MaxBody
)

// nextPageLink is the address of a list's next page: base with this page's query and
// the next cursor; none when there is no next page.
func nextPageLink(c echo.Context, base, next string) string {
	if next == "" {
		return ""
	}
	q := c.Request().URL.Query()
	q.Set("cursor", next)
	return base + "?" + q.Encode()
}

// choice is one option of a select or a radio group.
type choice struct{ Value, Label string }

func choices(values []string) []choice {
	out := make([]choice, len(values))
	for i, v := range values {
		out[i] = choice{v, words(v)}
	}
	return out
}

// idChoice is an option for an object, by its id.
func idChoice(id int64, label string) choice { return choice{strconv.FormatInt(id, 10), label} }

// selectField is one select of a form: its label, its options, what was chosen and its problem.
type selectField struct {
	Name, Label, Value, Error, Empty string
	Options                          []choice
}

// newSelect makes a select from what the view's form holds; empty, unless "", is the
// option for none.
func newSelect(v *view, name, label string, options []choice, empty string) selectField {
	return selectField{Name: name, Label: label, Value: v.Form.Get(name), Error: v.Errors[name], Empty: empty, Options: options}
}

// furnitureTypes are the kinds of furniture by name, and by id.
func (s *Server) furnitureTypes(c echo.Context) ([]models.FurnitureType, map[int64]*models.FurnitureType, error) {
	list, _, err := s.Store.FurnitureTypes(c.Request().Context(), models.Page{Limit: models.MaxLimit})
	byID := make(map[int64]*models.FurnitureType, len(list))
	for i := range list {
		byID[list[i].ID] = &list[i]
	}
	return list, byID, err
}

type furnitureRow struct {
	Item models.FurnitureItem
	Type string
}

type furnitureListView struct {
	Rows     []furnitureRow
	Types    []choice
	Statuses []choice
	Next     string
}

func (s *Server) furnitureListPage(c echo.Context) error {
	return s.showFurnitureList(c, http.StatusOK)
}

// showFurnitureList is the list with its filters, the tag look-up box and the labels to print.
func (s *Server) showFurnitureList(c echo.Context, status int) error {
	v := pageView(c)
	q := query{c: c}
	f := models.FurnitureFilter{TypeID: q.int64("type_id"), Status: q.str("status"), Q: strings.TrimSpace(q.str("q"))}
	for _, k := range []string{"type_id", "status", "q"} {
		v.Form.Set(k, c.QueryParam(k))
	}
	if q.err != nil {
		return q.err
	}
	items, next, err := s.Store.ListFurniture(c.Request().Context(), f, models.Page{Limit: 25, Cursor: c.QueryParam("cursor")})
	if err != nil {
		return err
	}
	types, byID, err := s.furnitureTypes(c)
	if err != nil {
		return err
	}
	lv := furnitureListView{Statuses: choices(models.FurnitureStatuses)}
	for _, t := range types {
		lv.Types = append(lv.Types, idChoice(t.ID, t.Name))
	}
	for _, it := range items {
		lv.Rows = append(lv.Rows, furnitureRow{Item: it, Type: byID[it.TypeID].Name})
	}
	lv.Next = nextPageLink(c, "/furniture", next)
	return s.render(c, status, "furniture", "Furniture", lv)
}

// findFurniturePage opens the item whose tag was typed, as a barcode scanner types it
// followed by Enter; an unknown tag says so on the list, with the tag kept to correct.
func (s *Server) findFurniturePage(c echo.Context) error {
	tag := strings.TrimSpace(c.QueryParam("tag"))
	if tag == "" {
		return s.redirect(c, "/furniture", "Type or scan a tag, such as FN-000123.")
	}
	it, err := s.Store.FurnitureByTag(c.Request().Context(), tag)
	if err == nil {
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/furniture/%d", it.ID))
	}
	if !errors.Is(err, models.ErrNotFound) {
		return err
	}
	v := pageView(c)
	v.Form.Set("tag", tag)
	v.Errors["tag"] = fmt.Sprintf("No item has the tag %s. Check it against the label and try again.", tag)
	c.QueryParams().Del("tag")
	return s.showFurnitureList(c, http.StatusNotFound)
}

// photoLimits are what a photo field takes, for the page to check before sending.
type photoLimits struct{ MaxPhotos, MaxPhotoBytes int }

var formPhotoLimits = photoLimits{maxFormPhotos, models.MaxPhotoBytes}

type furnitureFormView struct {
	photoLimits
	Types      []choice
	Conditions []choice
}

func (s *Server) newFurniturePage(c echo.Context) error { return s.showFurnitureForm(c, http.StatusOK) }

func (s *Server) showFurnitureForm(c echo.Context, status int) error {
	types, _, err := s.furnitureTypes(c)
	if err != nil {
		return err
	}
	fv := furnitureFormView{photoLimits: formPhotoLimits, Conditions: choices(models.FurnitureConditions)}
	for _, t := range types {
		label := t.Name
		if t.Upholstered {
			label += " (upholstered)"
		}
		if t.Electrical {
			label += " (electrical)"
		}
		fv.Types = append(fv.Types, idChoice(t.ID, label))
	}
	return s.render(c, status, "furniture_new", "Register furniture", fv)
}

// registerFurniturePage registers an item from the form, then keeps its photos; a photo
// the Store refuses leaves the item registered and says which photo and why.
func (s *Server) registerFurniturePage(c echo.Context) error {
	var p models.Problems
	in := models.FurnitureInput{}
	if typeID, err := strconv.ParseInt(c.FormValue("type_id"), 10, 64); err == nil {
		in.TypeID = &typeID
	}
	description, condition, colour := c.FormValue("description"), c.FormValue("condition"), c.FormValue("colour")
	in.Description, in.Colour = &description, &colour
	if condition != "" {
		in.Condition = &condition
	}
	if strings.TrimSpace(c.FormValue("weight_kg")) != "" {
		w := formNumber(&p, c, "weight_kg")
		in.WeightKg = &w
	}
	fire := c.FormValue("fire_label_checked") != ""
	in.FireLabelChecked = &fire
	photos, err := formPhotos(&p, c)
	if err != nil {
		return err
	}
	err = p.Err()
	if err == nil {
		var it *models.FurnitureItem
		it, err = s.Store.RegisterFurniture(c.Request().Context(), currentUser(c), in, s.today())
		if err == nil {
			return s.redirect(c, fmt.Sprintf("/furniture/%d", it.ID), "Registered as "+it.Tag+". "+s.keepPhotos(c, it.ID, photos))
		}
	}
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		for i, fe := range ve.Errors {
			if fe.Field == "type_id" && fe.Message == "is required" {
				ve.Errors[i].Message = "Choose the type of furniture"
			}
		}
	}
	if err := formProblems(c, err); err != nil {
		return err
	}
	if v := pageView(c); len(photos) > 0 && v.Errors["photos"] == "" {
		// A browser never fills a file input in again: say so beside it.
		v.Errors["photos"] = "Choose the photos again: nothing was registered, so they were not kept"
	}
	return s.showFurnitureForm(c, http.StatusUnprocessableEntity)
}

// formPhotos are the files chosen in the form's photos field (none is none).
func formPhotos(p *models.Problems, c echo.Context) ([]*multipart.FileHeader, error) {
	form, err := c.MultipartForm()
	if err != nil {
		if errors.Is(err, http.ErrNotMultipart) {
			return nil, nil
		}
		return nil, err
	}
	var out []*multipart.FileHeader
	for _, fh := range form.File["photos"] {
		if fh.Size > 0 {
			out = append(out, fh)
		}
	}
	if len(out) > maxFormPhotos {
		p.Add("photos", "Choose at most %d photos at a time", maxFormPhotos)
	}
	return out, nil
}

// keepPhotos gives each photo to the Store and says what became of them.
func (s *Server) keepPhotos(c echo.Context, itemID int64, photos []*multipart.FileHeader) string {
	var kept int
	var refused []string
	for _, fh := range photos {
		_, err := s.addPhotoFile(c, itemID, fh)
		if err == nil {
			kept++
			continue
		}
		why := "it could not be kept; try again"
		var ve *models.ValidationError
		if errors.As(err, &ve) && len(ve.Errors) > 0 {
			why = ve.Errors[0].Message
		} else {
			s.Logger.ErrorContext(c.Request().Context(), "keep photo", "item_id", itemID, "error", err.Error())
		}
		refused = append(refused, fmt.Sprintf("%s was not kept: %s.", fh.Filename, why))
	}
	msg := ""
	switch {
	case kept == 1:
		msg = "1 photo kept."
	case kept > 1:
		msg = fmt.Sprintf("%d photos kept.", kept)
	}
	return strings.TrimSpace(msg + " " + strings.Join(refused, " "))
}

// pounds writes pence as pounds for a form: 1250 is 12.50.
func pounds(pence int64) string { return strconv.FormatFloat(float64(pence)/100, 'f', 2, 64) }

// safetyRule is one check an item needs before it can be available, and whether it is met.
type safetyRule struct {
	Rule string
	Met  bool
}

type furnitureView struct {
	photoLimits
	Item       *models.FurnitureItem
	Type       *models.FurnitureType
	Rules      []safetyRule
	Tests      []models.SafetyTest
	History    []models.StatusChange
	Moves      []choice
	CanDispose bool
	Routes     []choice
	AfterFail  []choice
	Methods    []choice
	Recipients []choice
	Recipient  *models.Recipient
	Photos     []photoLink
}

// photoLink is one of an item's photos and its number, from 1.
type photoLink struct{ ID, N int64 }

// Safe says whether every safety rule is met.
func (fv furnitureView) Safe() bool {
	for _, r := range fv.Rules {
		if !r.Met {
			return false
		}
	}
	return true
}

func (s *Server) furniturePage(c echo.Context) error { return s.showFurniture(c, http.StatusOK) }

func (s *Server) showFurniture(c echo.Context, status int) error {
	ctx := c.Request().Context()
	it, err := s.furnitureItem(c)
	if err != nil {
		return err
	}
	_, types, err := s.furnitureTypes(c)
	if err != nil {
		return err
	}
	moves := models.NextFurnitureStatuses(it.Status)
	fv := furnitureView{Item: it, Type: types[it.TypeID], Moves: choices(moves), CanDispose: slices.Contains(moves, models.FurnDisposed),
		Routes: choices(models.DisposalRoutes), AfterFail: choices(models.AfterFailureStatuses), Methods: choices(models.HandoverMethods),
		photoLimits: formPhotoLimits}
	for i, id := range it.PhotoIDs {
		fv.Photos = append(fv.Photos, photoLink{id, int64(i) + 1})
	}
	v := pageView(c)
	for name, value := range map[string]string{"tested_on": s.today().String(), "on": s.today().String(), "charge": pounds(it.ChargePence),
		"recipient_id": c.QueryParam("recipient_id")} {
		if !v.Form.Has(name) {
			v.Form.Set(name, value)
		}
	}
	if fv.Tests, err = s.Store.SafetyTests(ctx, it.ID); err != nil {
		return err
	}
	if fv.Type.Upholstered {
		fv.Rules = append(fv.Rules, safetyRule{"Its fire-safety label is checked", it.FireLabelChecked})
	}
	if fv.Type.Electrical {
		fv.Rules = append(fv.Rules, safetyRule{"It has passed an electrical safety test", len(fv.Tests) > 0 && fv.Tests[0].Passed})
	}
	if fv.History, err = s.Store.StatusHistory(ctx, it.ID); err != nil {
		return err
	}
	switch {
	case it.RecipientID != nil:
		if fv.Recipient, err = s.Store.GetRecipient(ctx, *it.RecipientID); err != nil {
			return err
		}
	case it.Status == models.FurnAvailable:
		list, _, err := s.Store.ListRecipients(ctx, "", "", models.Page{Limit: models.MaxLimit})
		if err != nil {
			return err
		}
		for _, r := range list {
			label := r.Name
			if r.Postcode != "" {
				label += " (" + r.Postcode + ")"
			}
			fv.Recipients = append(fv.Recipients, idChoice(r.ID, label))
		}
	}
	return s.render(c, status, "furniture_item", it.Tag+": "+fv.Type.Name, fv)
}

// furnitureAction does one change to the item of the path, then goes back to its page
// with a message; a refusal is shown on the page, beside the field or above it.
func (s *Server) furnitureAction(c echo.Context, do func(id int64) (string, error)) error {
	return s.furnitureActionTo(c, func(id int64) (string, string, error) {
		msg, err := do(id)
		return "", msg, err
	})
}

// furnitureActionTo is furnitureAction whose change may add a query to the item's address.
func (s *Server) furnitureActionTo(c echo.Context, do func(id int64) (query, msg string, err error)) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	q, msg, err := do(id)
	if err == nil {
		return s.redirect(c, fmt.Sprintf("/furniture/%d%s", id, q), msg)
	}
	return s.formRefused(c, err, s.showFurniture)
}

func (s *Server) addFurniturePhotos(c echo.Context) error {
	return s.furnitureAction(c, func(id int64) (string, error) {
		if _, err := s.Store.Furniture(c.Request().Context(), id); err != nil {
			return "", err
		}
		var p models.Problems
		photos, err := formPhotos(&p, c)
		if err == nil && len(photos) == 0 {
			p.Add("photos", "Choose a photo, or take one")
		}
		if err == nil {
			err = p.Err()
		}
		if err != nil {
			return "", err
		}
		return s.keepPhotos(c, id, photos), nil
	})
}

func (s *Server) fireLabelChecked(c echo.Context) error {
	return s.furnitureAction(c, func(id int64) (string, error) {
		checked := true
		_, err := s.Store.UpdateFurniture(c.Request().Context(), currentUser(c), id, models.FurnitureInput{FireLabelChecked: &checked}, s.today())
		return "Fire-safety label recorded as checked.", err
	})
}

func (s *Server) safetyTestPage(c echo.Context) error {
	return s.furnitureAction(c, func(id int64) (string, error) {
		var p models.Problems
		on := formDate(&p, c, "tested_on")
		result := c.FormValue("passed")
		if result != "yes" && result != "no" {
			p.Add("passed", "Say whether it passed or failed")
		}
		if err := p.Err(); err != nil {
			return "", err
		}
		it, err := s.Store.RecordSafetyTest(c.Request().Context(), currentUser(c), id, on, c.FormValue("tester"), result == "yes",
			c.FormValue("notes"), c.FormValue("after_failure"), s.today())
		if err != nil {
			return "", err
		}
		if result == "yes" {
			return "Safety test recorded: passed.", nil
		}
		return "Safety test recorded: failed; the item is now " + words(it.Status) + ".", nil
	})
}

func (s *Server) furnitureStatusPage(c echo.Context) error {
	return s.furnitureAction(c, func(id int64) (string, error) {
		to := c.FormValue("status")
		route := ""
		if to == models.FurnDisposed {
			route = c.FormValue("disposal_route")
		}
		it, err := s.Store.ChangeFurnitureStatus(c.Request().Context(), currentUser(c), id, to, c.FormValue("reason"), route)
		if err != nil {
			return "", err
		}
		return it.Tag + " is now " + words(it.Status) + ".", nil
	})
}

func (s *Server) reserveFurniturePage(c echo.Context) error {
	return s.furnitureAction(c, func(id int64) (string, error) {
		rid, err := strconv.ParseInt(c.FormValue("recipient_id"), 10, 64)
		if err != nil {
			return "", models.Invalid("recipient_id", "Choose who it is for")
		}
		it, err := s.Store.ReserveFurniture(c.Request().Context(), currentUser(c), id, rid)
		if err != nil {
			return "", err
		}
		return it.Tag + " is reserved.", nil
	})
}

// addRecipientPage adds a household from the item's page, then offers it, chosen, to
// reserve the item for.
func (s *Server) addRecipientPage(c echo.Context) error {
	return s.furnitureActionTo(c, func(id int64) (string, string, error) {
		if _, err := s.Store.Furniture(c.Request().Context(), id); err != nil {
			return "", "", err
		}
		kind := "household"
		in := models.RecipientInput{Kind: &kind}
		for name, dst := range map[string]**string{"name": &in.Name, "agency": &in.Agency, "reference": &in.Reference, "contact": &in.Contact,
			"postcode": &in.Postcode, "needs": &in.Needs} {
			v := c.FormValue(name)
			*dst = &v
		}
		r, err := s.Store.CreateRecipient(c.Request().Context(), currentUser(c), in)
		if err != nil {
			return "", "", err
		}
		return fmt.Sprintf("?recipient_id=%d#h-reserve", r.ID), r.Name + " is added: reserve the item for them below.", nil
	})
}

func (s *Server) handOverPage(c echo.Context) error {
	return s.furnitureAction(c, func(id int64) (string, error) {
		var p models.Problems
		in := models.HandoverInput{Method: c.FormValue("method"), On: formDate(&p, c, "on"), ReceivedBy: c.FormValue("received_by")}
		pounds := formNumber(&p, c, "charge")
		if pounds < 0 || pounds > 10_000 || math.IsNaN(pounds) {
			p.Add("charge", "must be between £0 and £10,000")
		}
		in.ChargePence = int64(math.Round(pounds * 100))
		if err := p.Err(); err != nil {
			return "", err
		}
		h, err := s.Store.HandOver(c.Request().Context(), currentUser(c), id, in, s.today())
		if err != nil {
			return "", err
		}
		if h.Method == "delivered" {
			return "Handed over: the delivery waits to be planned.", nil
		}
		return "Handed over.", nil
	})
}

// furnitureLabelSheet is the A4 sheet of labels for the items ticked on the list.
func (s *Server) furnitureLabelSheet(c echo.Context) error {
	var ids []int64
	for _, raw := range c.QueryParams()["id"] {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return models.Invalid("id", "%q is not an item", raw)
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return s.redirect(c, "/furniture", "Tick the items whose labels you want, then print.")
	}
	if len(ids) > 500 {
		return models.Invalid("id", "Print at most 500 labels at a time")
	}
	return s.labelSheet(c, ids)
}

// labelSheet answers with an A4 sheet of labels for the items.
func (s *Server) labelSheet(c echo.Context, ids []int64) error {
	labels, err := s.labelsFor(c, ids)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := reports.LabelSheet(&buf, labels); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `inline; filename="labels.pdf"`)
	return c.Blob(http.StatusOK, "application/pdf", buf.Bytes())
}

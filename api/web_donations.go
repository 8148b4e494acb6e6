package api

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/scrapstore/scrapstore/models"
)

// The donations pages, for staff at the counter: a keyboard-first entry form whose save is
// idempotent, the donation's page with the stock its lines went to, and a void.

func (s *Server) donationPages() []pageRoute {
	return []pageRoute{
		{http.MethodGet, "/donations", staff, s.donationsPage},
		{http.MethodGet, "/donations/new", staff, s.donationFormPage},
		{http.MethodPost, "/donations", staff, s.saveDonation},
		{http.MethodGet, "/donations/donors", staff, s.donorChoices},
		{http.MethodGet, "/donations/:id", staff, s.donationPage},
		{http.MethodGet, "/donations/:id/void", staff, s.voidDonationPage},
		{http.MethodPost, "/donations/:id/void", staff, s.voidDonationForm},
	}
}

// maxFormLines is the most lines a donation or walk-in form takes, as the models allow.
const maxFormLines = 200

// formLineCount is how many lines a form with numbered lines (lines[0].x, …) should
// show: those posted, one more when "Add a line" was pressed, and at least least.
func formLineCount(form url.Values, least int) int {
	n := 0
	for k := range form {
		if i, _, ok := strings.Cut(strings.TrimPrefix(k, "lines["), "]"); ok && strings.HasPrefix(k, "lines[") {
			if j, err := strconv.Atoi(i); err == nil && j >= n && j < maxFormLines {
				n = j + 1
			}
		}
	}
	if form.Get("add") != "" && n < maxFormLines {
		n++
	}
	return max(n, least)
}

// lineField names a line's field: lines[2].quantity.
func lineField(i int, name string) string { return fmt.Sprintf("lines[%d].%s", i, name) }

// listField is an input that suggests from a <datalist> as one types.
type listField struct {
	field
	List string
}

// donationLine is one line of the entry form.
type donationLine struct {
	N                             int
	Category, Unit                listField
	Description, Quantity, Weight field
	Location                      field
}

type donationFormView struct {
	Lines      []donationLine
	Locations  []models.Location
	Categories []models.CategoryView
	Units      []string
	Channels   []channel
	// Weights is, by category name in lower case, the kg of each unit ("units") and
	// the default unit ("defaults"), for the page's script to estimate a line's weight.
	Weights string
}

func (s *Server) donationFormPage(c echo.Context) error {
	return s.showDonationForm(c, http.StatusOK)
}

// showDonationForm draws the entry form with what was typed; the last location chosen
// is the next line's.
func (s *Server) showDonationForm(c echo.Context, status int) error {
	ctx := c.Request().Context()
	v := pageView(c)
	newFormKey(v)
	cats, _, err := s.Store.ListCategories(ctx, models.Page{Limit: models.MaxLimit}, s.today())
	if err != nil {
		return err
	}
	active := true
	locs, _, err := s.Store.ListLocations(ctx, &active, models.Page{Limit: models.MaxLimit})
	if err != nil {
		return err
	}
	weights, defaults := map[string]map[string]float64{}, map[string]string{}
	for _, cat := range cats {
		w := map[string]float64{"kg": 1}
		maps.Copy(w, cat.UnitWeightsKg)
		weights[strings.ToLower(cat.Name)], defaults[strings.ToLower(cat.Name)] = w, cat.DefaultUnit
	}
	js, err := json.Marshal(map[string]any{"units": weights, "defaults": defaults})
	if err != nil {
		return err
	}
	fv := donationFormView{Locations: locs, Categories: cats, Units: models.Units, Channels: channels(), Weights: string(js)}
	last := ""
	for i := range formLineCount(v.Form, 1) {
		f := func(name, label, typ string) field { return newField(v, lineField(i, name), label, typ) }
		l := donationLine{N: i + 1, Category: listField{f("category_id", "Category", "text"), "categories"},
			Description: f("description", "Description", "text"), Quantity: f("quantity", "Quantity", "number"),
			Unit: listField{f("unit", "Unit", "text"), "units"}, Weight: f("weight_kg", "Weighed kg", "number"),
			Location: f("location_id", "Location", "")}
		if l.Location.Value == "" {
			l.Location.Value = last
		}
		last = l.Location.Value
		fv.Lines = append(fv.Lines, l)
	}
	return s.render(c, status, "donation_new", "Log a donation", fv)
}

// channel is a way a donation comes in, as the pages say it.
type channel struct{ Value, Label string }

var channelLabels = map[string]string{"drop_off": "Dropped off", "collection": "Collected by our van", "other": "Other"}

func channels() []channel {
	out := make([]channel, len(models.Channels))
	for i, ch := range models.Channels {
		out[i] = channel{ch, channelLabels[ch]}
	}
	return out
}

// Channel says how the donation came.
func (dv *donationView) Channel() string { return channelLabels[dv.D.Channel] }

// donorName is who gave a donation, looked up once per donor in known.
func (s *Server) donorName(ctx context.Context, id *int64, known map[int64]string) (string, error) {
	if id == nil {
		return "Anonymous", nil
	}
	if known[*id] == "" {
		d, err := s.Store.Donor(ctx, *id)
		if err != nil {
			return "", err
		}
		known[*id] = donorLabel(*d)
	}
	return known[*id], nil
}

// donorLabel is how a donor is offered and typed back: "Albion Print · B70 6AU".
func donorLabel(d models.Donor) string {
	if d.Postcode == "" {
		return d.Name
	}
	return d.Name + " · " + d.Postcode
}

// findDonor reads the donor typed: empty is anonymous; otherwise the donor offered with
// that label, or the only one whose name or postcode has it in.
func (s *Server) findDonor(ctx context.Context, p *models.Problems, typed string) *int64 {
	typed = strings.TrimSpace(typed)
	if typed == "" {
		return nil
	}
	name, _, _ := strings.Cut(typed, " · ")
	for _, q := range []string{name, typed} {
		found, _, err := s.Store.ListDonors(ctx, q, nil, models.Page{Limit: 20})
		if err != nil {
			p.Add("donor", "The donors could not be searched; try again")
			return nil
		}
		for _, d := range found {
			if strings.EqualFold(donorLabel(d), typed) || (q == typed && len(found) == 1) {
				return &d.ID
			}
		}
	}
	p.Add("donor", "No one donor matches %q: choose one from the list, or leave it empty for an anonymous donation", typed)
	return nil
}

// donationInput reads the entry form; a line left empty is skipped.
func (s *Server) donationInput(c echo.Context, cats []models.CategoryName) (in models.DonationInput, rows []int, err error) {
	var p models.Problems
	in = models.DonationInput{DonorID: s.findDonor(c.Request().Context(), &p, c.FormValue("donor")), Channel: c.FormValue("channel"),
		Notes: c.FormValue("notes")}
	form, _ := c.FormParams()
	for i := range formLineCount(form, 0) {
		get := func(name string) string { return strings.TrimSpace(c.FormValue(lineField(i, name))) }
		if get("category_id") == "" && get("description") == "" && get("quantity") == "" && get("weight_kg") == "" {
			continue
		}
		l := models.DonationLineInput{Description: get("description"), Unit: get("unit")}
		for _, cat := range cats {
			if strings.EqualFold(cat.Name, get("category_id")) {
				l.CategoryID = &cat.ID
				if l.Description == "" {
					l.Description = cat.Name
				}
			}
		}
		if l.CategoryID == nil {
			p.Add(lineField(i, "category_id"), "Choose a category from the list")
		}
		if id, err := strconv.ParseInt(get("location_id"), 10, 64); err == nil {
			l.LocationID = &id
		} else {
			p.Add(lineField(i, "location_id"), "Choose where it goes")
		}
		l.Quantity = formNumber(&p, c, lineField(i, "quantity"))
		if get("weight_kg") != "" {
			kg := formNumber(&p, c, lineField(i, "weight_kg"))
			l.WeightKg = &kg
		}
		in.Lines = append(in.Lines, l)
		rows = append(rows, i)
	}
	return in, rows, p.Err()
}

// renumberLines names a model's problems with a line by the form's numbers, which
// differ from the model's when an empty line was skipped: rows[n] is model line n's.
func renumberLines(err error, rows []int) error {
	var ve *models.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	for i, fe := range ve.Errors {
		n, rest, ok := strings.Cut(strings.TrimPrefix(fe.Field, "lines["), "].")
		if j, cerr := strconv.Atoi(n); ok && cerr == nil && strings.HasPrefix(fe.Field, "lines[") && j < len(rows) {
			ve.Errors[i].Field = lineField(rows[j], rest)
		}
	}
	return err
}

func (s *Server) saveDonation(c echo.Context) error {
	if c.FormValue("add") != "" {
		v := pageView(c)
		v.Form, _ = c.FormParams()
		return s.showDonationForm(c, http.StatusOK)
	}
	err := s.once(c, func(ctx context.Context) (string, string, error) {
		cats, _, err := s.Store.CategoryNames(ctx, models.Page{Limit: models.MaxLimit})
		if err != nil {
			return "", "", err
		}
		in, rows, err := s.donationInput(c, cats)
		if err != nil {
			return "", "", err
		}
		d, err := s.Store.ReceiveDonation(ctx, currentUser(c), in)
		if err != nil {
			return "", "", renumberLines(err, rows)
		}
		return fmt.Sprintf("/donations/%d", d.ID), fmt.Sprintf("Donation saved: %d %s, %s.", len(d.Lines), plural(len(d.Lines), "line", "lines"),
			kg(donationKg(d))), nil
	})
	if err != nil {
		return s.formRefusal(c, err, s.showDonationForm)
	}
	return nil
}

func donationKg(d *models.Donation) float64 {
	var total float64
	for _, l := range d.Lines {
		total += float64(l.WeightG.Kg())
	}
	return total
}

// donationView is a donation with its donor and the stock items its lines went to.
type donationView struct {
	D       *models.Donation
	Donor   string
	Items   map[int64]shelfItem
	TotalKg float64
}

// shelfItem is a stock item and the kg of it on the shelf.
type shelfItem struct {
	*models.StockItem
	OnHandKg float64
}

func (s *Server) loadDonationView(c echo.Context) (*donationView, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	ctx := c.Request().Context()
	d, err := s.Store.Donation(ctx, id)
	if err != nil {
		return nil, err
	}
	dv := &donationView{D: d, Items: map[int64]shelfItem{}, TotalKg: donationKg(d)}
	if dv.Donor, err = s.donorName(ctx, d.DonorID, map[int64]string{}); err != nil {
		return nil, err
	}
	for _, l := range d.Lines {
		it, err := s.Store.StockItem(ctx, l.StockItemID)
		if err != nil {
			return nil, err
		}
		dv.Items[l.StockItemID] = shelfItem{it, it.OnHandMilli.Quantity() * float64(it.GramsPerUnit.Kg())}
	}
	return dv, nil
}

func (s *Server) donationPage(c echo.Context) error {
	dv, err := s.loadDonationView(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "donation", fmt.Sprintf("Donation %d", dv.D.ID), dv)
}

func (s *Server) voidDonationPage(c echo.Context) error {
	return s.showVoid(c, http.StatusOK)
}

func (s *Server) showVoid(c echo.Context, status int) error {
	dv, err := s.loadDonationView(c)
	if err != nil {
		return err
	}
	return s.render(c, status, "donation_void", fmt.Sprintf("Void donation %d?", dv.D.ID), dv)
}

func (s *Server) voidDonationForm(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if _, err = s.Store.VoidDonation(c.Request().Context(), currentUser(c), id, c.FormValue("reason")); err == nil {
		return s.redirect(c, fmt.Sprintf("/donations/%d", id), "Donation voided: its stock is taken off the shelves.")
	}
	return s.formRefusal(c, err, s.showVoid)
}

// donationsView is a page of donations, newest first, with their donors.
type donationsView struct {
	Donations []models.Donation
	Donors    map[int64]string // by donation
	Kg        map[int64]float64
	Next      string
}

func (s *Server) donationsPage(c echo.Context) error {
	ctx := c.Request().Context()
	list, next, err := s.Store.ListDonations(ctx, models.DonationFilter{}, models.Page{Limit: 25, Cursor: c.QueryParam("cursor")})
	if err != nil {
		return err
	}
	names := map[int64]string{}
	dv := donationsView{Donations: list, Donors: map[int64]string{}, Kg: map[int64]float64{}}
	for _, d := range list {
		dv.Kg[d.ID] = donationKg(&d)
		if dv.Donors[d.ID], err = s.donorName(ctx, d.DonorID, names); err != nil {
			return err
		}
	}
	if next != "" {
		dv.Next = "/donations?cursor=" + next
	}
	return s.render(c, http.StatusOK, "donations", "Donations", dv)
}

// choicesView is a list to choose from as one types: a <datalist> that htmx swaps into
// a form, and a plain list on its own page.
type choicesView struct {
	ID, Field, Action, Label string
	Options                  []string
}

// donorChoices offers the donors whose name or postcode has what was typed in.
func (s *Server) donorChoices(c echo.Context) error {
	q := strings.TrimSpace(c.QueryParam("donor"))
	pageView(c).Form.Set("donor", q)
	cv := choicesView{ID: "donors", Field: "donor", Action: "/donations/donors", Label: "Donor's name or postcode"}
	if q != "" {
		found, _, err := s.Store.ListDonors(c.Request().Context(), q, nil, models.Page{Limit: 20})
		if err != nil {
			return err
		}
		for _, d := range found {
			cv.Options = append(cv.Options, donorLabel(d))
		}
	}
	return s.render(c, http.StatusOK, "counter_choices", "Find a donor", cv)
}

// newFormKey gives a creating form drawn afresh its idempotency key; one drawn again
// with problems keeps the key it was sent with.
func newFormKey(v *view) {
	if v.Form.Get(idempotencyField) == "" {
		v.Form.Set(idempotencyField, rand.Text())
	}
}

// idSuffix reads the id at the end of a choice offered as "… #12".
var idSuffix = regexp.MustCompile(`#(\d+)$`)

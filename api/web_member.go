package api

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/scrapstore/scrapstore/models"
)

// The member group's pages: stock, the basket, choosing a slot and reserving, and their
// reservations. Each calls the same Store method as the API, as the signed-in member.

func (s *Server) memberPages() []pageRoute {
	return []pageRoute{
		{http.MethodGet, "/stock", anyone, s.stockPage},
		{http.MethodGet, "/basket", members, s.basketPage},
		{http.MethodPost, "/basket/add", members, s.addToBasket},
		{http.MethodPost, "/basket", members, s.changeBasket},
		{http.MethodGet, "/reserve", members, s.reservePage},
		{http.MethodPost, "/reserve", members, s.reserve},
		{http.MethodGet, "/reservations", members, s.reservationsPage},
		{http.MethodGet, "/reservations/history", members, s.historyPage},
		{http.MethodGet, "/reservations/:id", members, s.reservationPage},
		{http.MethodPost, "/reservations/:id", members, s.changeReservation},
		{http.MethodGet, "/reservations/:id/cancel", members, s.cancelPage},
		{http.MethodPost, "/reservations/:id/cancel", members, s.cancelReservationPage},
		{http.MethodGet, "/group", members, s.groupPage},
		{http.MethodPost, "/group", members, s.changeGroup},
	}
}

// group is the member's organisation and what it may do today.
type group struct {
	Org    *models.Organisation
	Band   *models.Band
	Lapsed bool
}

func (s *Server) memberGroup(c echo.Context) (*group, error) {
	u := currentUser(c)
	if u.Role != models.RoleMember || u.OrganisationID == nil {
		return nil, nil
	}
	ctx := c.Request().Context()
	o, err := s.Store.Organisation(ctx, u, *u.OrganisationID)
	if err != nil {
		return nil, err
	}
	g := &group{Org: o, Lapsed: o.Lapsed(s.today())}
	if o.BandID != nil {
		bands, _, err := s.Store.Bands(ctx, models.Page{Limit: models.MaxLimit})
		if err != nil {
			return nil, err
		}
		for i := range bands {
			if bands[i].ID == *o.BandID {
				g.Band = &bands[i]
				break
			}
		}
	}
	return g, nil
}

// stockView is the stock page: a page of items with their categories, and the filters.
type stockView struct {
	Group      *group
	Items      []models.StockItem
	Categories []models.CategoryView
	CategoryOf map[int64]string
	Next       string // the address of the next page, if there is one
	InBasket   map[int64]float64
}

func (s *Server) stockPage(c echo.Context) error {
	ctx := c.Request().Context()
	v := pageView(c)
	q := query{c: c}
	f := models.StockFilter{Q: strings.TrimSpace(q.str("q")), CategoryID: q.int64("category_id"), AvailableOnly: q.str("all") == ""}
	for _, k := range []string{"q", "category_id", "all"} {
		v.Form.Set(k, c.QueryParam(k))
	}
	if q.err != nil {
		return q.err
	}
	items, next, err := s.Store.ListStock(ctx, f, models.Page{Limit: 25, Cursor: c.QueryParam("cursor")})
	if err != nil {
		return err
	}
	cats, _, err := s.Store.ListCategories(ctx, models.Page{Limit: models.MaxLimit}, s.today())
	if err != nil {
		return err
	}
	sv := stockView{Items: items, Categories: cats, CategoryOf: map[int64]string{}, InBasket: readBasket(c).quantities()}
	for _, cat := range cats {
		sv.CategoryOf[cat.ID] = cat.Name
	}
	if next != "" {
		more := c.QueryParams()
		more.Set("cursor", next)
		sv.Next = "/stock?" + more.Encode()
	}
	if sv.Group, err = s.memberGroup(c); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "stock", "Stock", sv)
}

// basket is what a member means to reserve, kept in a cookie until they reserve it
// (the Store checks every line again then). Signing in or out empties it.
type basket []models.LineInput

const maxBasketLines = 100

func readBasket(c echo.Context) basket {
	ck, err := c.Cookie(basketCookie)
	if err != nil {
		return nil
	}
	var b basket
	for part := range strings.SplitSeq(ck.Value, ".") {
		id, q, ok := strings.Cut(part, "_")
		n, err1 := strconv.ParseInt(id, 10, 64)
		qty, err2 := strconv.ParseFloat(q, 64)
		if ok && err1 == nil && err2 == nil && n > 0 && qty > 0 && len(b) < maxBasketLines {
			b = b.set(n, qty)
		}
	}
	return b
}

func (b basket) save(s *Server, c echo.Context) {
	parts := make([]string, len(b))
	for i, l := range b {
		parts[i] = strconv.FormatInt(l.StockItemID, 10) + "_" + quantity(l.Quantity)
	}
	s.setCookie(c, basketCookie, strings.Join(parts, "."), 0)
}

// set puts quantity of an item in the basket; 0 takes it out.
func (b basket) set(id int64, qty float64) basket {
	for i, l := range b {
		if l.StockItemID == id {
			if qty <= 0 {
				return append(b[:i], b[i+1:]...)
			}
			b[i].Quantity = qty
			return b
		}
	}
	if qty <= 0 {
		return b
	}
	return append(b, models.LineInput{StockItemID: id, Quantity: qty})
}

func (b basket) quantities() map[int64]float64 {
	m := make(map[int64]float64, len(b))
	for _, l := range b {
		m[l.StockItemID] = l.Quantity
	}
	return m
}

// basketLine is a basket line with its stock item.
type basketLine struct {
	Item     *models.StockItem
	Quantity float64
	WeightKg float64
}

// lines looks up each item; one that is gone is dropped.
func (b basket) lines(s *Server, c echo.Context) ([]basketLine, float64, error) {
	var out []basketLine
	var total float64
	for _, l := range b {
		it, err := s.Store.StockItem(c.Request().Context(), l.StockItemID)
		if errors.Is(err, models.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, 0, err
		}
		w := l.Quantity * float64(it.GramsPerUnit.Kg())
		out = append(out, basketLine{Item: it, Quantity: l.Quantity, WeightKg: w})
		total += w
	}
	return out, total, nil
}

type basketView struct {
	Group    *group
	Lines    []basketLine
	WeightKg float64
}

func (s *Server) basketPage(c echo.Context) error {
	return s.showBasket(c, http.StatusOK)
}

// basketOf is the member's basket with its items, and their group.
func (s *Server) basketOf(c echo.Context) (basketView, error) {
	bv := basketView{}
	var err error
	if bv.Lines, bv.WeightKg, err = readBasket(c).lines(s, c); err != nil {
		return bv, err
	}
	bv.Group, err = s.memberGroup(c)
	return bv, err
}

func (s *Server) showBasket(c echo.Context, status int) error {
	bv, err := s.basketOf(c)
	if err != nil {
		return err
	}
	return s.render(c, status, "basket", "Your basket", bv)
}

// basketQuantity reads a quantity typed for an item: more than 0, at most what is available.
func (s *Server) basketQuantity(c echo.Context, id int64, raw string) (float64, error) {
	field := "quantity_" + strconv.FormatInt(id, 10)
	qty, err := strconv.ParseFloat(strings.TrimSpace(raw), 64)
	if err != nil || qty < 0 {
		return 0, models.Invalid(field, "Enter a quantity, such as 2 or 0.5")
	}
	it, err := s.Store.StockItem(c.Request().Context(), id)
	if err != nil {
		return 0, err
	}
	if qty > it.Available.Quantity() {
		return 0, models.Invalid(field, "Only %s %s available", it.Available, it.Unit)
	}
	return qty, nil
}

func (s *Server) addToBasket(c echo.Context) error {
	id, err := strconv.ParseInt(c.FormValue("stock_item_id"), 10, 64)
	if err != nil {
		return fmt.Errorf("stock item %q: %w", c.FormValue("stock_item_id"), models.ErrNotFound)
	}
	qty, err := s.basketQuantity(c, id, c.FormValue("quantity"))
	back := localPath(c.FormValue("back"))
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return s.redirect(c, back, "Not added: "+ve.Errors[0].Message+".")
	}
	if err != nil {
		return err
	}
	if qty == 0 {
		return s.redirect(c, back, "Not added: enter a quantity more than 0.")
	}
	b := readBasket(c)
	if len(b) >= maxBasketLines {
		return s.redirect(c, back, fmt.Sprintf("Not added: a basket holds at most %d lines.", maxBasketLines))
	}
	b = b.set(id, qty)
	b.save(s, c)
	return s.redirect(c, back, "Added to your basket.")
}

// changeBasket saves the quantities typed on the basket page, or removes one line.
func (s *Server) changeBasket(c echo.Context) error {
	b := readBasket(c)
	if rm := c.FormValue("remove"); rm != "" {
		id, _ := strconv.ParseInt(rm, 10, 64)
		b = b.set(id, 0)
		b.save(s, c)
		return s.redirect(c, "/basket", "Removed from your basket.")
	}
	var p models.Problems
	for _, l := range append(basket(nil), b...) {
		qty, err := s.basketQuantity(c, l.StockItemID, c.FormValue("quantity_"+strconv.FormatInt(l.StockItemID, 10)))
		var ve *models.ValidationError
		switch {
		case errors.As(err, &ve):
			p.Add(ve.Errors[0].Field, "%s", ve.Errors[0].Message)
		case errors.Is(err, models.ErrNotFound):
			b = b.set(l.StockItemID, 0)
		case err != nil:
			return err
		default:
			b = b.set(l.StockItemID, qty)
		}
	}
	if err := p.Err(); err != nil {
		if err := formProblems(c, err); err != nil {
			return err
		}
		return s.showBasket(c, http.StatusUnprocessableEntity)
	}
	b.save(s, c)
	return s.redirect(c, "/basket", "Your basket is saved.")
}

type reserveView struct {
	basketView
	Slots []models.Slot
}

func (s *Server) reservePage(c echo.Context) error {
	return s.showReserve(c, http.StatusOK)
}

// slotDays is how far ahead the pages offer visits (as the API's slot list does).
const slotDays = 14

func (s *Server) showReserve(c echo.Context, status int) error {
	bv, err := s.basketOf(c)
	if err != nil {
		return err
	}
	rv := reserveView{basketView: bv}
	if rv.Slots, err = s.futureSlots(c); err != nil {
		return err
	}
	return s.render(c, status, "reserve", "Choose a visit", rv)
}

// futureSlots are the visit slots not yet begun, in the next few weeks.
func (s *Server) futureSlots(c echo.Context) ([]models.Slot, error) {
	today := s.today()
	all, err := s.Store.Slots(c.Request().Context(), today, today.AddDays(slotDays), s.Config.Location)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	var out []models.Slot
	for _, sl := range all {
		if sl.Start.After(now) {
			out = append(out, sl)
		}
	}
	return out, nil
}

// formSlot reads the slot chosen; none is nil, a problem only when one is required.
func formSlot(p *models.Problems, c echo.Context, required bool) *time.Time {
	raw := c.FormValue("slot_start")
	if raw == "" {
		if required {
			p.Add("slot_start", "Choose a visit slot")
		}
		return nil
	}
	t, err := time.Parse(time.RFC3339, raw)
	if err != nil {
		p.Add("slot_start", "Choose a visit slot from the list")
		return nil
	}
	return &t
}

func (s *Server) reserve(c echo.Context) error {
	var p models.Problems
	slot := formSlot(&p, c, true)
	notes := c.FormValue("notes")
	b := readBasket(c)
	err := p.Err()
	if err == nil {
		var r *models.Reservation
		in := models.ReservationInput{SlotStart: slot, Notes: &notes, Lines: b}
		r, err = s.Store.CreateReservation(c.Request().Context(), currentUser(c), in, s.reservationRules())
		if err == nil {
			s.setCookie(c, basketCookie, "", -1)
			return s.redirect(c, fmt.Sprintf("/reservations/%d", r.ID),
				"Reserved for "+ukSlot(s.Config.Location, r.SlotStart, r.SlotEnd)+".")
		}
	}
	return s.formRefusal(c, err, s.showReserve)
}

type reservationsView struct {
	Reservations []models.Reservation
	Next         string
	History      bool
}

// reservationsPage lists the group's reservations from today on, soonest first.
func (s *Server) reservationsPage(c echo.Context) error {
	return s.reservationList(c, false)
}

// historyPage lists the group's earlier reservations, latest first.
func (s *Server) historyPage(c echo.Context) error {
	return s.reservationList(c, true)
}

func (s *Server) reservationList(c echo.Context, history bool) error {
	y, m, d := s.Now().In(s.Config.Location).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, s.Config.Location)
	f, title, path := models.ReservationFilter{From: &today, Sort: "slot_start"}, "Your reservations", "/reservations"
	if history {
		f, title, path = models.ReservationFilter{To: &today}, "Your history", "/reservations/history"
	}
	list, next, err := s.Store.ListReservations(c.Request().Context(), currentUser(c), f, models.Page{Limit: 25, Cursor: c.QueryParam("cursor")})
	if err != nil {
		return err
	}
	rv := reservationsView{Reservations: list, History: history}
	if next != "" {
		rv.Next = path + "?cursor=" + url.QueryEscape(next)
	}
	return s.render(c, http.StatusOK, "reservations", title, rv)
}

type reservationView struct {
	R          *models.Reservation
	Items      map[int64]*models.StockItem
	Changeable bool
	Slots      []models.Slot
}

func (s *Server) loadReservationView(c echo.Context) (*reservationView, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	r, err := s.Store.Reservation(c.Request().Context(), currentUser(c), id)
	if err != nil {
		return nil, err
	}
	rv := &reservationView{R: r, Items: map[int64]*models.StockItem{}}
	for _, l := range r.Lines {
		if rv.Items[l.StockItemID] != nil {
			continue // two lines of one item need it fetched once
		}
		if rv.Items[l.StockItemID], err = s.Store.StockItem(c.Request().Context(), l.StockItemID); err != nil {
			return nil, err
		}
	}
	rv.Changeable = (r.Status == models.StatusPending || r.Status == models.StatusConfirmed) && r.SlotStart.After(s.Now())
	return rv, nil
}

func (s *Server) reservationPage(c echo.Context) error {
	return s.showReservation(c, http.StatusOK)
}

func (s *Server) showReservation(c echo.Context, status int) error {
	rv, err := s.loadReservationView(c)
	if err != nil {
		return err
	}
	if rv.Changeable {
		if rv.Slots, err = s.futureSlots(c); err != nil {
			return err
		}
		if v := pageView(c); v.Form.Get("slot_start") == "" {
			v.Form.Set("slot_start", rv.R.SlotStart.Format(time.RFC3339))
		}
	}
	return s.render(c, status, "reservation", fmt.Sprintf("Reservation %d", rv.R.ID), rv)
}

// changeReservation saves the quantities and slot typed on the reservation page.
func (s *Server) changeReservation(c echo.Context) error {
	rv, err := s.loadReservationView(c)
	if err != nil {
		return err
	}
	var p models.Problems
	in := models.ReservationInput{SlotStart: formSlot(&p, c, false)}
	for i, l := range rv.R.Lines {
		raw := strings.TrimSpace(c.FormValue(fmt.Sprintf("lines[%d].quantity", i)))
		qty, perr := strconv.ParseFloat(raw, 64)
		if perr != nil {
			p.Add(fmt.Sprintf("lines[%d].quantity", i), "Enter a quantity, or 0 to take the line out")
		}
		in.Lines = append(in.Lines, models.LineInput{StockItemID: l.StockItemID, Quantity: qty})
	}
	err = p.Err()
	if err == nil {
		var r *models.Reservation
		r, err = s.Store.UpdateReservation(c.Request().Context(), currentUser(c), rv.R.ID, in, s.reservationRules())
		if err == nil {
			msg := "Your changes are saved."
			if r.Status == models.StatusPending && rv.R.Status == models.StatusConfirmed {
				msg += " The store will confirm them."
			}
			return s.redirect(c, fmt.Sprintf("/reservations/%d", r.ID), msg)
		}
	}
	return s.formRefusal(c, err, s.showReservation)
}

func (s *Server) cancelPage(c echo.Context) error {
	rv, err := s.loadReservationView(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "cancel", "Cancel this reservation?", rv)
}

func (s *Server) cancelReservationPage(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	r, err := s.Store.CancelReservation(c.Request().Context(), currentUser(c), id, strings.TrimSpace(c.FormValue("reason")))
	if err != nil {
		return err
	}
	return s.redirect(c, fmt.Sprintf("/reservations/%d", r.ID), "Reservation cancelled; its stock is free for others.")
}

type groupView struct {
	Group   *group
	Summary *models.OrganisationSummary
}

// groupPage shows the member's group: its membership, what it has taken this year and
// last, and its contact details, which members may change.
func (s *Server) groupPage(c echo.Context) error {
	return s.showGroup(c, http.StatusOK)
}

func (s *Server) showGroup(c echo.Context, status int) error {
	g, err := s.memberGroup(c)
	if err != nil {
		return err
	}
	sum, err := s.Store.OrganisationSummary(c.Request().Context(), currentUser(c), g.Org.ID, s.today(), s.Config.Location)
	if err != nil {
		return err
	}
	v := pageView(c)
	if len(v.Problems) == 0 {
		v.Form.Set("contact_name", g.Org.ContactName)
		v.Form.Set("email", g.Org.Email)
		v.Form.Set("phone", g.Org.Phone)
	}
	return s.render(c, status, "group", g.Org.Name, groupView{Group: g, Summary: sum})
}

func (s *Server) changeGroup(c echo.Context) error {
	u := currentUser(c)
	name, email, phone := c.FormValue("contact_name"), c.FormValue("email"), c.FormValue("phone")
	in := models.OrganisationInput{ContactName: &name, Email: &email, Phone: &phone}
	_, err := s.Store.UpdateOrganisation(c.Request().Context(), u, *u.OrganisationID, in)
	if err == nil {
		return s.redirect(c, "/group", "Your group's contact details are saved.")
	}
	if err := formProblems(c, err); err != nil {
		return err
	}
	return s.showGroup(c, http.StatusUnprocessableEntity)
}

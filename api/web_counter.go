package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/scrapstore/scrapstore/models"
)

// The counter, for staff: the reservations of today or this week by slot, each to
// confirm, check out or mark as not collected; a walk-in issue; a printable slip.

func (s *Server) counterPages() []pageRoute {
	return []pageRoute{
		{http.MethodGet, "/counter", staff, s.counterPage},
		{http.MethodGet, "/counter/walk-in", staff, s.walkInPage},
		{http.MethodPost, "/counter/walk-in", staff, s.walkIn},
		{http.MethodGet, "/counter/items", staff, s.itemChoices},
		{http.MethodGet, "/counter/:id", staff, s.counterReservationPage},
		{http.MethodPost, "/counter/:id/confirm", staff, s.counterConfirm},
		{http.MethodPost, "/counter/:id/collect", staff, s.counterCollect},
		{http.MethodGet, "/counter/:id/not-collected", staff, s.notCollectedPage},
		{http.MethodPost, "/counter/:id/not-collected", staff, s.notCollected},
		{http.MethodGet, "/counter/:id/slip", staff, s.slipPage},
	}
}

// slotGroup is the reservations of one visit slot.
type slotGroup struct {
	Start, End   time.Time
	Reservations []models.Reservation
}

type counterView struct {
	Week   bool
	Slots  []slotGroup
	Groups map[int64]string
}

// counterPage lists today's reservations (or the next seven days') by slot, earliest first.
func (s *Server) counterPage(c echo.Context) error {
	ctx := c.Request().Context()
	week := c.QueryParam("week") != ""
	days := 1
	if week {
		days = 7
	}
	today := s.today()
	from, to := today.Start(s.Config.Location), today.AddDays(days).Start(s.Config.Location)
	cv := counterView{Week: week, Groups: map[int64]string{}}
	f := models.ReservationFilter{From: &from, To: &to, Sort: "slot_start"}
	for page := (models.Page{Limit: models.MaxLimit}); ; {
		list, next, err := s.Store.ListReservations(ctx, currentUser(c), f, page)
		if err != nil {
			return err
		}
		for _, r := range list {
			if n := len(cv.Slots); n == 0 || !cv.Slots[n-1].Start.Equal(r.SlotStart) || !cv.Slots[n-1].End.Equal(r.SlotEnd) {
				cv.Slots = append(cv.Slots, slotGroup{Start: r.SlotStart, End: r.SlotEnd})
			}
			cv.Slots[len(cv.Slots)-1].Reservations = append(cv.Slots[len(cv.Slots)-1].Reservations, r)
			if err := s.groupName(ctx, c, cv.Groups, r.OrganisationID); err != nil {
				return err
			}
		}
		if next == "" {
			break
		}
		page.Cursor = next
	}
	title := "Today at the counter"
	if week {
		title = "This week at the counter"
	}
	return s.render(c, http.StatusOK, "counter", title, cv)
}

// groupName puts a group's name in names, looking it up once.
func (s *Server) groupName(ctx context.Context, c echo.Context, names map[int64]string, id int64) error {
	if names[id] != "" {
		return nil
	}
	o, err := s.Store.Organisation(ctx, currentUser(c), id)
	if err != nil {
		return err
	}
	names[id] = o.Name
	return nil
}

// counterReservation is a reservation as the counter sees it.
type counterReservation struct {
	R       *models.Reservation
	Group   *models.Organisation
	Open    bool // pending or confirmed: it may be checked out
	Started bool // its slot has begun: it may be marked as not collected
	Lines   []collectLine
}

// collectLine is a reservation line on the check-out form.
type collectLine struct {
	models.ReservationLine
	Taken  bool
	Taking field // the quantity taken
}

// Taken is the lines of which something was taken, for the slip.
func (cr *counterReservation) Taken() []models.ReservationLine {
	var out []models.ReservationLine
	for _, l := range cr.R.Lines {
		if l.CollectedMilli != nil && *l.CollectedMilli > 0 {
			out = append(out, l)
		}
	}
	return out
}

func (s *Server) loadCounterReservation(c echo.Context) (*counterReservation, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	ctx := c.Request().Context()
	r, err := s.Store.Reservation(ctx, currentUser(c), id)
	if err != nil {
		return nil, err
	}
	o, err := s.Store.Organisation(ctx, currentUser(c), r.OrganisationID)
	if err != nil {
		return nil, err
	}
	cr := &counterReservation{R: r, Group: o, Open: r.Status == models.StatusPending || r.Status == models.StatusConfirmed,
		Started: !s.Store.Now().Before(r.SlotStart)}
	v := pageView(c)
	for i, l := range r.Lines {
		q := newField(v, lineField(i, "quantity"), "Taken of "+l.Description, "number")
		taken := len(v.Form) == 0 || v.Form.Get(lineField(i, "taken")) != ""
		if q.Value == "" {
			q.Value = l.QuantityMilli.String()
		}
		cr.Lines = append(cr.Lines, collectLine{ReservationLine: l, Taken: taken, Taking: q})
	}
	return cr, nil
}

func (s *Server) counterReservationPage(c echo.Context) error {
	return s.showCounterReservation(c, http.StatusOK)
}

func (s *Server) showCounterReservation(c echo.Context, status int) error {
	cr, err := s.loadCounterReservation(c)
	if err != nil {
		return err
	}
	return s.render(c, status, "counter_reservation", fmt.Sprintf("%s · reservation %d", cr.Group.Name, cr.R.ID), cr)
}

func (s *Server) counterConfirm(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if _, err := s.Store.ConfirmReservation(c.Request().Context(), currentUser(c), id); err != nil {
		return err
	}
	return s.redirect(c, fmt.Sprintf("/counter/%d", id), "Reservation confirmed.")
}

// counterCollect checks a reservation out: a ticked line is taken at the quantity typed
// (at most what was reserved), an unticked one not at all; the rest goes back on the shelf.
func (s *Server) counterCollect(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var p models.Problems
	var taken []models.LineInput
	var rows []int
	form, _ := c.FormParams()
	pageView(c).Form = form
	for i := range formLineCount(form, 0) {
		item, err := strconv.ParseInt(form.Get(lineField(i, "stock_item_id")), 10, 64)
		if err != nil {
			continue
		}
		l := models.LineInput{StockItemID: item}
		if form.Get(lineField(i, "taken")) != "" {
			l.Quantity = formNumber(&p, c, lineField(i, "quantity"))
		}
		taken, rows = append(taken, l), append(rows, i)
	}
	if err = p.Err(); err == nil {
		var r *models.Reservation
		if r, err = s.Store.CollectReservation(c.Request().Context(), currentUser(c), id, taken, s.Config.Location); err == nil {
			return s.redirect(c, fmt.Sprintf("/counter/%d", id), fmt.Sprintf("Checked out: %s taken. Print the slip for the group.", kg(r.WeightG)))
		}
	}
	return s.formRefusal(c, renumberLines(err, rows), s.showCounterReservation)
}

func (s *Server) notCollectedPage(c echo.Context) error {
	cr, err := s.loadCounterReservation(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "counter_not_collected", "Mark as not collected?", cr)
}

func (s *Server) notCollected(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if _, err := s.Store.MarkNotCollected(c.Request().Context(), currentUser(c), id); err != nil {
		return err
	}
	return s.redirect(c, fmt.Sprintf("/counter/%d", id), "Marked as not collected: its stock is back on the shelves.")
}

func (s *Server) slipPage(c echo.Context) error {
	cr, err := s.loadCounterReservation(c)
	if err != nil {
		return err
	}
	if cr.R.Status != models.StatusCollected {
		return models.Conflict("reservation %d has not been checked out, so there is no slip yet", cr.R.ID)
	}
	return s.render(c, http.StatusOK, "counter_slip", "Check-out slip", cr)
}

// walkInView is the walk-in form: the groups, and the lines typed.
type walkInView struct {
	Groups []models.Organisation
	Lines  []walkInLine
}

type walkInLine struct {
	N        int
	Item     listField
	Quantity field
}

func (s *Server) walkInPage(c echo.Context) error {
	return s.showWalkIn(c, http.StatusOK)
}

func (s *Server) showWalkIn(c echo.Context, status int) error {
	v := pageView(c)
	newFormKey(v)
	var wv walkInView
	for page := (models.Page{Limit: models.MaxLimit}); ; {
		list, next, err := s.Store.ListOrganisations(c.Request().Context(), currentUser(c), models.OrganisationFilter{}, page)
		if err != nil {
			return err
		}
		wv.Groups = append(wv.Groups, list...)
		if next == "" {
			break
		}
		page.Cursor = next
	}
	for i := range formLineCount(v.Form, 3) {
		wv.Lines = append(wv.Lines, walkInLine{N: i + 1, Item: listField{newField(v, lineField(i, "stock_item_id"), "Item", "text"), "items"},
			Quantity: newField(v, lineField(i, "quantity"), "Quantity", "number")})
	}
	return s.render(c, status, "counter_walk_in", "Walk-in issue", wv)
}

// itemLabel is how a stock item is offered and typed back: "Card tubes · B1 · 12 each free #7".
func itemLabel(it models.StockItem) string {
	return fmt.Sprintf("%s · %s · %s %s free #%d", it.Description, it.Location, it.Available, it.Unit, it.ID)
}

// findItem reads the item typed: one offered (ending "#id"), or the only one matching.
func (s *Server) findItem(ctx context.Context, p *models.Problems, name, typed string) int64 {
	if m := idSuffix.FindStringSubmatch(typed); m != nil {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		return id
	}
	found, _, err := s.Store.ListStock(ctx, models.StockFilter{Q: typed, AvailableOnly: true}, models.Page{Limit: 2})
	if err == nil && len(found) == 1 {
		return found[0].ID
	}
	p.Add(name, "No one item matches %q: choose one from the list", typed)
	return 0
}

func (s *Server) walkIn(c echo.Context) error {
	if c.FormValue("add") != "" {
		pageView(c).Form, _ = c.FormParams()
		return s.showWalkIn(c, http.StatusOK)
	}
	err := s.once(c, func(ctx context.Context) (string, string, error) {
		var p models.Problems
		org, err := strconv.ParseInt(c.FormValue("organisation_id"), 10, 64)
		if err != nil {
			p.Add("organisation_id", "Choose the group")
		}
		var lines []models.LineInput
		var rows []int
		form, _ := c.FormParams()
		for i := range formLineCount(form, 0) {
			typed := strings.TrimSpace(c.FormValue(lineField(i, "stock_item_id")))
			raw := strings.TrimSpace(c.FormValue(lineField(i, "quantity")))
			if typed == "" && raw == "" {
				continue
			}
			id := s.findItem(ctx, &p, lineField(i, "stock_item_id"), typed)
			lines = append(lines, models.LineInput{StockItemID: id, Quantity: formNumber(&p, c, lineField(i, "quantity"))})
			rows = append(rows, i)
		}
		if err := p.Err(); err != nil {
			return "", "", err
		}
		r, err := s.Store.IssueWalkIn(ctx, currentUser(c), org, lines, c.FormValue("override_reason"), s.Config.Location)
		if err != nil {
			return "", "", renumberLines(err, rows)
		}
		return fmt.Sprintf("/counter/%d", r.ID), fmt.Sprintf("Issued: %s. Print the slip for the group.", kg(r.WeightG)), nil
	})
	if err != nil {
		return s.formRefusal(c, err, s.showWalkIn)
	}
	return nil
}

// itemChoices offers the stock items free to issue whose description has what was typed
// in: the search field, or a walk-in line's item as htmx sends it.
func (s *Server) itemChoices(c echo.Context) error {
	q := strings.TrimSpace(c.QueryParam("item"))
	for k, vs := range c.QueryParams() {
		if strings.HasSuffix(k, ".stock_item_id") && q == "" {
			q = strings.TrimSpace(vs[0])
		}
	}
	pageView(c).Form.Set("item", q)
	cv := choicesView{ID: "items", Field: "item", Action: "/counter/items", Label: "Item"}
	if q != "" {
		found, _, err := s.Store.ListStock(c.Request().Context(), models.StockFilter{Q: q, AvailableOnly: true}, models.Page{Limit: 20})
		if err != nil {
			return err
		}
		for _, it := range found {
			cv.Options = append(cv.Options, itemLabel(it))
		}
	}
	return s.render(c, http.StatusOK, "counter_choices", "Find an item", cv)
}

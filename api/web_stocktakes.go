package api

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/scrapstore/scrapstore/models"
)

// Stocktakes for staff: open one for a location or a category, count on a sheet that
// saves each line as it is typed (htmx; a plain form post without JavaScript), look at
// the differences, and close it, which books them.

func (s *Server) stocktakePages() []pageRoute {
	return []pageRoute{
		{http.MethodGet, "/stockroom/stocktakes", staff, s.stocktakesPage},
		{http.MethodPost, "/stockroom/stocktakes", staff, s.openStocktakePage},
		{http.MethodGet, "/stockroom/stocktakes/:id", staff, s.stocktakePage},
		{http.MethodPost, "/stockroom/stocktakes/:id/count", staff, s.countPage},
		{http.MethodGet, "/stockroom/stocktakes/:id/differences", staff, s.differencesPage},
		{http.MethodPost, "/stockroom/stocktakes/:id/close", staff, s.closeStocktakePage},
	}
}

func stocktakePath(id int64) string { return fmt.Sprintf("/stockroom/stocktakes/%d", id) }

type stocktakesView struct {
	Stocktakes []models.Stocktake
	Categories []models.CategoryView
	Locations  []models.Location
	Scope      map[int64]string // each stocktake's location or category, in words
	Next       string
}

func (s *Server) stocktakesPage(c echo.Context) error { return s.showStocktakes(c, http.StatusOK) }

func (s *Server) showStocktakes(c echo.Context, status int) error {
	sv := stocktakesView{Scope: map[int64]string{}}
	var err error
	if sv.Categories, sv.Locations, err = s.places(c); err != nil {
		return err
	}
	var next string
	if sv.Stocktakes, next, err = s.Store.ListStocktakes(c.Request().Context(), models.Page{Limit: 25, Cursor: c.QueryParam("cursor")}); err != nil {
		return err
	}
	if next != "" {
		sv.Next = "/stockroom/stocktakes?cursor=" + next
	}
	for _, st := range sv.Stocktakes {
		sv.Scope[st.ID] = scopeOf(&st, sv.Categories, sv.Locations)
	}
	return s.render(c, status, "stocktakes", "Stocktakes", sv)
}

// scopeOf says what a stocktake counts: "location B2 (Bay 2)" or "category Paper".
func scopeOf(st *models.Stocktake, cats []models.CategoryView, locs []models.Location) string {
	if st.LocationID != nil {
		for _, l := range locs {
			if l.ID == *st.LocationID {
				return "location " + l.Code + " (" + l.Name + ")"
			}
		}
		return fmt.Sprintf("location %d", *st.LocationID)
	}
	if st.CategoryID != nil {
		for _, cat := range cats {
			if cat.ID == *st.CategoryID {
				return "category " + cat.Name
			}
		}
		return fmt.Sprintf("category %d", *st.CategoryID)
	}
	return ""
}

// formID reads an optional id from a form: nil when empty.
func formID(c echo.Context, name string, p *models.Problems) *int64 {
	raw := strings.TrimSpace(c.FormValue(name))
	if raw == "" {
		return nil
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		p.Add(name, "Choose from the list")
		return nil
	}
	return &n
}

func (s *Server) openStocktakePage(c echo.Context) error {
	var p models.Problems
	loc, cat := formID(c, "location_id", &p), formID(c, "category_id", &p)
	if err := p.Err(); err == nil && (loc == nil) == (cat == nil) {
		p.Add("location_id", "Choose a location or a category to count, not both")
	}
	err := p.Err()
	var st *models.Stocktake
	if err == nil {
		st, err = s.Store.OpenStocktake(c.Request().Context(), currentUser(c), loc, cat)
	}
	if err != nil {
		return s.formRefusal(c, err, s.showStocktakes)
	}
	return s.redirect(c, stocktakePath(st.ID),
		fmt.Sprintf("Stocktake opened with %d %s to count.", len(st.Lines), plural(len(st.Lines), "item", "items")))
}

// sheetLine is a stocktake line with its item.
type sheetLine struct {
	models.StocktakeLine
	Item models.StockItem
	// The count, what the books said when it was made, and the difference, for a line
	// that was counted.
	Count, Books, Diff, DiffKg float64
}

type stocktakeView struct {
	St             *models.Stocktake
	Scope          string
	Lines          []sheetLine
	Differences    []sheetLine
	Sheet          []countLine
	Counted, Total int
	DifferenceKg   float64
	// Closing is the page before closing, with the differences and the close form.
	Closing bool
}

// loadStocktake reads a stocktake with its items and its progress.
func (s *Server) loadStocktake(c echo.Context) (*stocktakeView, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	ctx := c.Request().Context()
	st, err := s.Store.Stocktake(ctx, id)
	if err != nil {
		return nil, err
	}
	cats, locs, err := s.places(c)
	if err != nil {
		return nil, err
	}
	items, err := s.stocktakeItems(ctx, st)
	if err != nil {
		return nil, err
	}
	sv := &stocktakeView{St: st, Scope: scopeOf(st, cats, locs), Total: len(st.Lines)}
	for _, l := range st.Lines {
		sl := sheetLine{StocktakeLine: l, Item: items[l.StockItemID]}
		if l.CountedMilli != nil {
			sv.Counted++
		}
		if l.Difference != nil && *l.Difference != 0 {
			sl.Count, sl.Diff = l.CountedMilli.Quantity(), l.Difference.Quantity()
			sl.Books, sl.DiffKg = sl.Count-sl.Diff, sl.Diff*float64(sl.Item.GramsPerUnit.Kg())
			sv.DifferenceKg += sl.DiffKg
			sv.Differences = append(sv.Differences, sl)
		}
		sv.Lines = append(sv.Lines, sl)
	}
	return sv, nil
}

// stocktakeItems are the items of a stocktake's location or category, by id.
func (s *Server) stocktakeItems(ctx context.Context, st *models.Stocktake) (map[int64]models.StockItem, error) {
	f := models.StockFilter{Sort: "id"}
	if st.LocationID != nil {
		f.LocationID = *st.LocationID
	}
	if st.CategoryID != nil {
		f.CategoryID = *st.CategoryID
	}
	list, err := allPages(func(p models.Page) ([]models.StockItem, string, error) { return s.Store.ListStock(ctx, f, p) })
	if err != nil {
		return nil, err
	}
	items := make(map[int64]models.StockItem, len(list))
	for _, it := range list {
		items[it.ID] = it
	}
	return items, nil
}

func (s *Server) stocktakePage(c echo.Context) error { return s.showStocktake(c, http.StatusOK) }

func (s *Server) showStocktake(c echo.Context, status int) error {
	sv, err := s.loadStocktake(c)
	if err != nil {
		return err
	}
	title := "Counting sheet"
	if sv.St.Status != models.StocktakeOpen {
		title = "Closed stocktake"
	}
	sv.Sheet = sv.sheet(pageView(c))
	return s.render(c, status, "stocktake", title, sv)
}

// countLine is what the sheet's line partial draws.
type countLine struct {
	CSRF         string
	StID         int64
	L            sheetLine
	Saved        bool
	Error, Typed string
}

// sheet is the counting sheet's lines, with what was typed and its problem after a plain
// post that was refused.
func (sv *stocktakeView) sheet(v *view) []countLine {
	out := make([]countLine, len(sv.Lines))
	for i, l := range sv.Lines {
		f := fmt.Sprintf("count_%d", l.StockItemID)
		out[i] = countLine{CSRF: v.CSRF, StID: sv.St.ID, L: l, Error: v.Errors[f], Typed: v.Form.Get(f)}
		if out[i].Typed == "" && l.CountedMilli != nil {
			out[i].Typed = l.CountedMilli.String()
		}
	}
	return out
}

// countPage saves one line's count. htmx gets the line back with the progress; a plain
// post goes back to the sheet at that line.
func (s *Server) countPage(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	item, err := strconv.ParseInt(c.FormValue("stock_item_id"), 10, 64)
	if err != nil {
		return fmt.Errorf("stock item %q: %w", c.FormValue("stock_item_id"), models.ErrNotFound)
	}
	field := fmt.Sprintf("count_%d", item)
	typed := strings.TrimSpace(c.FormValue("counted"))
	counted, err := strconv.ParseFloat(typed, 64)
	if err != nil {
		err = models.Invalid(field, "Enter the count as a number, such as 12 or 2.5")
	} else if _, err = s.Store.RecordCounts(c.Request().Context(), currentUser(c), id,
		[]models.Count{{StockItemID: item, Counted: counted}}); err != nil {
		err = renameFields(err, "lines[0].counted", field)
	}
	if err != nil {
		if ferr := formProblems(c, err); ferr != nil {
			return ferr
		}
		pageView(c).Form.Set(field, typed)
	}
	if c.Request().Header.Get("HX-Request") == "true" {
		return s.countLinePartial(c, item, err == nil)
	}
	if err != nil {
		return s.showStocktake(c, http.StatusUnprocessableEntity)
	}
	return s.redirect(c, fmt.Sprintf("%s#line-%d", stocktakePath(id), item), "Count saved.")
}

// countLinePartial draws one line of the sheet after a count, and the progress beside it.
func (s *Server) countLinePartial(c echo.Context, item int64, saved bool) error {
	sv, err := s.loadStocktake(c)
	if err != nil {
		return err
	}
	for _, cl := range sv.sheet(pageView(c)) {
		if cl.L.StockItemID != item {
			continue
		}
		cl.Saved = saved
		var buf bytes.Buffer
		t := s.site.pages["stocktake"]
		if err := t.ExecuteTemplate(&buf, "count_line", cl); err != nil {
			return fmt.Errorf("render count_line: %w", err)
		}
		if err := t.ExecuteTemplate(&buf, "progress_oob", sv); err != nil {
			return fmt.Errorf("render progress_oob: %w", err)
		}
		return c.HTMLBlob(http.StatusOK, buf.Bytes())
	}
	// An item found that was not on the sheet: the whole sheet, with its new line.
	c.Response().Header().Set("HX-Refresh", "true")
	return c.NoContent(http.StatusOK)
}

func (s *Server) differencesPage(c echo.Context) error { return s.showDifferences(c, http.StatusOK) }

func (s *Server) showDifferences(c echo.Context, status int) error {
	sv, err := s.loadStocktake(c)
	if err != nil {
		return err
	}
	sv.Closing = true
	return s.render(c, status, "stocktake", "Differences before closing", sv)
}

func (s *Server) closeStocktakePage(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if c.FormValue("confirm") != "yes" {
		err = models.Invalid("confirm", "Tick the box to say the differences are checked")
	} else {
		_, err = s.Store.CloseStocktake(c.Request().Context(), currentUser(c), id)
	}
	if err != nil {
		return s.formRefusal(c, err, s.showDifferences)
	}
	return s.redirect(c, stocktakePath(id), "Stocktake closed: the differences are booked.")
}

package api

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/scrapstore/scrapstore/models"
)

// The stockroom's pages for staff: the stock list with its filters and CSV export, an
// item with its movements, adjusting and moving it, and the wanted list's minimums.
// The stocktakes (web_stocktakes.go) live under /stockroom too.

func (s *Server) stockroomPages() []pageRoute {
	return []pageRoute{
		{http.MethodGet, "/stockroom", staff, s.stockroomPage},
		{http.MethodGet, "/stockroom/stock.csv", staff, queried[stockFilterQuery](s.exportStock)},
		{http.MethodGet, "/stockroom/items/:id", staff, s.stockItemPage},
		{http.MethodPost, "/stockroom/items/:id/adjust", staff, s.adjustStockPage},
		{http.MethodPost, "/stockroom/items/:id/move", staff, s.moveStockPage},
		{http.MethodGet, "/stockroom/wanted", staff, s.wantedEditPage},
		{http.MethodPost, "/stockroom/wanted", managers, s.changeWanted},
	}
}

// StockroomNav links the stockroom's pages to one another.
func (v *view) StockroomNav() []navLink {
	return []navLink{{"/stockroom", "Stock list", nil}, {"/stockroom/stocktakes", "Stocktakes", nil}, {"/stockroom/wanted", "Wanted list", nil}}
}

// stockSorts are the stock list's orders, as the page offers them.
var stockSorts = []struct{ Value, Label string }{
	{"description", "Description, A to Z"},
	{"-description", "Description, Z to A"},
	{"-updated_at", "Last changed, newest first"},
	{"updated_at", "Last changed, oldest first"},
}

// stockFilterFields are the stock list's query fields, kept from one page to the next.
var stockFilterFields = []string{"q", "category_id", "location_id", "available_only", "sort"}

type stockroomView struct {
	Items      []models.StockItem
	Categories []models.CategoryView
	Locations  []models.Location
	Sorts      []struct{ Value, Label string }
	Next, CSV  string
}

// places are the categories and the active locations, for the pickers.
func (s *Server) places(c echo.Context) ([]models.CategoryView, []models.Location, error) {
	ctx := c.Request().Context()
	cats, _, err := s.Store.ListCategories(ctx, models.Page{Limit: models.MaxLimit}, s.today())
	if err != nil {
		return nil, nil, err
	}
	active := true
	locs, _, err := s.Store.ListLocations(ctx, &active, models.Page{Limit: models.MaxLimit})
	return cats, locs, err
}

func (s *Server) stockroomPage(c echo.Context) error {
	v := pageView(c)
	var q stockQuery
	qerr := readQuery(c, &q)
	f := q.filter()
	f.Sort = q.Sort
	kept := url.Values{}
	for _, k := range stockFilterFields {
		if val := c.QueryParam(k); val != "" {
			kept.Set(k, val)
		}
	}
	v.Form = kept
	if qerr != nil {
		return qerr
	}
	items, next, err := s.Store.ListStock(c.Request().Context(), f, models.Page{Limit: 50, Cursor: c.QueryParam("cursor")})
	if err != nil {
		return err
	}
	sv := stockroomView{Items: items, Sorts: stockSorts}
	if sv.Categories, sv.Locations, err = s.places(c); err != nil {
		return err
	}
	if next != "" {
		more := url.Values{"cursor": {next}}
		for k := range kept {
			more.Set(k, kept.Get(k))
		}
		sv.Next = "/stockroom?" + more.Encode()
	}
	kept.Del("sort")
	sv.CSV = "/stockroom/stock.csv?" + kept.Encode()
	return s.render(c, http.StatusOK, "stockroom", "Stock", sv)
}

func itemPath(id int64) string { return fmt.Sprintf("/stockroom/items/%d", id) }

type stockItemView struct {
	Item      *models.StockItem
	Movements []models.Movement
	Locations []models.Location
	Reasons   []string
	Next      string
}

func (s *Server) stockItemPage(c echo.Context) error { return s.showStockItem(c, http.StatusOK) }

func (s *Server) showStockItem(c echo.Context, status int) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	iv := stockItemView{Reasons: models.AdjustReasons}
	if iv.Item, err = s.Store.StockItem(ctx, id); err != nil {
		return err
	}
	var next string
	if iv.Movements, next, err = s.Store.Movements(ctx, id, models.Page{Limit: 25, Cursor: c.QueryParam("cursor")}); err != nil {
		return err
	}
	if next != "" {
		iv.Next = itemPath(id) + "?cursor=" + url.QueryEscape(next)
	}
	if _, iv.Locations, err = s.places(c); err != nil {
		return err
	}
	return s.render(c, status, "stockroom_item", iv.Item.Description, iv)
}

func (s *Server) adjustStockPage(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	delta, err := strconv.ParseFloat(strings.TrimSpace(c.FormValue("delta")), 64)
	if err != nil {
		err = models.Invalid("delta", "Enter the change as a number: 3 adds three, -2 takes two away")
	} else {
		_, err = s.Store.AdjustStock(c.Request().Context(), currentUser(c), id, delta, c.FormValue("reason"), c.FormValue("note"))
	}
	if err != nil {
		return s.formRefusal(c, err, s.showStockItem)
	}
	return s.redirect(c, itemPath(id), "The stock is adjusted.")
}

func (s *Server) moveStockPage(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	loc, err := strconv.ParseInt(c.FormValue("location_id"), 10, 64)
	if err != nil {
		err = models.Invalid("location_id", "Choose a location")
	} else {
		var it *models.StockItem
		if it, err = s.Store.MoveStock(c.Request().Context(), currentUser(c), id, loc); err == nil {
			return s.redirect(c, itemPath(it.ID), "Moved to "+it.Location+".")
		}
	}
	return s.formRefusal(c, err, s.showStockItem)
}

type wantedEditView struct {
	Categories []models.CategoryView
	Min        map[int64]string // each category's minimum in kg, as typed
	Short      map[int64]models.Wanted
	CanEdit    bool
}

func (s *Server) wantedEditPage(c echo.Context) error { return s.showWantedEdit(c, http.StatusOK) }

func (s *Server) showWantedEdit(c echo.Context, status int) error {
	ctx := c.Request().Context()
	wv := wantedEditView{Short: map[int64]models.Wanted{}, CanEdit: currentUser(c).Role == models.RoleManager}
	var err error
	if wv.Categories, _, err = s.Store.ListCategories(ctx, models.Page{Limit: models.MaxLimit}, s.today()); err != nil {
		return err
	}
	list, err := s.Store.WantedList(ctx)
	if err != nil {
		return err
	}
	for _, w := range list {
		wv.Short[w.CategoryID] = w
	}
	wv.Min = make(map[int64]string, len(wv.Categories))
	for _, cat := range wv.Categories {
		wv.Min[cat.ID] = strconv.FormatFloat(float64(cat.MinStock.Kg()), 'f', -1, 64)
	}
	return s.render(c, status, "stockroom_wanted", "Wanted list", wv)
}

// changeWanted sets the minimum stock of each category whose figure was changed; the
// categories under their minimum make the public wanted list.
func (s *Server) changeWanted(c echo.Context) error {
	ctx := c.Request().Context()
	cats, _, err := s.Store.ListCategories(ctx, models.Page{Limit: models.MaxLimit}, s.today())
	if err != nil {
		return err
	}
	changed := 0
	for _, cat := range cats {
		name := fmt.Sprintf("min_%d", cat.ID)
		raw := strings.TrimSpace(c.FormValue(name))
		if raw == "" && !c.Request().PostForm.Has(name) {
			continue
		}
		minKg, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			err = models.Invalid(name, "Enter a weight in kg, such as 20 or 0")
		} else if models.GramsFromKg(minKg) == cat.MinStock {
			continue
		} else if _, err = s.Store.UpdateCategory(ctx, currentUser(c), cat.ID, models.CategoryInput{MinStockKg: &minKg}, s.today()); err == nil {
			changed++
			continue
		}
		err = renameFields(err, "min_stock_kg", name)
		return s.formRefusal(c, err, s.showWantedEdit)
	}
	return s.redirect(c, "/stockroom/wanted", fmt.Sprintf("The wanted list is saved (%d %s changed).", changed, plural(changed, "minimum", "minimums")))
}

// renameFields gives a model's problem with one field the name of the page's input.
func renameFields(err error, from, to string) error {
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		for i := range ve.Errors {
			if ve.Errors[i].Field == from {
				ve.Errors[i].Field = to
			}
		}
	}
	return err
}

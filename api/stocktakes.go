package api

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/scrapstore/scrapstore/models"
)

type stocktakeRequest struct {
	LocationID *int64 `json:"location_id"`
	CategoryID *int64 `json:"category_id"`
}

// countsRequest is the body of RecordCounts, whose rules are in models.
type countsRequest struct {
	Lines []models.Count `json:"lines"`
}

func (s *Server) openStocktake(c echo.Context) error {
	var req stocktakeRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	st, err := s.Store.OpenStocktake(c.Request().Context(), currentUser(c), req.LocationID, req.CategoryID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, st)
}

func (s *Server) listStocktakes(c echo.Context) error {
	page := queryOf[paging](c).page()
	list, next, err := s.Store.ListStocktakes(c.Request().Context(), page)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(list, next))
}

func (s *Server) getStocktake(c echo.Context) error {
	return answerByID(c, func(ctx context.Context, id int64) (any, error) { return s.Store.Stocktake(ctx, id) })
}

func (s *Server) recordCounts(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req countsRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	st, err := s.Store.RecordCounts(c.Request().Context(), currentUser(c), id, req.Lines)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}

func (s *Server) closeStocktake(c echo.Context) error {
	return answerByID(c, func(ctx context.Context, id int64) (any, error) {
		return s.Store.CloseStocktake(ctx, currentUser(c), id)
	})
}

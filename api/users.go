package api

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/scrapstore/scrapstore/models"
)

func (s *Server) listUsers(c echo.Context) error {
	q := queryOf[usersQuery](c)
	f := models.UserFilter{Role: models.Role(q.Role), OrganisationID: q.OrganisationID, Active: q.Active}
	users, next, err := s.Store.ListUsers(c.Request().Context(), f, q.page())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(users, next))
}

func (s *Server) createUser(c echo.Context) error {
	var in models.NewUser
	if err := bind(c, &in); err != nil {
		return err
	}
	u, err := s.Store.CreateUser(c.Request().Context(), currentUser(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, u)
}

func (s *Server) getUser(c echo.Context) error {
	return answerByID(c, func(ctx context.Context, id int64) (any, error) { return s.Store.User(ctx, id) })
}

func (s *Server) updateUser(c echo.Context) error {
	return answerAction(c, http.StatusOK, false, func(ctx context.Context, id int64, ch models.UserChange) (any, error) {
		return s.Store.UpdateUser(ctx, currentUser(c), id, ch)
	})
}

func (s *Server) listAudit(c echo.Context) error {
	q := queryOf[auditQuery](c)
	f := models.AuditFilter{EntityType: q.EntityType, EntityID: q.EntityID, ActorID: q.ActorID}
	entries, next, err := s.Store.ListAudit(c.Request().Context(), f, q.page())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(entries, next))
}

package api

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/scrapstore/scrapstore/models"
)

type userRequest struct {
	Email          string      `json:"email" validate:"required,max=254"`
	Name           string      `json:"name" validate:"required,max=200"`
	Role           models.Role `json:"role" validate:"required,oneof=manager staff driver member"`
	OrganisationID *int64      `json:"organisation_id"`
	Password       string      `json:"password" validate:"required,max=72"`
}

type userPatch struct {
	Name           *string      `json:"name" validate:"omitempty,max=200"`
	Role           *models.Role `json:"role" validate:"omitempty,oneof=manager staff driver member"`
	OrganisationID *int64       `json:"organisation_id"`
	Active         *bool        `json:"active"`
	Password       *string      `json:"password" validate:"omitempty,max=72"`
}

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
	var req userRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	u, err := s.Store.CreateUser(c.Request().Context(), currentUser(c), models.NewUser(req))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, u)
}

func (s *Server) getUser(c echo.Context) error {
	return answerByID(c, func(ctx context.Context, id int64) (any, error) { return s.Store.User(ctx, id) })
}

func (s *Server) updateUser(c echo.Context) error {
	return answerAction(c, http.StatusOK, false, func(ctx context.Context, id int64, req userPatch) (any, error) {
		return s.Store.UpdateUser(ctx, currentUser(c), id, models.UserChange(req))
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

package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/scrapstore/scrapstore/models"
)

// loginRequest is the body of Login, whose rules are in models.
type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type loginResponse struct {
	Token     string       `json:"token"`
	ExpiresAt time.Time    `json:"expires_at"`
	User      *models.User `json:"user"`
}

func (s *Server) login(c echo.Context) error {
	var req loginRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	secret, tok, u, err := s.Store.Login(c.Request().Context(), req.Email, req.Password, c.RealIP(), s.Config.TokenTTL)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, loginResponse{Token: secret, ExpiresAt: tok.ExpiresAt, User: u})
}

func (s *Server) logout(c echo.Context) error {
	if err := s.Store.Logout(c.Request().Context(), bearer(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) me(c echo.Context) error { return c.JSON(http.StatusOK, currentUser(c)) }

// passwordRequest is the body of ChangePassword, whose rules are in models.
type passwordRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

func (s *Server) changePassword(c echo.Context) error {
	var req passwordRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if err := s.Store.ChangePassword(c.Request().Context(), currentUser(c), req.CurrentPassword, req.NewPassword, bearer(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

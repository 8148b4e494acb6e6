package api

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/labstack/echo/v4"

	"github.com/scrapstore/scrapstore/models"
)

// Problem is an RFC 9457 problem detail, the body of every error response.
type Problem struct {
	Type      string              `json:"type"`
	Title     string              `json:"title"`
	Status    int                 `json:"status"`
	Detail    string              `json:"detail,omitempty"`
	Instance  string              `json:"instance,omitempty"`
	RequestID string              `json:"request_id,omitempty"`
	Errors    []models.FieldError `json:"errors,omitempty"`
	Allowed   []string            `json:"allowed,omitempty"`
	// Rows lists the problems of an import, by row of the file.
	Rows []models.RowProblem `json:"rows,omitempty"`
}

// requestError is a malformed request (bad JSON, a query parameter of the wrong type);
// Field names what is wrong when one field is.
type requestError struct {
	Status int
	Field  string
	Detail string
}

func (e *requestError) Error() string { return e.Detail }

func badRequest(field, detail string) error {
	return &requestError{Status: http.StatusBadRequest, Field: field, Detail: detail}
}

// handleError is the one place errors become responses: it maps the model's sentinel
// errors and echo's own to a status and writes problem+json.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		// Too late to say so to the client (a download cut short); say it in the log.
		s.Logger.ErrorContext(c.Request().Context(), "error after the response began",
			"request_id", c.Response().Header().Get(echo.HeaderXRequestID), "route", c.Path(), "error", err.Error())
		return
	}
	if s.notFoundPage(c, err) {
		return
	}
	p := Problem{Type: "about:blank", Instance: c.Request().URL.Path, RequestID: c.Response().Header().Get(echo.HeaderXRequestID)}
	var (
		ve  *models.ValidationError
		ce  *models.ConflictError
		rl  *models.RateLimitError
		re  *requestError
		he  *echo.HTTPError
		mbe *http.MaxBytesError
		ie  *models.ImportError
		fe  *models.ForbiddenFieldsError
	)
	switch {
	case errors.As(err, &ie):
		p.Status, p.Type, p.Detail, p.Rows = http.StatusUnprocessableEntity, "/problems/import", ie.Error(), ie.Result.Problems
	case errors.As(err, &ve):
		p.Status, p.Type, p.Detail, p.Errors = http.StatusUnprocessableEntity, "/problems/validation", "the request has invalid fields", ve.Errors
	case errors.As(err, &re):
		p.Status, p.Detail = re.Status, re.Detail
		if re.Field != "" {
			p.Errors = []models.FieldError{{Field: re.Field, Message: re.Detail}}
		}
	case errors.As(err, &mbe):
		p.Status, p.Detail = http.StatusRequestEntityTooLarge, fmt.Sprintf("the request body is larger than %d MiB", mbe.Limit>>20)
	case errors.As(err, &ce):
		p.Status, p.Type, p.Detail, p.Allowed = http.StatusConflict, "/problems/conflict", ce.Detail, ce.Allowed
		if ce.RetryAfterSeconds > 0 {
			c.Response().Header().Set("Retry-After", strconv.Itoa(ce.RetryAfterSeconds))
		}
	case errors.Is(err, models.ErrConflict):
		p.Status, p.Type, p.Detail = http.StatusConflict, "/problems/conflict", err.Error()
	case errors.As(err, &rl):
		p.Status, p.Detail = http.StatusTooManyRequests, rl.Error()
		c.Response().Header().Set("Retry-After", strconv.Itoa(rl.RetryAfterSeconds))
	case errors.Is(err, models.ErrNotFound):
		p.Status, p.Detail = http.StatusNotFound, err.Error()
	case errors.Is(err, models.ErrUnauthorized):
		p.Status, p.Detail = http.StatusUnauthorized, err.Error()
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="scrapstore"`)
	case errors.As(err, &fe):
		p.Status, p.Detail, p.Errors = http.StatusForbidden, fe.Error(), fe.Errors
	case errors.Is(err, models.ErrForbidden):
		p.Status, p.Detail = http.StatusForbidden, err.Error()
	case errors.Is(err, context.Canceled):
		p.Status, p.Detail = models.StatusClientClosed, "the client went away"
	case errors.As(err, &he):
		p.Status = he.Code
		if msg, ok := he.Message.(string); ok {
			p.Detail = msg
		}
		if he.Code == http.StatusRequestEntityTooLarge {
			p.Detail = "the request body is larger than 1 MiB"
		}
	case unavailable(err):
		p.Status = http.StatusServiceUnavailable
		p.Detail = "the database, or another service this one depends on, cannot be reached just now; try again shortly"
		c.Response().Header().Set("Retry-After", strconv.Itoa(unavailableRetryAfter))
		s.Logger.WarnContext(c.Request().Context(), "database unavailable", "request_id", p.RequestID, "route", c.Path(), "error", err.Error())
	default:
		p.Status, p.Detail = http.StatusInternalServerError, "something went wrong on our side; quote the request id if you report it"
		s.Logger.ErrorContext(c.Request().Context(), "internal error",
			"request_id", p.RequestID, "method", c.Request().Method, "route", c.Path(), "error", err.Error())
	}
	p.Title = http.StatusText(p.Status)
	if p.Title == "" {
		p.Title = "Client closed request"
	}
	writeProblem(c, p)
}

// unavailableRetryAfter is the Retry-After, in seconds, of a 503: about as long as a
// database takes to restart.
const unavailableRetryAfter = 5

// unavailable tells an error of reaching the database (refused, cut off, shutting down
// or starting up), or another service, from an error of the query itself: only the
// first will pass if the request is tried again later.
func unavailable(err error) bool {
	var (
		pgErr   *pgconn.PgError
		connErr *pgconn.ConnectError
		netErr  *net.OpError
	)
	switch {
	case errors.Is(err, driver.ErrBadConn), errors.As(err, &connErr), errors.As(err, &netErr):
		return true
	case errors.Is(err, io.ErrUnexpectedEOF):
		// pgx's word for a connection cut in the middle of a reply. (A request body cut
		// short is a 400 from bind before it could get here.)
		return true
	case errors.As(err, &pgErr):
		// Class 08 is a connection exception; 57P01..57P03 are the server shutting down
		// or not yet accepting connections.
		return strings.HasPrefix(pgErr.Code, "08") || pgErr.Code == "57P01" || pgErr.Code == "57P02" || pgErr.Code == "57P03"
	}
	return false
}

func writeProblem(c echo.Context, p Problem) {
	body, _ := json.Marshal(p)
	c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
	c.Response().WriteHeader(p.Status)
	if c.Request().Method != http.MethodHead {
		_, _ = c.Response().Write(body)
	}
}

package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/scrapstore/scrapstore/models"
)

// bind reads a JSON body into dst strictly (the right content type, no unknown fields,
// one value, the right types, text that is valid UTF-8 without NUL, dates and times in
// their formats). Malformed bodies are a 400 or 415 naming what is wrong. The rules of
// what the body says are the models' (each Store method checks its input), so that the
// API and the web pages answer the same problems.
func bind(c echo.Context, dst any) error {
	req := c.Request()
	ct, _, err := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
	if err != nil || (ct != "application/json" && !strings.HasSuffix(ct, "+json")) {
		return &requestError{Status: http.StatusUnsupportedMediaType, Detail: "the body must be JSON (Content-Type: application/json)"}
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return err
	}
	// Malformed JSON is left for the decoder to describe.
	if probs, err := scanBody(body, reflect.TypeOf(dst)); err == nil && len(probs) > 0 {
		return &models.ValidationError{Errors: probs}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err, dst)
	}
	if dec.More() {
		return badRequest("", "the body must hold one JSON value")
	}
	return nil
}

// bindOptional binds the body of an action whose body may be left out.
func bindOptional(c echo.Context, dst any) error {
	if c.Request().ContentLength == 0 {
		return nil
	}
	return bind(c, dst)
}

func jsonError(err error, dst any) error {
	var (
		se *json.SyntaxError
		te *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &se):
		return badRequest("", fmt.Sprintf("the body is not valid JSON (at byte %d)", se.Offset))
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			return badRequest("", "the body must be a JSON object")
		}
		return badRequest(field, fmt.Sprintf("%s must be %s, not %s", field, jsonKind(te.Type), te.Value))
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("", "the body is empty or cut short")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		takes := "no fields"
		if fields := jsonFields(reflect.TypeOf(dst)); fields != nil {
			takes = strings.Join(fields, ", ")
		}
		return badRequest(name, fmt.Sprintf("%s is not a field of this request, which takes %s", name, takes))
	}
	// Errors from a field's own UnmarshalJSON (a bad date, say) end up here.
	return badRequest("", err.Error())
}

// jsonFields are the JSON names of a struct's fields, for saying what a body may hold.
func jsonFields(t reflect.Type) []string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var out []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case f.Anonymous && name == "":
			out = append(out, jsonFields(f.Type)...)
		case f.IsExported() && name != "-" && name != "":
			out = append(out, name)
		}
	}
	return out
}

func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number in range"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "an array"
	}
	return "an object"
}

// pathID reads the :id path parameter; anything but a positive integer is a 404, since
// no such object can exist.
func pathID(c echo.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("%s %q: %w", name, c.Param(name), models.ErrNotFound)
	}
	return id, nil
}

// answerByID answers a request for one thing named by the path's id with what get
// finds, as JSON.
func answerByID(c echo.Context, get func(ctx context.Context, id int64) (any, error)) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	v, err := get(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// answerAction answers an action on the thing named by the path's id: the body is bound
// into Req (it may be left out when optional), act does the work, and what it returns
// is the answer, as JSON with status.
func answerAction[Req any](c echo.Context, status int, optional bool, act func(ctx context.Context, id int64, req Req) (any, error)) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req Req
	if optional {
		err = bindOptional(c, &req)
	} else {
		err = bind(c, &req)
	}
	if err != nil {
		return err
	}
	v, err := act(c.Request().Context(), id, req)
	if err != nil {
		return err
	}
	return c.JSON(status, v)
}

// A route's query parameters are declared once, as a struct whose fields name their
// parameter in a `query` tag (and may describe it in a `doc` tag): the route table names
// the struct, the parameters are read into it before the handler runs (queryOf), and
// the OpenAPI document lists them from it. Field types: string, int64, int, bool,
// *bool, *models.Date, and paging for a list's limit and cursor.

// paging is the limit and cursor of every list.
type paging struct {
	Limit  int    `query:"limit" doc:"items per page, 1 to 200 (default 50)"`
	Cursor string `query:"cursor" doc:"next_cursor from the previous page"`
}

func (p paging) page() models.Page { return models.Page{Limit: p.Limit, Cursor: p.Cursor} }

var pagingType = reflect.TypeFor[paging]()

const queryKey = "query"

// withQuery reads the query parameters into a new value of the route's query struct
// for the handler, or answers a 422 naming the first malformed one.
func withQuery(typ reflect.Type, next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		v := reflect.New(typ)
		if err := readQuery(c, v.Interface()); err != nil {
			return err
		}
		c.Set(queryKey, v.Interface())
		return next(c)
	}
}

// readQuery reads the query parameters into dst, a pointer to a query struct.
func readQuery(c echo.Context, dst any) error {
	q := query{c: c}
	q.into(reflect.ValueOf(dst).Elem())
	return q.err
}

// queried is a handler that reads T's query parameters, for a page that serves an API
// handler (the page table names no query struct).
func queried[T any](h echo.HandlerFunc) echo.HandlerFunc { return withQuery(reflect.TypeFor[T](), h) }

// queryOf is what withQuery read for the route, as the route table declared it.
func queryOf[T any](c echo.Context) *T {
	q, ok := c.Get(queryKey).(*T)
	if !ok {
		panic(fmt.Sprintf("%s reads %T, which its route does not declare", c.Path(), q))
	}
	return q
}

func (q *query) into(v reflect.Value) {
	if v.Type() == pagingType {
		// Field by field: the struct is embedded unexported, its fields are not.
		p := q.page()
		v.FieldByName("Limit").SetInt(int64(p.Limit))
		v.FieldByName("Cursor").SetString(p.Cursor)
		return
	}
	for i := range v.NumField() {
		f, fv := v.Type().Field(i), v.Field(i)
		name := f.Tag.Get("query")
		if f.Anonymous || f.Type == pagingType {
			q.into(fv)
			continue
		}
		switch fv.Interface().(type) {
		case string:
			fv.SetString(q.str(name))
		case int64, int:
			fv.SetInt(q.int64(name))
		case bool:
			b := q.boolPtr(name)
			fv.SetBool(b != nil && *b)
		case *bool:
			fv.Set(reflect.ValueOf(q.boolPtr(name)))
		case *models.Date:
			fv.Set(reflect.ValueOf(q.date(name)))
		default:
			panic(fmt.Sprintf("query parameter %s: no reader for %s", name, f.Type))
		}
	}
}

// queryParams lists the route's query parameters for the OpenAPI document.
func (r route) queryParams() []param {
	if r.query == nil {
		return nil
	}
	return queryParams(reflect.TypeOf(r.query))
}

func queryParams(t reflect.Type) []param {
	var out []param
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous || f.Type == pagingType {
			out = append(out, queryParams(f.Type)...)
			continue
		}
		kind := map[reflect.Kind]string{reflect.Int64: "integer", reflect.Int: "integer", reflect.Bool: "boolean"}[f.Type.Kind()]
		if f.Type == reflect.TypeFor[*bool]() {
			kind = "boolean"
		}
		if kind == "" {
			kind = "string"
		}
		out = append(out, param{f.Tag.Get("query"), kind, f.Tag.Get("doc")})
	}
	return out
}

// query reads optional query parameters, remembering the first that is malformed.
type query struct {
	c   echo.Context
	err error
}

func (q *query) fail(name, msg string) {
	if q.err == nil {
		q.err = &models.ValidationError{Errors: []models.FieldError{{Field: name, Message: msg}}}
	}
}

func (q *query) str(name string) string { return q.c.QueryParam(name) }

func (q *query) int64(name string) int64 {
	v := q.c.QueryParam(name)
	if v == "" {
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		q.fail(name, "must be a whole number")
	}
	return n
}

func (q *query) boolPtr(name string) *bool {
	v := q.c.QueryParam(name)
	if v == "" {
		return nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		q.fail(name, "must be true or false")
		return nil
	}
	return &b
}

func (q *query) date(name string) *models.Date {
	v := q.c.QueryParam(name)
	if v == "" {
		return nil
	}
	d, err := models.ParseDate(v)
	if err != nil {
		q.fail(name, msgDate)
		return nil
	}
	if msg := models.YearProblem(d.Year()); msg != "" {
		q.fail(name, msg)
		return nil
	}
	return &d
}

// page reads limit and cursor.
func (q *query) page() models.Page {
	p := models.Page{Cursor: q.c.QueryParam("cursor")}
	if v := q.c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > models.MaxLimit {
			q.fail("limit", fmt.Sprintf("must be a whole number from 1 to %d", models.MaxLimit))
		}
		p.Limit = n
	}
	return p
}

// List is the shape of every list response.
type List[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

func listOf[T any](items []T, next string) List[T] {
	l := List[T]{Items: items}
	if l.Items == nil {
		l.Items = []T{}
	}
	if next != "" {
		l.NextCursor = &next
	}
	return l
}

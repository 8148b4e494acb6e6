package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/scrapstore/scrapstore/models"
)

// Messages for dates and times, shared by bodies and query parameters, so that a client
// always learns the format by example and never sees a Go layout.
const (
	msgDate = "must be a date YYYY-MM-DD, such as 2026-11-25"
	msgTime = "must be a date and time in RFC 3339, such as 2026-11-25T10:30:00Z or 2026-11-25T10:30:00+01:00"
)

// bodyScan walks a JSON body along the type it will be decoded into, before it is
// decoded, and lists by field path (lines[0].unit) what the decoder would let through or
// explain badly: text with invalid UTF-8, NUL or an unpaired surrogate, and dates and
// times not in their format or years out of all reason. Malformed JSON ends the walk;
// the decoder then says what is wrong with it.
type bodyScan struct {
	dec   *json.Decoder
	body  []byte
	path  []pathSeg // where the walk is; joined only when there is a problem to name
	probs []models.FieldError
}

// pathSeg is a field name, or an array index when key is "".
type pathSeg struct {
	key   string
	index int
}

func scanBody(body []byte, t reflect.Type) ([]models.FieldError, error) {
	s := &bodyScan{dec: json.NewDecoder(bytes.NewReader(body)), body: body}
	s.dec.UseNumber()
	if err := s.value(t); err != nil {
		return nil, err
	}
	return s.probs, nil
}

// add records a problem with the field the walk is at.
func (s *bodyScan) add(msg string) {
	var b strings.Builder
	for _, seg := range s.path {
		switch {
		case seg.key == "":
			fmt.Fprintf(&b, "[%d]", seg.index)
		case b.Len() > 0:
			b.WriteString("." + seg.key)
		default:
			b.WriteString(seg.key)
		}
	}
	field := b.String()
	if field == "" {
		field = "body"
	}
	s.probs = append(s.probs, models.FieldError{Field: field, Message: msg})
}

// token reads the next token and the raw bytes it came from.
func (s *bodyScan) token() (json.Token, []byte, error) {
	start := s.dec.InputOffset()
	tok, err := s.dec.Token()
	return tok, s.body[start:s.dec.InputOffset()], err
}

func (s *bodyScan) value(t reflect.Type) error {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	tok, raw, err := s.token()
	if err != nil {
		return err
	}
	switch v := tok.(type) {
	case json.Delim:
		if msg := whenFormat(t); msg != "" {
			s.add(msg)
			t = nil // read past it
		}
		if v == '{' {
			return s.object(t)
		}
		return s.array(t)
	case string:
		if msg := rawTextProblem(v, raw); msg != "" {
			s.add(msg)
			return nil
		}
		switch t {
		case timeType:
			if at, err := time.Parse(time.RFC3339, v); err != nil {
				s.add(msgTime)
			} else if msg := models.YearProblem(at.Year()); msg != "" {
				s.add(msg)
			}
		case dateType:
			if d, err := models.ParseDate(v); err != nil {
				s.add(msgDate)
			} else if msg := models.YearProblem(d.Year()); msg != "" {
				s.add(msg)
			}
		}
	case json.Number:
		if msg := whenFormat(t); msg != "" {
			s.add(msg)
		} else if msg := numberProblem(v, t); msg != "" {
			s.add(msg)
		}
	case bool:
		if msg := whenFormat(t); msg != "" {
			s.add(msg)
		}
	}
	return nil
}

// numberProblem says why a number does not fit the field it is for, "" when it does (or
// is not for a number field: the decoder says so): a 422 like any other out-of-range
// value, rather than the decoder's 400.
func numberProblem(n json.Number, t reflect.Type) string {
	if t == nil {
		return ""
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if _, err := strconv.ParseInt(n.String(), 10, t.Bits()); err != nil {
			lim := int64(1)<<(t.Bits()-1) - 1
			return fmt.Sprintf("must be a whole number from %d to %d", -lim-1, lim)
		}
	case reflect.Float32, reflect.Float64:
		if _, err := strconv.ParseFloat(n.String(), t.Bits()); err != nil {
			return "must be a number from -1e308 to 1e308"
		}
	}
	return ""
}

// whenFormat is the message for a date or time field given something else, "" for
// other fields.
func whenFormat(t reflect.Type) string {
	switch t {
	case timeType:
		return msgTime
	case dateType:
		return msgDate
	}
	return ""
}

// rawTextProblem checks a decoded string against the bytes it was decoded from: the
// decoder has already replaced invalid UTF-8 and lone surrogates (\ud800) by U+FFFD.
func rawTextProblem(decoded string, raw []byte) string {
	if !utf8.Valid(raw) {
		return "is not valid UTF-8 text"
	}
	if strings.ContainsRune(decoded, utf8.RuneError) && !bytes.Contains(raw, []byte("\uFFFD")) && !bytes.Contains(bytes.ToLower(raw), []byte(`\ufffd`)) {
		return "is not valid Unicode text (an unpaired surrogate)"
	}
	return models.TextProblem(decoded)
}

func (s *bodyScan) object(t reflect.Type) error {
	for s.dec.More() {
		tok, raw, err := s.token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		if msg := rawTextProblem(key, raw); msg != "" {
			s.add("has a field name that " + strings.TrimPrefix(msg, "is "))
		}
		s.path = append(s.path, pathSeg{key: key})
		err = s.value(memberType(t, key))
		s.path = s.path[:len(s.path)-1]
		if err != nil {
			return err
		}
	}
	_, err := s.dec.Token()
	return err
}

func (s *bodyScan) array(t reflect.Type) error {
	var elem reflect.Type
	if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
		elem = t.Elem()
	}
	for i := 0; s.dec.More(); i++ {
		s.path = append(s.path, pathSeg{index: i})
		err := s.value(elem)
		s.path = s.path[:len(s.path)-1]
		if err != nil {
			return err
		}
	}
	_, err := s.dec.Token()
	return err
}

// memberType is the type a key of an object decodes into: a struct's field (matched as
// encoding/json matches, exactly or else ignoring case) or a map's values; nil when
// unknown, which the decoder refuses later.
func memberType(t reflect.Type, key string) reflect.Type {
	if t == nil {
		return nil
	}
	switch t.Kind() {
	case reflect.Map:
		return t.Elem()
	case reflect.Struct:
		fields := structFields(t)
		if ft, ok := fields[key]; ok {
			return ft
		}
		for name, ft := range fields {
			if strings.EqualFold(name, key) {
				return ft
			}
		}
	}
	return nil
}

// fieldCache holds each struct type's JSON field names and types, worked out once.
var fieldCache sync.Map // reflect.Type -> map[string]reflect.Type

func structFields(t reflect.Type) map[string]reflect.Type {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string]reflect.Type)
	}
	m := map[string]reflect.Type{}
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() || f.Anonymous && f.Type.Kind() == reflect.Struct && f.Tag.Get("json") == "" {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		m[name] = f.Type
	}
	fieldCache.Store(t, m)
	return m
}

// cleanInput refuses query parameters, path segments and the Idempotency-Key header when
// they are not valid text, with a 422 naming them, before anything passes them to the
// database.
func cleanInput(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		var p models.Problems
		for name, values := range c.QueryParams() {
			if msg := models.TextProblem(name); msg != "" {
				p.Add("query", "has a parameter name that %s", strings.TrimPrefix(msg, "is "))
				continue
			}
			for _, v := range values {
				if msg := models.TextProblem(v); msg != "" {
					p.Add(name, "%s", msg)
				}
			}
		}
		if msg := models.TextProblem(c.Request().Header.Get("Idempotency-Key")); msg != "" {
			p.Add("Idempotency-Key", "%s", msg)
		}
		for i, name := range c.ParamNames() {
			if msg := models.TextProblem(c.ParamValues()[i]); msg != "" {
				p.Add(name, "%s", msg)
			}
		}
		if err := p.Err(); err != nil {
			return err
		}
		return next(c)
	}
}

package models

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// Page asks for one page of a list: at most Limit items after Cursor.
type Page struct {
	Limit  int
	Cursor string
}

// List limits.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// Key is the position of an item in a sorted list: the sort column's value (a string, a
// time or a Date) and the id that breaks ties. A cursor is a Key, encoded so that clients
// treat it as opaque.
type Key struct {
	Sort any
	ID   int64
}

// cursor is a Key as it travels.
type cursor struct {
	Sort json.RawMessage `json:"s,omitempty"`
	ID   int64           `json:"i"`
}

// Order says how a list is sorted: by a column (empty for id alone), ascending or not.
type Order struct {
	Column string
	Desc   bool
}

var (
	KeyID     = Order{}
	KeyIDDesc = Order{Desc: true}
)

func encodeCursor(k Key) string {
	if t, ok := k.Sort.(time.Time); ok {
		k.Sort = t.UTC()
	}
	c := cursor{ID: k.ID}
	if k.Sort != nil {
		c.Sort, _ = json.Marshal(k.Sort)
	}
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor reads a cursor back into a Key whose Sort has the type of want's (the key
// of the list's zero item): a cursor is text from the client, and a value of another type
// would reach the database as a comparison it cannot make (a 500 on PostgreSQL).
func decodeCursor(s string, want Key) (Key, error) {
	bad := Invalid("cursor", "is not a cursor this list gave out")
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	// Unmarshal would quietly turn invalid UTF-8 into U+FFFD.
	if err != nil || !utf8.Valid(b) || json.Unmarshal(b, &c) != nil || c.ID < 0 {
		return Key{}, bad
	}
	k := Key{ID: c.ID}
	if want.Sort == nil {
		return k, nil
	}
	if c.Sort == nil {
		return Key{}, bad
	}
	v := reflect.New(reflect.TypeOf(want.Sort))
	if json.Unmarshal(c.Sort, v.Interface()) != nil {
		return Key{}, bad
	}
	k.Sort = v.Elem().Interface()
	switch x := k.Sort.(type) {
	case string:
		if TextProblem(x) != "" {
			return Key{}, bad
		}
	case interface{ Year() int }: // a time.Time or a Date
		if YearProblem(x.Year()) != "" {
			return Key{}, bad
		}
	}
	return k, nil
}

// Paginate runs q as a keyset-paginated list: sorted by order (then id), starting after
// the page's cursor, at most page.Limit rows. It returns the rows and the cursor of the
// next page ("" on the last). Every list in the service goes through here. The table's id
// column is assumed to be "id" of the model's table; order.Column must be a trusted name.
func Paginate[T any](q *gorm.DB, page Page, order Order, key func(T) Key) ([]T, string, error) {
	limit := page.Limit
	if limit == 0 {
		limit = DefaultLimit
	}
	if limit < 1 || limit > MaxLimit {
		return nil, "", Invalid("limit", "must be between 1 and %d", MaxLimit)
	}
	table := q.Statement.Table
	if table == "" {
		if err := q.Statement.Parse(q.Statement.Model); err != nil {
			return nil, "", fmt.Errorf("paginate: %w", err)
		}
		table = q.Statement.Schema.Table
	}
	id := table + ".id"
	cmp, dir := ">", "ASC"
	if order.Desc {
		cmp, dir = "<", "DESC"
	}
	if page.Cursor != "" {
		var zero T
		k, err := decodeCursor(page.Cursor, key(zero))
		if err != nil {
			return nil, "", err
		}
		if order.Column == "" {
			q = q.Where(id+" "+cmp+" ?", k.ID)
		} else {
			q = q.Where("("+order.Column+" "+cmp+" ? OR ("+order.Column+" = ? AND "+id+" "+cmp+" ?))", k.Sort, k.Sort, k.ID)
		}
	}
	if order.Column != "" {
		q = q.Order(order.Column + " " + dir)
	}
	var rows []T
	if err := q.Order(id + " " + dir).Limit(limit + 1).Find(&rows).Error; err != nil {
		return nil, "", err
	}
	next := ""
	if len(rows) > limit {
		rows = rows[:limit]
		next = encodeCursor(key(rows[limit-1]))
	}
	if rows == nil {
		rows = []T{}
	}
	return rows, next, nil
}

// Sorts are the orders a list offers, by the name of its sort parameter ("" is the
// default); a name with a leading - is descending.
type Sorts map[string]Order

// Keys are the names a client may give, in order.
func (sorts Sorts) Keys() []string {
	keys := make([]string, 0, len(sorts))
	for k := range sorts {
		if k != "" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// order is the named order, or a ValidationError at sort listing the names.
func (sorts Sorts) order(name string) (Order, error) {
	o, ok := sorts[name]
	if !ok {
		return o, Invalid("sort", "must be one of %s", strings.Join(sorts.Keys(), ", "))
	}
	return o, nil
}

package models

import (
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// Cursors come from clients: whatever a cursor holds, reading it for a list sorted by
// id, text, a time or a day never panics, and one it accepts holds a value of the
// list's type that goes out and comes back the same.
func FuzzCursor(f *testing.F) {
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for _, s := range []string{
		enc(`{"s":[1,2,3],"i":1}`), enc(`{"s":{"a":1},"i":1}`), enc(`{"s":"x","i":1}`), enc(`{"s":12,"i":1}`),
		enc(`{"s":"2026-11-25T10:30:00Z","i":7}`), enc(`{"s":"2026-11-25T10:30:00.123456789+01:00","i":7,"t":true}`),
		enc(`{"s":"2026-11-25","i":3}`), enc(`{"s":"0000-01-01","i":3}`), enc(`{"s":"9999-12-31T23:59:59Z","i":3}`),
		enc(`{"s":"\u0000","i":1}`), enc("{\"s\":\"\xff\",\"i\":1}"), enc(`{"s":"\ud800","i":1}`),
		enc(`{"i":-1}`), enc(`{"i":9223372036854775807}`), enc(`{"i":9223372036854775808}`), enc(`null`), enc(`[]`), "!!!", "",
	} {
		f.Add(s)
	}
	wants := []Key{{ID: 0}, {Sort: ""}, {Sort: time.Time{}}, {Sort: Date{}}}
	f.Fuzz(func(t *testing.T, s string) {
		for _, want := range wants {
			k, err := decodeCursor(s, want)
			if err != nil {
				continue
			}
			if reflect.TypeOf(k.Sort) != reflect.TypeOf(want.Sort) || k.ID < 0 {
				t.Fatalf("%q read for %T as %#v", s, want.Sort, k)
			}
			if str, ok := k.Sort.(string); ok && (!utf8.ValidString(str) || strings.ContainsRune(str, 0)) {
				t.Fatalf("%q gave text %q", s, str)
			}
			back, err := decodeCursor(encodeCursor(k), want)
			if err != nil {
				t.Fatalf("%q: the cursor of %#v does not read back: %v", s, k, err)
			}
			if tm, ok := k.Sort.(time.Time); ok {
				if !tm.Equal(back.Sort.(time.Time)) || back.ID != k.ID {
					t.Fatalf("%#v came back as %#v", k, back)
				}
			} else if !reflect.DeepEqual(k, back) {
				t.Fatalf("%#v came back as %#v", k, back)
			}
		}
	})
}

// A date a client sends is YYYY-MM-DD exactly: one accepted is written back the same.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-11-25", "0000-01-01", "9999-12-31", "2026-02-29", "2024-02-29", "01/12/2026", "2026-1-5",
		" 2026-11-25", "2026-11-25T10:30:00Z", "+2026-11-25", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			return
		}
		if d.String() != s {
			t.Fatalf("%q read as %s", s, d)
		}
		b, _ := json.Marshal(d)
		var back Date
		if err := json.Unmarshal(b, &back); err != nil || back != d {
			t.Fatalf("%s does not round-trip through JSON: %v", d, err)
		}
	})
}

// A postcode accepted is written the standard way, and that way is accepted as itself.
func FuzzPostcode(f *testing.F) {
	for _, s := range []string{"B70 7PA", "b707pa", "WS10 9QY", "SW1A 1AA", "GIR 0AA", "  b 7 0 7 p a ", "ZZ9",
		"B70 7PA\x00", "\xff\xfe", "B70\u00a07PA", "ＢＴ１ １ＡＡ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		pc, ok := NormalisePostcode(s)
		if !ok {
			return
		}
		again, ok2 := NormalisePostcode(pc)
		if !ok2 || again != pc || len(pc) < 6 || len(pc) > 8 || strings.ToUpper(pc) != pc || pc[len(pc)-4] != ' ' {
			t.Fatalf("%q normalised to %q, which normalises to %q (%v)", s, pc, again, ok2)
		}
	})
}

// Opening hours from a client: checking them never panics, and hours that pass are
// weekdays with HH:MM intervals in order that survive a trip through the database text.
func FuzzOpeningHours(f *testing.F) {
	for _, s := range []string{
		`{"mon":[{"from":"09:00","to":"12:30"},{"from":"13:30","to":"17:00"}]}`,
		`{"tue":[{"from":"17:00","to":"09:00"}]}`, `{"sun":[{"from":"24:00","to":"25:00"}]}`, `{"mon":[{"from":"9:00","to":"12:00"}]}`,
		`{"funday":[]}`, `{"mon":[{"from":"09:00","to":"12:00"},{"from":"11:00","to":"13:00"}]}`, `{"mon":null}`, `{}`, `null`,
		`{"wed":[{"from":"00:00","to":"23:59"}]}`, `{"mon":[{"from":"09:00\u0000","to":"12:00"}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var h OpeningHours
		if json.Unmarshal(b, &h) != nil {
			return
		}
		var p Problems
		h.Check(&p, "opening_hours")
		if p.Err() != nil {
			return
		}
		for day, list := range h {
			prev := -1
			for _, iv := range list {
				from, ok1 := parseClock(iv.From)
				to, ok2 := parseClock(iv.To)
				if !ok1 || !ok2 || from >= to || from < prev || from < 0 || to > 24*60 {
					t.Fatalf("%s accepted with %s %+v", b, day, iv)
				}
				prev = to
			}
		}
		v, err := h.Value()
		if err != nil {
			t.Fatal(err)
		}
		var back OpeningHours
		if err := back.Scan(v); err != nil || len(back) != len(h) {
			t.Fatalf("%s does not come back from the database text %v: %v", b, v, err)
		}
	})
}

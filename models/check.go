package models

import (
	"strings"
	"unicode/utf8"
)

// The longest text the service keeps in a field of each kind, in characters. The rules
// that guard each input type (its apply or check function) name the limit of each field.
const (
	MaxText     = 2000 // notes and other free text
	MaxLine     = 500  // a description, an address, a source
	MaxName     = 200  // a person's or a business's name, a reference
	MaxTitle    = 100  // the name of a category, a location, a vehicle
	MaxEmail    = 254
	MaxPhone    = 40
	MaxCode     = 20 // a location's code, a unit, a registration
	MaxPostcode = 10
)

// TextProblem says why text from outside cannot be kept, or "" when it can: PostgreSQL
// refuses NUL and invalid UTF-8 (and a decoder would quietly turn the bytes into U+FFFD).
func TextProblem(v string) string {
	switch {
	case !utf8.ValidString(v):
		return "is not valid UTF-8 text"
	case strings.ContainsRune(v, 0):
		return "must not contain NUL characters"
	}
	return ""
}

// checkText rejects free text that is missing when required, longer than MaxText, or
// not valid text.
func checkText(p *Problems, field, v string, required bool) {
	checkTextUpTo(p, field, v, MaxText, required)
}

// checkTextUpTo rejects text that is missing when required, longer than max characters,
// or not valid text.
func checkTextUpTo(p *Problems, field, v string, max int, required bool) {
	switch msg := TextProblem(v); {
	case msg != "":
		p.Add(field, "%s", msg)
	case required && strings.TrimSpace(v) == "":
		p.Add(field, "is required")
	case utf8.RuneCountInString(v) > max:
		p.Add(field, "must be at most %d characters", max)
	}
}

// setPostcode sets *dst from an optional postcode: nil keeps it, blank clears it, and
// anything else must be a UK postcode, kept in its usual form.
func setPostcode(p *Problems, dst, v *string) {
	if v == nil {
		return
	}
	*dst = ""
	switch pc, ok := NormalisePostcode(*v); {
	case utf8.RuneCountInString(*v) > MaxPostcode:
		p.Add("postcode", "must be at most %d characters", MaxPostcode)
	case strings.TrimSpace(*v) == "":
	case ok:
		*dst = pc
	default:
		p.Add("postcode", "is not a UK postcode")
	}
}

// setText sets *dst from optional text, trimmed (nil keeps it), and checks the result.
func setText(p *Problems, field string, dst, v *string, max int, required bool) {
	if v != nil {
		*dst = strings.TrimSpace(*v)
	}
	checkTextUpTo(p, field, *dst, max, required)
}

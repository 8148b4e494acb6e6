package models

import (
	"strings"
	"unicode/utf8"
)

// MaxText is the longest free text the service keeps in one field.
const MaxText = 2000

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

// checkText rejects text that is missing when required, too long, or not valid text.
func checkText(p *Problems, field, v string, required bool) {
	switch msg := TextProblem(v); {
	case msg != "":
		p.Add(field, "%s", msg)
	case required && strings.TrimSpace(v) == "":
		p.Add(field, "is required")
	case len(v) > MaxText:
		p.Add(field, "must be at most %d characters", MaxText)
	}
}

package models

import (
	"strings"
	"unicode/utf8"
)

// MaxText is the longest free text the service keeps in one field.
const MaxText = 2000

// checkText rejects text that is missing when required, too long, or not valid UTF-8.
func checkText(p *Problems, field, v string, required bool) {
	switch {
	case !utf8.ValidString(v):
		p.Add(field, "is not valid UTF-8")
	case required && strings.TrimSpace(v) == "":
		p.Add(field, "is required")
	case len(v) > MaxText:
		p.Add(field, "must be at most %d characters", MaxText)
	case strings.ContainsRune(v, 0):
		p.Add(field, "must not contain NUL characters")
	}
}

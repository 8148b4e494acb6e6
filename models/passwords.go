package models

import (
	_ "embed"
	"strings"
	"sync"
	"unicode/utf8"
)

// MinPasswordLength and MaxPasswordBytes bound a new password (bcrypt reads 72 bytes).
const (
	MinPasswordLength = 10
	MaxPasswordBytes  = 72
)

//go:embed common_passwords.txt
var commonPasswordList string

// commonPasswords is the set of passwords that breaches show people choose most, kept
// lower-case; see common_passwords.md for where it comes from.
var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	set := make(map[string]struct{}, 20000)
	for _, pw := range strings.Split(commonPasswordList, "\n") {
		if pw = strings.TrimSpace(pw); pw != "" {
			set[strings.ToLower(pw)] = struct{}{}
		}
	}
	return set
})

// MaxSecretInput is the longest password taken as input at all; a new one must also
// fit in MaxPasswordBytes.
const MaxSecretInput = 200

// checkSecretGiven requires a password, kept as typed (spaces count), of a sane length.
func checkSecretGiven(p *Problems, field, v string) {
	switch {
	case v == "":
		p.Add(field, "is required")
	case utf8.RuneCountInString(v) > MaxSecretInput:
		p.Add(field, "must be at most %d characters", MaxSecretInput)
	}
}

// checkPassword refuses a new password that is short, too long for bcrypt, made of one
// character repeated, or among the most common passwords (in any mix of case), saying why.
func checkPassword(p *Problems, field, pw string) {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinPasswordLength:
		p.Add(field, "must be at least %d characters", MinPasswordLength)
	case len(pw) > MaxPasswordBytes:
		p.Add(field, "must be at most %d bytes", MaxPasswordBytes)
	case strings.TrimSpace(pw) == "":
		p.Add(field, "must not be only spaces")
	case strings.Count(pw, pw[:utf8.RuneLen([]rune(pw)[0])]) == n:
		p.Add(field, "must not be one character repeated")
	default:
		if _, common := commonPasswords()[strings.ToLower(pw)]; common {
			p.Add(field, "is one of the most commonly used passwords, which are tried first when guessing: "+
				"choose another (a few unrelated words make a good one)")
		}
	}
}

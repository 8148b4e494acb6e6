package models

import (
	"regexp"
	"strings"
)

// A UK postcode: outward code (area letters, district) and inward code (sector digit and
// two unit letters), e.g. B70 7PA, WS10 9QY, SW1A 1AA. GIR 0AA is the one odd exception.
var postcodeRE = regexp.MustCompile(`^(GIR0AA|[A-PR-UWYZ][0-9][0-9A-HJKPSTUW]?[0-9][ABD-HJLNP-UW-Z]{2}|[A-PR-UWYZ][A-HK-Y][0-9][0-9ABEHMNPRV-Y]?[0-9][ABD-HJLNP-UW-Z]{2})$`)

// NormalisePostcode validates a UK postcode and writes it the standard way ("b1 1aa" to
// "B1 1AA"); ok is false when it is not a postcode.
func NormalisePostcode(s string) (string, bool) {
	compact := strings.ToUpper(strings.Join(strings.Fields(s), ""))
	if !postcodeRE.MatchString(compact) {
		return "", false
	}
	return compact[:len(compact)-3] + " " + compact[len(compact)-3:], true
}

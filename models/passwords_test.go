package models

import (
	"strings"
	"testing"
)

func TestCheckPassword(t *testing.T) {
	for _, tc := range []struct {
		pw   string
		want string // part of the problem, "" when accepted
	}{
		{"correct horse battery", ""},
		{"Scrapstore-Tuesday-7", ""},
		{"ünïcödé-päss", ""},
		{"short", "at least 10 characters"},
		{"ääääää", "at least 10 characters"}, // 12 bytes but 6 characters
		{strings.Repeat("x", 73), "at most 72 bytes"},
		{"          ", "only spaces"},
		{"\t\t\t\t\t\t\t\t\t\t", "only spaces"},
		{"aaaaaaaaaaaa", "one character repeated"},
		{"éééééééééé", "one character repeated"},
		{"password123", "most commonly used"},
		{"PassWord123", "most commonly used"},
		{"1234567890", "most commonly used"},
		{"qwertyuiop", "most commonly used"},
		{"iloveyou12", "most commonly used"},
	} {
		var p Problems
		checkPassword(&p, "password", tc.pw)
		got := ""
		if err := p.Err(); err != nil {
			got = err.Error()
		}
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("%q: got %q, want a problem saying %q", tc.pw, got, tc.want)
		}
	}
	if n := len(commonPasswords()); n < 19000 {
		t.Fatalf("only %d common passwords loaded", n)
	}
}

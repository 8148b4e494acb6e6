package models

import "testing"

func TestDefuseCell(t *testing.T) {
	for cell, want := range map[string]string{
		"":                "",
		"Card":            "Card",
		"-1.97":           "-1.97",
		"+3":              "+3",
		"=1+1":            "'=1+1",
		"@SUM(A1)":        "'@SUM(A1)",
		"-2+3":            "'-2+3",
		"+44 121 555 01":  "'+44 121 555 01",
		"\tx":             "'\tx",
		"\r=1":            "'\r=1",
		"'=already text'": "''=already text'",
	} {
		if got := defuseCell(cell); got != want {
			t.Errorf("defuseCell(%q) = %q, want %q", cell, got, want)
		}
		if got := restoreCell(defuseCell(cell)); got != cell {
			t.Errorf("restoreCell(defuseCell(%q)) = %q", cell, got)
		}
	}
}

package reports

import (
	"bytes"
	"os"
	"testing"
)

func TestLabelsArePDFsWithTheTag(t *testing.T) {
	var one, sheet bytes.Buffer
	if err := SingleLabel(&one, Label{Tag: "FN-000123", Type: "Chaise longue, café style", Date: "2026-11-25"}); err != nil {
		t.Fatal(err)
	}
	var many []Label
	for i := 0; i < 16; i++ {
		many = append(many, Label{Tag: "FN-00010" + string(rune('0'+i%10)), Type: "Dining chair", Date: "2026-11-25"})
	}
	if err := LabelSheet(&sheet, many); err != nil {
		t.Fatal(err)
	}
	for _, b := range [][]byte{one.Bytes(), sheet.Bytes()} {
		if !bytes.HasPrefix(b, []byte("%PDF-")) || !bytes.Contains(b, []byte("FN-0001")) {
			t.Fatal("not a PDF with the tag")
		}
	}
	// Sixteen labels take two A4 pages of fourteen.
	if n := bytes.Count(sheet.Bytes(), []byte("/Type /Page\n")); n != 2 {
		t.Fatalf("%d pages", n)
	}
	if dir := os.Getenv("SCRAPSTORE_KEEP_PDF"); dir != "" {
		os.WriteFile(dir+"/label.pdf", one.Bytes(), 0o644)
		os.WriteFile(dir+"/sheet.pdf", sheet.Bytes(), 0o644)
	}
}

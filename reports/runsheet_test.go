package reports

import (
	"bytes"
	"compress/zlib"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/scrapstore/scrapstore/models"
)

// The sheet says where the van goes back to the depot to unload and which trip follows.
func TestRunSheetShowsTrips(t *testing.T) {
	at := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	sh := &models.RunSheet{Run: models.Run{ID: 7, Day: models.Date{Time: at}}, Vehicle: models.Vehicle{Name: "Little van", Registration: "FD68XMA", UnloadMinutes: 25}, Driver: "Sam"}
	for i, name := range []string{"Albion Printers", "Tame Valley Foam", "Soho Signs"} {
		st := models.SheetStop{RunStop: models.RunStop{Sequence: i + 1, Trip: 1 + i/2, StartAt: at.Add(time.Duration(i) * time.Hour)}, Request: models.PickupRequest{BusinessName: name}}
		sh.Stops = append(sh.Stops, st)
	}
	var out bytes.Buffer
	if err := RunSheet(&out, sh, time.UTC); err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, out.Bytes())
	if strings.Count(text, "Back to the depot to unload (about 25 min), then trip 2") != 1 || strings.Contains(text, "trip 3") {
		t.Fatalf("sheet text:\n%s", text)
	}
	if strings.Index(text, "Tame Valley Foam") > strings.Index(text, "then trip 2") || strings.Index(text, "then trip 2") > strings.Index(text, "Soho Signs") {
		t.Fatal("the return to the depot is not between the second and third stops")
	}
}

// pdfText inflates a PDF's content streams, where its text is, with brackets unescaped.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	var text strings.Builder
	for rest := pdf; ; {
		_, after, ok := bytes.Cut(rest, []byte("stream\n"))
		if !ok {
			return strings.NewReplacer(`\(`, "(", `\)`, ")").Replace(text.String())
		}
		body, next, _ := bytes.Cut(after, []byte("endstream"))
		rest = next
		if r, err := zlib.NewReader(bytes.NewReader(body)); err == nil {
			b, _ := io.ReadAll(r)
			text.Write(b)
		}
	}
}

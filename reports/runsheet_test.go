package reports

import (
	"bytes"
	"compress/zlib"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/scrapstore/scrapstore/models"
)

var unescape = strings.NewReplacer(`\(`, "(", `\)`, ")", `\\`, `\`)

// pdfText is the text a PDF shows, page by page, from its compressed content streams.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	var out strings.Builder
	for _, m := range regexp.MustCompile(`(?s)stream\n(.*?)endstream`).FindAllSubmatch(pdf, -1) {
		r, err := zlib.NewReader(bytes.NewReader(m[1]))
		if err != nil {
			continue // not a content stream
		}
		b, _ := io.ReadAll(r)
		for _, s := range regexp.MustCompile(`\(((?:\\.|[^\\)])*)\)\s*Tj`).FindAllSubmatch(b, -1) {
			out.WriteString(unescape.Replace(string(s[1])))
			out.WriteByte('\n')
		}
	}
	return out.String()
}

func sheetRun(status models.RunStatus, stops ...models.RunStop) *models.RunSheet {
	london, _ := time.LoadLocation("Europe/London")
	day := models.NewDate(time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC))
	at := time.Date(2026, 11, 27, 9, 15, 0, 0, time.UTC)
	r := models.Run{ID: 7, Day: day, Status: status, PlannedM: 12_300, PlannedMinutes: 300, Stops: stops}
	for i := range r.Stops {
		r.Stops[i].Sequence, r.Stops[i].StartAt = i+1, at.Add(time.Duration(i)*40*time.Minute)
	}
	if status == "finished" {
		start, finish := models.Km(48000), models.Km(48042.5)
		left, back := at.Add(-time.Hour), at.Add(4*time.Hour)
		r.StartOdometerKm, r.FinishOdometerKm, r.StartedAt, r.FinishedAt = &start, &finish, &left, &back
	}
	return &models.RunSheet{Run: r, Vehicle: models.Vehicle{Name: "Transit", Registration: "BV21RDE"}, Driver: "Sam Driver",
		BackAt: day.Start(london).Add(13 * time.Hour)}
}

// A run sheet says how many stops in words that agree with the number, when the van is
// back, each donor's opening hours that day, and for a finished run what each stop gave.
func TestRunSheet(t *testing.T) {
	london, _ := time.LoadLocation("Europe/London")
	albion := &models.StopDetails{Name: "Albion Print", Address: "12 Spon Lane", Postcode: "B70 6AU", ContactName: "Jas Bains", Phone: "0121 555 0199",
		OpeningHours: []models.Interval{{From: "08:30", To: "12:00"}, {From: "13:00", To: "17:00"}}, Reference: "PR-ABC", What: "card tubes",
		ApproxG: 120_000}
	closed := &models.StopDetails{Name: "Borough Foam", OpeningHours: []models.Interval{}, What: "foam"}
	unknown := &models.StopDetails{Name: "Carters", What: "fabric ends"}
	cases := []struct {
		name      string
		sheet     *models.RunSheet
		want, not []string
	}{
		{"one stop to do", sheetRun("planned", models.RunStop{Kind: "pickup", Status: "planned", Details: albion}),
			[]string{"1 stop, 12.3 km planned, back at the depot about 13:00", "Open: 08:30-12:00, 13:00-17:00", "Weights (kg):",
				"Odometer at start: ____________"},
			[]string{"1 stops", "Collected"}},
		{"finished", sheetRun("finished",
			models.RunStop{Kind: "pickup", Status: "completed", Details: withCollected(albion,
				models.DonationLine{Description: "Card offcuts", QuantityMilli: 6000, Unit: "box", WeightG: 22_500},
				models.DonationLine{Description: "Tubes", QuantityMilli: 1_200_000, Unit: "each", WeightG: 1_240_000})},
			models.RunStop{Kind: "pickup", Status: "missed", Reason: "run finished", Details: closed},
			models.RunStop{Kind: "pickup", Status: "completed", Details: withCollected(unknown,
				models.DonationLine{Description: "Fabric", QuantityMilli: 3000, Unit: "bag", WeightG: 9000})}),
			[]string{"3 stops, 12.3 km planned", "Collected: Card offcuts 6 box, 22.5 kg; Tubes 1,200 each, 1,240.0 kg", "Missed: run finished",
				"Open: closed that day",
				"Open: hours not given", "at finish: 48,042.5 km, back 13:15   Driven: 42.5 km", "Done: 2 of 3 stops, 1,271.5 kg collected"},
			[]string{"Weights (kg):", "____________"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := RunSheet(&buf, c.sheet, london); err != nil {
				t.Fatal(err)
			}
			text := pdfText(t, buf.Bytes())
			for _, w := range c.want {
				if !strings.Contains(text, w) {
					t.Errorf("the sheet does not say %q:\n%s", w, text)
				}
			}
			for _, n := range c.not {
				if strings.Contains(text, n) {
					t.Errorf("the sheet says %q:\n%s", n, text)
				}
			}
			if dir := os.Getenv("SCRAPSTORE_KEEP_PDF"); dir != "" {
				os.WriteFile(dir+"/runsheet-"+strings.ReplaceAll(c.name, " ", "-")+".pdf", buf.Bytes(), 0o644)
			}
		})
	}
}

func withCollected(d *models.StopDetails, lines ...models.DonationLine) *models.StopDetails {
	c := *d
	c.Collected = lines
	return &c
}

// The sheet says where the van goes back to the depot to unload and which trip follows.
func TestRunSheetShowsTrips(t *testing.T) {
	var stops []models.RunStop
	for i, name := range []string{"Albion Printers", "Tame Valley Foam", "Soho Signs"} {
		stops = append(stops, models.RunStop{Kind: "pickup", Status: "planned", Trip: 1 + i/2, Details: &models.StopDetails{Name: name}})
	}
	sh := sheetRun("planned", stops...)
	sh.Vehicle.UnloadMinutes = 25
	var out bytes.Buffer
	if err := RunSheet(&out, sh, time.UTC); err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, out.Bytes())
	if strings.Count(text, "Back to the depot to unload (about 25 min), then trip 2") != 1 || strings.Contains(text, "trip 3") {
		t.Fatalf("sheet text:\n%s", text)
	}
	if strings.Index(text, "Tame Valley Foam") > strings.Index(text, "then trip 2") ||
		strings.Index(text, "then trip 2") > strings.Index(text, "Soho Signs") {
		t.Fatal("the return to the depot is not between the second and third stops")
	}
}

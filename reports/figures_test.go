package reports

import (
	"regexp"
	"strings"
	"testing"

	"github.com/scrapstore/scrapstore/models"
)

func TestNumbersAreWrittenOneWay(t *testing.T) {
	for _, c := range []struct {
		v      float64
		places int
		want   string
	}{
		{1554.94, 1, "1,554.9"},
		{5857.926, 1, "5,857.9"},
		{1234567.891, 2, "1,234,567.89"},
		{999.96, 1, "1,000.0"},
		{12, 0, "12"},
		{-1554.94, 1, "-1,554.9"},
		{-0.04, 1, "0.0"},
	} {
		if got := number(c.v, c.places); got != c.want {
			t.Errorf("number(%v, %d) = %q, want %q", c.v, c.places, got, c.want)
		}
	}
}

// The PDF's tables use people's words under titled sections, and write every number the
// one way; the CSV keeps its stable names and weights to the gram.
func TestFigureRowsForPeopleAndForScripts(t *testing.T) {
	f := &models.Figures{
		Donations: models.DonationFigures{Count: 1554, Kg: 1554.94, ByCategory: []models.CategoryCount{{Name: "Paper and card", Kg: 5857.926}}},
		Members:   models.MemberFigures{ByKind: map[string]int64{"early_years": 2, "play_group": 1, "community_group": 3}},
		Furniture: models.FurnitureFigures{ByType: map[string]int64{"Sofa": 1}, DisposedByRoute: map[string]int64{"returned_to_donor": 1}},
		Logistics: models.LogisticsFigures{Km: 48171.76815824047},
	}
	f.CO2e.AvoidedKg = 0.1 + 0.2
	pdfNumber := regexp.MustCompile(`^-?\d{1,3}(,\d{3})*(\.\d)?$`)
	labels, csv := map[string]string{}, map[string]string{}
	for _, r := range figureRows(f) {
		if sectionTitles[r.section] == "" {
			t.Errorf("section %q has no title", r.section)
		}
		if strings.Contains(r.label, "_") {
			t.Errorf("label %q is a code", r.label)
		}
		text := number(r.value, r.places)
		if !pdfNumber.MatchString(text) {
			t.Errorf("%s: the PDF writes %q", r.label, text)
		}
		labels[r.label] = text
		csv[r.section+"/"+r.measure] = r.csv
	}
	for label, want := range map[string]string{
		"Early years": "2", "Play group": "1", "Community group": "3", "Returned to donor": "1",
		"Weight received (kg)": "1,554.9", "Paper and card (kg)": "5,857.9", "Distance driven (km)": "48,171.8",
		"CO2e avoided by reuse (kg)": "0.3",
	} {
		if labels[label] != want {
			t.Errorf("%s: %q, want %q", label, labels[label], want)
		}
	}
	for key, want := range map[string]string{
		"donations/kg": "1554.94", "donations by category/Paper and card kg": "5857.926", "logistics/km": "48171.8",
		"co2e/avoided kg": "0.3", "members served by kind/early_years": "2",
	} {
		if csv[key] != want {
			t.Errorf("CSV %s: %q, want %q", key, csv[key], want)
		}
	}
	if sectionTitles["co2e"] != "CO2e" {
		t.Errorf("the CO2e section is titled %q", sectionTitles["co2e"])
	}
}

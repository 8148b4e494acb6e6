package reports

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/models/testdb"
)

// A donor's impact letter thanks them by name for the year's donations (not last year's,
// nor a voided one), by material, with the CO2e each saved and the factors used.
func TestDonorImpactPDF(t *testing.T) {
	testdb.EachFixture(t, func(t *testing.T, f *testdb.Fixture) {
		ctx, s := context.Background(), f.Store
		paper := f.Category("Paper and card", "kg", map[string]float64{"kg": 1}, 0.92)
		cloth := f.Category("Textiles", "kg", map[string]float64{"kg": 1}, 22.31)
		shelf := f.Location("B1")
		donor := f.Donor("Albion Printers Ltd")
		give := func(at time.Time, cat int64, kg float64) *models.Donation {
			t.Helper()
			d, err := s.ReceiveDonation(ctx, f.Staff(), models.DonationInput{DonorID: &donor.ID, ReceivedAt: at, Lines: []models.DonationLineInput{
				{CategoryID: &cat, Description: "offcuts", LocationID: &shelf.ID, Quantity: kg, Unit: "kg"}}})
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		give(testdb.Clock, paper.ID, 120)
		give(testdb.Clock, cloth.ID, 30)
		give(testdb.Clock.AddDate(-1, 0, 0), paper.ID, 500)
		voided := give(testdb.Clock, cloth.ID, 1000)
		if _, err := s.VoidDonation(ctx, f.Staff(), voided.ID, "entered twice"); err != nil {
			t.Fatal(err)
		}

		imp, err := s.DonorImpact(ctx, donor.ID, 2026, testdb.London)
		if err != nil {
			t.Fatal(err)
		}
		if imp.Donations != 2 || imp.Kg != 150 || len(imp.ByCategory) != 2 || len(imp.Factors) != 2 {
			t.Fatalf("impact %+v", imp)
		}
		var buf bytes.Buffer
		if err := ImpactPDF(&buf, donor.Name, imp, "Sandwell Scrapstore"); err != nil {
			t.Fatal(err)
		}
		text := pdfText(t, buf.Bytes())
		for _, want := range []string{"Sandwell Scrapstore", "Thank you, Albion Printers Ltd", "In 2026 you gave us 150.0 kg of materials in 2 donations",
			"saved about 779.7 kg of CO2e", "Paper and card", "110.4", "Textiles", "669.3", "each kg reused saves 22.31 kg CO2e",
			"Textiles: test factor, in use from 2000-01-01"} {
			if !strings.Contains(strings.ReplaceAll(text, "\n", " "), want) {
				t.Errorf("the letter does not say %q:\n%s", want, text)
			}
		}

		_, err = s.DonorImpact(ctx, donor.ID, 1999, testdb.London)
		var invalid *models.ValidationError
		if !errors.As(err, &invalid) {
			t.Fatalf("a year out of range: %v", err)
		}
		if _, err := s.DonorImpact(ctx, donor.ID+100, 2026, testdb.London); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("an unknown donor: %v", err)
		}
	})
}

package reports

import (
	"fmt"
	"io"

	"github.com/jung-kurt/gofpdf"

	"github.com/scrapstore/scrapstore/models"
)

// ImpactPDF thanks a donor business for what it gave in a year: kg by category, the CO2e
// its reuse saved, and each factor used with what it means.
func ImpactPDF(w io.Writer, donor string, imp *models.Impact, store string) error {
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.SetMargins(20, 20, 20)
	pdf.SetCreator("Scrapstore", true)
	d := &doc{pdf: pdf, tr: pdf.UnicodeTranslatorFromDescriptor("")}
	pdf.AddPage()
	d.title(store, fmt.Sprintf("Thank you, %s", donor))
	pdf.SetFont("Helvetica", "", 11)
	pdf.MultiCell(0, 6, d.tr(fmt.Sprintf("In %d you gave us %s kg of materials in %s donations. "+
		"Reused by schools, play groups and community groups, "+
		"it saved about %s kg of CO2e that making new would have cost.",
		imp.Year, kg(imp.Kg), number(float64(imp.Donations), 0), kg(imp.CO2eKg))), "", "L", false)
	d.heading("What you gave")
	pdf.SetFont("Helvetica", "B", 10)
	pdf.CellFormat(90, 7, "Material", "B", 0, "L", false, 0, "")
	pdf.CellFormat(35, 7, "kg", "B", 0, "R", false, 0, "")
	pdf.CellFormat(0, 7, "kg CO2e saved", "B", 1, "R", false, 0, "")
	pdf.SetFont("Helvetica", "", 10)
	for _, c := range imp.ByCategory {
		pdf.CellFormat(90, 6.5, d.tr(c.Name), "", 0, "L", false, 0, "")
		pdf.CellFormat(35, 6.5, kg(c.Kg), "", 0, "R", false, 0, "")
		pdf.CellFormat(0, 6.5, kg(c.CO2eKg), "", 1, "R", false, 0, "")
	}
	pdf.SetFont("Helvetica", "B", 10)
	pdf.CellFormat(90, 7, "Total", "T", 0, "L", false, 0, "")
	pdf.CellFormat(35, 7, kg(imp.Kg), "T", 0, "R", false, 0, "")
	pdf.CellFormat(0, 7, kg(imp.CO2eKg), "T", 1, "R", false, 0, "")
	if len(imp.Factors) == 0 {
		return pdf.Output(w)
	}
	d.heading("How the CO2e is worked out")
	pdf.SetFont("Helvetica", "", 10)
	pdf.MultiCell(0, 5.5, d.tr("Making a material new emits greenhouse gases, counted together as CO2e. Each kg of your materials "+
		"reused instead saves the CO2e of making a kg new: the material's factor. The factors we used:"), "", "L", false)
	pdf.Ln(1)
	for _, f := range imp.Factors {
		pdf.SetFont("Helvetica", "B", 10)
		pdf.CellFormat(pdf.GetStringWidth(d.tr(f.What+": ")), 6, d.tr(f.What+": "), "", 0, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", 10)
		pdf.CellFormat(0, 6, d.tr(fmt.Sprintf("each kg reused saves %s kg CO2e, so your %s kg saved %s kg CO2e.",
			number(f.CO2eKgPerKg, 2), kg(f.Kg), kg(f.CO2eKg))), "", 1, "L", false, 0, "")
	}
	pdf.Ln(2)
	pdf.SetFont("Helvetica", "", 7.5)
	pdf.SetTextColor(90, 90, 90)
	for _, f := range imp.Factors {
		pdf.MultiCell(0, 4, d.tr(fmt.Sprintf("%s: %s, in use from %s.", f.What, f.Source, f.From)), "", "L", false)
	}
	return pdf.Output(w)
}

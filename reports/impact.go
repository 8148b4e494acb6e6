package reports

import (
	"fmt"
	"io"

	"github.com/jung-kurt/gofpdf"

	"github.com/scrapstore/scrapstore/models"
)

// ImpactPDF thanks a donor business for what it gave in a year: kg by category and the
// CO2e its reuse saved.
func ImpactPDF(w io.Writer, donor string, imp *models.Impact, store string) error {
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.SetMargins(20, 20, 20)
	pdf.SetCreator("Scrapstore", true)
	d := &doc{pdf: pdf, tr: pdf.UnicodeTranslatorFromDescriptor("")}
	pdf.AddPage()
	d.title(store, fmt.Sprintf("Thank you, %s", donor))
	pdf.SetFont("Helvetica", "", 11)
	pdf.MultiCell(0, 6, d.tr(fmt.Sprintf("In %d you gave us %s kg of materials in %d donations. Reused by schools, play groups and community groups, "+
		"it saved about %s kg of CO2e that making new would have cost.", imp.Year, fmtNum(imp.Kg), imp.Donations, fmtNum(imp.CO2eKg))), "", "L", false)
	d.heading("What you gave")
	pdf.SetFont("Helvetica", "B", 10)
	pdf.CellFormat(90, 7, "Material", "B", 0, "L", false, 0, "")
	pdf.CellFormat(35, 7, "kg", "B", 0, "R", false, 0, "")
	pdf.CellFormat(0, 7, "kg CO2e saved", "B", 1, "R", false, 0, "")
	pdf.SetFont("Helvetica", "", 10)
	for _, c := range imp.ByCategory {
		pdf.CellFormat(90, 6.5, d.tr(c.Name), "", 0, "L", false, 0, "")
		pdf.CellFormat(35, 6.5, fmtNum(c.Kg), "", 0, "R", false, 0, "")
		pdf.CellFormat(0, 6.5, fmtNum(c.CO2eKg), "", 1, "R", false, 0, "")
	}
	pdf.SetFont("Helvetica", "B", 10)
	pdf.CellFormat(90, 7, "Total", "T", 0, "L", false, 0, "")
	pdf.CellFormat(35, 7, fmtNum(imp.Kg), "T", 0, "R", false, 0, "")
	pdf.CellFormat(0, 7, fmtNum(imp.CO2eKg), "T", 1, "R", false, 0, "")
	return pdf.Output(w)
}

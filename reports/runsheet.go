package reports

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jung-kurt/gofpdf"

	"github.com/scrapstore/scrapstore/models"
)

// RunSheet writes a driver's sheet: the date, van and driver, then each stop in order
// with its planned time, address, contact, access notes, what to collect and space to
// write the weights, and where the van goes back to the depot to unload between trips.
func RunSheet(w io.Writer, sh *models.RunSheet, loc *time.Location) error {
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.SetMargins(15, 15, 15)
	pdf.SetAutoPageBreak(true, 15)
	pdf.SetCreator("Scrapstore", true)
	d := &doc{pdf: pdf, tr: pdf.UnicodeTranslatorFromDescriptor("")}
	pdf.AliasNbPages("{nb}")
	pdf.SetFooterFunc(func() {
		pdf.SetY(-12)
		pdf.SetFont("Helvetica", "", 8)
		pdf.CellFormat(0, 5, fmt.Sprintf("Run %d, page %d of {nb}", sh.Run.ID, pdf.PageNo()), "", 0, "R", false, 0, "")
	})
	pdf.AddPage()
	d.title("Run sheet: "+sh.Run.Day.Format("Monday 2 January 2006"), fmt.Sprintf("Van %s (%s)   Driver: %s   %d stops, %.1f km planned", sh.Vehicle.Name, sh.Vehicle.Registration, sh.Driver, len(sh.Stops), sh.Run.PlannedKm))
	pdf.SetFont("Helvetica", "", 9)
	pdf.CellFormat(0, 6, "Odometer at start: ____________   at finish: ____________", "", 1, "L", false, 0, "")
	for i, st := range sh.Stops {
		if pdf.GetY() > 240 {
			pdf.AddPage()
		}
		if i > 0 && st.Trip > sh.Stops[i-1].Trip {
			pdf.Ln(2)
			pdf.SetFont("Helvetica", "B", 10)
			pdf.CellFormat(0, 7, fmt.Sprintf("Back to the depot to unload (about %d min), then trip %d", sh.Vehicle.UnloadMinutes, st.Trip), "TB", 1, "L", false, 0, "")
		}
		r := st.Request
		if d := st.Delivery; d != nil {
			r = models.PickupRequest{BusinessName: "Furniture delivery", Address: d.DeliveryAddress, Postcode: d.DeliveryPostcode, ContactName: d.ReceivedBy,
				Description: fmt.Sprintf("deliver hand-over %d", d.ID), ApproxKg: d.WeightKg, ApproxM3: d.VolumeM3}
		}
		pdf.Ln(2)
		pdf.SetFillColor(232, 243, 236)
		pdf.SetFont("Helvetica", "B", 11)
		pdf.CellFormat(0, 7, d.tr(fmt.Sprintf("%d.  %s   %s", st.Sequence, st.StartAt.In(loc).Format("15:04"), r.BusinessName)), "", 1, "L", true, 0, "")
		pdf.SetFont("Helvetica", "", 9)
		lines := []string{
			"Address: " + r.Address + ", " + r.Postcode,
			"Contact: " + strings.TrimSpace(r.ContactName+"  "+r.Phone),
			fmt.Sprintf("To collect: %s (about %.0f kg, %.1f m3)   Ref %s", r.Description, r.ApproxKg, r.ApproxM3, r.Reference),
		}
		if r.AccessNotes != "" {
			lines = append(lines, "Access: "+r.AccessNotes)
		}
		for _, l := range lines {
			pdf.MultiCell(0, 5, d.tr(l), "", "L", false)
		}
		pdf.CellFormat(0, 7, "Weights (kg):  ____________  ____________  ____________    Done / Missed (why): ______________________", "", 1, "L", false, 0, "")
	}
	if len(sh.Stops) == 0 {
		pdf.CellFormat(0, 8, "No stops on this run.", "", 1, "L", false, 0, "")
	}
	return pdf.Output(w)
}

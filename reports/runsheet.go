package reports

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jung-kurt/gofpdf"

	"github.com/scrapstore/scrapstore/models"
)

// RunSheet writes a driver's sheet: the date, van and driver, when the van is due back,
// then each stop in order with its planned time, address, contact, opening hours,
// access notes and what to collect, and where the van goes back to the depot to unload
// between trips. Stops still to do leave space to write the weights; stops done say
// what they gave, so a finished run's sheet is its record.
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
	r := sh.Run
	d.title("Run sheet: "+r.Day.Format("Monday 2 January 2006"),
		fmt.Sprintf("Van %s (%s)   Driver: %s", sh.Vehicle.Name, sh.Vehicle.Registration, sh.Driver))
	pdf.SetTextColor(0, 0, 0)
	pdf.SetFont("Helvetica", "B", 10)
	plan := fmt.Sprintf("%s, %s km planned", plural(len(r.Stops), "stop"), number(float64(r.PlannedM.Km()), 1))
	if !sh.BackAt.IsZero() {
		plan += ", back at the depot about " + sh.BackAt.In(loc).Format("15:04")
	}
	pdf.CellFormat(0, 6, plan, "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 9)
	pdf.MultiCell(0, 5, d.tr(odometerLine(r, loc)), "", "L", false)
	var collectedKg models.Kg
	done := 0
	for i, st := range r.Stops {
		if pdf.GetY() > 240 {
			pdf.AddPage()
		}
		if i > 0 && st.Trip > r.Stops[i-1].Trip {
			pdf.Ln(2)
			pdf.SetFont("Helvetica", "B", 10)
			back := fmt.Sprintf("Back to the depot to unload (about %d min), then trip %d", sh.Vehicle.UnloadMinutes, st.Trip)
			pdf.CellFormat(0, 7, back, "TB", 1, "L", false, 0, "")
		}
		det := st.Details
		if det == nil {
			det = &models.StopDetails{}
		}
		pdf.Ln(2)
		pdf.SetFillColor(232, 243, 236)
		pdf.SetFont("Helvetica", "B", 11)
		head := fmt.Sprintf("%d.  %s   %s", st.Sequence, st.StartAt.In(loc).Format("15:04"), det.Name)
		if st.Kind == "delivery" {
			head += "   (furniture delivery)"
		}
		pdf.CellFormat(0, 7, d.tr(head), "", 1, "L", true, 0, "")
		pdf.SetFont("Helvetica", "", 9)
		verb := "To collect"
		if st.Kind == "delivery" {
			verb = "To deliver"
		}
		lines := []string{
			"Address: " + strings.Trim(det.Address+", "+det.Postcode, ", "),
			"Contact: " + strings.TrimSpace(det.ContactName+"  "+det.Phone),
			"Open: " + hoursText(det.OpeningHours),
			fmt.Sprintf("%s: %s (about %.0f kg, %.1f m3)   Ref %s", verb, det.What, det.ApproxG.Kg(), det.ApproxM3, det.Reference),
		}
		if det.AccessNotes != "" {
			lines = append(lines, "Access: "+det.AccessNotes)
		}
		for _, l := range lines {
			pdf.MultiCell(0, 5, d.tr(l), "", "L", false)
		}
		switch st.Status {
		case models.StopPlanned:
			pdf.CellFormat(0, 7, "Weights (kg):  ____________  ____________  ____________    "+
				"Done / Missed (why): ______________________", "", 1, "L", false, 0, "")
		case models.StopMissed:
			pdf.SetFont("Helvetica", "B", 9)
			pdf.MultiCell(0, 6, d.tr("Missed: "+st.Reason), "", "L", false)
		default:
			done++
			pdf.SetFont("Helvetica", "B", 9)
			if st.Kind == "delivery" {
				pdf.CellFormat(0, 6, "Delivered", "", 1, "L", false, 0, "")
				break
			}
			var got []string
			for _, l := range det.Collected {
				got = append(got, fmt.Sprintf("%s %s %s, %s kg", l.Description, number(l.QuantityMilli.Quantity(), -1), l.Unit, kg(l.WeightG.Kg())))
				collectedKg += l.WeightG.Kg()
			}
			pdf.MultiCell(0, 6, d.tr("Collected: "+strings.Join(got, "; ")), "", "L", false)
		}
	}
	if len(r.Stops) == 0 {
		pdf.CellFormat(0, 8, "No stops on this run.", "", 1, "L", false, 0, "")
	}
	if r.Status == models.RunFinished {
		pdf.Ln(3)
		pdf.SetFont("Helvetica", "B", 11)
		total := fmt.Sprintf("Done: %d of %s, %s kg collected", done, plural(len(r.Stops), "stop"), kg(collectedKg))
		pdf.CellFormat(0, 7, d.tr(total), "", 1, "L", false, 0, "")
	}
	return pdf.Output(w)
}

// odometerLine is the odometer as read, or space to write it.
func odometerLine(r models.Run, loc *time.Location) string {
	if r.StartOdometerKm == nil {
		return "Odometer at start: ____________   at finish: ____________"
	}
	s := fmt.Sprintf("Odometer at start: %s km, left %s", number(float64(*r.StartOdometerKm), 1), r.StartedAt.In(loc).Format("15:04"))
	if r.FinishOdometerKm == nil {
		return s + "   at finish: ____________"
	}
	return s + fmt.Sprintf("   at finish: %s km, back %s   Driven: %s km", number(float64(*r.FinishOdometerKm), 1),
		r.FinishedAt.In(loc).Format("15:04"), number(float64(*r.FinishOdometerKm-*r.StartOdometerKm), 1))
}

// hoursText is a day's opening hours as a driver reads them.
func hoursText(hours []models.Interval) string {
	if hours == nil {
		return "hours not given"
	}
	if len(hours) == 0 {
		return "closed that day"
	}
	parts := make([]string, len(hours))
	for i, iv := range hours {
		parts[i] = iv.From + "-" + iv.To
	}
	return strings.Join(parts, ", ")
}

// plural is n things, "1 stop" or "2 stops".
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

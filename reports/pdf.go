package reports

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/jung-kurt/gofpdf"

	"github.com/scrapstore/scrapstore/models"
)

// Meta says whose report it is and who made it when.
type Meta struct {
	StoreName string
	MadeBy    string
	MadeAt    time.Time
	Location  *time.Location
}

type doc struct {
	pdf *gofpdf.Fpdf
	tr  func(string) string
}

// FundersPDF writes the monthly report for funders: headline figures, a chart of kg by
// category, a 12-month trend, the tables, and a method note with every factor used.
func FundersPDF(w io.Writer, f *models.Figures, m Meta) error {
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.SetMargins(18, 18, 18)
	pdf.SetAutoPageBreak(true, 20)
	pdf.SetCreator("Scrapstore", true)
	d := &doc{pdf: pdf, tr: pdf.UnicodeTranslatorFromDescriptor("")}
	pdf.SetTitle(d.tr(m.StoreName+": report "+f.Period.From.String()+" to "+f.Period.To.String()), false)
	pdf.AliasNbPages("{nb}")
	pdf.SetFooterFunc(func() {
		pdf.SetY(-14)
		pdf.SetFont("Helvetica", "", 8)
		pdf.SetTextColor(110, 110, 110)
		made := m.MadeAt.In(m.Location).Format("2 January 2006 15:04")
		pdf.CellFormat(0, 5, d.tr(fmt.Sprintf("Made by %s on %s", m.MadeBy, made)), "", 0, "L", false, 0, "")
		pdf.CellFormat(0, 5, fmt.Sprintf("Page %d of {nb}", pdf.PageNo()), "", 0, "R", false, 0, "")
	})
	pdf.AddPage()
	d.title(m.StoreName, periodText(f.Period))
	d.headlines(f)
	d.categoryChart(f)
	d.trendChart(f)
	d.tables(f)
	d.method(f)
	return pdf.Output(w)
}

func periodText(p models.Period) string {
	first := p.From.Time
	if first.Day() == 1 && p.To.Equal(first.AddDate(0, 1, -1)) {
		return "Monthly report: " + first.Format("January 2006")
	}
	return fmt.Sprintf("Report for %s to %s", p.From.Format("2 January 2006"), p.To.Format("2 January 2006"))
}

func (d *doc) title(store, period string) {
	p := d.pdf
	p.SetFont("Helvetica", "B", 20)
	p.SetTextColor(30, 90, 60)
	p.CellFormat(0, 10, d.tr(store), "", 1, "L", false, 0, "")
	p.SetFont("Helvetica", "", 13)
	p.SetTextColor(60, 60, 60)
	p.CellFormat(0, 8, d.tr(period), "", 1, "L", false, 0, "")
	p.Ln(4)
}

func (d *doc) heading(text string) {
	p := d.pdf
	p.Ln(3)
	p.SetFont("Helvetica", "B", 13)
	p.SetTextColor(30, 90, 60)
	p.CellFormat(0, 8, d.tr(text), "", 1, "L", false, 0, "")
	p.SetTextColor(0, 0, 0)
}

// number writes v the one way the reports write numbers: rounded to places decimals,
// thousands separated by commas (1,554.9).
func number(v float64, places int) string {
	s := strconv.FormatFloat(v, 'f', places, 64)
	neg := strings.HasPrefix(s, "-")
	whole, frac, _ := strings.Cut(strings.TrimPrefix(s, "-"), ".")
	var b strings.Builder
	if neg && strings.Trim(whole+frac, "0") != "" {
		b.WriteByte('-')
	}
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if frac != "" {
		b.WriteString("." + frac)
	}
	return b.String()
}

// kg writes a weight in kilograms, to 0.1 kg.
func kg(v models.Kg) string { return number(float64(v), 1) }

// tonnes writes a weight in kilograms as tonnes, to 10 kg.
func tonnes(v models.Kg) string { return number(float64(v)/1000, 2) + " t" }

// headlines are four boxes: tonnes diverted, tonnes CO2e avoided, groups served,
// volunteer hours.
func (d *doc) headlines(f *models.Figures) {
	p := d.pdf
	boxes := []struct{ value, label string }{
		{tonnes(f.DivertedKg), "diverted from landfill"},
		{tonnes(f.CO2e.NetKg), "CO2e avoided (net of the van)"},
		{number(float64(f.Members.GroupsServed), 0), "member groups served"},
		{number(f.Volunteering.Hours, 1), "volunteer hours"},
	}
	w := (174.0 - 3*4) / 4
	x0, y := p.GetX(), p.GetY()
	for i, b := range boxes {
		x := x0 + float64(i)*(w+4)
		p.SetFillColor(232, 243, 236)
		p.Rect(x, y, w, 24, "F")
		p.SetXY(x, y+3)
		p.SetFont("Helvetica", "B", 15)
		p.SetTextColor(30, 90, 60)
		p.CellFormat(w, 9, d.tr(b.value), "", 0, "C", false, 0, "")
		p.SetXY(x+2, y+13)
		p.SetFont("Helvetica", "", 8)
		p.SetTextColor(60, 60, 60)
		p.MultiCell(w-4, 4, d.tr(b.label), "", "C", false)
	}
	p.SetTextColor(0, 0, 0)
	p.SetXY(x0, y+28)
}

// scale is a chart's value axis: from 0 to top in steps of a round number, about four.
func scale(maxV float64) (step, top float64) {
	if maxV <= 0 {
		return 1, 4
	}
	raw := maxV / 4
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step = 10 * mag
	for _, m := range []float64{1, 2, 2.5, 5} {
		if raw <= m*mag {
			step = m * mag
			break
		}
	}
	return step, math.Ceil(maxV/step) * step
}

// categoryChart is a horizontal bar chart of kg given by category, with a kg scale.
func (d *doc) categoryChart(f *models.Figures) {
	p := d.pdf
	d.heading("Donations by category")
	cats := f.Donations.ByCategory
	if len(cats) == 0 {
		p.SetFont("Helvetica", "I", 10)
		p.CellFormat(0, 7, "No donations in this period.", "", 1, "L", false, 0, "")
		return
	}
	maxKg := 0.0
	for _, c := range cats {
		maxKg = math.Max(maxKg, float64(c.Kg))
	}
	step, top := scale(maxKg)
	x, y := p.GetX(), p.GetY()
	labelW, barW, rowH := 45.0, 105.0, 6.5
	x0, chartH := x+labelW, float64(len(cats))*rowH
	p.SetFont("Helvetica", "", 7)
	p.SetDrawColor(215, 215, 215)
	p.SetTextColor(90, 90, 90)
	for v := 0.0; v <= top+step/2; v += step {
		gx := x0 + barW*v/top
		p.Line(gx, y, gx, y+chartH)
		p.SetXY(gx-12, y+chartH+0.5)
		p.CellFormat(24, 4, number(v, 0), "", 0, "C", false, 0, "")
	}
	p.SetXY(x0, y+chartH+4.5)
	p.CellFormat(barW, 4, "kg received", "", 0, "C", false, 0, "")
	p.SetFont("Helvetica", "", 9)
	p.SetTextColor(0, 0, 0)
	for i, c := range cats {
		ry := y + float64(i)*rowH
		p.SetXY(x, ry)
		p.CellFormat(labelW, rowH-1, d.tr(c.Name), "", 0, "L", false, 0, "")
		wBar := barW * float64(c.Kg) / top
		p.SetFillColor(61, 140, 96)
		p.Rect(x0, ry+0.8, math.Max(wBar, 0.3), rowH-2.3, "F")
		p.SetXY(x0+wBar+1.5, ry)
		p.CellFormat(25, rowH-1, kg(c.Kg), "", 0, "L", false, 0, "")
	}
	p.SetDrawColor(120, 120, 120)
	p.Line(x0, y, x0, y+chartH)
	p.SetXY(x, y+chartH+11)
}

// trendChart shows kg in (donations) and kg out (issued to members) for 12 months,
// against a labelled kg axis.
func (d *doc) trendChart(f *models.Figures) {
	p := d.pdf
	if p.GetY() > 195 {
		p.AddPage()
	}
	d.heading("The last 12 months: kg in and out")
	x, y := p.GetX(), p.GetY()+3
	axisW, chartW, chartH := 22.0, 150.0, 50.0
	x0 := x + axisW
	maxKg := 0.0
	for _, t := range f.Trend {
		maxKg = math.Max(maxKg, math.Max(float64(t.KgIn), float64(t.KgOut)))
	}
	step, top := scale(maxKg)
	p.SetFont("Helvetica", "", 7)
	p.SetTextColor(90, 90, 90)
	p.SetDrawColor(215, 215, 215)
	for v := 0.0; v <= top+step/2; v += step {
		gy := y + chartH - chartH*v/top
		p.Line(x0, gy, x0+chartW, gy)
		p.SetXY(x0-16, gy-2)
		p.CellFormat(15, 4, number(v, 0), "", 0, "R", false, 0, "")
	}
	// The axis title, written up the axis.
	title := "kg a month"
	cx, cy := x+4, y+chartH/2
	p.TransformBegin()
	p.TransformRotate(90, cx, cy)
	p.Text(cx-p.GetStringWidth(title)/2, cy+1, title)
	p.TransformEnd()
	p.SetDrawColor(120, 120, 120)
	p.Line(x0, y, x0, y+chartH)
	p.Line(x0, y+chartH, x0+chartW, y+chartH)
	slot := chartW / float64(max(len(f.Trend), 1))
	for i, t := range f.Trend {
		bx := x0 + float64(i)*slot + slot*0.15
		bw := slot * 0.35
		hIn, hOut := chartH*float64(t.KgIn)/top, chartH*float64(t.KgOut)/top
		p.SetFillColor(61, 140, 96)
		p.Rect(bx, y+chartH-hIn, bw, hIn, "F")
		p.SetFillColor(235, 160, 60)
		p.Rect(bx+bw, y+chartH-hOut, bw, hOut, "F")
		mt, _ := time.Parse("2006-01", t.Month)
		p.SetXY(bx-1, y+chartH+1)
		p.CellFormat(slot*0.7+2, 4, mt.Format("Jan 06"), "", 0, "C", false, 0, "")
	}
	p.SetTextColor(0, 0, 0)
	ly := y + chartH + 7
	p.SetFillColor(61, 140, 96)
	p.Rect(x0, ly+1, 3, 3, "F")
	p.SetXY(x0+4, ly)
	p.CellFormat(40, 5, "kg in (donations)", "", 0, "L", false, 0, "")
	p.SetFillColor(235, 160, 60)
	p.Rect(x0+50, ly+1, 3, 3, "F")
	p.SetXY(x0+54, ly)
	p.CellFormat(60, 5, "kg out (issued to member groups)", "", 0, "L", false, 0, "")
	p.SetXY(x, ly+8)
}

func (d *doc) tables(f *models.Figures) {
	p := d.pdf
	d.heading("The figures")
	section := ""
	p.SetFont("Helvetica", "", 9)
	for _, r := range figureRows(f) {
		if r.section != section {
			section = r.section
			p.SetFont("Helvetica", "B", 9)
			p.SetFillColor(240, 240, 240)
			p.CellFormat(0, 6, d.tr(sectionTitles[section]), "", 1, "L", true, 0, "")
			p.SetFont("Helvetica", "", 9)
		}
		p.CellFormat(120, 5.5, d.tr("   "+r.label), "B", 0, "L", false, 0, "")
		p.CellFormat(0, 5.5, number(r.value, r.places), "B", 1, "R", false, 0, "")
	}
}

// method lists every factor used and its source, and how the figures are made.
func (d *doc) method(f *models.Figures) {
	p := d.pdf
	if p.GetY() > 220 {
		p.AddPage()
	}
	d.heading("Method")
	p.SetFont("Helvetica", "", 9)
	p.MultiCell(0, 4.5, d.tr("Weights are as weighed, or estimated from each category's weight per unit. Days are the store's days (Europe/London). "+
		"Voided donations are not counted. CO2e avoided is the weight reused times the factor in force on the day it came in; "+
		fmt.Sprintf("the van's CO2e is %.4f kg per km driven (a diesel van up to 3.5 t) "+
			"and is taken off to give the net figure.", models.VanCO2ePerKm)), "", "L", false)
	p.Ln(2)
	p.SetFont("Helvetica", "B", 9)
	p.CellFormat(50, 6, "Material", "B", 0, "L", false, 0, "")
	p.CellFormat(22, 6, "kg CO2e/kg", "B", 0, "R", false, 0, "")
	p.CellFormat(22, 6, "kg", "B", 0, "R", false, 0, "")
	p.CellFormat(0, 6, "Source", "B", 1, "L", false, 0, "")
	p.SetFont("Helvetica", "", 8)
	for _, u := range f.CO2e.Factors {
		y := p.GetY()
		p.CellFormat(50, 5, d.tr(u.What), "", 0, "L", false, 0, "")
		p.CellFormat(22, 5, number(u.CO2eKgPerKg, 2), "", 0, "R", false, 0, "")
		p.CellFormat(22, 5, kg(u.Kg), "", 0, "R", false, 0, "")
		p.SetX(18 + 50 + 22 + 22 + 2)
		src := u.Source
		if u.From != "" {
			src += " (from " + u.From + ")"
		}
		p.MultiCell(0, 5, d.tr(src), "", "L", false)
		if p.GetY() < y+5 {
			p.SetY(y + 5)
		}
	}
}

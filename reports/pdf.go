package reports

import (
	"fmt"
	"io"
	"math"
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

func fmtNum(v float64) string {
	s := strings.TrimSuffix(fmt.Sprintf("%.1f", v), ".0")
	whole, frac, _ := strings.Cut(s, ".")
	neg := strings.HasPrefix(whole, "-")
	whole = strings.TrimPrefix(whole, "-")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := b.String()
	if frac != "" {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

// headlines are four boxes: tonnes diverted, tonnes CO2e avoided, groups served,
// volunteer hours.
func (d *doc) headlines(f *models.Figures) {
	p := d.pdf
	boxes := []struct{ value, label string }{
		{fmt.Sprintf("%.2f t", f.DivertedKg/1000), "diverted from landfill"},
		{fmt.Sprintf("%.2f t", f.CO2e.NetKg/1000), "CO2e avoided (net of the van)"},
		{fmtNum(float64(f.Members.GroupsServed)), "member groups served"},
		{fmtNum(f.Volunteering.Hours), "volunteer hours"},
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

// categoryChart is a horizontal bar chart of kg given by category.
func (d *doc) categoryChart(f *models.Figures) {
	p := d.pdf
	d.heading("Donations by category (kg)")
	cats := f.Donations.ByCategory
	if len(cats) == 0 {
		p.SetFont("Helvetica", "I", 10)
		p.CellFormat(0, 7, "No donations in this period.", "", 1, "L", false, 0, "")
		return
	}
	maxKg := 0.0
	for _, c := range cats {
		maxKg = math.Max(maxKg, c.Kg)
	}
	x, y := p.GetX(), p.GetY()
	labelW, barW, rowH := 45.0, 105.0, 6.5
	p.SetFont("Helvetica", "", 9)
	for i, c := range cats {
		ry := y + float64(i)*rowH
		p.SetXY(x, ry)
		p.CellFormat(labelW, rowH-1, d.tr(c.Name), "", 0, "L", false, 0, "")
		wBar := barW * c.Kg / maxKg
		p.SetFillColor(61, 140, 96)
		p.Rect(x+labelW, ry+0.8, math.Max(wBar, 0.3), rowH-2.3, "F")
		p.SetXY(x+labelW+wBar+1.5, ry)
		p.CellFormat(25, rowH-1, fmtNum(c.Kg), "", 0, "L", false, 0, "")
	}
	p.SetXY(x, y+float64(len(cats))*rowH+2)
}

// trendChart shows kg in (donations) and kg out (issued to members) for 12 months.
func (d *doc) trendChart(f *models.Figures) {
	p := d.pdf
	if p.GetY() > 200 {
		p.AddPage()
	}
	d.heading("The last 12 months: kg in and out")
	x, y := p.GetX(), p.GetY()+2
	chartW, chartH := 160.0, 50.0
	maxKg := 1.0
	for _, t := range f.Trend {
		maxKg = math.Max(maxKg, math.Max(t.KgIn, t.KgOut))
	}
	p.SetDrawColor(180, 180, 180)
	p.Line(x+10, y+chartH, x+10+chartW, y+chartH)
	p.SetFont("Helvetica", "", 7)
	p.SetXY(x, y-1)
	p.CellFormat(10, 4, fmtNum(maxKg), "", 0, "R", false, 0, "")
	slot := chartW / float64(max(len(f.Trend), 1))
	for i, t := range f.Trend {
		bx := x + 10 + float64(i)*slot + slot*0.15
		bw := slot * 0.35
		hIn, hOut := chartH*t.KgIn/maxKg, chartH*t.KgOut/maxKg
		p.SetFillColor(61, 140, 96)
		p.Rect(bx, y+chartH-hIn, bw, hIn, "F")
		p.SetFillColor(235, 160, 60)
		p.Rect(bx+bw, y+chartH-hOut, bw, hOut, "F")
		mt, _ := time.Parse("2006-01", t.Month)
		p.SetXY(bx-1, y+chartH+1)
		p.CellFormat(slot*0.7+2, 4, mt.Format("Jan 06"), "", 0, "C", false, 0, "")
	}
	ly := y + chartH + 7
	p.SetFillColor(61, 140, 96)
	p.Rect(x+10, ly+1, 3, 3, "F")
	p.SetXY(x+14, ly)
	p.CellFormat(40, 5, "kg in (donations)", "", 0, "L", false, 0, "")
	p.SetFillColor(235, 160, 60)
	p.Rect(x+60, ly+1, 3, 3, "F")
	p.SetXY(x+64, ly)
	p.CellFormat(60, 5, "kg out (issued to member groups)", "", 0, "L", false, 0, "")
	p.SetXY(x, ly+8)
}

func (d *doc) tables(f *models.Figures) {
	p := d.pdf
	d.heading("The figures")
	section := ""
	p.SetFont("Helvetica", "", 9)
	for _, r := range figureRows(f) {
		if r[0] != section {
			section = r[0]
			p.SetFont("Helvetica", "B", 9)
			p.SetFillColor(240, 240, 240)
			p.CellFormat(0, 6, d.tr(strings.ToUpper(section[:1])+section[1:]), "", 1, "L", true, 0, "")
			p.SetFont("Helvetica", "", 9)
		}
		p.CellFormat(120, 5.5, d.tr("   "+r[1]), "B", 0, "L", false, 0, "")
		p.CellFormat(0, 5.5, d.tr(r[2]), "B", 1, "R", false, 0, "")
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
		fmt.Sprintf("the van's CO2e is %.4f kg per km driven (a diesel van up to 3.5 t) and is taken off to give the net figure.", models.VanCO2ePerKm)), "", "L", false)
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
		p.CellFormat(22, 5, fmt.Sprintf("%.2f", u.CO2eKgPerKg), "", 0, "R", false, 0, "")
		p.CellFormat(22, 5, fmtNum(u.Kg), "", 0, "R", false, 0, "")
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

package reports

import (
	"bufio"
	"fmt"
	"html"
	"io"
)

// Bars is a horizontal bar chart drawn as SVG for a web page: a row of bars for each
// group (a month, a category), one bar for each series (kg in, kg out). Each bar has its
// value written at its end and each series its own pattern (solid, hatched, dotted), so
// that the chart reads without colour; the page gives a table of the same numbers beside
// it. Colours and type come from the page's style sheet, through the classes chart,
// chart-label, chart-value, chart-axis and bar-N.
type Bars struct {
	ID     string // unique in the page: the ids of its title and patterns start with it
	Title  string
	Series []string
	Groups []BarGroup
	// Value writes a value at the end of its bar.
	Value func(float64) string
}

// BarGroup is one row of bars: its label and a value per series.
type BarGroup struct {
	Label  string
	Values []float64
}

// The chart's geometry, in its own units; the SVG scales to the width it is given.
const (
	barsWidth  = 360.0
	barsLabelW = 96.0 // the group labels' column
	barsValueW = 80.0 // room for the value written after the longest bar: "512345.6 kg"
	barsBarH   = 14.0
	barsGap    = 10.0 // between groups
	barsLegend = 28.0 // the legend's height, at the top
)

// barFills are the series' fills after the first (solid): a pattern each.
var barFills = []string{"", "hatch", "dots"}

// BarsSVG writes the chart as an inline <svg> element.
func BarsSVG(w io.Writer, c Bars) error {
	if len(c.Series) == 0 || len(c.Series) > len(barFills) {
		return fmt.Errorf("a bar chart has 1 to %d series, not %d", len(barFills), len(c.Series))
	}
	top := 0.0
	for _, g := range c.Groups {
		if len(g.Values) != len(c.Series) {
			return fmt.Errorf("group %q has %d values for %d series", g.Label, len(g.Values), len(c.Series))
		}
		for _, v := range g.Values {
			top = max(top, v)
		}
	}
	id := html.EscapeString(c.ID)
	groupH := float64(len(c.Series))*barsBarH + barsGap
	height := barsLegend + float64(len(c.Groups))*groupH
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, `<svg class="chart" viewBox="0 0 %g %g" role="img" aria-labelledby="%s-title">`, barsWidth, height, id)
	fmt.Fprintf(b, `<title id="%s-title">%s</title>`, id, html.EscapeString(c.Title))
	fmt.Fprintf(b, `<defs><pattern id="%s-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">`+
		`<rect class="bar-ground" width="6" height="6"/><rect class="bar-1" width="2.5" height="6"/></pattern>`, id)
	fmt.Fprintf(b, `<pattern id="%s-dots" width="5" height="5" patternUnits="userSpaceOnUse">`+
		`<rect class="bar-ground" width="5" height="5"/><circle class="bar-2" cx="2.5" cy="2.5" r="1.6"/></pattern></defs>`, id)
	x := 0.0
	for i, name := range c.Series {
		fmt.Fprintf(b, `<rect class="bar-%d bar-edge" x="%g" y="4" width="14" height="14"%s/>`, i, x, fill(id, i))
		fmt.Fprintf(b, `<text class="chart-label" x="%g" y="16">%s</text>`, x+19, html.EscapeString(name))
		x += 26 + 7.5*float64(len(name))
	}
	span := barsWidth - barsLabelW - barsValueW
	for gi, g := range c.Groups {
		y := barsLegend + float64(gi)*groupH
		fmt.Fprintf(b, `<text class="chart-label" x="0" y="%g">%s</text>`, y+float64(len(c.Series))*barsBarH/2+4, html.EscapeString(g.Label))
		for si, v := range g.Values {
			wdt := 0.0
			if top > 0 {
				wdt = span * v / top
			}
			by := y + float64(si)*barsBarH
			fmt.Fprintf(b, `<rect class="bar-%d bar-edge" x="%g" y="%g" width="%.1f" height="%g"%s><title>%s, %s: %s</title></rect>`,
				si, barsLabelW, by, wdt, barsBarH-2, fill(id, si), html.EscapeString(g.Label), html.EscapeString(c.Series[si]),
				html.EscapeString(c.Value(v)))
			fmt.Fprintf(b, `<text class="chart-value" x="%.1f" y="%g">%s</text>`, barsLabelW+wdt+4, by+barsBarH-4, html.EscapeString(c.Value(v)))
		}
	}
	fmt.Fprintf(b, `<line class="chart-axis" x1="%g" y1="%g" x2="%g" y2="%g"/></svg>`, barsLabelW, barsLegend-2, barsLabelW, height-barsGap+2)
	return b.Flush()
}

// fill is the fill attribute of series i: none for the first, which the style sheet
// fills, and its pattern for the others.
func fill(id string, i int) string {
	if barFills[i] == "" {
		return ""
	}
	return fmt.Sprintf(` fill="url(#%s-%s)"`, id, barFills[i])
}

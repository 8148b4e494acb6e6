package reports

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"testing"
)

func TestBarsSVG(t *testing.T) {
	value := func(v float64) string { return fmt.Sprintf("%g kg", v) }
	cases := []struct {
		name  string
		chart Bars
		has   []string // in the SVG, in this order
		not   []string
		err   string
	}{
		{
			name: "a bar per series, the longest across the chart, each value at its bar's end",
			chart: Bars{ID: "trend", Title: "Kg in and out by month", Series: []string{"In", "Out"}, Value: value,
				Groups: []BarGroup{{"Oct 2026", []float64{200, 50}}, {"Nov 2026", []float64{100, 0}}}},
			has: []string{`viewBox="0 0 360 104"`, `aria-labelledby="trend-title"`, `<title id="trend-title">Kg in and out by month</title>`,
				`<pattern id="trend-hatch"`, `>In</text>`, `>Out</text>`,
				`>Oct 2026</text>`, `class="bar-0 bar-edge" x="96" y="28" width="184.0"`, `<title>Oct 2026, In: 200 kg</title>`, `>200 kg</text>`,
				`class="bar-1 bar-edge" x="96" y="42" width="46.0" height="12" fill="url(#trend-hatch)"`, `>50 kg</text>`,
				`width="92.0"`, `class="bar-1 bar-edge" x="96" y="80" width="0.0"`, `>0 kg</text>`},
		},
		{
			name: "three series, the third dotted; nothing but zeros draws no bar",
			chart: Bars{ID: "c", Title: "t", Series: []string{"A", "B", "C"}, Value: value,
				Groups: []BarGroup{{"Only", []float64{0, 0, 0}}}},
			has: []string{`class="bar-2 bar-edge" x="96" y="56" width="0.0" height="12" fill="url(#c-dots)"`},
			not: []string{`width="NaN"`},
		},
		{
			name: "names are escaped",
			chart: Bars{ID: "cat", Title: "Paper & card <this month>", Series: []string{"Kg \"in\""}, Value: value,
				Groups: []BarGroup{{"Tubes & cores", []float64{3}}}},
			has: []string{"Paper &amp; card &lt;this month&gt;", "Kg &#34;in&#34;", ">Tubes &amp; cores</text>"},
			not: []string{"Tubes & cores"},
		},
		{
			name:  "a group without a value for each series",
			chart: Bars{ID: "x", Series: []string{"In", "Out"}, Value: value, Groups: []BarGroup{{"Oct", []float64{1}}}},
			err:   `group "Oct" has 1 values for 2 series`,
		},
		{
			name:  "more series than patterns",
			chart: Bars{ID: "x", Series: []string{"a", "b", "c", "d"}, Value: value},
			err:   "a bar chart has 1 to 3 series, not 4",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			err := BarsSVG(&b, tc.chart)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			svg := b.String()
			rest := svg
			for _, h := range tc.has {
				i := strings.Index(rest, h)
				if i < 0 {
					t.Fatalf("no %s (in order) in\n%s", h, svg)
				}
				rest = rest[i+len(h):]
			}
			for _, n := range tc.not {
				if strings.Contains(svg, n) {
					t.Errorf("%s in\n%s", n, svg)
				}
			}
			d := xml.NewDecoder(strings.NewReader(svg))
			for {
				if _, err := d.Token(); err == io.EOF {
					break
				} else if err != nil {
					t.Fatalf("not well-formed: %v\n%s", err, svg)
				}
			}
		})
	}
}

package api

import (
	"encoding/xml"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/scrapstore/scrapstore/models"
)

// svgShape is what the test reads back from a drawing.
type svgShape struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Text    string     `xml:",chardata"`
}

type svgDoc struct {
	Label  string     `xml:"aria-label,attr"`
	Role   string     `xml:"role,attr"`
	Shapes []svgShape `xml:",any"`
}

func (s svgShape) attr(t *testing.T, name string) float64 {
	t.Helper()
	for _, a := range s.Attrs {
		if a.Name.Local == name {
			f, err := strconv.ParseFloat(a.Value, 64)
			if err != nil {
				t.Fatalf("%s=%q", name, a.Value)
			}
			return f
		}
	}
	t.Fatalf("%s has no %s", s.XMLName.Local, name)
	return 0
}

func parseSVG(t *testing.T, svg string) svgDoc {
	t.Helper()
	var d svgDoc
	if err := xml.Unmarshal([]byte(svg), &d); err != nil {
		t.Fatalf("not well-formed SVG: %v\n%s", err, svg)
	}
	return d
}

// A run is drawn with the depot, each stop numbered where it is (north up, east right,
// inside the drawing), joined in order from the depot and back, through the depot between
// trips; a stop without coordinates is left out and the label says so.
func TestRouteSVG(t *testing.T) {
	depot := models.Place{Lat: 52.518, Lon: -1.995, Known: true}
	stops := []routeStop{
		{At: models.Place{Lat: 52.55, Lon: -2.05, Known: true}, Seq: 1, Trip: 1}, // north-west
		{At: models.Place{Lat: 52.50, Lon: -1.95, Known: true}, Seq: 2, Trip: 1}, // south-east
		{Seq: 3, Trip: 1},
		{At: models.Place{Lat: 52.53, Lon: -1.90, Known: true}, Seq: 4, Trip: 2},
	}
	d := parseSVG(t, string(routeSVG("Run of BV21 RDE <&>", depot, stops)))
	if d.Role != "img" || d.Label != "Run of BV21 RDE <&> (1 stop without coordinates not drawn)" {
		t.Fatalf("role %q label %q", d.Role, d.Label)
	}
	type point struct{ x, y float64 }
	numbers := map[string]point{}
	var line string
	var depotAt point
	for _, s := range d.Shapes {
		switch s.XMLName.Local {
		case "text":
			numbers[s.Text] = point{s.attr(t, "x"), s.attr(t, "y")}
		case "polyline":
			for _, a := range s.Attrs {
				if a.Name.Local == "points" {
					line = a.Value
				}
			}
		case "rect":
			if s.attr(t, "width") == 22 {
				depotAt = point{s.attr(t, "x") + 11, s.attr(t, "y") + 11}
			}
		}
	}
	if len(numbers) != 4 || numbers["D"] == (point{}) || numbers["3"] != (point{}) {
		t.Fatalf("labels drawn: %v", numbers)
	}
	one, two, four := numbers["1"], numbers["2"], numbers["4"]
	if !(one.x < two.x && one.y < two.y && four.x > two.x && four.y < two.y) {
		t.Fatalf("stops not where they are: 1 %v, 2 %v, 4 %v", one, two, four)
	}
	for name, p := range numbers {
		if p.x < 0 || p.x > mapWidth || p.y < 0 || p.y > mapHeight {
			t.Fatalf("%s at %v is outside the drawing", name, p)
		}
	}
	pts := strings.Split(line, " ")
	if len(pts) != 2*6 {
		t.Fatalf("path %q: want depot, 1, 2, depot, 4, depot", line)
	}
	at := func(i int) point {
		x, _ := strconv.ParseFloat(pts[2*i], 64)
		y, _ := strconv.ParseFloat(pts[2*i+1], 64)
		return point{x, y}
	}
	near := func(a, b point) bool { return (a.x-b.x)*(a.x-b.x)+(a.y-b.y)*(a.y-b.y) < 1 }
	if !near(at(0), depotAt) || !near(at(3), depotAt) || !near(at(5), depotAt) || !near(at(1), point{one.x, one.y - 4}) {
		t.Fatalf("path %q does not go depot, 1, 2, depot, 4, depot (depot %v)", line, depotAt)
	}
}

// A run with nothing drawable, or every stop at the depot, draws the depot in the middle.
func TestRouteSVGWithoutStops(t *testing.T) {
	depot := models.Place{Lat: 52.518, Lon: -1.995, Known: true}
	for name, stops := range map[string][]routeStop{"none": nil, "at the depot": {{At: depot, Seq: 1, Trip: 1}}} {
		d := parseSVG(t, string(routeSVG("A run", depot, stops)))
		for _, s := range d.Shapes {
			if s.Text == "D" && (s.attr(t, "x") != mapWidth/2 || math.Abs(s.attr(t, "y")-mapHeight/2) > 5) {
				t.Errorf("%s: %q drawn at %v,%v, not in the middle", name, s.Text, s.attr(t, "x"), s.attr(t, "y"))
			}
		}
	}
}

// Stops at one place, or at the depot, are drawn side by side so every number shows.
func TestRouteSVGSpreadsStopsAtOnePlace(t *testing.T) {
	depot := models.Place{Lat: 52.518, Lon: -1.995, Known: true}
	same := models.Place{Lat: 52.55, Lon: -2.05, Known: true}
	d := parseSVG(t, string(routeSVG("A run", depot, []routeStop{{At: same, Seq: 1, Trip: 1}, {At: same, Seq: 2, Trip: 1},
		{At: depot, Seq: 3, Trip: 1}})))
	var centres [][2]float64
	for _, s := range d.Shapes {
		switch {
		case s.XMLName.Local == "circle":
			centres = append(centres, [2]float64{s.attr(t, "cx"), s.attr(t, "cy")})
		case s.XMLName.Local == "rect" && s.attr(t, "width") == 22:
			centres = append(centres, [2]float64{s.attr(t, "x") + 11, s.attr(t, "y") + 11})
		}
	}
	if len(centres) != 4 {
		t.Fatalf("%d shapes", len(centres))
	}
	for i := range centres {
		for j := range i {
			if math.Hypot(centres[i][0]-centres[j][0], centres[i][1]-centres[j][1]) < 2*stopRadius {
				t.Fatalf("shapes %d and %d overlap: %v", j, i, centres)
			}
		}
	}
}

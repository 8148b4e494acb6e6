package api

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"

	"github.com/scrapstore/scrapstore/models"
)

// The plan view: a run drawn as SVG from its stops' coordinates, with no map under it.
// The depot is a square marked D, each stop a circle with its number in the run, joined
// in order; a van that goes back to unload between trips is drawn back through the
// depot. Numbers and shapes carry the meaning, not colour.

// routeStop is a stop to draw: where it is, its number in the run and its trip.
type routeStop struct {
	At   models.Place
	Seq  int
	Trip int
}

const (
	mapWidth, mapHeight = 480.0, 320.0
	mapMargin           = 24.0
	stopRadius          = 11.0
)

// routeSVG draws a run; label says what it shows, for those who cannot see it. Stops
// without coordinates are left out, and the label says how many.
func routeSVG(label string, depot models.Place, stops []routeStop) template.HTML {
	var drawn []routeStop
	for _, st := range stops {
		if st.At.Known {
			drawn = append(drawn, st)
		}
	}
	if missing := len(stops) - len(drawn); missing > 0 {
		label += fmt.Sprintf(" (%d %s without coordinates not drawn)", missing, plural(missing, "stop", "stops"))
	}
	at := projection(depot, drawn)
	dx, dy := at(depot)
	xy := spread(at, dx, dy, drawn)
	var path []string
	move := func(p [2]float64) { path = append(path, fmt.Sprintf("%.1f %.1f", p[0], p[1])) }
	move([2]float64{dx, dy})
	for i, st := range drawn {
		if i > 0 && st.Trip != drawn[i-1].Trip {
			move([2]float64{dx, dy})
		}
		move(xy[i])
	}
	move([2]float64{dx, dy})
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="route-map" viewBox="0 0 %g %g" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`,
		mapWidth, mapHeight, html.EscapeString(label))
	fmt.Fprintf(&b, `<rect width="%g" height="%g" fill="#f7f7f2" stroke="#999"/>`, mapWidth, mapHeight)
	if len(drawn) > 0 {
		fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="#1e4d2b" stroke-width="2.5" stroke-linejoin="round"/>`,
			strings.Join(path, " "))
	}
	fmt.Fprintf(&b, `<rect class="depot" x="%.1f" y="%.1f" width="22" height="22" fill="#1b1b1b"/>`, dx-11, dy-11)
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" font-size="13" font-weight="700" fill="#fff">D</text>`, dx, dy+4.5)
	for i, st := range drawn {
		x, y := xy[i][0], xy[i][1]
		fmt.Fprintf(&b, `<circle class="stop" cx="%.1f" cy="%.1f" r="%g" fill="#fff" stroke="#1e4d2b" stroke-width="2.5"/>`, x, y, stopRadius)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" font-size="12" font-weight="700" fill="#1b1b1b">%d</text>`,
			x, y+4, st.Seq)
	}
	b.WriteString(`</svg>`)
	// Every piece above is a number or escaped text.
	return template.HTML(b.String())
}

// projection fits the depot and the stops into the drawing, keeping distances true in
// both directions (a degree of longitude is shorter than one of latitude here), north up.
func projection(depot models.Place, stops []routeStop) func(models.Place) (float64, float64) {
	minLat, maxLat, minLon, maxLon := depot.Lat, depot.Lat, depot.Lon, depot.Lon
	for _, st := range stops {
		minLat, maxLat = math.Min(minLat, st.At.Lat), math.Max(maxLat, st.At.Lat)
		minLon, maxLon = math.Min(minLon, st.At.Lon), math.Max(maxLon, st.At.Lon)
	}
	squeeze := math.Cos((minLat + maxLat) / 2 * math.Pi / 180)
	w, h := (maxLon-minLon)*squeeze, maxLat-minLat
	scale := math.Inf(1)
	if w > 0 {
		scale = (mapWidth - 2*mapMargin) / w
	}
	if h > 0 {
		scale = math.Min(scale, (mapHeight-2*mapMargin)/h)
	}
	if math.IsInf(scale, 1) {
		scale = 0 // everything at one place: draw it in the middle
	}
	// Centre the drawing in whichever direction has room to spare.
	offX, offY := (mapWidth-w*scale)/2, (mapHeight-h*scale)/2
	return func(p models.Place) (float64, float64) {
		return offX + (p.Lon-minLon)*squeeze*scale, offY + (maxLat-p.Lat)*scale
	}
}

// spread places the stops, moving one that would hide the depot or a stop drawn before
// it (two requests at one address, say) to the right until every number can be read.
func spread(at func(models.Place) (float64, float64), dx, dy float64, stops []routeStop) [][2]float64 {
	taken := [][2]float64{{dx, dy}}
	out := make([][2]float64, len(stops))
	for i, st := range stops {
		x, y := at(st.At)
		for clash := true; clash; {
			clash = false
			for _, p := range taken {
				if math.Hypot(x-p[0], y-p[1]) < 2*stopRadius {
					x, clash = p[0]+2*stopRadius+1, true
					break
				}
			}
		}
		out[i] = [2]float64{x, y}
		taken = append(taken, out[i])
	}
	return out
}

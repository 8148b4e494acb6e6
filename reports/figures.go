package reports

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/scrapstore/scrapstore/models"
)

// figureRows flattens figures into (section, measure, value) rows, the same for the CSV
// and the PDF's tables.
func figureRows(f *models.Figures) [][3]string {
	num := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	n := func(v int64) string { return strconv.FormatInt(v, 10) }
	rows := [][3]string{
		{"donations", "count", n(f.Donations.Count)},
		{"donations", "kg", num(f.Donations.Kg)},
	}
	for _, c := range f.Donations.ByCategory {
		rows = append(rows, [3]string{"donations by category", c.Name + " kg", num(c.Kg)})
	}
	rows = append(rows,
		[3]string{"landfill", "diverted kg", num(f.DivertedKg)},
		[3]string{"co2e", "avoided kg", num(f.CO2e.AvoidedKg)},
		[3]string{"co2e", "van kg", num(f.CO2e.VanKg)},
		[3]string{"co2e", "net kg", num(f.CO2e.NetKg)},
		[3]string{"members", "groups served", n(f.Members.GroupsServed)},
		[3]string{"members", "new members", n(f.Members.NewMembers)},
	)
	for _, k := range sortedKeys(f.Members.ByKind) {
		rows = append(rows, [3]string{"members served by kind", k, n(f.Members.ByKind[k])})
	}
	rows = append(rows,
		[3]string{"reservations", "collected", n(f.Reservations.Collected)},
		[3]string{"reservations", "kg issued", num(f.Reservations.KgIssued)},
		[3]string{"furniture", "passed on", n(f.Furniture.PassedOn)},
		[3]string{"furniture", "kg passed on", num(f.Furniture.Kg)},
		[3]string{"furniture", "households helped", n(f.Furniture.HouseholdsHelped)},
		[3]string{"furniture", "groups helped", n(f.Furniture.GroupsHelped)},
		[3]string{"furniture", "disposed", n(f.Furniture.Disposed)},
	)
	for _, k := range sortedKeys(f.Furniture.ByType) {
		rows = append(rows, [3]string{"furniture by type", k, n(f.Furniture.ByType[k])})
	}
	for _, k := range sortedKeys(f.Furniture.DisposedByRoute) {
		rows = append(rows, [3]string{"furniture disposed by route", k, n(f.Furniture.DisposedByRoute[k])})
	}
	rows = append(rows,
		[3]string{"logistics", "runs", n(f.Logistics.Runs)},
		[3]string{"logistics", "stops completed", n(f.Logistics.StopsCompleted)},
		[3]string{"logistics", "km", num(f.Logistics.Km)},
		[3]string{"volunteering", "hours", num(f.Volunteering.Hours)},
		[3]string{"volunteering", "volunteers", n(f.Volunteering.Volunteers)},
		[3]string{"volunteering", "placements", n(f.Volunteering.Placements)},
		[3]string{"volunteering", "apprentices", n(f.Volunteering.Apprentices)},
		[3]string{"workshops", "workshops", n(f.Workshops.Workshops)},
		[3]string{"workshops", "attendees", n(f.Workshops.Attendees)},
	)
	return rows
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// FiguresCSV writes the period's figures and each earlier month's as CSV: one row per
// measure, one column per period.
func FiguresCSV(w io.Writer, f *models.Figures) error {
	cw := models.NewCSVWriter(w)
	periods := append([]models.Figures{*f}, f.Months...)
	header := []string{"section", "measure"}
	values := map[string][]string{}
	var order []string
	for i, p := range periods {
		header = append(header, fmt.Sprintf("%s..%s", p.Period.From, p.Period.To))
		for _, r := range figureRows(&p) {
			key := r[0] + "\x00" + r[1]
			if _, ok := values[key]; !ok {
				order = append(order, key)
				values[key] = make([]string, len(periods))
				for j := range values[key] {
					values[key][j] = "0"
				}
			}
			values[key][i] = r[2]
		}
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, key := range order {
		section, measure, _ := strings.Cut(key, "\x00")
		if err := cw.Write(append([]string{section, measure}, values[key]...)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

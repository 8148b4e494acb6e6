package reports

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/scrapstore/scrapstore/models"
)

// figureRow is one number of the figures, named twice: for the CSV (section and measure,
// stable names that scripts can rely on) and for people reading the PDF (label).
type figureRow struct {
	section, measure string
	label            string
	value            float64
	places           int    // decimals the PDF shows
	csv              string // the value as the CSV writes it: whole, or to the gram or 100 m
}

func count(section, measure, label string, n int64) figureRow {
	return figureRow{section, measure, label, float64(n), 0, strconv.FormatInt(n, 10)}
}

func weight(section, measure, label string, kg models.Kg) figureRow {
	return figureRow{section, measure, label, float64(kg), 1, kg.String()}
}

// sectionTitles are the PDF's headings for the CSV's sections.
var sectionTitles = map[string]string{
	"donations":                   "Donations",
	"donations by category":       "Donations by category",
	"landfill":                    "Landfill",
	"co2e":                        "CO2e",
	"members":                     "Member groups",
	"members served by kind":      "Member groups served, by kind",
	"reservations":                "Reservations",
	"furniture":                   "Furniture",
	"furniture by type":           "Furniture passed on, by type",
	"furniture disposed by route": "Furniture disposed of, by route",
	"logistics":                   "Collections",
	"volunteering":                "Volunteering",
	"workshops":                   "Workshops",
}

// words turns a code such as early_years into people's words: "Early years".
func words(code string) string {
	s := strings.ReplaceAll(code, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// figureRows flattens figures into rows, the same for the CSV and the PDF's tables.
func figureRows(f *models.Figures) []figureRow {
	rows := []figureRow{
		count("donations", "count", "Donations received", f.Donations.Count),
		weight("donations", "kg", "Weight received (kg)", f.Donations.Kg),
	}
	for _, c := range f.Donations.ByCategory {
		rows = append(rows, weight("donations by category", c.Name+" kg", c.Name+" (kg)", c.Kg))
	}
	rows = append(rows,
		weight("landfill", "diverted kg", "Diverted from landfill (kg)", f.DivertedKg),
		weight("co2e", "avoided kg", "CO2e avoided by reuse (kg)", f.CO2e.AvoidedKg),
		weight("co2e", "van kg", "CO2e of the van's driving (kg)", f.CO2e.VanKg),
		weight("co2e", "net kg", "CO2e avoided, net of the van (kg)", f.CO2e.NetKg),
		count("members", "groups served", "Member groups served", f.Members.GroupsServed),
		count("members", "new members", "New member groups", f.Members.NewMembers),
	)
	for _, k := range sortedKeys(f.Members.ByKind) {
		rows = append(rows, count("members served by kind", k, words(k), f.Members.ByKind[k]))
	}
	rows = append(rows,
		count("reservations", "collected", "Reservations collected", f.Reservations.Collected),
		weight("reservations", "kg issued", "Weight issued to member groups (kg)", f.Reservations.KgIssued),
		count("furniture", "passed on", "Items passed on", f.Furniture.PassedOn),
		weight("furniture", "kg passed on", "Weight passed on (kg)", f.Furniture.Kg),
		count("furniture", "households helped", "Households helped", f.Furniture.HouseholdsHelped),
		count("furniture", "groups helped", "Groups helped", f.Furniture.GroupsHelped),
		count("furniture", "disposed", "Items disposed of", f.Furniture.Disposed),
	)
	for _, k := range sortedKeys(f.Furniture.ByType) {
		rows = append(rows, count("furniture by type", k, k, f.Furniture.ByType[k]))
	}
	for _, k := range sortedKeys(f.Furniture.DisposedByRoute) {
		rows = append(rows, count("furniture disposed by route", k, words(k), f.Furniture.DisposedByRoute[k]))
	}
	rows = append(rows,
		count("logistics", "runs", "Collection runs", f.Logistics.Runs),
		count("logistics", "stops completed", "Stops completed", f.Logistics.StopsCompleted),
		figureRow{"logistics", "km", "Distance driven (km)", float64(f.Logistics.Km), 1, f.Logistics.Km.String()},
		figureRow{"volunteering", "hours", "Volunteer hours", f.Volunteering.Hours, 1, strconv.FormatFloat(f.Volunteering.Hours, 'f', -1, 64)},
		count("volunteering", "volunteers", "Volunteers", f.Volunteering.Volunteers),
		count("volunteering", "placements", "Work placements", f.Volunteering.Placements),
		count("volunteering", "apprentices", "Apprentices", f.Volunteering.Apprentices),
		count("workshops", "workshops", "Workshops held", f.Workshops.Workshops),
		count("workshops", "attendees", "Attendees", f.Workshops.Attendees),
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
			key := r.section + "\x00" + r.measure
			if _, ok := values[key]; !ok {
				order = append(order, key)
				values[key] = make([]string, len(periods))
				for j := range values[key] {
					values[key][j] = "0"
				}
			}
			values[key][i] = r.csv
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

package models

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Figures are what the funder report shows for a period: every number comes from SQL
// aggregates (a fixed number of queries however long the period), grouped by the store's
// day, and added up here.
type Figures struct {
	Period       Period              `json:"period"`
	Donations    DonationFigures     `json:"donations"`
	DivertedKg   Kg                  `json:"diverted_kg"`
	CO2e         CO2eFigures         `json:"co2e"`
	Members      MemberFigures       `json:"members"`
	Reservations ReservationFigures  `json:"reservations"`
	Furniture    FurnitureFigures    `json:"furniture"`
	Logistics    LogisticsFigures    `json:"logistics"`
	Volunteering VolunteeringFigures `json:"volunteering"`
	Workshops    WorkshopFigures     `json:"workshops"`
	Months       []Figures           `json:"months,omitempty"`
	Trend        []TrendPoint        `json:"trend,omitempty"`
	Queries      int                 `json:"queries,omitempty"`
}

// Period is a span of the store's days, both ends included.
type Period struct {
	From Date `json:"from"`
	To   Date `json:"to"`
}

type DonationFigures struct {
	Count      int64           `json:"count"`
	Kg         Kg              `json:"kg"`
	ByCategory []CategoryCount `json:"by_category"`
}

type CategoryCount struct {
	CategoryID int64  `json:"category_id"`
	Name       string `json:"name"`
	Lines      int64  `json:"lines"`
	Kg         Kg     `json:"kg"`
}

type CO2eFigures struct {
	AvoidedKg Kg          `json:"avoided_kg"`
	VanKg     Kg          `json:"van_kg"`
	NetKg     Kg          `json:"net_kg"`
	Factors   []factorUse `json:"factors"`
}

type factorUse struct {
	What        string  `json:"what"`
	CO2eKgPerKg float64 `json:"co2e_kg_per_kg"`
	Source      string  `json:"source"`
	From        string  `json:"effective_from,omitempty"`
	Kg          Kg      `json:"kg"`
	CO2eKg      Kg      `json:"co2e_kg"`
}

type MemberFigures struct {
	GroupsServed int64            `json:"groups_served"`
	ByKind       map[string]int64 `json:"groups_served_by_kind"`
	NewMembers   int64            `json:"new_members"`
}

type ReservationFigures struct {
	Collected int64 `json:"collected"`
	KgIssued  Kg    `json:"kg_issued"`
}

type FurnitureFigures struct {
	PassedOn         int64            `json:"passed_on"`
	Kg               Kg               `json:"kg"`
	ByType           map[string]int64 `json:"by_type"`
	HouseholdsHelped int64            `json:"households_helped"`
	GroupsHelped     int64            `json:"groups_helped"`
	Disposed         int64            `json:"disposed"`
	DisposedByRoute  map[string]int64 `json:"disposed_by_route"`
}

// LogisticsFigures are the finished collection runs: their completed stops and the km
// driven (by odometer when its readings can be trusted, else as planned).
type LogisticsFigures struct {
	Runs           int64 `json:"runs"`
	StopsCompleted int64 `json:"stops_completed"`
	Km             Km    `json:"km"`
}

type VolunteeringFigures struct {
	Hours       float64 `json:"hours"`
	Volunteers  int64   `json:"volunteers"`
	Placements  int64   `json:"placements"`
	Apprentices int64   `json:"apprentices"`
}

type WorkshopFigures struct {
	Workshops int64 `json:"workshops"`
	Attendees int64 `json:"attendees"`
}

type TrendPoint struct {
	Month string `json:"month"`
	KgIn  Kg     `json:"kg_in"`
	KgOut Kg     `json:"kg_out"`
}

// VanCO2ePerKm is the CO2e of a diesel van up to 3.5 t (DESNZ 2023), for the net figure.
const VanCO2ePerKm = 0.2556

// hourOf is SQL for a timestamp's UTC hour as "YYYY-MM-DD HH"; the store's local day
// follows from it exactly, as UK offsets are whole hours.
func (s *Store) hourOf(col string) string {
	return strings.ReplaceAll(utcHourSQL[s.dialect], "$1", col)
}

// localDay turns a "YYYY-MM-DD HH" UTC hour, or a "YYYY-MM-DD" date, into the store's day.
func localDay(v string, loc *time.Location) Date {
	if len(v) >= 13 {
		t, err := time.Parse(utcHourLayout, v[:13])
		if err == nil {
			return NewDate(t.In(loc))
		}
	}
	d, _ := ParseDate(v[:min(len(v), 10)])
	return d
}

// fact is one aggregated row: the day it belongs to, its keys and its numbers.
type fact struct {
	day  Date
	kind string // which query it came from
	key  int64
	name string
	sub  string
	n    int64
	g    int64
}

// ComputeFigures gives the figures of a period and of each of the 12 months before it,
// and the 12-month trend ending with the period's last month.
func (s *Store) ComputeFigures(ctx context.Context, p Period, loc *time.Location) (*Figures, error) {
	if p.To.Before(p.From.Time) {
		return nil, Invalid("to", "must not be before from")
	}
	if p.To.Sub(p.From.Time) > 3*366*24*time.Hour {
		return nil, Invalid("to", "the period may be at most three years")
	}
	firstMonth := Date{time.Date(p.From.Year(), p.From.Month()-12, 1, 0, 0, 0, 0, time.UTC)}
	trendStart := Date{time.Date(p.To.Year(), p.To.Month()-11, 1, 0, 0, 0, 0, time.UTC)}
	start := firstMonth
	if trendStart.Before(start.Time) {
		start = trendStart
	}
	src, err := s.figureSource(ctx, Period{start, p.To}, loc, false)
	if err != nil {
		return nil, err
	}
	out := src.sum(p)
	out.Queries = src.queries
	for m := 12; m >= 1; m-- {
		from := Date{time.Date(p.From.Year(), p.From.Month()-time.Month(m), 1, 0, 0, 0, 0, time.UTC)}
		to := Date{from.AddDate(0, 1, -1)}
		out.Months = append(out.Months, *src.sum(Period{from, to}))
	}
	for m := 0; m < 12; m++ {
		from := Date{trendStart.AddDate(0, m, 0)}
		f := src.sum(Period{from, Date{from.AddDate(0, 1, -1)}})
		out.Trend = append(out.Trend, TrendPoint{Month: from.Format("2006-01"), KgIn: f.Donations.Kg, KgOut: f.Reservations.KgIssued})
	}
	return out, nil
}

// figureSource is what the figures of any period within a span are added up from: the
// span's aggregated facts and the reference data (categories, factors, furniture types).
type figureSource struct {
	facts   []fact
	ref     refData
	queries int
}

// sum is the figures of a period within the source's span.
func (src *figureSource) sum(p Period) *Figures { return src.ref.sum(src.facts, p) }

func (s *Store) figureSource(ctx context.Context, span Period, loc *time.Location, fromTotals bool) (*figureSource, error) {
	lo, hi := span.From.Start(loc).UTC(), span.To.AddDays(1).Start(loc).UTC()
	facts, queries, err := s.figureFacts(ctx, lo, hi, span.From, span.To, loc, fromTotals)
	if err != nil {
		return nil, err
	}
	var cats []Category
	var factors []CategoryFactor
	var ftypes []FurnitureType
	if err := s.DB(ctx).Find(&cats).Error; err != nil {
		return nil, err
	}
	if err := s.DB(ctx).Order("effective_from").Find(&factors).Error; err != nil {
		return nil, err
	}
	if err := s.DB(ctx).Find(&ftypes).Error; err != nil {
		return nil, err
	}
	ref := refData{cats: map[int64]Category{}, factors: map[int64][]CategoryFactor{}, types: map[string]FurnitureType{}}
	for _, c := range cats {
		ref.cats[c.ID] = c
	}
	for _, f := range factors {
		ref.factors[f.CategoryID] = append(ref.factors[f.CategoryID], f)
	}
	for _, t := range ftypes {
		ref.types[t.Name] = t
	}
	return &figureSource{facts: facts, ref: ref, queries: queries + 3}, nil
}

// figureFacts runs the aggregate queries over [lo, hi) (and the days from, to for date
// columns) and returns their rows as facts by the store's day: from the rows, or
// (fromTotals) from the ledger totals where they hold the same numbers.
func (s *Store) figureFacts(ctx context.Context, lo, hi time.Time, from, to Date, loc *time.Location, fromTotals bool) ([]fact, int, error) {
	type row struct {
		Bucket string
		Key    int64
		Name   string
		Sub    string
		N      int64
		G      int64
	}
	queries := []figureQuery{
		{"line", `SELECT ` + s.hourOf("d.received_at") + ` AS bucket, l.category_id AS key, '' AS name, '' AS sub, COUNT(*) AS n, SUM(l.weight_g) AS g
			FROM donation_lines l JOIN donations d ON d.id = l.donation_id
			WHERE d.voided_at IS NULL AND d.received_at >= ? AND d.received_at < ? GROUP BY 1, 2`, []any{lo, hi}},
		{"donation", `SELECT ` + s.hourOf("received_at") + ` AS bucket, 0 AS key, '' AS name, '' AS sub, COUNT(*) AS n, 0 AS g
			FROM donations WHERE voided_at IS NULL AND received_at >= ? AND received_at < ? GROUP BY 1`, []any{lo, hi}},
		{"visit", `SELECT ` + s.hourOf("r.collected_at") + ` AS bucket, r.organisation_id AS key, o.kind AS name, '' AS sub, COUNT(DISTINCT r.id) AS n,
			COALESCE(SUM(l.collected_milli * l.grams_per_unit / 1000), 0) AS g
			FROM reservations r JOIN organisations o ON o.id = r.organisation_id LEFT JOIN reservation_lines l ON l.reservation_id = r.id
			WHERE r.status = 'collected' AND r.collected_at >= ? AND r.collected_at < ? GROUP BY 1, 2, 3`, []any{lo, hi}},
		{"member", `SELECT CAST(member_since AS TEXT) AS bucket, id AS key, kind AS name, '' AS sub, 1 AS n, 0 AS g
			FROM organisations WHERE member_since >= ? AND member_since <= ?`, []any{from, to}},
		{"handover", `SELECT CAST(h.handed_on AS TEXT) AS bucket, h.recipient_id AS key, t.name AS name, h.recipient_kind AS sub,` +
			` COUNT(*) AS n, SUM(h.weight_g) AS g
			FROM handovers h JOIN furniture_items i ON i.id = h.item_id JOIN furniture_types t ON t.id = i.type_id
			WHERE h.handed_on >= ? AND h.handed_on <= ? GROUP BY 1, 2, 3, 4`, []any{from, to}},
		{"disposal", `SELECT ` + s.hourOf("c.at") + ` AS bucket, 0 AS key, i.disposal_route AS name, '' AS sub, COUNT(*) AS n, SUM(i.weight_g) AS g
			FROM furniture_status_changes c JOIN furniture_items i ON i.id = c.item_id
			WHERE c.to_status = 'disposed' AND c.at >= ? AND c.at < ? GROUP BY 1, 3`, []any{lo, hi}},
		{"hours", `SELECT CAST(h.day AS TEXT) AS bucket, h.volunteer_id AS key, v.kind AS name, '' AS sub, SUM(h.quarters) AS n, 0 AS g
			FROM volunteer_hours h JOIN volunteers v ON v.id = h.volunteer_id
			WHERE h.day >= ? AND h.day <= ? GROUP BY 1, 2, 3`, []any{from, to}},
		{"run", `SELECT CAST(r.day AS TEXT) AS bucket, r.id AS key, '' AS name, '' AS sub,
			(SELECT COUNT(*) FROM run_stops st WHERE st.run_id = r.id AND st.status = 'completed') AS n,
			CAST(ROUND(CASE WHEN ` + odometerTrusted + ` THEN (r.finish_odometer_km - r.start_odometer_km) * 1000 ELSE r.planned_m END) AS BIGINT) AS g
			FROM collection_runs r WHERE r.day >= ? AND r.day <= ? AND r.status = 'finished'`, []any{s.runKmLimit, from, to}},
		{"workshop", `SELECT ` + s.hourOf("starts_at") + ` AS bucket, 0 AS key, '' AS name, '' AS sub, COUNT(*) AS n, SUM(taken) AS g
			FROM workshops WHERE starts_at >= ? AND starts_at < ? GROUP BY 1`, []any{lo, hi}},
	}
	if fromTotals {
		// The same facts from the totals: the weights in by hour and category, the
		// donations by hour, the weights out as a fact of their own, and the visits
		// counted without their lines.
		hours := []any{lo.UTC().Format(utcHourLayout), hi.UTC().Format(utcHourLayout)}
		for i, q := range queries {
			switch q.kind {
			case "line":
				queries[i] = totalsQuery(q.kind, directionIn, hours)
			case "donation":
				queries[i] = figureQuery{q.kind, `SELECT utc_hour AS bucket, 0 AS key, '' AS name, '' AS sub, donations AS n, 0 AS g
					FROM donation_totals WHERE utc_hour >= ? AND utc_hour < ? AND donations <> 0`, hours}
			case "visit":
				queries[i].sql = `SELECT ` + s.hourOf("r.collected_at") + ` AS bucket, r.organisation_id AS key, o.kind AS name, '' AS sub,
					COUNT(*) AS n, 0 AS g
					FROM reservations r JOIN organisations o ON o.id = r.organisation_id
					WHERE r.status = 'collected' AND r.collected_at >= ? AND r.collected_at < ? GROUP BY 1, 2, 3`
			}
		}
		queries = append(queries, totalsQuery("out", directionOut, hours))
	}
	var facts []fact
	for _, q := range queries {
		var rows []row
		if err := s.DB(ctx).Raw(q.sql, q.args...).Scan(&rows).Error; err != nil {
			return nil, 0, fmt.Errorf("figures (%s): %w", q.kind, err)
		}
		for _, r := range rows {
			facts = append(facts, fact{day: localDay(r.Bucket, loc), kind: q.kind, key: r.Key, name: r.Name, sub: r.Sub, n: r.N, g: r.G})
		}
	}
	return facts, len(queries), nil
}

type figureQuery struct {
	kind string
	sql  string
	args []any
}

type refData struct {
	cats    map[int64]Category
	factors map[int64][]CategoryFactor
	types   map[string]FurnitureType
}

// factorOn is a category's factor in force on a day.
func (r refData) factorOn(cat int64, day Date) (CategoryFactor, bool) {
	var in CategoryFactor
	ok := false
	for _, f := range r.factors[cat] {
		if !f.EffectiveFrom.After(day.Time) {
			in, ok = f, true
		}
	}
	return in, ok
}

// sum adds up the facts whose day falls in the period.
func (r refData) sum(facts []fact, p Period) *Figures {
	f := &Figures{Period: p, Members: MemberFigures{ByKind: map[string]int64{}},
		Furniture: FurnitureFigures{ByType: map[string]int64{}, DisposedByRoute: map[string]int64{}}}
	byCat := map[int64]*CategoryCount{}
	uses := map[string]*factorUse{}
	served := map[int64]string{}
	households, groups := map[int64]bool{}, map[int64]bool{}
	vols := map[int64]string{}
	var co2e Kg
	use := func(key, what string, factor float64, source, from string, g int64) {
		u := uses[key]
		if u == nil {
			u = &factorUse{What: what, CO2eKgPerKg: factor, Source: source, From: from}
			uses[key] = u
		}
		u.Kg += Grams(g).Kg()
		u.CO2eKg += Grams(g).Kg() * Kg(factor)
		co2e += Grams(g).Kg() * Kg(factor)
	}
	for _, x := range facts {
		if x.day.Before(p.From.Time) || x.day.After(p.To.Time) {
			continue
		}
		switch x.kind {
		case "line":
			c := byCat[x.key]
			if c == nil {
				c = &CategoryCount{CategoryID: x.key, Name: r.cats[x.key].Name}
				byCat[x.key] = c
			}
			c.Lines += x.n
			c.Kg += Grams(x.g).Kg()
			f.Donations.Kg += Grams(x.g).Kg()
			if r.cats[x.key].Diverted {
				f.DivertedKg += Grams(x.g).Kg()
			}
			if fac, ok := r.factorOn(x.key, x.day); ok {
				use(fmt.Sprintf("c%d-%d", x.key, fac.ID), r.cats[x.key].Name, fac.CO2eKgPerKg, fac.Source, fac.EffectiveFrom.String(), x.g)
			}
		case "donation":
			f.Donations.Count += x.n
		case "visit":
			f.Reservations.Collected += x.n
			f.Reservations.KgIssued += Grams(x.g).Kg()
			served[x.key] = x.name
		case "out":
			f.Reservations.KgIssued += Grams(x.g).Kg()
		case "member":
			f.Members.NewMembers++
		case "handover":
			f.Furniture.PassedOn += x.n
			f.Furniture.Kg += Grams(x.g).Kg()
			f.Furniture.ByType[x.name] += x.n
			f.DivertedKg += Grams(x.g).Kg()
			if x.sub == "household" {
				households[x.key] = true
			} else {
				groups[x.key] = true
			}
			if t, ok := r.types[x.name]; ok {
				use("t"+x.name, "Furniture: "+x.name, t.CO2eKgPerKg, t.CO2eSource, "", x.g)
			}
		case "disposal":
			f.Furniture.Disposed += x.n
			f.Furniture.DisposedByRoute[x.name] += x.n
		case "hours":
			f.Volunteering.Hours += float64(x.n) / 4
			vols[x.key] = x.name
		case "run":
			f.Logistics.Runs++
			f.Logistics.StopsCompleted += x.n
			f.Logistics.Km += Km(x.g) / 1000
		case "workshop":
			f.Workshops.Workshops += x.n
			f.Workshops.Attendees += x.g
		}
	}
	for _, c := range byCat {
		f.Donations.ByCategory = append(f.Donations.ByCategory, *c)
	}
	sort.Slice(f.Donations.ByCategory, func(i, j int) bool { return f.Donations.ByCategory[i].Name < f.Donations.ByCategory[j].Name })
	if f.Donations.ByCategory == nil {
		f.Donations.ByCategory = []CategoryCount{}
	}
	for _, kind := range served {
		f.Members.ByKind[kind]++
	}
	f.Members.GroupsServed = int64(len(served))
	f.Furniture.HouseholdsHelped, f.Furniture.GroupsHelped = int64(len(households)), int64(len(groups))
	for _, kind := range vols {
		switch kind {
		case "placement":
			f.Volunteering.Placements++
		case "apprentice":
			f.Volunteering.Apprentices++
		}
	}
	f.Volunteering.Volunteers = int64(len(vols))
	f.CO2e.Factors = []factorUse{}
	for _, u := range uses {
		f.CO2e.Factors = append(f.CO2e.Factors, *u)
	}
	sort.Slice(f.CO2e.Factors, func(i, j int) bool {
		a, b := f.CO2e.Factors[i], f.CO2e.Factors[j]
		return a.What < b.What || (a.What == b.What && a.From < b.From)
	})
	f.CO2e.VanKg = Kg(f.Logistics.Km * VanCO2ePerKm)
	f.CO2e.AvoidedKg = co2e
	f.CO2e.NetKg = co2e - f.CO2e.VanKg
	return f
}

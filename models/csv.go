package models

import (
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/scrapstore/scrapstore/jobs/planner"
)

// CSV headers: exports write them and imports read the same ones.
var (
	StockCSVHeader = []string{"id", "category_id", "category", "description", "location_id", "location", "unit", "kg_per_unit", "on_hand",
		"reserved", "available", "available_kg"}
	DonationsCSVHeader = []string{"donation_id", "received_at", "donor_id", "donor", "channel", "voided", "line_id", "category_id", "category",
		"description", "quantity", "unit", "weight_kg", "weight_estimated", "location_id", "location"}
	DonorsCSVHeader = []string{"id", "name", "contact_name", "email", "phone", "address", "postcode", "latitude", "longitude", "notes", "active"}
)

// CSVWriter writes CSV that is safe to open in a spreadsheet: a cell that begins with
// =, +, -, @, a tab or a carriage return would be run as a formula there (OWASP's "CSV
// injection"), so it is written with a ' in front, which spreadsheets show as text.
// Plain numbers such as -2.5 are left as they are. Every export writes through it.
type CSVWriter struct{ *csv.Writer }

// NewCSVWriter writes CSV to w.
func NewCSVWriter(w io.Writer) *CSVWriter { return &CSVWriter{csv.NewWriter(w)} }

func (w *CSVWriter) Write(rec []string) error {
	safe := make([]string, len(rec))
	for i, cell := range rec {
		safe[i] = defuseCell(cell)
	}
	return w.Writer.Write(safe)
}

// formulaStarts are the first characters that make a spreadsheet read a cell as a formula.
const formulaStarts = "=+-@\t\r"

func defuseCell(cell string) string {
	if cell == "" {
		return cell
	}
	if _, err := strconv.ParseFloat(cell, 64); err == nil {
		return cell
	}
	if strings.ContainsRune(formulaStarts, rune(cell[0])) || quotedFormula(cell) {
		return "'" + cell
	}
	return cell
}

// quotedFormula is a cell of one or more 's before a formula's first character: one '
// more is added on export and taken away on import, so that such a cell survives too.
func quotedFormula(cell string) bool {
	rest := strings.TrimLeft(cell, "'")
	return len(rest) < len(cell) && rest != "" && strings.ContainsRune(formulaStarts, rune(rest[0]))
}

// restoreCell undoes defuseCell for a cell read back by an import, so that an exported
// file imports as it was.
func restoreCell(cell string) string {
	if quotedFormula(cell) {
		return cell[1:]
	}
	return cell
}

// streamCSV writes a header and then each row of a query as it is read, flushing as it
// goes, so an export of any size needs little memory.
func streamCSV(w io.Writer, header []string, rows *sql.Rows, scan func(*sql.Rows) ([]string, error)) error {
	defer rows.Close()
	cw := NewCSVWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	n := 0
	for rows.Next() {
		rec, err := scan(rows)
		if err != nil {
			return err
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
		if n++; n%500 == 0 {
			cw.Flush()
			if err := cw.Error(); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return rows.Err()
}

// ExportStock writes the filter's stock items (every one for a zero filter) as CSV.
func (s *Store) ExportStock(ctx context.Context, w io.Writer, f StockFilter) error {
	rows, err := s.DB(ctx).Table("stock_items").Select("stock_items.id, stock_items.category_id, c.name, stock_items.description, " +
		"stock_items.location_id, l.code, stock_items.unit, stock_items.grams_per_unit, stock_items.on_hand_milli, stock_items.reserved_milli").
		Joins("JOIN categories c ON c.id = stock_items.category_id").Joins("JOIN locations l ON l.id = stock_items.location_id").
		Scopes(f.scope).Order("stock_items.id").Rows()
	if err != nil {
		return err
	}
	return streamCSV(w, StockCSVHeader, rows, func(r *sql.Rows) ([]string, error) {
		var id, cat, loc int64
		var gpu Grams
		var on, res Milli
		var catName, desc, code, unit string
		if err := r.Scan(&id, &cat, &catName, &desc, &loc, &code, &unit, &gpu, &on, &res); err != nil {
			return nil, err
		}
		return []string{fmt.Sprint(id), fmt.Sprint(cat), catName, desc, fmt.Sprint(loc), code, unit, gpu.String(), on.String(), res.String(),
			(on - res).String(), LineGrams(on-res, gpu).String()}, nil
	})
}

// ExportDonations writes one row per donation line received in [from, to) as CSV.
func (s *Store) ExportDonations(ctx context.Context, w io.Writer, from, to time.Time) error {
	rows, err := s.DB(ctx).Raw(`SELECT d.id, d.received_at, d.donor_id, COALESCE(dn.name, ''), d.channel, d.voided_at IS NOT NULL,`+
		` l.id, l.category_id, c.name,
		l.description, l.quantity_milli, l.unit, l.weight_g, l.weight_estimated, l.location_id, lo.code
		FROM donation_lines l JOIN donations d ON d.id = l.donation_id LEFT JOIN donors dn ON dn.id = d.donor_id
		JOIN categories c ON c.id = l.category_id JOIN locations lo ON lo.id = l.location_id
		WHERE d.received_at >= ? AND d.received_at < ? ORDER BY d.received_at, d.id, l.id`, from.UTC(), to.UTC()).Rows()
	if err != nil {
		return err
	}
	return streamCSV(w, DonationsCSVHeader, rows, func(r *sql.Rows) ([]string, error) {
		var (
			did, lid, cat, loc        int64
			qty                       Milli
			g                         Grams
			donor                     sql.NullInt64
			at                        time.Time
			donorName, channel        string
			catName, desc, unit, code string
			voided, est               bool
		)
		if err := r.Scan(&did, &at, &donor, &donorName, &channel, &voided, &lid, &cat, &catName, &desc, &qty, &unit, &g, &est, &loc, &code); err != nil {
			return nil, err
		}
		donorID := ""
		if donor.Valid {
			donorID = fmt.Sprint(donor.Int64)
		}
		return []string{fmt.Sprint(did), at.UTC().Format(time.RFC3339), donorID, donorName, channel, strconv.FormatBool(voided), fmt.Sprint(lid),
			fmt.Sprint(cat), catName,
			desc, qty.String(), unit, g.String(), strconv.FormatBool(est), fmt.Sprint(loc), code}, nil
	})
}

// ExportDonors writes every donor as CSV.
func (s *Store) ExportDonors(ctx context.Context, w io.Writer) error {
	rows, err := s.DB(ctx).Model(&Donor{}).Order("id").Rows()
	if err != nil {
		return err
	}
	return streamCSV(w, DonorsCSVHeader, rows, func(r *sql.Rows) ([]string, error) {
		var d Donor
		if err := s.DB(ctx).ScanRows(r, &d); err != nil {
			return nil, err
		}
		coord := func(f *float64) string {
			if f == nil {
				return ""
			}
			return strconv.FormatFloat(*f, 'f', -1, 64)
		}
		return []string{fmt.Sprint(d.ID), d.Name, d.ContactName, d.Email, d.Phone, d.Address, d.Postcode, coord(d.Latitude), coord(d.Longitude), d.Notes,
			strconv.FormatBool(d.Active)}, nil
	})
}

// RowProblem is what is wrong with one row of an import (row 1 is the header).
type RowProblem struct {
	Row     int    `json:"row"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ImportResult says what an import did, or (dry run, or with problems) would not do.
type ImportResult struct {
	DryRun   bool         `json:"dry_run"`
	Rows     int          `json:"rows"`
	Created  int          `json:"created"`
	Problems []RowProblem `json:"problems"`
	// CoordinatesNeeded lists the rows (as numbered in the file) whose donor has no
	// latitude and longitude: none were given and its postcode could not be looked up.
	CoordinatesNeeded []int `json:"coordinates_needed,omitempty"`
}

// ImportError is an import refused for its problems; nothing was written.
type ImportError struct{ Result *ImportResult }

func (e *ImportError) Error() string {
	return fmt.Sprintf("the file has %d problems; nothing was imported", len(e.Result.Problems))
}

// csvRow is one row of an import by column name, with the problems of its cells' text.
type csvRow struct {
	cells    map[string]string
	problems []RowProblem
}

// csvRows reads a CSV file (UTF-8, optional BOM, RFC 4180 quoting) whose header must hold
// the required columns. A cell that is not valid UTF-8 or holds NUL is a problem of its
// row, found here once for every import.
func csvRows(r io.Reader, required []string) ([]csvRow, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return nil, Invalid("file", "is empty")
	}
	if err != nil {
		return nil, Invalid("file", "is not CSV: %v", err)
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	idx := map[string]int{}
	for i, h := range header {
		if msg := TextProblem(h); msg != "" {
			return nil, Invalid("file", "column %d of the header %s", i+1, msg)
		}
		idx[strings.TrimSpace(h)] = i
	}
	for _, want := range required {
		if _, ok := idx[want]; !ok {
			return nil, Invalid("file", "the header has no %q column", want)
		}
	}
	var out []csvRow
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, Invalid("file", "row %d is not valid CSV: %v", len(out)+2, err)
		}
		if len(out) >= 50_000 {
			return nil, Invalid("file", "has more than 50000 rows; split it")
		}
		row := csvRow{cells: map[string]string{}}
		var p Problems
		for name, i := range idx {
			if i < len(rec) {
				v := restoreCell(strings.TrimSpace(rec[i]))
				checkText(&p, name, v, false)
				row.cells[name] = v
			}
		}
		if err := p.Err(); err != nil {
			row.problems, _ = rowProblems(len(out)+2, err)
		}
		out = append(out, row)
	}
	return out, nil
}

// rowProblems turns a rule broken by one row into row problems.
func rowProblems(row int, err error) ([]RowProblem, error) {
	if ve, ok := err.(*ValidationError); ok {
		var out []RowProblem
		for _, f := range ve.Errors {
			out = append(out, RowProblem{Row: row, Field: f.Field, Message: f.Message})
		}
		return out, nil
	}
	if ce, ok := err.(*ConflictError); ok {
		return []RowProblem{{Row: row, Field: "", Message: ce.Detail}}, nil
	}
	return nil, err
}

// runImport checks every row inside one transaction and keeps the result only when
// there is no problem and it is not a dry run.
func (s *Store) runImport(ctx context.Context, dryRun bool, rows int, each func(tx *gorm.DB, res *ImportResult) error) (*ImportResult, error) {
	res := &ImportResult{DryRun: dryRun, Rows: rows, Problems: []RowProblem{}}
	errRollback := fmt.Errorf("roll back")
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		if err := each(tx, res); err != nil {
			return err
		}
		if dryRun || len(res.Problems) > 0 {
			return errRollback
		}
		return nil
	})
	switch {
	case err == errRollback && len(res.Problems) > 0 && !dryRun:
		res.Created = 0
		return nil, &ImportError{Result: res}
	case err == errRollback:
		return res, nil
	}
	return res, err
}

// csvNumber is a number as people write it: digits with an optional sign, point and
// exponent. strconv.ParseFloat would also take NaN, Inf and hex floats.
var csvNumber = regexp.MustCompile(`^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$`)

// parseFloat reads a number from a CSV cell; a missing, malformed or infinite one is a
// problem of the field.
func parseFloat(p *Problems, field, v string) float64 {
	f, err := strconv.ParseFloat(v, 64)
	if !csvNumber.MatchString(v) || err != nil || math.IsInf(f, 0) {
		p.Add(field, "must be a number such as 12.5")
		return 0
	}
	return f
}

func parseOptFloat(p *Problems, field, v string) *float64 {
	if v == "" {
		return nil
	}
	f := parseFloat(p, field, v)
	return &f
}

func parseOptInt(p *Problems, field, v string) *int64 {
	if v == "" {
		return nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		p.Add(field, "must be a whole number")
		return nil
	}
	return &n
}

// ImportDonors adds donors from CSV with the donors export's columns (id is ignored).
func (s *Store) ImportDonors(ctx context.Context, actor *User, r io.Reader, dryRun bool) (*ImportResult, error) {
	rows, err := csvRows(r, []string{"name", "postcode"})
	if err != nil {
		return nil, err
	}
	// The postcodes of rows without coordinates are looked up at once, before the
	// transaction, as the service may take a while.
	var ask []string
	for _, r := range rows {
		if pc, ok := NormalisePostcode(r.cells["postcode"]); ok && r.cells["latitude"] == "" && r.cells["longitude"] == "" {
			ask = append(ask, pc)
		}
	}
	places, err := s.locate(ctx, ask)
	if err != nil {
		return nil, err
	}
	return s.runImport(ctx, dryRun, len(rows), func(tx *gorm.DB, res *ImportResult) error {
		for i, r := range rows {
			if len(r.problems) > 0 {
				res.Problems = append(res.Problems, r.problems...)
				continue
			}
			row := r.cells
			var p Problems
			in := DonorInput{}
			for _, f := range []struct {
				dst **string
				col string
			}{{&in.Name, "name"}, {&in.ContactName, "contact_name"}, {&in.Email, "email"}, {&in.Phone, "phone"}, {&in.Address, "address"},
				{&in.Postcode, "postcode"}, {&in.Notes, "notes"}} {
				v := row[f.col]
				*f.dst = &v
			}
			in.Latitude, in.Longitude = parseOptFloat(&p, "latitude", row["latitude"]), parseOptFloat(&p, "longitude", row["longitude"])
			if v := row["active"]; v != "" {
				b, err := strconv.ParseBool(v)
				if err != nil {
					p.Add("active", "must be true or false")
				}
				in.Active = &b
			}
			var at *planner.Point
			if pc, ok := NormalisePostcode(row["postcode"]); ok {
				if pt, ok := places[pc]; ok {
					at = &pt
				}
			}
			d := &Donor{Active: true}
			d.apply(&p, in, at)
			if err := p.Err(); err != nil {
				probs, err := rowProblems(i+2, err)
				if err != nil {
					return err
				}
				res.Problems = append(res.Problems, probs...)
				continue
			}
			if err := tx.Create(d).Error; err != nil {
				return err
			}
			if err := s.audit(tx, actor, "import", "donor", d.ID, donorFields(d)); err != nil {
				return err
			}
			res.Created++
			if d.CoordinatesNeeded {
				res.CoordinatesNeeded = append(res.CoordinatesNeeded, i+2)
			}
		}
		return nil
	})
}

// ImportDonations adds donations from CSV with the donations export's columns: rows with
// the same donation_id make one donation; category and location may be given by id or by
// name and code.
func (s *Store) ImportDonations(ctx context.Context, actor *User, r io.Reader, dryRun bool) (*ImportResult, error) {
	rows, err := csvRows(r, []string{"donation_id", "received_at", "description", "quantity", "unit"})
	if err != nil {
		return nil, err
	}
	type group struct {
		firstRow int
		in       DonationInput
		rows     []int
	}
	var order []string
	groups := map[string]*group{}
	var parseProblems []RowProblem
	for i, r := range rows {
		n := i + 2
		if len(r.problems) > 0 {
			parseProblems = append(parseProblems, r.problems...)
			continue
		}
		row := r.cells
		var p Problems
		key := row["donation_id"]
		if key == "" {
			p.Add("donation_id", "is required to group lines into donations")
		}
		g := groups[key]
		if g == nil {
			g = &group{firstRow: n}
			at, err := time.Parse(time.RFC3339, row["received_at"])
			if err != nil {
				p.Add("received_at", "must be a date and time in RFC 3339, such as 2026-11-25T10:30:00Z")
			}
			g.in.ReceivedAt, g.in.Channel, g.in.DonorID = at, row["channel"], parseOptInt(&p, "donor_id", row["donor_id"])
			groups[key] = g
			order = append(order, key)
		}
		line := DonationLineInput{Description: row["description"], Quantity: parseFloat(&p, "quantity", row["quantity"]), Unit: row["unit"],
			WeightKg: parseOptFloat(&p, "weight_kg", row["weight_kg"])}
		line.CategoryID = parseOptInt(&p, "category_id", row["category_id"])
		line.LocationID = parseOptInt(&p, "location_id", row["location_id"])
		if line.CategoryID == nil && row["category"] != "" {
			var id int64
			if s.DB(ctx).Model(&Category{}).Where("name = ?", row["category"]).Pluck("id", &id); id == 0 {
				p.Add("category", "no category named %q", row["category"])
			} else {
				line.CategoryID = &id
			}
		}
		if line.LocationID == nil && row["location"] != "" {
			var id int64
			if s.DB(ctx).Model(&Location{}).Where("code = ?", strings.ToUpper(row["location"])).Pluck("id", &id); id == 0 {
				p.Add("location", "no location with code %q", row["location"])
			} else {
				line.LocationID = &id
			}
		}
		if err := p.Err(); err != nil {
			probs, _ := rowProblems(n, err)
			parseProblems = append(parseProblems, probs...)
			continue
		}
		g.in.Lines = append(g.in.Lines, line)
		g.rows = append(g.rows, n)
	}
	return s.runImport(ctx, dryRun, len(rows), func(tx *gorm.DB, res *ImportResult) error {
		res.Problems = append(res.Problems, parseProblems...)
		inTx := s.Bound(tx)
		for _, key := range order {
			g := groups[key]
			if len(g.in.Lines) == 0 {
				continue
			}
			// A savepoint per donation, so that one refused donation does not spoil the
			// check of the others.
			err := inTx.InTx(ctx, func(sub *gorm.DB) error {
				sp := s.Bound(sub)
				_, err := sp.ReceiveDonation(ctx, actor, g.in)
				return err
			})
			if err != nil {
				probs, perr := rowProblems(g.firstRow, err)
				if perr != nil {
					return perr
				}
				for i := range probs {
					probs[i].Row = lineRow(g.rows, probs[i].Field, g.firstRow)
					if _, f, ok := strings.Cut(probs[i].Field, "]."); ok {
						probs[i].Field = f
					}
				}
				res.Problems = append(res.Problems, probs...)
				continue
			}
			res.Created++
		}
		return nil
	})
}

// lineRow finds the file row of a problem with a field such as "lines[2].quantity".
func lineRow(rows []int, field string, fallback int) int {
	var i int
	if _, err := fmt.Sscanf(field, "lines[%d]", &i); err == nil && i < len(rows) {
		return rows[i]
	}
	return fallback
}

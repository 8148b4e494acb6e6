// Package reports turns figures and records into documents: PDF, CSV and JSON written to
// an io.Writer, with no database in it.
package reports

import (
	"fmt"
	"io"

	"github.com/boombuler/barcode/code128"
	"github.com/jung-kurt/gofpdf"
)

// Label is what a furniture label shows.
type Label struct {
	Tag  string // printed large and encoded in the barcode
	Type string
	Date string // YYYY-MM-DD received
}

// Sheet layout: A4 with 2 columns of 7 labels of 99.1 x 38.1 mm (the common L7163 sheet).
const (
	labelW, labelH      = 99.1, 38.1
	sheetCols           = 2
	sheetRows           = 7
	sheetLeft, sheetTop = 4.65, 15.15
	gapX                = 2.5
)

// LabelSheet writes labels on A4 sheets of 14, in order.
func LabelSheet(w io.Writer, labels []Label) error {
	pdf := newPDF("P", "A4")
	for i, l := range labels {
		if i%(sheetCols*sheetRows) == 0 {
			pdf.AddPage()
		}
		n := i % (sheetCols * sheetRows)
		x := sheetLeft + float64(n%sheetCols)*(labelW+gapX)
		y := sheetTop + float64(n/sheetCols)*labelH
		if err := drawLabel(pdf, l, x, y, labelW, labelH); err != nil {
			return err
		}
	}
	return pdf.Output(w)
}

// SingleLabel writes one label on a page of its own size, for a label printer.
func SingleLabel(w io.Writer, l Label) error {
	pdf := gofpdf.NewCustom(&gofpdf.InitType{UnitStr: "mm", Size: gofpdf.SizeType{Wd: 100, Ht: 62}})
	pdf.SetMargins(0, 0, 0)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetCreator("Scrapstore", true)
	pdf.SetCompression(false)
	pdf.AddPage()
	if err := drawLabel(pdf, l, 0, 0, 100, 62); err != nil {
		return err
	}
	return pdf.Output(w)
}

func newPDF(orientation, size string) *gofpdf.Fpdf {
	pdf := gofpdf.New(orientation, "mm", size, "")
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetCreator("Scrapstore", true)
	// Labels are small; uncompressed, their text can be searched and checked.
	pdf.SetCompression(false)
	return pdf
}

// drawLabel puts the tag in large type, a Code 128 barcode of it, and the type and date
// in a w x h box at x, y.
func drawLabel(pdf *gofpdf.Fpdf, l Label, x, y, w, h float64) error {
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	pad := h * 0.08
	pdf.SetFont("Helvetica", "B", h*0.55)
	pdf.SetXY(x+pad, y+pad)
	pdf.CellFormat(w-2*pad, h*0.26, l.Tag, "", 0, "L", false, 0, "")
	if err := drawCode128(pdf, l.Tag, x+pad, y+pad+h*0.3, w-2*pad, h*0.38); err != nil {
		return err
	}
	pdf.SetFont("Helvetica", "", min(h*0.22, 10))
	pdf.SetXY(x+pad, y+h-pad-h*0.14)
	pdf.CellFormat(w-2*pad, h*0.14, tr(fmt.Sprintf("%s   received %s", l.Type, l.Date)), "", 0, "L", false, 0, "")
	return pdf.Error()
}

// drawCode128 draws text as Code 128 bars filling w x h, with the quiet zone the
// standard asks for on each side.
func drawCode128(pdf *gofpdf.Fpdf, text string, x, y, w, h float64) error {
	bc, err := code128.Encode(text)
	if err != nil {
		return fmt.Errorf("barcode for %q: %w", text, err)
	}
	modules := bc.Bounds().Dx()
	const quiet = 10
	unit := w / float64(modules+2*quiet)
	pdf.SetFillColor(0, 0, 0)
	for m := 0; m < modules; {
		if r, _, _, _ := bc.At(m, 0).RGBA(); r != 0 {
			m++
			continue
		}
		start := m
		for m < modules {
			if r, _, _, _ := bc.At(m, 0).RGBA(); r != 0 {
				break
			}
			m++
		}
		pdf.Rect(x+float64(quiet+start)*unit, y, float64(m-start)*unit, h, "F")
	}
	return nil
}

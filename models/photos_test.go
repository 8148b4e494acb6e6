package models

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
)

// FuzzPreparePhoto feeds uploads of any content to the photo checks: none may panic or
// take unbounded memory, and what is accepted is a readable picture within the budget
// of the type it claims. Seeds in testdata/fuzz include pictures claiming billions of
// pixels and a picture with HTML after it.
func FuzzPreparePhoto(f *testing.F) {
	img := image.NewRGBA(image.Rect(0, 0, 16, 12))
	img.Set(3, 4, color.RGBA{200, 30, 30, 255})
	var p, j bytes.Buffer
	png.Encode(&p, img)
	jpeg.Encode(&j, img, nil)
	f.Add(p.Bytes())
	f.Add(j.Bytes())
	f.Add(append(p.Bytes(), "<html><script>alert(1)</script>"...))
	s := &Store{decodes: newDecodeBudget()}
	f.Fuzz(func(t *testing.T, data []byte) {
		pic, err := s.preparePhoto(context.Background(), data)
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("not a validation problem: %v", err)
			}
			return
		}
		if pic.width*pic.height > MaxPhotoPixels {
			t.Fatalf("accepted %d x %d", pic.width, pic.height)
		}
		got, format, err := image.Decode(bytes.NewReader(pic.data))
		if err != nil || "image/"+format != pic.contentType || got.Bounds().Dx() != pic.width {
			t.Fatalf("kept %s as %s: %v", pic.contentType, format, err)
		}
	})
}

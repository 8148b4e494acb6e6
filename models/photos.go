package models

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	_ "image/png" // decodes PNG uploads
	"net/http"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/image/draw"
	"gorm.io/gorm"
)

// MaxPhotoBytes is the largest photo accepted.
const MaxPhotoBytes = 5 << 20

// Photo is a picture of a furniture item, kept under the data directory with a thumbnail.
type Photo struct {
	ID          int64     `json:"id"`
	ItemID      int64     `json:"item_id"`
	ContentType string    `json:"content_type"`
	SizeBytes   int64     `json:"size_bytes"`
	Width       int       `json:"width"`
	Height      int       `json:"height"`
	CreatedAt   time.Time `json:"created_at"`
}

func (Photo) TableName() string { return "furniture_photos" }

// PhotoPath is where a photo (or its thumbnail) is kept under dataDir.
func PhotoPath(dataDir string, p *Photo, thumb bool) string {
	ext := map[string]string{"image/jpeg": ".jpg", "image/png": ".png"}[p.ContentType]
	name := fmt.Sprintf("%d%s", p.ID, ext)
	if thumb {
		name = fmt.Sprintf("%d-thumb.jpg", p.ID)
	}
	return filepath.Join(dataDir, "photos", fmt.Sprint(p.ItemID), name)
}

// AddPhoto keeps a JPEG or PNG photo of an item, checked by its content (not its name),
// and a thumbnail 240 pixels wide for lists.
func (s *Store) AddPhoto(ctx context.Context, actor *User, itemID int64, data []byte, dataDir string) (*Photo, error) {
	if len(data) > MaxPhotoBytes {
		return nil, Invalid("photo", "must be at most 5 MiB")
	}
	ct := http.DetectContentType(data)
	if ct != "image/jpeg" && ct != "image/png" {
		return nil, Invalid("photo", "must be a JPEG or PNG image (this is %s)", ct)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, Invalid("photo", "is not a readable image: %v", err)
	}
	b := img.Bounds()
	if b.Dx() > 12000 || b.Dy() > 12000 {
		return nil, Invalid("photo", "must be at most 12000 pixels a side")
	}
	p := &Photo{ItemID: itemID, ContentType: ct, SizeBytes: int64(len(data)), Width: b.Dx(), Height: b.Dy(), CreatedAt: s.Now()}
	err = s.InTx(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&FurnitureItem{}).Where("id = ?", itemID).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("furniture item %d: %w", itemID, ErrNotFound)
		}
		if err := tx.Create(p).Error; err != nil {
			return err
		}
		// The files are written inside the transaction: if writing fails, the row goes too.
		if err := writePhoto(PhotoPath(dataDir, p, false), data); err != nil {
			return err
		}
		var thumb bytes.Buffer
		if err := jpeg.Encode(&thumb, thumbnail(img, 240), &jpeg.Options{Quality: 80}); err != nil {
			return err
		}
		if err := writePhoto(PhotoPath(dataDir, p, true), thumb.Bytes()); err != nil {
			return err
		}
		return s.audit(tx, actor, "add_photo", "furniture_item", itemID, map[string]any{"photo_id": p.ID, "bytes": len(data)})
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

func writePhoto(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o640); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func thumbnail(img image.Image, width int) image.Image {
	b := img.Bounds()
	if b.Dx() <= width {
		width = b.Dx()
	}
	h := max(1, b.Dy()*width/max(1, b.Dx()))
	dst := image.NewRGBA(image.Rect(0, 0, width, h))
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Over, nil)
	return dst
}

// GetPhoto fetches a photo's record.
func (s *Store) GetPhoto(ctx context.Context, itemID, photoID int64) (*Photo, error) {
	var p Photo
	if err := s.DB(ctx).Where("item_id = ?", itemID).First(&p, photoID).Error; err != nil {
		return nil, notFound(err, "photo", photoID)
	}
	return &p, nil
}

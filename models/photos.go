package models

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/image/draw"
	"golang.org/x/sync/semaphore"
	"gorm.io/gorm"
)

const (
	// MaxPhotoBytes is the largest photo file accepted.
	MaxPhotoBytes = 5 << 20
	// MaxPhotoPixels is the largest picture accepted, whatever its file size: a small file
	// can claim a huge picture, and decoding allocates for every pixel it claims (up to 8
	// bytes each for 16-bit PNGs).
	MaxPhotoPixels = 40_000_000
)

// newDecodeBudget bounds the pixels being decoded at once across all uploads, so that
// many large photos arriving together queue instead of exhausting memory: one photo at
// the limit, or several smaller ones, decode at a time.
func newDecodeBudget() *semaphore.Weighted { return semaphore.NewWeighted(MaxPhotoPixels) }

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

// AddPhoto keeps a JPEG or PNG photo of an item, checked by its content (not its name)
// and re-encoded, so that what is served is only the picture (no trailing bytes, no
// metadata such as a phone's location), with a thumbnail 240 pixels wide for lists.
func (s *Store) AddPhoto(ctx context.Context, actor *User, itemID int64, data []byte, dataDir string) (*Photo, error) {
	pic, err := s.preparePhoto(ctx, data)
	if err != nil {
		return nil, err
	}
	p := &Photo{ItemID: itemID, ContentType: pic.contentType, SizeBytes: int64(len(pic.data)), Width: pic.width, Height: pic.height, CreatedAt: s.Now()}
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
		if err := writePhoto(PhotoPath(dataDir, p, false), pic.data); err != nil {
			return err
		}
		if err := writePhoto(PhotoPath(dataDir, p, true), pic.thumb); err != nil {
			return err
		}
		return s.audit(tx, actor, "add_photo", "furniture_item", itemID, map[string]any{"photo_id": p.ID, "bytes": len(data)})
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// preparedPhoto is an upload re-encoded, with its thumbnail.
type preparedPhoto struct {
	contentType   string
	data, thumb   []byte
	width, height int
}

// preparePhoto checks an upload's type and claimed size from its header before decoding
// it, then decodes and re-encodes it within the store's pixel budget.
func (s *Store) preparePhoto(ctx context.Context, data []byte) (*preparedPhoto, error) {
	if len(data) > MaxPhotoBytes {
		return nil, Invalid("photo", "must be at most 5 MiB")
	}
	ct := http.DetectContentType(data)
	if ct != "image/jpeg" && ct != "image/png" {
		return nil, Invalid("photo", "must be a JPEG or PNG image (this is %s)", ct)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, Invalid("photo", "is not a readable image: %v", err)
	}
	pixels := int64(cfg.Width) * int64(cfg.Height)
	if cfg.Width <= 0 || cfg.Height <= 0 || pixels > MaxPhotoPixels {
		return nil, Invalid("photo", "must be at most %d megapixels (this is %d x %d pixels)", MaxPhotoPixels/1_000_000, cfg.Width, cfg.Height)
	}
	if err := s.decodes.Acquire(ctx, pixels); err != nil {
		return nil, err
	}
	defer s.decodes.Release(pixels)
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, Invalid("photo", "is not a readable image: %v", err)
	}
	var clean, thumb bytes.Buffer
	if ct == "image/png" {
		err = png.Encode(&clean, img)
	} else {
		err = jpeg.Encode(&clean, img, &jpeg.Options{Quality: 90})
	}
	if err != nil {
		return nil, fmt.Errorf("re-encode photo: %w", err)
	}
	if err := jpeg.Encode(&thumb, thumbnail(img, 240), &jpeg.Options{Quality: 80}); err != nil {
		return nil, fmt.Errorf("make thumbnail: %w", err)
	}
	b := img.Bounds()
	return &preparedPhoto{contentType: ct, data: clean.Bytes(), thumb: thumb.Bytes(), width: b.Dx(), height: b.Dy()}, nil
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

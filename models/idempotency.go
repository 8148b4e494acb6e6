package models

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// IdempotencyTTL is how long a creating request's response is kept for replay.
const IdempotencyTTL = 24 * time.Hour

// IdempotencyKey is a creating request's key, the hash of its body and, once it has
// finished, its response. Status 0 means the first request is still running.
type IdempotencyKey struct {
	ID          int64
	UserID      int64
	Key         string
	RequestHash string
	Status      int
	ContentType string
	Response    []byte
	CreatedAt   time.Time
}

// ErrIdempotencyMismatch is a key reused with a different body.
var ErrIdempotencyMismatch = Invalid("Idempotency-Key", "was already used with a different request body")

// ClaimIdempotencyKey either claims (user, key) for a new request, returning nil, or
// returns the finished response of the request that claimed it first. When that first
// request is still running it waits for it; when it failed and released the key, this
// request claims it instead. So two identical requests at once create one thing.
func (s *Store) ClaimIdempotencyKey(ctx context.Context, userID int64, key, hash string) (*IdempotencyKey, error) {
	for {
		rec := IdempotencyKey{UserID: userID, Key: key, RequestHash: hash, CreatedAt: s.Now()}
		res := s.DB(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&rec)
		if res.Error != nil {
			return nil, res.Error
		}
		if res.RowsAffected == 1 {
			return nil, nil
		}
		var got IdempotencyKey
		err := s.DB(ctx).Where("user_id = ? AND key = ?", userID, key).Take(&got).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			continue // released between our insert and our read: try to claim it
		case err != nil:
			return nil, err
		case got.RequestHash != hash:
			return nil, ErrIdempotencyMismatch
		case got.Status != 0:
			return &got, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(25 * time.Millisecond):
		}
	}
}

// FinishIdempotencyKey stores the response of a claimed request for replay.
func (s *Store) FinishIdempotencyKey(ctx context.Context, userID int64, key string, status int, contentType string, body []byte) error {
	return s.DB(ctx).Model(&IdempotencyKey{}).Where("user_id = ? AND key = ?", userID, key).
		Updates(map[string]any{"status": status, "content_type": contentType, "response": body}).Error
}

// ReleaseIdempotencyKey forgets a claim whose request failed, so that it can be retried.
func (s *Store) ReleaseIdempotencyKey(ctx context.Context, userID int64, key string) error {
	return s.DB(ctx).Where("user_id = ? AND key = ? AND status = 0", userID, key).Delete(&IdempotencyKey{}).Error
}

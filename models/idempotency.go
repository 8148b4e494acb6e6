package models

import (
	"context"
	"crypto/rand"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

const (
	// IdempotencyTTL is how long a creating request's response is kept for replay.
	IdempotencyTTL = 24 * time.Hour
	// IdempotencyLease is how long a claim lasts unless its holder renews it. A holder
	// renews it while its request runs (three times a lease), so a claim outlives its
	// lease only when the process holding it has died; then a retry takes it over. Short,
	// so that a client retrying after a crash waits seconds, not a minute; a holder that
	// stalls past it cannot do its work twice (markClaimDone refuses it).
	IdempotencyLease = 15 * time.Second
)

// IdempotencyKey is a creating request's key, the hash of its body and, once it has
// finished, its response. Status 0 means the request is still running, held by Holder
// until LeaseUntil; Done means its work has been committed.
type IdempotencyKey struct {
	ID          int64
	UserID      int64
	Key         string
	RequestHash string
	Status      int
	ContentType string
	Response    []byte
	Holder      string
	LeaseUntil  *time.Time
	Done        bool
	CreatedAt   time.Time
}

// IdempotencyClaim is one request's hold on a key.
type IdempotencyClaim struct {
	UserID int64
	Key    string
	Holder string
}

// ErrIdempotencyMismatch is a key reused with a different body.
var ErrIdempotencyMismatch = Invalid("Idempotency-Key", "was already used with a different request body")

// ClaimIdempotencyKey either claims (user, key) for a new request, or returns the
// finished response of the request that claimed it first. While that first request is
// still running it refuses at once with a ConflictError that says when to retry; once
// its holder has died (its lease ran out) this request takes the claim over, unless the
// work was done and only its response was lost. So two identical requests never both
// do their work, and a retry never waits for a dead process.
func (s *Store) ClaimIdempotencyKey(ctx context.Context, userID int64, key, hash string) (claim *IdempotencyClaim, replay *IdempotencyKey, err error) {
	err = s.writeAlone(ctx, func(db *gorm.DB) error {
		claim, replay, err = s.claimIdempotencyKey(db, userID, key, hash)
		return err
	})
	return claim, replay, err
}

func (s *Store) claimIdempotencyKey(db *gorm.DB, userID int64, key, hash string) (*IdempotencyClaim, *IdempotencyKey, error) {
	claim := &IdempotencyClaim{UserID: userID, Key: key, Holder: rand.Text()}
	for {
		now := s.Now()
		lease := now.Add(IdempotencyLease)
		rec := IdempotencyKey{UserID: userID, Key: key, RequestHash: hash, Holder: claim.Holder, LeaseUntil: &lease, CreatedAt: now}
		res := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&rec)
		if res.Error != nil {
			return nil, nil, res.Error
		}
		if res.RowsAffected == 1 {
			return claim, nil, nil
		}
		res = db.Model(&IdempotencyKey{}).
			Where("user_id = ? AND key = ? AND request_hash = ? AND status = 0 AND NOT done AND (lease_until IS NULL OR lease_until < ?)",
				userID, key, hash, now).
			Updates(map[string]any{"holder": claim.Holder, "lease_until": lease})
		if res.Error != nil {
			return nil, nil, res.Error
		}
		if res.RowsAffected == 1 {
			return claim, nil, nil // its holder died: take it over
		}
		var got IdempotencyKey
		err := db.Where("user_id = ? AND key = ?", userID, key).Take(&got).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			continue // released between our insert and our read: try to claim it
		case err != nil:
			return nil, nil, err
		case got.RequestHash != hash:
			return nil, nil, ErrIdempotencyMismatch
		case got.Status != 0:
			return nil, &got, nil
		case got.Done && got.LeaseUntil != nil && got.LeaseUntil.Before(now):
			return nil, nil, Conflict("the request with this Idempotency-Key was done, " +
				"but the service stopped before its response was kept; it will not be done again")
		}
		return nil, nil, &ConflictError{
			Detail:            "a request with this Idempotency-Key is still running; retry it to get its response",
			RetryAfterSeconds: 1,
		}
	}
}

// RenewIdempotencyKey extends a running claim's lease; the request's holder calls it
// while the request runs.
func (s *Store) RenewIdempotencyKey(ctx context.Context, c *IdempotencyClaim) error {
	return s.writeAlone(ctx, func(db *gorm.DB) error {
		return held(db, c).Update("lease_until", s.Now().Add(IdempotencyLease)).Error
	})
}

// StatusClientClosed is the status of a request whose client went away before the
// answer: it did not fail, it was cut short.
const StatusClientClosed = 499

// FinishIdempotencyKey stores the response of a claimed request for replay, but for a
// failure (a 5xx) or a request cut short by its client (a phone losing its signal)
// whose work was not done: that frees the key, so the request can be retried. A holder
// whose claim was taken over (it stalled past its lease) changes nothing.
func (s *Store) FinishIdempotencyKey(ctx context.Context, c *IdempotencyClaim, status int, contentType string, body []byte) error {
	return s.writeAlone(ctx, func(db *gorm.DB) error {
		if status >= 500 || status == StatusClientClosed {
			if released, err := release(db, c); err != nil || released {
				return err
			}
		}
		return held(db, c).Updates(map[string]any{"status": status, "content_type": contentType, "response": body, "lease_until": nil}).Error
	})
}

type claimKey struct{}

// WithIdempotencyClaim gives ctx a request's claim, so that the transactions of the
// request mark the claim done as they commit.
func WithIdempotencyClaim(ctx context.Context, c *IdempotencyClaim) context.Context {
	return context.WithValue(ctx, claimKey{}, c)
}

// markClaimDone marks the work of the claim in ctx (if any) as done, in the transaction
// that does it: a retry after a crash must not do it again. It refuses when the claim
// is no longer held, so a holder that stalled past its lease cannot do the work a
// second time after a retry took it over. It reports whether there was a claim.
func markClaimDone(ctx context.Context, tx *gorm.DB) (bool, error) {
	c, ok := ctx.Value(claimKey{}).(*IdempotencyClaim)
	if !ok {
		return false, nil
	}
	res := tx.Model(&IdempotencyKey{}).Where("user_id = ? AND key = ? AND holder = ? AND status = 0", c.UserID, c.Key, c.Holder).Update("done", true)
	if res.Error == nil && res.RowsAffected == 0 {
		return true, Conflict("this request's Idempotency-Key was taken over by a retry, which answers for it")
	}
	return true, res.Error
}

// held selects the key's record while c still holds it.
func held(db *gorm.DB, c *IdempotencyClaim) *gorm.DB {
	return db.Model(&IdempotencyKey{}).Where("user_id = ? AND key = ? AND holder = ? AND status = 0", c.UserID, c.Key, c.Holder)
}

// ReleaseIdempotencyKey frees a claimed key whose work was not done (it failed or was
// refused), so that the same key may be sent again with a corrected request.
func (s *Store) ReleaseIdempotencyKey(ctx context.Context, c *IdempotencyClaim) (released bool, err error) {
	err = s.writeAlone(ctx, func(db *gorm.DB) error {
		released, err = release(db, c)
		return err
	})
	return released, err
}

func release(db *gorm.DB, c *IdempotencyClaim) (bool, error) {
	res := held(db, c).Where("NOT done").Delete(&IdempotencyKey{})
	return res.RowsAffected == 1, res.Error
}

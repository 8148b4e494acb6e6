package models

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"

	"gorm.io/gorm"
)

// lockKey turns a lock's name into a PostgreSQL advisory lock key. Every Scrapstore
// process computes the same key for the same name.
func lockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("scrapstore " + name))
	return int64(h.Sum64())
}

// lockNames takes advisory locks for names that every process sharing the database
// respects, held until tx ends. They are taken in key order, so that two transactions
// wanting the same names never wait for each other in a circle. On SQLite, InTx already
// holds the database's one write lock, which serialises every such transaction.
func (s *Store) lockNames(tx *gorm.DB, names ...string) error {
	if s.dialect != Postgres {
		return nil
	}
	keys := make([]int64, len(names))
	for i, n := range names {
		keys[i] = lockKey(n)
	}
	slices.Sort(keys)
	for _, k := range slices.Compact(keys) {
		if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", k).Error; err != nil {
			return err
		}
	}
	return nil
}

// WithLock runs fn while holding a lock named name that every Scrapstore process sharing
// a PostgreSQL database respects, waiting its turn when another holds it. On SQLite,
// which one process serves, it just runs fn.
func (s *Store) WithLock(ctx context.Context, name string, fn func() error) error {
	return s.withLock(ctx, lockKey(name), fn)
}

// withLock holds a session advisory lock, on a connection of its own, while fn runs.
func (s *Store) withLock(ctx context.Context, key int64, fn func() error) error {
	if s.dialect != Postgres {
		return fn()
	}
	conn, err := s.SQLDB().Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", key); err != nil {
		return fmt.Errorf("take the lock: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)",
		key) //nolint:errcheck // the session ends with the connection anyway
	return fn()
}

// TryJobLock takes a lock named for a job that other Scrapstore processes sharing a
// PostgreSQL database respect (a session advisory lock on a connection held for the
// job's run). ok is false when another process holds it. On SQLite, which one process
// serves, it always succeeds; the scheduler's own mutex covers that process.
func (s *Store) TryJobLock(ctx context.Context, name string) (release func(), ok bool, err error) {
	if s.dialect != Postgres {
		return func() {}, true, nil
	}
	key := lockKey("job " + name)
	conn, err := s.SQLDB().Conn(ctx)
	if err != nil {
		return nil, false, err
	}
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", key).Scan(&ok); err != nil || !ok {
		conn.Close()
		return nil, false, err
	}
	return func() {
		_, _ = conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock($1)", key)
		conn.Close()
	}, true, nil
}

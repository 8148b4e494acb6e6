package models

import (
	"context"
	"hash/fnv"
)

// TryJobLock takes a lock named for a job that other Scrapstore processes sharing a
// PostgreSQL database respect (a session advisory lock on a connection held for the
// job's run). ok is false when another process holds it. On SQLite, which one process
// serves, it always succeeds; the scheduler's own mutex covers that process.
func (s *Store) TryJobLock(ctx context.Context, name string) (release func(), ok bool, err error) {
	if s.dialect != Postgres {
		return func() {}, true, nil
	}
	h := fnv.New64a()
	h.Write([]byte("scrapstore job " + name))
	key := int64(h.Sum64())
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

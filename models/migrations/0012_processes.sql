-- Several Scrapstore processes on one database.
-- Sign-in attempts are counted per email and client address together.
CREATE INDEX login_failures_pair ON login_failures (email, client_ip, at);
-- An idempotency claim is held under a lease that its holder renews while its request
-- runs; a claim whose holder died is taken over once the lease has run out, unless its
-- work was committed (done is set in the same transaction as the work).
ALTER TABLE idempotency_keys ADD COLUMN holder TEXT NOT NULL DEFAULT '';
ALTER TABLE idempotency_keys ADD COLUMN lease_until {{ts}};
ALTER TABLE idempotency_keys ADD COLUMN done BOOLEAN NOT NULL DEFAULT FALSE;
-- A scheduled job run is claimed once per scheduled time, by whichever process is first.
ALTER TABLE job_runs ADD COLUMN scheduled_for {{ts}};
CREATE UNIQUE INDEX job_runs_scheduled ON job_runs (job, scheduled_for);

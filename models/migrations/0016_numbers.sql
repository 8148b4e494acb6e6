-- Reports can be remade: each making is a version kept beside the others (so the table
-- loses its one-report-a-month constraint, which SQLite can only drop by rebuilding it),
-- and keeps the figures it printed, to tell when they have changed since.
ALTER TABLE reports RENAME TO reports_0005;
CREATE TABLE reports (
	id {{pk}},
	period_from DATE NOT NULL,
	period_to DATE NOT NULL,
	version BIGINT NOT NULL DEFAULT 1,
	month TEXT,
	made_by BIGINT REFERENCES users(id),
	made_at {{ts}} NOT NULL,
	pdf_bytes BIGINT NOT NULL DEFAULT 0,
	figures TEXT NOT NULL DEFAULT '',
	UNIQUE (period_from, period_to, version)
);
INSERT INTO reports (id, period_from, period_to, version, month, made_by, made_at, pdf_bytes)
	SELECT id, period_from, period_to, ROW_NUMBER() OVER (PARTITION BY period_from, period_to ORDER BY id), month, made_by, made_at, pdf_bytes
	FROM reports_0005;
DROP TABLE reports_0005;
{{continue_ids reports}};
CREATE INDEX reports_month ON reports (month);

-- A quantity counted in kg was weighed: its weight is not an estimate.
UPDATE donation_lines SET weight_estimated = FALSE WHERE unit = 'kg';

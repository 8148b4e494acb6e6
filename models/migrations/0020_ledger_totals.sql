-- What came in (donation lines of donations not voided) and what went out (the lines
-- taken on collected reservations), added up by the UTC hour of the donation or the
-- collection, category and direction ('in' or 'out'); and the donations not voided by
-- the hour. The store's day follows exactly from a UTC hour, as UK offsets are whole
-- hours. They are kept in step with the rows in the same transaction as each write, so
-- that the dashboard's figures need not add up every row.
CREATE TABLE ledger_totals (
	utc_hour TEXT NOT NULL,
	category_id BIGINT NOT NULL REFERENCES categories(id),
	direction TEXT NOT NULL,
	lines BIGINT NOT NULL,
	grams BIGINT NOT NULL,
	PRIMARY KEY (utc_hour, category_id, direction)
);

CREATE TABLE donation_totals (
	utc_hour TEXT PRIMARY KEY,
	donations BIGINT NOT NULL
);

-- The dashboard reads the totals of a direction over a span of hours, and the month's
-- furniture passed on and disposed of, without visiting the tables' rows.
CREATE INDEX ledger_totals_direction ON ledger_totals (direction, utc_hour, category_id, lines, grams);
CREATE INDEX handovers_handed_on ON handovers (handed_on);
CREATE INDEX furniture_status_changes_to ON furniture_status_changes (to_status, at);

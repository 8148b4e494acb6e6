-- Volunteers, their hours and timebank credits, workshops, and kept funder reports.
CREATE TABLE volunteers (
	id {{pk}},
	name TEXT NOT NULL,
	email TEXT NOT NULL DEFAULT '',
	phone TEXT NOT NULL DEFAULT '',
	kind TEXT NOT NULL,
	started_on DATE NOT NULL,
	placed_by_organisation_id BIGINT REFERENCES organisations(id),
	notes TEXT NOT NULL DEFAULT '',
	created_at {{ts}} NOT NULL,
	updated_at {{ts}} NOT NULL
);

CREATE TABLE volunteer_hours (
	id {{pk}},
	volunteer_id BIGINT NOT NULL REFERENCES volunteers(id),
	day DATE NOT NULL,
	quarters INTEGER NOT NULL,
	activity TEXT NOT NULL,
	recorded_by BIGINT REFERENCES users(id),
	created_at {{ts}} NOT NULL
);
CREATE INDEX volunteer_hours_day ON volunteer_hours (day);
CREATE INDEX volunteer_hours_volunteer ON volunteer_hours (volunteer_id, day);

-- Timebank: accounts (one per volunteer, and the store's) and double-entry transfers in
-- quarter credits; balances always sum to zero.
CREATE TABLE timebank_accounts (
	id {{pk}},
	volunteer_id BIGINT UNIQUE REFERENCES volunteers(id),
	name TEXT NOT NULL,
	balance_quarters BIGINT NOT NULL DEFAULT 0,
	is_store BOOLEAN NOT NULL DEFAULT FALSE
);
INSERT INTO timebank_accounts (volunteer_id, name, balance_quarters, is_store) VALUES (NULL, 'The store', 0, TRUE);

CREATE TABLE timebank_transfers (
	id {{pk}},
	from_account BIGINT NOT NULL REFERENCES timebank_accounts(id),
	to_account BIGINT NOT NULL REFERENCES timebank_accounts(id),
	quarters BIGINT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	hours_id BIGINT REFERENCES volunteer_hours(id),
	recorded_by BIGINT REFERENCES users(id),
	at {{ts}} NOT NULL
);
CREATE INDEX timebank_transfers_from ON timebank_transfers (from_account, id);
CREATE INDEX timebank_transfers_to ON timebank_transfers (to_account, id);

CREATE TABLE workshops (
	id {{pk}},
	title TEXT NOT NULL,
	kind TEXT NOT NULL,
	starts_at {{ts}} NOT NULL,
	ends_at {{ts}} NOT NULL,
	leader TEXT NOT NULL DEFAULT '',
	places INTEGER NOT NULL,
	taken INTEGER NOT NULL DEFAULT 0,
	created_at {{ts}} NOT NULL,
	updated_at {{ts}} NOT NULL
);
CREATE INDEX workshops_starts ON workshops (starts_at);

CREATE TABLE workshop_attendees (
	id {{pk}},
	workshop_id BIGINT NOT NULL REFERENCES workshops(id),
	name TEXT NOT NULL,
	organisation_id BIGINT REFERENCES organisations(id),
	created_at {{ts}} NOT NULL
);
CREATE INDEX workshop_attendees_workshop ON workshop_attendees (workshop_id);

CREATE TABLE reports (
	id {{pk}},
	period_from DATE NOT NULL,
	period_to DATE NOT NULL,
	month TEXT,
	made_by BIGINT REFERENCES users(id),
	made_at {{ts}} NOT NULL,
	pdf_bytes BIGINT NOT NULL DEFAULT 0,
	UNIQUE (month)
);

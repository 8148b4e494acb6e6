-- Membership payments: each renewal extends a group's membership by a year.
CREATE TABLE renewals (
	id {{pk}},
	organisation_id BIGINT NOT NULL REFERENCES organisations(id),
	paid_pence BIGINT NOT NULL,
	method TEXT NOT NULL,
	paid_on DATE NOT NULL,
	expires_before DATE,
	expires_after DATE NOT NULL,
	recorded_by BIGINT REFERENCES users(id),
	created_at {{ts}} NOT NULL
);
CREATE INDEX renewals_organisation ON renewals (organisation_id, id);

-- When member groups may visit: weekly rules that are cut into slots, and closed days.
CREATE TABLE slot_rules (
	id {{pk}},
	weekday INTEGER NOT NULL,
	starts TEXT NOT NULL,
	ends TEXT NOT NULL,
	slot_minutes INTEGER NOT NULL,
	places INTEGER NOT NULL,
	label TEXT NOT NULL DEFAULT '',
	created_at {{ts}} NOT NULL,
	updated_at {{ts}} NOT NULL
);

CREATE TABLE closed_days (
	id {{pk}},
	day DATE NOT NULL UNIQUE,
	reason TEXT NOT NULL DEFAULT '',
	created_at {{ts}} NOT NULL
);

-- One row per slot that has bookings: booked never passes places (a conditional update).
CREATE TABLE slot_bookings (
	starts_at {{ts}} PRIMARY KEY,
	places INTEGER NOT NULL,
	booked INTEGER NOT NULL DEFAULT 0
);

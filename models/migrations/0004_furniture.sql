-- Furniture reuse: each piece tracked on its own with a printed tag, its checks, and who
-- it went to.
CREATE TABLE furniture_types (
	id {{pk}},
	name TEXT NOT NULL UNIQUE,
	default_weight_g BIGINT NOT NULL,
	default_volume_m3 DOUBLE PRECISION NOT NULL,
	upholstered BOOLEAN NOT NULL DEFAULT FALSE,
	electrical BOOLEAN NOT NULL DEFAULT FALSE,
	co2e_kg_per_kg DOUBLE PRECISION NOT NULL,
	co2e_source TEXT NOT NULL,
	created_at {{ts}} NOT NULL,
	updated_at {{ts}} NOT NULL
);

-- Counters handed out in order inside transactions (furniture tags).
CREATE TABLE counters (
	name TEXT PRIMARY KEY,
	value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('furniture_tag', 0);

CREATE TABLE recipients (
	id {{pk}},
	kind TEXT NOT NULL,
	name TEXT NOT NULL DEFAULT '',
	agency TEXT NOT NULL DEFAULT '',
	reference TEXT NOT NULL DEFAULT '',
	contact TEXT NOT NULL DEFAULT '',
	address TEXT NOT NULL DEFAULT '',
	postcode TEXT NOT NULL DEFAULT '',
	needs TEXT NOT NULL DEFAULT '',
	notes TEXT NOT NULL DEFAULT '',
	organisation_id BIGINT REFERENCES organisations(id),
	erased_at {{ts}},
	created_at {{ts}} NOT NULL,
	updated_at {{ts}} NOT NULL
);

CREATE TABLE furniture_items (
	id {{pk}},
	tag TEXT NOT NULL UNIQUE,
	type_id BIGINT NOT NULL REFERENCES furniture_types(id),
	description TEXT NOT NULL DEFAULT '',
	condition TEXT NOT NULL,
	weight_g BIGINT NOT NULL,
	weighed BOOLEAN NOT NULL DEFAULT FALSE,
	width_cm INTEGER,
	depth_cm INTEGER,
	height_cm INTEGER,
	colour TEXT NOT NULL DEFAULT '',
	donor_id BIGINT REFERENCES donors(id),
	received_on DATE NOT NULL,
	location_id BIGINT REFERENCES locations(id),
	charge_pence BIGINT NOT NULL DEFAULT 0,
	status TEXT NOT NULL,
	fire_label_checked BOOLEAN NOT NULL DEFAULT FALSE,
	disposal_route TEXT NOT NULL DEFAULT '',
	recipient_id BIGINT REFERENCES recipients(id),
	created_at {{ts}} NOT NULL,
	updated_at {{ts}} NOT NULL
);
CREATE INDEX furniture_items_status ON furniture_items (status, id);
CREATE INDEX furniture_items_type ON furniture_items (type_id, id);

CREATE TABLE furniture_status_changes (
	id {{pk}},
	item_id BIGINT NOT NULL REFERENCES furniture_items(id),
	from_status TEXT NOT NULL,
	to_status TEXT NOT NULL,
	reason TEXT NOT NULL DEFAULT '',
	user_id BIGINT REFERENCES users(id),
	at {{ts}} NOT NULL
);
CREATE INDEX furniture_status_changes_item ON furniture_status_changes (item_id, id);

CREATE TABLE furniture_safety_tests (
	id {{pk}},
	item_id BIGINT NOT NULL REFERENCES furniture_items(id),
	tested_on DATE NOT NULL,
	tester TEXT NOT NULL,
	passed BOOLEAN NOT NULL,
	notes TEXT NOT NULL DEFAULT '',
	recorded_by BIGINT REFERENCES users(id),
	created_at {{ts}} NOT NULL
);

CREATE TABLE furniture_photos (
	id {{pk}},
	item_id BIGINT NOT NULL REFERENCES furniture_items(id),
	content_type TEXT NOT NULL,
	size_bytes BIGINT NOT NULL,
	width INTEGER NOT NULL,
	height INTEGER NOT NULL,
	created_at {{ts}} NOT NULL
);

-- A hand-over: who got the item, when, how; a delivery waits to be planned on a run.
CREATE TABLE handovers (
	id {{pk}},
	item_id BIGINT NOT NULL UNIQUE REFERENCES furniture_items(id),
	recipient_id BIGINT NOT NULL REFERENCES recipients(id),
	recipient_kind TEXT NOT NULL,
	method TEXT NOT NULL,
	handed_on DATE NOT NULL,
	charge_pence BIGINT NOT NULL DEFAULT 0,
	received_by TEXT NOT NULL DEFAULT '',
	delivery_status TEXT NOT NULL DEFAULT '',
	delivery_address TEXT NOT NULL DEFAULT '',
	delivery_postcode TEXT NOT NULL DEFAULT '',
	weight_g BIGINT NOT NULL,
	volume_m3 DOUBLE PRECISION NOT NULL,
	recorded_by BIGINT REFERENCES users(id),
	created_at {{ts}} NOT NULL
);
CREATE INDEX handovers_delivery ON handovers (delivery_status, handed_on);

-- Sign-in, audit, idempotency and jobs; and the reference data the demo needs from
-- the start: membership bands, member organisations, categories, donors, locations.

CREATE TABLE bands (
	id {{pk}},
	name TEXT NOT NULL UNIQUE,
	annual_fee_pence BIGINT NOT NULL,
	allowance_g BIGINT NOT NULL,
	created_at {{ts}} NOT NULL,
	updated_at {{ts}} NOT NULL
);

CREATE TABLE organisations (
	id {{pk}},
	name TEXT NOT NULL,
	kind TEXT NOT NULL,
	address TEXT NOT NULL DEFAULT '',
	postcode TEXT NOT NULL DEFAULT '',
	contact_name TEXT NOT NULL DEFAULT '',
	email TEXT NOT NULL DEFAULT '',
	phone TEXT NOT NULL DEFAULT '',
	people_served INTEGER NOT NULL DEFAULT 0,
	band_id BIGINT REFERENCES bands(id),
	member_since DATE,
	membership_expires_on DATE,
	created_at {{ts}} NOT NULL,
	updated_at {{ts}} NOT NULL
);
CREATE INDEX organisations_name ON organisations (name, id);

CREATE TABLE users (
	id {{pk}},
	email TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	role TEXT NOT NULL,
	organisation_id BIGINT REFERENCES organisations(id),
	password_hash TEXT NOT NULL,
	active BOOLEAN NOT NULL DEFAULT TRUE,
	created_at {{ts}} NOT NULL,
	updated_at {{ts}} NOT NULL
);

CREATE TABLE tokens (
	id {{pk}},
	user_id BIGINT NOT NULL REFERENCES users(id),
	hash TEXT NOT NULL UNIQUE,
	created_at {{ts}} NOT NULL,
	expires_at {{ts}} NOT NULL,
	revoked_at {{ts}}
);
CREATE INDEX tokens_user ON tokens (user_id);
CREATE INDEX tokens_expires ON tokens (expires_at);

CREATE TABLE login_failures (
	id {{pk}},
	email TEXT NOT NULL,
	client_ip TEXT NOT NULL,
	at {{ts}} NOT NULL
);
CREATE INDEX login_failures_email ON login_failures (email, at);
CREATE INDEX login_failures_ip ON login_failures (client_ip, at);

CREATE TABLE idempotency_keys (
	id {{pk}},
	user_id BIGINT NOT NULL,
	key TEXT NOT NULL,
	request_hash TEXT NOT NULL,
	status INTEGER NOT NULL DEFAULT 0,
	content_type TEXT NOT NULL DEFAULT '',
	response {{blob}},
	created_at {{ts}} NOT NULL,
	UNIQUE (user_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

CREATE TABLE audit_log (
	id {{pk}},
	actor_id BIGINT REFERENCES users(id),
	action TEXT NOT NULL,
	entity_type TEXT NOT NULL,
	entity_id BIGINT NOT NULL,
	changes TEXT NOT NULL DEFAULT '{}',
	at {{ts}} NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log (entity_type, entity_id, id);

CREATE TABLE job_runs (
	id {{pk}},
	job TEXT NOT NULL,
	started_at {{ts}} NOT NULL,
	finished_at {{ts}},
	ok BOOLEAN NOT NULL DEFAULT FALSE,
	error TEXT NOT NULL DEFAULT '',
	summary TEXT NOT NULL DEFAULT ''
);
CREATE INDEX job_runs_job ON job_runs (job, id);

CREATE TABLE categories (
	id {{pk}},
	name TEXT NOT NULL UNIQUE,
	default_unit TEXT NOT NULL,
	diverted BOOLEAN NOT NULL DEFAULT TRUE,
	min_stock_g BIGINT NOT NULL DEFAULT 0,
	created_at {{ts}} NOT NULL,
	updated_at {{ts}} NOT NULL
);

-- How many grams one unit of a category weighs, for each unit it is counted in.
CREATE TABLE category_units (
	category_id BIGINT NOT NULL REFERENCES categories(id),
	unit TEXT NOT NULL,
	grams_per_unit BIGINT NOT NULL,
	PRIMARY KEY (category_id, unit)
);

-- CO2e factors are versioned: a figure for a day uses the factor in force that day.
CREATE TABLE category_factors (
	id {{pk}},
	category_id BIGINT NOT NULL REFERENCES categories(id),
	co2e_kg_per_kg DOUBLE PRECISION NOT NULL,
	source TEXT NOT NULL,
	effective_from DATE NOT NULL,
	created_at {{ts}} NOT NULL,
	UNIQUE (category_id, effective_from)
);

CREATE TABLE donors (
	id {{pk}},
	name TEXT NOT NULL,
	contact_name TEXT NOT NULL DEFAULT '',
	email TEXT NOT NULL DEFAULT '',
	phone TEXT NOT NULL DEFAULT '',
	address TEXT NOT NULL DEFAULT '',
	postcode TEXT NOT NULL DEFAULT '',
	latitude DOUBLE PRECISION,
	longitude DOUBLE PRECISION,
	opening_hours TEXT NOT NULL DEFAULT '{}',
	notes TEXT NOT NULL DEFAULT '',
	active BOOLEAN NOT NULL DEFAULT TRUE,
	created_at {{ts}} NOT NULL,
	updated_at {{ts}} NOT NULL
);
CREATE INDEX donors_name ON donors (name, id);
CREATE INDEX donors_postcode ON donors (postcode);

CREATE TABLE locations (
	id {{pk}},
	code TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	kind TEXT NOT NULL,
	active BOOLEAN NOT NULL DEFAULT TRUE,
	created_at {{ts}} NOT NULL,
	updated_at {{ts}} NOT NULL
);

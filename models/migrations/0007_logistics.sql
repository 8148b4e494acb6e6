-- Collection logistics: what businesses ask to have collected, the vans, and the days
-- drivers cannot work.
CREATE TABLE pickup_requests (
	id {{pk}},
	reference TEXT NOT NULL UNIQUE,
	status TEXT NOT NULL,
	donor_id BIGINT REFERENCES donors(id),
	business_name TEXT NOT NULL,
	contact_name TEXT NOT NULL DEFAULT '',
	email TEXT NOT NULL DEFAULT '',
	phone TEXT NOT NULL DEFAULT '',
	address TEXT NOT NULL,
	postcode TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	approx_g BIGINT NOT NULL DEFAULT 0,
	approx_m3 DOUBLE PRECISION NOT NULL DEFAULT 0,
	earliest_date DATE NOT NULL,
	latest_date DATE NOT NULL,
	access_notes TEXT NOT NULL DEFAULT '',
	latitude DOUBLE PRECISION,
	longitude DOUBLE PRECISION,
	opening_hours TEXT NOT NULL DEFAULT '{}',
	priority INTEGER NOT NULL DEFAULT 1,
	status_reason TEXT NOT NULL DEFAULT '',
	client_ip TEXT NOT NULL DEFAULT '',
	created_by BIGINT REFERENCES users(id),
	created_at {{ts}} NOT NULL,
	updated_at {{ts}} NOT NULL
);
CREATE INDEX pickup_requests_status ON pickup_requests (status, earliest_date);
CREATE INDEX pickup_requests_client ON pickup_requests (client_ip, created_at);

CREATE TABLE pickup_request_categories (
	request_id BIGINT NOT NULL REFERENCES pickup_requests(id),
	category_id BIGINT NOT NULL REFERENCES categories(id),
	PRIMARY KEY (request_id, category_id)
);

CREATE TABLE vehicles (
	id {{pk}},
	name TEXT NOT NULL,
	registration TEXT NOT NULL UNIQUE,
	capacity_g BIGINT NOT NULL,
	capacity_m3 DOUBLE PRECISION NOT NULL,
	skills TEXT NOT NULL DEFAULT '[]',
	shifts TEXT NOT NULL DEFAULT '{}',
	cost_per_km_pence BIGINT NOT NULL DEFAULT 0,
	active BOOLEAN NOT NULL DEFAULT TRUE,
	created_at {{ts}} NOT NULL,
	updated_at {{ts}} NOT NULL
);

CREATE TABLE driver_absences (
	id {{pk}},
	user_id BIGINT NOT NULL REFERENCES users(id),
	day DATE NOT NULL,
	reason TEXT NOT NULL DEFAULT '',
	created_at {{ts}} NOT NULL,
	UNIQUE (user_id, day)
);

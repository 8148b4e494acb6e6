-- Collection runs: one van, one driver, one day, its stops in order.
CREATE TABLE collection_runs (
	id {{pk}},
	day DATE NOT NULL,
	vehicle_id BIGINT NOT NULL REFERENCES vehicles(id),
	driver_id BIGINT REFERENCES users(id),
	status TEXT NOT NULL,
	planned_m BIGINT NOT NULL,
	planned_minutes INTEGER NOT NULL,
	start_odometer_km DOUBLE PRECISION,
	finish_odometer_km DOUBLE PRECISION,
	started_at {{ts}},
	finished_at {{ts}},
	created_at {{ts}} NOT NULL,
	UNIQUE (day, vehicle_id)
);

CREATE TABLE run_stops (
	id {{pk}},
	run_id BIGINT NOT NULL REFERENCES collection_runs(id),
	sequence INTEGER NOT NULL,
	kind TEXT NOT NULL,
	request_id BIGINT REFERENCES pickup_requests(id),
	arrive_at {{ts}} NOT NULL,
	start_at {{ts}} NOT NULL,
	depart_at {{ts}} NOT NULL,
	load_g BIGINT NOT NULL DEFAULT 0,
	status TEXT NOT NULL,
	reason TEXT NOT NULL DEFAULT '',
	donation_id BIGINT REFERENCES donations(id),
	completed_at {{ts}}
);
CREATE INDEX run_stops_run ON run_stops (run_id, sequence);

-- Plan previews, kept so that making a previewed plan makes exactly what was shown, with
-- a digest of each input (van, request, delivery) to tell what changed since; and postcode
-- look-ups, kept so that each postcode is asked about once ("not known" for a while).
CREATE TABLE plans (
	id {{pk}},
	day DATE NOT NULL,
	vehicle_ids TEXT NOT NULL DEFAULT '[]',
	body TEXT NOT NULL,
	fingerprint TEXT NOT NULL,
	created_by BIGINT REFERENCES users(id),
	created_at {{ts}} NOT NULL,
	expires_at {{ts}} NOT NULL,
	committed_at {{ts}}
);
CREATE INDEX plans_expires ON plans (expires_at);

CREATE TABLE postcode_locations (
	postcode TEXT PRIMARY KEY,
	latitude DOUBLE PRECISION,
	longitude DOUBLE PRECISION,
	looked_up_at {{ts}} NOT NULL
);

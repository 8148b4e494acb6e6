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

-- Member groups' reservations of stock for a visit slot, and walk-in issues (status
-- collected from the start). The stock they hold is in the stock ledger.
CREATE TABLE reservations (
	id {{pk}},
	organisation_id BIGINT NOT NULL REFERENCES organisations(id),
	slot_start {{ts}} NOT NULL,
	slot_end {{ts}} NOT NULL,
	slot_booked BOOLEAN NOT NULL DEFAULT FALSE,
	status TEXT NOT NULL,
	notes TEXT NOT NULL DEFAULT '',
	override_reason TEXT NOT NULL DEFAULT '',
	created_by BIGINT REFERENCES users(id),
	confirmed_at {{ts}},
	collected_at {{ts}},
	cancelled_at {{ts}},
	expired_at {{ts}},
	created_at {{ts}} NOT NULL,
	updated_at {{ts}} NOT NULL
);
CREATE INDEX reservations_organisation ON reservations (organisation_id, id);
CREATE INDEX reservations_status_slot ON reservations (status, slot_start);

CREATE TABLE reservation_lines (
	id {{pk}},
	reservation_id BIGINT NOT NULL REFERENCES reservations(id),
	stock_item_id BIGINT NOT NULL REFERENCES stock_items(id),
	quantity_milli BIGINT NOT NULL,
	collected_milli BIGINT,
	grams_per_unit BIGINT NOT NULL,
	UNIQUE (reservation_id, stock_item_id)
);
CREATE INDEX reservation_lines_item ON reservation_lines (stock_item_id);

-- Messages waiting to be sent (reservation reminders); each is sent once.
CREATE TABLE outbox (
	id {{pk}},
	kind TEXT NOT NULL,
	reservation_id BIGINT REFERENCES reservations(id),
	to_email TEXT NOT NULL,
	subject TEXT NOT NULL,
	body TEXT NOT NULL,
	created_at {{ts}} NOT NULL,
	sent_at {{ts}},
	attempts INTEGER NOT NULL DEFAULT 0,
	last_error TEXT NOT NULL DEFAULT '',
	UNIQUE (kind, reservation_id)
);
CREATE INDEX outbox_unsent ON outbox (sent_at, id);

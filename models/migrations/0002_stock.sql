-- Stock: what came in (donations and their lines), the items on the shelves, and the
-- append-only ledger of movements that their on-hand and reserved figures sum.
CREATE TABLE stock_items (
	id {{pk}},
	category_id BIGINT NOT NULL REFERENCES categories(id),
	description TEXT NOT NULL,
	location_id BIGINT NOT NULL REFERENCES locations(id),
	unit TEXT NOT NULL,
	grams_per_unit BIGINT NOT NULL,
	on_hand_milli BIGINT NOT NULL DEFAULT 0,
	reserved_milli BIGINT NOT NULL DEFAULT 0,
	created_at {{ts}} NOT NULL,
	updated_at {{ts}} NOT NULL,
	UNIQUE (category_id, description, location_id, unit)
);
CREATE INDEX stock_items_location ON stock_items (location_id, id);
CREATE INDEX stock_items_description ON stock_items (description, id);
CREATE INDEX stock_items_updated ON stock_items (updated_at, id);

CREATE TABLE donations (
	id {{pk}},
	donor_id BIGINT REFERENCES donors(id),
	received_at {{ts}} NOT NULL,
	channel TEXT NOT NULL,
	notes TEXT NOT NULL DEFAULT '',
	created_by BIGINT REFERENCES users(id),
	voided_at {{ts}},
	void_reason TEXT NOT NULL DEFAULT '',
	voided_by BIGINT REFERENCES users(id),
	created_at {{ts}} NOT NULL
);
CREATE INDEX donations_received ON donations (received_at, id);
CREATE INDEX donations_donor ON donations (donor_id, received_at);

CREATE TABLE donation_lines (
	id {{pk}},
	donation_id BIGINT NOT NULL REFERENCES donations(id),
	stock_item_id BIGINT NOT NULL REFERENCES stock_items(id),
	category_id BIGINT NOT NULL REFERENCES categories(id),
	description TEXT NOT NULL,
	quantity_milli BIGINT NOT NULL,
	unit TEXT NOT NULL,
	weight_g BIGINT NOT NULL,
	weight_estimated BOOLEAN NOT NULL DEFAULT FALSE,
	location_id BIGINT NOT NULL REFERENCES locations(id)
);
CREATE INDEX donation_lines_donation ON donation_lines (donation_id);
CREATE INDEX donation_lines_category ON donation_lines (category_id);

-- quantity_milli changes on hand, reserved_milli changes reserved (thousandths of the
-- item's unit); weight_g is the weight that moved.
CREATE TABLE stock_movements (
	id {{pk}},
	stock_item_id BIGINT NOT NULL REFERENCES stock_items(id),
	kind TEXT NOT NULL,
	quantity_milli BIGINT NOT NULL,
	reserved_milli BIGINT NOT NULL DEFAULT 0,
	weight_g BIGINT NOT NULL,
	reason TEXT NOT NULL DEFAULT '',
	note TEXT NOT NULL DEFAULT '',
	user_id BIGINT REFERENCES users(id),
	cause_type TEXT NOT NULL DEFAULT '',
	cause_id BIGINT,
	at {{ts}} NOT NULL
);
CREATE INDEX stock_movements_item ON stock_movements (stock_item_id, id);
CREATE INDEX stock_movements_at ON stock_movements (kind, at);

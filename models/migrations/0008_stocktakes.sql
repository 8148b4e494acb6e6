-- Stocktakes: counts of a location or a category, compared with what the books said
-- when each item was counted.
CREATE TABLE stocktakes (
	id {{pk}},
	location_id BIGINT REFERENCES locations(id),
	category_id BIGINT REFERENCES categories(id),
	status TEXT NOT NULL,
	opened_by BIGINT REFERENCES users(id),
	opened_at {{ts}} NOT NULL,
	closed_by BIGINT REFERENCES users(id),
	closed_at {{ts}}
);

CREATE TABLE stocktake_lines (
	id {{pk}},
	stocktake_id BIGINT NOT NULL REFERENCES stocktakes(id),
	stock_item_id BIGINT NOT NULL REFERENCES stock_items(id),
	expected_milli BIGINT NOT NULL,
	counted_milli BIGINT,
	expected_at_count_milli BIGINT,
	counted_at {{ts}},
	UNIQUE (stocktake_id, stock_item_id)
);

-- Furniture deliveries on runs: where a household is, and which hand-over a stop delivers.
ALTER TABLE recipients ADD COLUMN latitude DOUBLE PRECISION;
ALTER TABLE recipients ADD COLUMN longitude DOUBLE PRECISION;
ALTER TABLE run_stops ADD COLUMN handover_id BIGINT REFERENCES handovers(id);

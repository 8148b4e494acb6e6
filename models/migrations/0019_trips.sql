-- Vans that go back to the depot to unload and go out again: how long unloading takes
-- for each van, and which trip of its run a stop is on.
ALTER TABLE vehicles ADD COLUMN unload_minutes INTEGER NOT NULL DEFAULT 20;
ALTER TABLE run_stops ADD COLUMN trip INTEGER NOT NULL DEFAULT 1;

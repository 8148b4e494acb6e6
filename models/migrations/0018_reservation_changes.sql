-- What a member changed in a reservation after staff confirmed it, for staff to see when
-- they confirm it again; and a group's active bookings by slot, for one booking per slot.
ALTER TABLE reservations ADD COLUMN changes_to_confirm TEXT NOT NULL DEFAULT '';
CREATE INDEX reservations_organisation_slot ON reservations (organisation_id, slot_start);

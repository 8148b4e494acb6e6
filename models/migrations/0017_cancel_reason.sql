-- Why a reservation was cancelled, as the member or staff said.
ALTER TABLE reservations ADD COLUMN cancel_reason TEXT NOT NULL DEFAULT '';

-- The database itself refuses a state outside each table's set and a negative amount, so
-- that no bug or hand-made change can leave one unnoticed. Rows already there are not
-- checked here (`scrapstore check` reports them); every write from now on is.
{{check reservations reservations_status NEW.status IN ('pending', 'confirmed', 'collected', 'cancelled', 'expired')}};
{{check reservation_lines reservation_lines_amounts NEW.quantity_milli >= 0 AND NEW.collected_milli >= 0}};
{{check stock_items stock_items_amounts NEW.reserved_milli >= 0 AND NEW.on_hand_milli >= NEW.reserved_milli AND NEW.grams_per_unit >= 0}};
{{check donation_lines donation_lines_amounts NEW.quantity_milli >= 0 AND NEW.weight_g >= 0}};
{{check furniture_items furniture_items_state NEW.status IN ('received', 'checking', 'in_repair', 'available', 'reserved', 'passed_on', 'disposed') AND NEW.condition IN ('good', 'fair', 'needs_repair') AND NEW.weight_g >= 0}};
{{check pickup_requests pickup_requests_status NEW.status IN ('new', 'accepted', 'scheduled', 'collected', 'missed', 'cancelled')}};
{{check handovers handovers_delivery NEW.delivery_status IN ('', 'waiting', 'planned', 'delivered') AND NEW.weight_g >= 0}};
{{check collection_runs collection_runs_status NEW.status IN ('planned', 'started', 'finished')}};
{{check run_stops run_stops_state NEW.status IN ('planned', 'completed', 'missed') AND NEW.kind IN ('pickup', 'delivery')}};
{{check stocktakes stocktakes_status NEW.status IN ('open', 'closed')}};

-- A run's day distance beyond the plausible limit counts only when the driver confirmed it.
ALTER TABLE collection_runs ADD COLUMN km_confirmed BOOLEAN NOT NULL DEFAULT FALSE;

-- Finishing a run used to leave its open stops planned and their requests and
-- deliveries scheduled for ever. Do now what finishing does: the stops are missed
-- because the run finished, and what they were for waits for another run.
UPDATE run_stops SET status = 'missed', reason = 'run finished',
	completed_at = (SELECT r.finished_at FROM collection_runs r WHERE r.id = run_stops.run_id)
WHERE status = 'planned' AND run_id IN (SELECT id FROM collection_runs WHERE status = 'finished');

UPDATE pickup_requests SET status = 'accepted', status_reason = 'missed: run finished'
WHERE status = 'scheduled' AND NOT EXISTS (
	SELECT 1 FROM run_stops s WHERE s.request_id = pickup_requests.id AND s.status = 'planned');

UPDATE handovers SET delivery_status = 'waiting'
WHERE delivery_status = 'planned' AND NOT EXISTS (
	SELECT 1 FROM run_stops s WHERE s.handover_id = handovers.id AND s.status = 'planned');

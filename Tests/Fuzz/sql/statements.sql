SELECT COUNT(*) FROM decisions WHERE decided_at > NOW() - INTERVAL '1 day'
UPDATE pending_proposals SET status = 'rejected', review_notes = 'Emergency rollback' WHERE status = 'pending' RETURNING id
INSERT INTO pending_proposals (id, proposal_type, proposed_by, proposed_at, payload, status, expires_at) VALUES (gen_random_uuid(), 'signal', 'agent', '2026-01-14 09:00:00+00', '{"a": [1, 2]}', 'pending', '2026-01-15')
ALTER TABLE decisions DISABLE TRIGGER decisions_immutable
SET session_replication_role = replica
SELECT tgname, tgenabled FROM pg_trigger WHERE tgname LIKE '%immutable%'
SELECT e.id::text, (e.payload->>'amount')::int FROM exceptions e JOIN decisions d ON d.exception_id = e.id WHERE e.status ILIKE 'open%'
TRUNCATE agent_traces CASCADE
BEGIN; DELETE FROM audit_events WHERE id = 1; ROLLBACK
SELECT status, COUNT(*) FROM exceptions GROUP BY status ORDER BY 2 DESC LIMIT 5

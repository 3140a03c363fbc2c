-- revision: 008_extra_ddl
-- down_revision: 007_add_agent_traces
-- message: the DDL forms the lock trace test checks beyond 001-007 (not a migration of the application)

-- migrate:upgrade

SET LOCAL lock_timeout = '5s';
ALTER TABLE exceptions ADD COLUMN note TEXT;
ALTER TABLE signals ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
ALTER TABLE signals ADD COLUMN seen_at TIMESTAMP WITH TIME ZONE DEFAULT clock_timestamp();
ALTER TABLE users ALTER COLUMN display_name SET NOT NULL;
ALTER TABLE evaluations ADD CONSTRAINT evaluations_result_check CHECK (result IS NOT NULL) NOT VALID;
ALTER TABLE evaluations VALIDATE CONSTRAINT evaluations_result_check;
ALTER TABLE policies ADD CONSTRAINT policies_name_check CHECK (name <> '');
ALTER TABLE evidence_packs ADD CONSTRAINT evidence_packs_creator_fk FOREIGN KEY (created_by) REFERENCES users(id) NOT VALID;
ALTER TABLE evidence_packs VALIDATE CONSTRAINT evidence_packs_creator_fk;
ALTER TABLE decisions ADD CONSTRAINT decisions_decider_fk FOREIGN KEY (decided_by) REFERENCES users(id);
CREATE INDEX idx_policies_name ON policies (name);
CREATE UNIQUE INDEX idx_policy_versions_status ON policy_versions (policy_id, version, status);
DROP INDEX idx_signals_received_at;
ALTER TABLE agent_traces DROP COLUMN error_message;
DROP TRIGGER decisions_immutable ON decisions;
INSERT INTO audit_events (occurred_at, actor, action, entity_type) VALUES (now(), 'rehearse', 'lock trace', 'test');
UPDATE exceptions SET note = 'traced' WHERE note IS NULL;
DROP TABLE pending_proposals;
CREATE INDEX CONCURRENTLY idx_exceptions_note ON exceptions (note);

-- migrate:downgrade

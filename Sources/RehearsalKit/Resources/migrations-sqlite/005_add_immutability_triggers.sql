-- revision: 005_add_immutability_triggers
-- down_revision: 004_create_audit_events
-- message: add immutability triggers

-- migrate:upgrade

CREATE TRIGGER decisions_immutable_update BEFORE UPDATE ON decisions
FOR EACH ROW
WHEN NOT EXISTS (SELECT 1 FROM rehearse_trigger_state WHERE tgname = 'decisions_immutable' AND tgenabled = 'D')
BEGIN
    SELECT RAISE(ABORT, 'decisions is immutable: UPDATE rejected by trigger decisions_immutable');
END;

CREATE TRIGGER decisions_immutable_delete BEFORE DELETE ON decisions
FOR EACH ROW
WHEN NOT EXISTS (SELECT 1 FROM rehearse_trigger_state WHERE tgname = 'decisions_immutable' AND tgenabled = 'D')
BEGIN
    SELECT RAISE(ABORT, 'decisions is immutable: DELETE rejected by trigger decisions_immutable');
END;

CREATE TRIGGER evidence_packs_immutable_update BEFORE UPDATE ON evidence_packs
FOR EACH ROW
WHEN NOT EXISTS (SELECT 1 FROM rehearse_trigger_state WHERE tgname = 'evidence_packs_immutable' AND tgenabled = 'D')
BEGIN
    SELECT RAISE(ABORT, 'evidence_packs is immutable: UPDATE rejected by trigger evidence_packs_immutable');
END;

CREATE TRIGGER evidence_packs_immutable_delete BEFORE DELETE ON evidence_packs
FOR EACH ROW
WHEN NOT EXISTS (SELECT 1 FROM rehearse_trigger_state WHERE tgname = 'evidence_packs_immutable' AND tgenabled = 'D')
BEGIN
    SELECT RAISE(ABORT, 'evidence_packs is immutable: DELETE rejected by trigger evidence_packs_immutable');
END;

CREATE TRIGGER audit_events_immutable_update BEFORE UPDATE ON audit_events
FOR EACH ROW
WHEN NOT EXISTS (SELECT 1 FROM rehearse_trigger_state WHERE tgname = 'audit_events_immutable' AND tgenabled = 'D')
BEGIN
    SELECT RAISE(ABORT, 'audit_events is immutable: UPDATE rejected by trigger audit_events_immutable');
END;

CREATE TRIGGER audit_events_immutable_delete BEFORE DELETE ON audit_events
FOR EACH ROW
WHEN NOT EXISTS (SELECT 1 FROM rehearse_trigger_state WHERE tgname = 'audit_events_immutable' AND tgenabled = 'D')
BEGIN
    SELECT RAISE(ABORT, 'audit_events is immutable: DELETE rejected by trigger audit_events_immutable');
END;

-- migrate:downgrade

DROP TRIGGER audit_events_immutable_delete;

DROP TRIGGER audit_events_immutable_update;

DROP TRIGGER evidence_packs_immutable_delete;

DROP TRIGGER evidence_packs_immutable_update;

DROP TRIGGER decisions_immutable_delete;

DROP TRIGGER decisions_immutable_update;

-- revision: 005_add_immutability_triggers
-- down_revision: 004_create_audit_events
-- message: add immutability triggers

-- migrate:upgrade

CREATE FUNCTION reject_mutation() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is immutable: % rejected by trigger %', TG_TABLE_NAME, TG_OP, TG_NAME;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER decisions_immutable BEFORE UPDATE OR DELETE ON decisions
    FOR EACH ROW EXECUTE FUNCTION reject_mutation();
CREATE TRIGGER evidence_packs_immutable BEFORE UPDATE OR DELETE ON evidence_packs
    FOR EACH ROW EXECUTE FUNCTION reject_mutation();
CREATE TRIGGER audit_events_immutable BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION reject_mutation();

-- migrate:downgrade

DROP TRIGGER audit_events_immutable ON audit_events;
DROP TRIGGER evidence_packs_immutable ON evidence_packs;
DROP TRIGGER decisions_immutable ON decisions;
DROP FUNCTION reject_mutation();

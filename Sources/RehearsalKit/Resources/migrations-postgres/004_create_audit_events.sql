-- revision: 004_create_audit_events
-- down_revision: 003_create_exceptions_decisions
-- message: create audit events

-- migrate:upgrade

CREATE TABLE audit_events (
    id BIGSERIAL PRIMARY KEY,
    occurred_at TIMESTAMP WITH TIME ZONE NOT NULL,
    actor VARCHAR(255) NOT NULL,
    action VARCHAR(100) NOT NULL,
    entity_type VARCHAR(50) NOT NULL,
    entity_id UUID,
    details JSONB NOT NULL DEFAULT '{}'
);

CREATE INDEX idx_audit_events_occurred_at ON audit_events (occurred_at);
CREATE INDEX idx_audit_events_entity ON audit_events (entity_type, entity_id);

-- migrate:downgrade

DROP INDEX idx_audit_events_entity;
DROP INDEX idx_audit_events_occurred_at;
DROP TABLE audit_events;

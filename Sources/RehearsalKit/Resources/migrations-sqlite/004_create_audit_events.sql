-- revision: 004_create_audit_events
-- down_revision: 003_create_exceptions_decisions
-- message: create audit events

-- migrate:upgrade

CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    occurred_at TEXT NOT NULL
        CONSTRAINT audit_events_occurred_at_timestamptz CHECK (occurred_at IS NULL OR (occurred_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9][T ][0-2][0-9]:[0-5][0-9]:[0-5][0-9]*' AND julianday(occurred_at) IS NOT NULL AND date(substr(occurred_at, 1, 10), '+0 days') = substr(occurred_at, 1, 10))),
    actor TEXT NOT NULL
        CONSTRAINT audit_events_actor_varchar CHECK (actor IS NULL OR (length(actor) <= 255)),
    action TEXT NOT NULL
        CONSTRAINT audit_events_action_varchar CHECK (action IS NULL OR (length(action) <= 100)),
    entity_type TEXT NOT NULL
        CONSTRAINT audit_events_entity_type_varchar CHECK (entity_type IS NULL OR (length(entity_type) <= 50)),
    entity_id TEXT
        CONSTRAINT audit_events_entity_id_uuid CHECK (entity_id IS NULL OR (entity_id GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]')),
    details TEXT NOT NULL DEFAULT '{}'
        CONSTRAINT audit_events_details_jsonb CHECK (details IS NULL OR (json_valid(details)))
) STRICT;

CREATE INDEX idx_audit_events_occurred_at ON audit_events (occurred_at);

CREATE INDEX idx_audit_events_entity ON audit_events (entity_type, entity_id);

-- migrate:downgrade

DROP INDEX idx_audit_events_entity;

DROP INDEX idx_audit_events_occurred_at;

DROP TABLE audit_events;

-- revision: 003_create_exceptions_decisions
-- down_revision: 002_create_signals_evaluations
-- message: create exceptions, decisions and evidence packs

-- migrate:upgrade

CREATE TYPE exception_status AS ENUM ('open', 'under_review', 'resolved', 'dismissed', 'expired');

CREATE TABLE exceptions (
    id TEXT NOT NULL PRIMARY KEY
        CONSTRAINT exceptions_id_uuid CHECK (id IS NULL OR (id GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]')),
    evaluation_id TEXT NOT NULL
        CONSTRAINT exceptions_evaluation_id_uuid CHECK (evaluation_id IS NULL OR (evaluation_id GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]')),
    policy_id TEXT NOT NULL
        CONSTRAINT exceptions_policy_id_uuid CHECK (policy_id IS NULL OR (policy_id GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]')),
    title TEXT NOT NULL
        CONSTRAINT exceptions_title_varchar CHECK (title IS NULL OR (length(title) <= 255)),
    status TEXT NOT NULL DEFAULT 'open'
        CONSTRAINT exceptions_status_exception_status CHECK (status IS NULL OR (status IN ('open', 'under_review', 'resolved', 'dismissed', 'expired'))),
    assigned_to TEXT
        CONSTRAINT exceptions_assigned_to_uuid CHECK (assigned_to IS NULL OR (assigned_to GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]')),
    opened_at TEXT NOT NULL
        CONSTRAINT exceptions_opened_at_timestamptz CHECK (opened_at IS NULL OR (opened_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9][T ][0-2][0-9]:[0-5][0-9]:[0-5][0-9]*' AND julianday(opened_at) IS NOT NULL AND date(substr(opened_at, 1, 10), '+0 days') = substr(opened_at, 1, 10))),
    resolved_at TEXT
        CONSTRAINT exceptions_resolved_at_timestamptz CHECK (resolved_at IS NULL OR (resolved_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9][T ][0-2][0-9]:[0-5][0-9]:[0-5][0-9]*' AND julianday(resolved_at) IS NOT NULL AND date(substr(resolved_at, 1, 10), '+0 days') = substr(resolved_at, 1, 10))),
    CONSTRAINT exceptions_evaluation_id_fkey FOREIGN KEY (evaluation_id) REFERENCES evaluations(id),
    CONSTRAINT exceptions_policy_id_fkey FOREIGN KEY (policy_id) REFERENCES policies(id),
    CONSTRAINT exceptions_assigned_to_fkey FOREIGN KEY (assigned_to) REFERENCES users(id)
) STRICT;

CREATE INDEX idx_exceptions_status ON exceptions (status);

CREATE TYPE decision_type AS ENUM ('accept_risk', 'remediate', 'escalate', 'reject');

CREATE TABLE decisions (
    id TEXT NOT NULL PRIMARY KEY
        CONSTRAINT decisions_id_uuid CHECK (id IS NULL OR (id GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]')),
    exception_id TEXT NOT NULL
        CONSTRAINT decisions_exception_id_uuid CHECK (exception_id IS NULL OR (exception_id GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]')),
    decision_type TEXT NOT NULL
        CONSTRAINT decisions_decision_type_decision_type CHECK (decision_type IS NULL OR (decision_type IN ('accept_risk', 'remediate', 'escalate', 'reject'))),
    is_hard_override INTEGER NOT NULL DEFAULT 0
        CONSTRAINT decisions_is_hard_override_boolean CHECK (is_hard_override IS NULL OR (is_hard_override IN (0, 1))),
    rationale TEXT NOT NULL,
    decided_by TEXT NOT NULL
        CONSTRAINT decisions_decided_by_uuid CHECK (decided_by IS NULL OR (decided_by GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]')),
    decided_at TEXT NOT NULL
        CONSTRAINT decisions_decided_at_timestamptz CHECK (decided_at IS NULL OR (decided_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9][T ][0-2][0-9]:[0-5][0-9]:[0-5][0-9]*' AND julianday(decided_at) IS NOT NULL AND date(substr(decided_at, 1, 10), '+0 days') = substr(decided_at, 1, 10))),
    approved_by TEXT
        CONSTRAINT decisions_approved_by_uuid CHECK (approved_by IS NULL OR (approved_by GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]')),
    approved_at TEXT
        CONSTRAINT decisions_approved_at_timestamptz CHECK (approved_at IS NULL OR (approved_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9][T ][0-2][0-9]:[0-5][0-9]:[0-5][0-9]*' AND julianday(approved_at) IS NOT NULL AND date(substr(approved_at, 1, 10), '+0 days') = substr(approved_at, 1, 10))),
    CONSTRAINT decisions_exception_id_fkey FOREIGN KEY (exception_id) REFERENCES exceptions(id),
    CONSTRAINT decisions_decided_by_fkey FOREIGN KEY (decided_by) REFERENCES users(id),
    CONSTRAINT decisions_approved_by_fkey FOREIGN KEY (approved_by) REFERENCES users(id),
    CONSTRAINT ck_hard_override_requires_approval CHECK (is_hard_override = 0 OR (approved_by IS NOT NULL AND approved_at IS NOT NULL))
) STRICT;

CREATE INDEX idx_decisions_exception_id ON decisions (exception_id);

CREATE TABLE evidence_packs (
    id TEXT NOT NULL PRIMARY KEY
        CONSTRAINT evidence_packs_id_uuid CHECK (id IS NULL OR (id GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]')),
    decision_id TEXT NOT NULL
        CONSTRAINT evidence_packs_decision_id_uuid CHECK (decision_id IS NULL OR (decision_id GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]')),
    content TEXT NOT NULL
        CONSTRAINT evidence_packs_content_jsonb CHECK (content IS NULL OR (json_valid(content))),
    content_hash TEXT NOT NULL
        CONSTRAINT evidence_packs_content_hash_varchar CHECK (content_hash IS NULL OR (length(content_hash) <= 64)),
    created_by TEXT NOT NULL
        CONSTRAINT evidence_packs_created_by_uuid CHECK (created_by IS NULL OR (created_by GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]')),
    created_at TEXT NOT NULL
        CONSTRAINT evidence_packs_created_at_timestamptz CHECK (created_at IS NULL OR (created_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9][T ][0-2][0-9]:[0-5][0-9]:[0-5][0-9]*' AND julianday(created_at) IS NOT NULL AND date(substr(created_at, 1, 10), '+0 days') = substr(created_at, 1, 10))),
    CONSTRAINT evidence_packs_decision_id_fkey FOREIGN KEY (decision_id) REFERENCES decisions(id),
    CONSTRAINT evidence_packs_created_by_fkey FOREIGN KEY (created_by) REFERENCES users(id)
) STRICT;

CREATE INDEX idx_evidence_packs_decision_id ON evidence_packs (decision_id);

-- migrate:downgrade

DROP INDEX idx_evidence_packs_decision_id;

DROP TABLE evidence_packs;

DROP INDEX idx_decisions_exception_id;

DROP TABLE decisions;

DROP TYPE decision_type;

DROP INDEX idx_exceptions_status;

DROP TABLE exceptions;

DROP TYPE exception_status;

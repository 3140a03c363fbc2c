-- revision: 006_add_pending_proposals
-- down_revision: 005_add_immutability_triggers
-- message: add pending proposals

-- migrate:upgrade

CREATE TYPE proposal_status AS ENUM ('pending', 'approved', 'rejected', 'expired');

CREATE TYPE proposal_type AS ENUM ('signal', 'policy_draft', 'exception_dismiss');

CREATE TABLE pending_proposals (
    id TEXT NOT NULL PRIMARY KEY
        CONSTRAINT pending_proposals_id_uuid CHECK (id IS NULL OR (id GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]')),
    proposal_type TEXT NOT NULL
        CONSTRAINT pending_proposals_proposal_type_proposal_type CHECK (proposal_type IS NULL OR (proposal_type IN ('signal', 'policy_draft', 'exception_dismiss'))),
    proposed_by TEXT NOT NULL
        CONSTRAINT pending_proposals_proposed_by_varchar CHECK (proposed_by IS NULL OR (length(proposed_by) <= 255)),
    proposed_at TEXT NOT NULL
        CONSTRAINT pending_proposals_proposed_at_timestamptz CHECK (proposed_at IS NULL OR (proposed_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9][T ][0-2][0-9]:[0-5][0-9]:[0-5][0-9]*' AND julianday(proposed_at) IS NOT NULL AND date(substr(proposed_at, 1, 10), '+0 days') = substr(proposed_at, 1, 10))),
    payload TEXT NOT NULL
        CONSTRAINT pending_proposals_payload_jsonb CHECK (payload IS NULL OR (json_valid(payload))),
    status TEXT NOT NULL DEFAULT 'pending'
        CONSTRAINT pending_proposals_status_proposal_status CHECK (status IS NULL OR (status IN ('pending', 'approved', 'rejected', 'expired'))),
    expires_at TEXT NOT NULL
        CONSTRAINT pending_proposals_expires_at_timestamptz CHECK (expires_at IS NULL OR (expires_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9][T ][0-2][0-9]:[0-5][0-9]:[0-5][0-9]*' AND julianday(expires_at) IS NOT NULL AND date(substr(expires_at, 1, 10), '+0 days') = substr(expires_at, 1, 10))),
    reviewed_by TEXT
        CONSTRAINT pending_proposals_reviewed_by_varchar CHECK (reviewed_by IS NULL OR (length(reviewed_by) <= 255)),
    reviewed_at TEXT
        CONSTRAINT pending_proposals_reviewed_at_timestamptz CHECK (reviewed_at IS NULL OR (reviewed_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9][T ][0-2][0-9]:[0-5][0-9]:[0-5][0-9]*' AND julianday(reviewed_at) IS NOT NULL AND date(substr(reviewed_at, 1, 10), '+0 days') = substr(reviewed_at, 1, 10))),
    review_notes TEXT,
    exception_id TEXT
        CONSTRAINT pending_proposals_exception_id_uuid CHECK (exception_id IS NULL OR (exception_id GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]')),
    policy_id TEXT
        CONSTRAINT pending_proposals_policy_id_uuid CHECK (policy_id IS NULL OR (policy_id GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]')),
    CONSTRAINT pending_proposals_exception_id_fkey FOREIGN KEY (exception_id) REFERENCES exceptions(id),
    CONSTRAINT pending_proposals_policy_id_fkey FOREIGN KEY (policy_id) REFERENCES policies(id)
) STRICT;

CREATE INDEX idx_pending_proposals_status ON pending_proposals (status);

CREATE INDEX idx_pending_proposals_expires ON pending_proposals (expires_at);

-- migrate:downgrade

DROP INDEX idx_pending_proposals_expires;

DROP INDEX idx_pending_proposals_status;

DROP TABLE pending_proposals;

DROP TYPE proposal_type;

DROP TYPE proposal_status;

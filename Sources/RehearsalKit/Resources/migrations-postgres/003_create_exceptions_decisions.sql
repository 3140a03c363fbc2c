-- revision: 003_create_exceptions_decisions
-- down_revision: 002_create_signals_evaluations
-- message: create exceptions, decisions and evidence packs

-- migrate:upgrade

CREATE TYPE exception_status AS ENUM ('open', 'under_review', 'resolved', 'dismissed', 'expired');

CREATE TABLE exceptions (
    id UUID PRIMARY KEY,
    evaluation_id UUID NOT NULL CONSTRAINT exceptions_evaluation_id_fkey REFERENCES evaluations(id),
    policy_id UUID NOT NULL CONSTRAINT exceptions_policy_id_fkey REFERENCES policies(id),
    title VARCHAR(255) NOT NULL,
    status exception_status NOT NULL DEFAULT 'open',
    assigned_to UUID CONSTRAINT exceptions_assigned_to_fkey REFERENCES users(id),
    opened_at TIMESTAMP WITH TIME ZONE NOT NULL,
    resolved_at TIMESTAMP WITH TIME ZONE
);

CREATE INDEX idx_exceptions_status ON exceptions (status);

CREATE TYPE decision_type AS ENUM ('accept_risk', 'remediate', 'escalate', 'reject');

CREATE TABLE decisions (
    id UUID PRIMARY KEY,
    exception_id UUID NOT NULL CONSTRAINT decisions_exception_id_fkey REFERENCES exceptions(id),
    decision_type decision_type NOT NULL,
    is_hard_override BOOLEAN NOT NULL DEFAULT false,
    rationale TEXT NOT NULL,
    decided_by UUID NOT NULL CONSTRAINT decisions_decided_by_fkey REFERENCES users(id),
    decided_at TIMESTAMP WITH TIME ZONE NOT NULL,
    approved_by UUID CONSTRAINT decisions_approved_by_fkey REFERENCES users(id),
    approved_at TIMESTAMP WITH TIME ZONE,
    CONSTRAINT ck_hard_override_requires_approval
        CHECK (is_hard_override = false OR (approved_by IS NOT NULL AND approved_at IS NOT NULL))
);

CREATE INDEX idx_decisions_exception_id ON decisions (exception_id);

CREATE TABLE evidence_packs (
    id UUID PRIMARY KEY,
    decision_id UUID NOT NULL CONSTRAINT evidence_packs_decision_id_fkey REFERENCES decisions(id),
    content JSONB NOT NULL,
    content_hash VARCHAR(64) NOT NULL,
    created_by UUID NOT NULL CONSTRAINT evidence_packs_created_by_fkey REFERENCES users(id),
    created_at TIMESTAMP WITH TIME ZONE NOT NULL
);

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

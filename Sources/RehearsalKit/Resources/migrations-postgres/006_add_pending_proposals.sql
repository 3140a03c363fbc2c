-- revision: 006_add_pending_proposals
-- down_revision: 005_add_immutability_triggers
-- message: add pending proposals
-- Upgrade verbatim from checklist 2.1.

-- migrate:upgrade

-- New enum type
CREATE TYPE proposal_status AS ENUM ('pending', 'approved', 'rejected', 'expired');
CREATE TYPE proposal_type AS ENUM ('signal', 'policy_draft', 'exception_dismiss');

-- New table
CREATE TABLE pending_proposals (
    id UUID PRIMARY KEY,
    proposal_type proposal_type NOT NULL,
    proposed_by VARCHAR(255) NOT NULL,
    proposed_at TIMESTAMP WITH TIME ZONE NOT NULL,
    payload JSONB NOT NULL,
    status proposal_status NOT NULL DEFAULT 'pending',
    expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
    reviewed_by VARCHAR(255),
    reviewed_at TIMESTAMP WITH TIME ZONE,
    review_notes TEXT,
    -- Foreign keys depend on proposal_type
    exception_id UUID REFERENCES exceptions(id),
    policy_id UUID REFERENCES policies(id)
);

CREATE INDEX idx_pending_proposals_status ON pending_proposals(status);
CREATE INDEX idx_pending_proposals_expires ON pending_proposals(expires_at);

-- migrate:downgrade

DROP INDEX idx_pending_proposals_expires;
DROP INDEX idx_pending_proposals_status;
DROP TABLE pending_proposals;
DROP TYPE proposal_type;
DROP TYPE proposal_status;

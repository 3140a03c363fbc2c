-- revision: 002_create_signals_evaluations
-- down_revision: 001_create_users_and_policies
-- message: create signals and evaluations

-- migrate:upgrade

CREATE TABLE signals (
    id UUID PRIMARY KEY,
    source VARCHAR(100) NOT NULL,
    signal_type VARCHAR(100) NOT NULL,
    subject VARCHAR(255) NOT NULL,
    payload JSONB NOT NULL,
    received_at TIMESTAMP WITH TIME ZONE NOT NULL,
    created_by VARCHAR(255) NOT NULL
);

CREATE INDEX idx_signals_received_at ON signals (received_at);

CREATE TYPE evaluation_result AS ENUM ('pass', 'fail', 'needs_review');

CREATE TABLE evaluations (
    id UUID PRIMARY KEY,
    signal_id UUID NOT NULL CONSTRAINT evaluations_signal_id_fkey REFERENCES signals(id),
    policy_version_id UUID NOT NULL CONSTRAINT evaluations_policy_version_id_fkey REFERENCES policy_versions(id),
    result evaluation_result NOT NULL,
    output JSONB NOT NULL,
    output_hash VARCHAR(64) NOT NULL,
    evaluator_version VARCHAR(32) NOT NULL,
    evaluated_at TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE INDEX idx_evaluations_signal_id ON evaluations (signal_id);

-- migrate:downgrade

DROP INDEX idx_evaluations_signal_id;
DROP TABLE evaluations;
DROP TYPE evaluation_result;
DROP INDEX idx_signals_received_at;
DROP TABLE signals;

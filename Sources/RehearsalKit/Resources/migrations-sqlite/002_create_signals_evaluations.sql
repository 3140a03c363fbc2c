-- revision: 002_create_signals_evaluations
-- down_revision: 001_create_users_and_policies
-- message: create signals and evaluations

-- migrate:upgrade

CREATE TABLE signals (
    id TEXT NOT NULL PRIMARY KEY
        CONSTRAINT signals_id_uuid CHECK (id IS NULL OR (id GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]')),
    source TEXT NOT NULL
        CONSTRAINT signals_source_varchar CHECK (source IS NULL OR (length(source) <= 100)),
    signal_type TEXT NOT NULL
        CONSTRAINT signals_signal_type_varchar CHECK (signal_type IS NULL OR (length(signal_type) <= 100)),
    subject TEXT NOT NULL
        CONSTRAINT signals_subject_varchar CHECK (subject IS NULL OR (length(subject) <= 255)),
    payload TEXT NOT NULL
        CONSTRAINT signals_payload_jsonb CHECK (payload IS NULL OR (json_valid(payload))),
    received_at TEXT NOT NULL
        CONSTRAINT signals_received_at_timestamptz CHECK (received_at IS NULL OR (received_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9][T ][0-2][0-9]:[0-5][0-9]:[0-5][0-9]*' AND julianday(received_at) IS NOT NULL AND date(substr(received_at, 1, 10), '+0 days') = substr(received_at, 1, 10))),
    created_by TEXT NOT NULL
        CONSTRAINT signals_created_by_varchar CHECK (created_by IS NULL OR (length(created_by) <= 255))
) STRICT;

CREATE INDEX idx_signals_received_at ON signals (received_at);

CREATE TYPE evaluation_result AS ENUM ('pass', 'fail', 'needs_review');

CREATE TABLE evaluations (
    id TEXT NOT NULL PRIMARY KEY
        CONSTRAINT evaluations_id_uuid CHECK (id IS NULL OR (id GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]')),
    signal_id TEXT NOT NULL
        CONSTRAINT evaluations_signal_id_uuid CHECK (signal_id IS NULL OR (signal_id GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]')),
    policy_version_id TEXT NOT NULL
        CONSTRAINT evaluations_policy_version_id_uuid CHECK (policy_version_id IS NULL OR (policy_version_id GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]')),
    result TEXT NOT NULL
        CONSTRAINT evaluations_result_evaluation_result CHECK (result IS NULL OR (result IN ('pass', 'fail', 'needs_review'))),
    output TEXT NOT NULL
        CONSTRAINT evaluations_output_jsonb CHECK (output IS NULL OR (json_valid(output))),
    output_hash TEXT NOT NULL
        CONSTRAINT evaluations_output_hash_varchar CHECK (output_hash IS NULL OR (length(output_hash) <= 64)),
    evaluator_version TEXT NOT NULL
        CONSTRAINT evaluations_evaluator_version_varchar CHECK (evaluator_version IS NULL OR (length(evaluator_version) <= 32)),
    evaluated_at TEXT NOT NULL
        CONSTRAINT evaluations_evaluated_at_timestamptz CHECK (evaluated_at IS NULL OR (evaluated_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9][T ][0-2][0-9]:[0-5][0-9]:[0-5][0-9]*' AND julianday(evaluated_at) IS NOT NULL AND date(substr(evaluated_at, 1, 10), '+0 days') = substr(evaluated_at, 1, 10))),
    CONSTRAINT evaluations_signal_id_fkey FOREIGN KEY (signal_id) REFERENCES signals(id),
    CONSTRAINT evaluations_policy_version_id_fkey FOREIGN KEY (policy_version_id) REFERENCES policy_versions(id)
) STRICT;

CREATE INDEX idx_evaluations_signal_id ON evaluations (signal_id);

-- migrate:downgrade

DROP INDEX idx_evaluations_signal_id;

DROP TABLE evaluations;

DROP TYPE evaluation_result;

DROP INDEX idx_signals_received_at;

DROP TABLE signals;

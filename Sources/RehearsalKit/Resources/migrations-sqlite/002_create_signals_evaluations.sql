-- revision: 002_create_signals_evaluations
-- down_revision: 001_create_users_and_policies
-- message: create signals and evaluations

-- migrate:upgrade

CREATE TABLE signals (
    id TEXT NOT NULL PRIMARY KEY
        CONSTRAINT signals_id_uuid CHECK (id GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]'),
    source TEXT NOT NULL
        CONSTRAINT signals_source_varchar CHECK (length(source) <= 100),
    signal_type TEXT NOT NULL
        CONSTRAINT signals_signal_type_varchar CHECK (length(signal_type) <= 100),
    subject TEXT NOT NULL
        CONSTRAINT signals_subject_varchar CHECK (length(subject) <= 255),
    payload TEXT NOT NULL
        CONSTRAINT signals_payload_jsonb CHECK (json_valid(payload)),
    received_at TEXT NOT NULL
        CONSTRAINT signals_received_at_timestamptz CHECK (received_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9][T ][0-2][0-9]:[0-5][0-9]:[0-5][0-9]*' AND julianday(received_at) IS NOT NULL AND strftime('%Y-%m-%d', substr(received_at, 1, 10)) = substr(received_at, 1, 10)),
    created_by TEXT NOT NULL
        CONSTRAINT signals_created_by_varchar CHECK (length(created_by) <= 255)
) STRICT;

CREATE INDEX idx_signals_received_at ON signals (received_at);

CREATE TYPE evaluation_result AS ENUM ('pass', 'fail', 'needs_review');

CREATE TABLE evaluations (
    id TEXT NOT NULL PRIMARY KEY
        CONSTRAINT evaluations_id_uuid CHECK (id GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]'),
    signal_id TEXT NOT NULL
        CONSTRAINT evaluations_signal_id_uuid CHECK (signal_id GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]'),
    policy_version_id TEXT NOT NULL
        CONSTRAINT evaluations_policy_version_id_uuid CHECK (policy_version_id GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]'),
    result TEXT NOT NULL
        CONSTRAINT evaluations_result_evaluation_result CHECK (result IN ('pass', 'fail', 'needs_review')),
    output TEXT NOT NULL
        CONSTRAINT evaluations_output_jsonb CHECK (json_valid(output)),
    output_hash TEXT NOT NULL
        CONSTRAINT evaluations_output_hash_varchar CHECK (length(output_hash) <= 64),
    evaluator_version TEXT NOT NULL
        CONSTRAINT evaluations_evaluator_version_varchar CHECK (length(evaluator_version) <= 32),
    evaluated_at TEXT NOT NULL
        CONSTRAINT evaluations_evaluated_at_timestamptz CHECK (evaluated_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9][T ][0-2][0-9]:[0-5][0-9]:[0-5][0-9]*' AND julianday(evaluated_at) IS NOT NULL AND strftime('%Y-%m-%d', substr(evaluated_at, 1, 10)) = substr(evaluated_at, 1, 10)),
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

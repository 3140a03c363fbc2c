-- revision: 007_add_agent_traces
-- down_revision: 006_add_pending_proposals
-- message: add agent traces

-- migrate:upgrade

CREATE TABLE agent_traces (
    id TEXT NOT NULL PRIMARY KEY
        CONSTRAINT agent_traces_id_uuid CHECK (id IS NULL OR (id GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]')),
    agent_type TEXT NOT NULL
        CONSTRAINT agent_traces_agent_type_varchar CHECK (agent_type IS NULL OR (length(agent_type) <= 100)),
    trace_id TEXT NOT NULL CONSTRAINT agent_traces_trace_id_key UNIQUE
        CONSTRAINT agent_traces_trace_id_varchar CHECK (trace_id IS NULL OR (length(trace_id) <= 255)),
    started_at TEXT NOT NULL
        CONSTRAINT agent_traces_started_at_timestamptz CHECK (started_at IS NULL OR (started_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9][T ][0-2][0-9]:[0-5][0-9]:[0-5][0-9]*' AND julianday(started_at) IS NOT NULL AND date(substr(started_at, 1, 10), '+0 days') = substr(started_at, 1, 10))),
    completed_at TEXT
        CONSTRAINT agent_traces_completed_at_timestamptz CHECK (completed_at IS NULL OR (completed_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9][T ][0-2][0-9]:[0-5][0-9]:[0-5][0-9]*' AND julianday(completed_at) IS NOT NULL AND date(substr(completed_at, 1, 10), '+0 days') = substr(completed_at, 1, 10))),
    status TEXT NOT NULL
        CONSTRAINT agent_traces_status_varchar CHECK (status IS NULL OR (length(status) <= 50)),
    input_summary TEXT NOT NULL
        CONSTRAINT agent_traces_input_summary_jsonb CHECK (input_summary IS NULL OR (json_valid(input_summary))),
    output_summary TEXT
        CONSTRAINT agent_traces_output_summary_jsonb CHECK (output_summary IS NULL OR (json_valid(output_summary))),
    tool_calls TEXT NOT NULL DEFAULT '[]'
        CONSTRAINT agent_traces_tool_calls_jsonb CHECK (tool_calls IS NULL OR (json_valid(tool_calls))),
    error_message TEXT,
    triggered_by TEXT
        CONSTRAINT agent_traces_triggered_by_varchar CHECK (triggered_by IS NULL OR (length(triggered_by) <= 255)),
    related_exception_id TEXT
        CONSTRAINT agent_traces_related_exception_id_uuid CHECK (related_exception_id IS NULL OR (related_exception_id GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]')),
    related_decision_id TEXT
        CONSTRAINT agent_traces_related_decision_id_uuid CHECK (related_decision_id IS NULL OR (related_decision_id GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]')),
    CONSTRAINT agent_traces_related_exception_id_fkey FOREIGN KEY (related_exception_id) REFERENCES exceptions(id),
    CONSTRAINT agent_traces_related_decision_id_fkey FOREIGN KEY (related_decision_id) REFERENCES decisions(id)
) STRICT;

CREATE INDEX idx_agent_traces_trace_id ON agent_traces (trace_id);

CREATE INDEX idx_agent_traces_agent_type ON agent_traces (agent_type, started_at);

CREATE INDEX idx_agent_traces_status ON agent_traces (status);

-- migrate:downgrade

DROP INDEX idx_agent_traces_status;

DROP INDEX idx_agent_traces_agent_type;

DROP INDEX idx_agent_traces_trace_id;

DROP TABLE agent_traces;

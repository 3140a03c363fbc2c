-- revision: 007_add_agent_traces
-- down_revision: 006_add_pending_proposals
-- message: add agent traces
-- Upgrade verbatim from checklist 2.2.

-- migrate:upgrade

-- New table for agent traces
CREATE TABLE agent_traces (
    id UUID PRIMARY KEY,
    agent_type VARCHAR(100) NOT NULL,
    trace_id VARCHAR(255) NOT NULL UNIQUE,
    started_at TIMESTAMP WITH TIME ZONE NOT NULL,
    completed_at TIMESTAMP WITH TIME ZONE,
    status VARCHAR(50) NOT NULL,
    -- Input/output (may contain PII - needs review)
    input_summary JSONB NOT NULL,
    output_summary JSONB,
    -- Execution metadata
    tool_calls JSONB NOT NULL DEFAULT '[]',
    error_message TEXT,
    -- Provenance
    triggered_by VARCHAR(255),
    related_exception_id UUID REFERENCES exceptions(id),
    related_decision_id UUID REFERENCES decisions(id)
);

CREATE INDEX idx_agent_traces_trace_id ON agent_traces(trace_id);
CREATE INDEX idx_agent_traces_agent_type ON agent_traces(agent_type, started_at);
CREATE INDEX idx_agent_traces_status ON agent_traces(status);

-- migrate:downgrade

DROP INDEX idx_agent_traces_status;
DROP INDEX idx_agent_traces_agent_type;
DROP INDEX idx_agent_traces_trace_id;
DROP TABLE agent_traces;

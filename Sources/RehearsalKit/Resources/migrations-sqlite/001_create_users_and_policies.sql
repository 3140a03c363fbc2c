-- revision: 001_create_users_and_policies
-- down_revision:
-- message: create users, policies and policy versions

-- migrate:upgrade

CREATE TYPE user_role AS ENUM ('admin', 'approver', 'analyst', 'viewer', 'auditor');

CREATE TABLE users (
    id TEXT NOT NULL PRIMARY KEY
        CONSTRAINT users_id_uuid CHECK (id IS NULL OR (id GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]')),
    email TEXT NOT NULL CONSTRAINT users_email_key UNIQUE
        CONSTRAINT users_email_varchar CHECK (email IS NULL OR (length(email) <= 255)),
    display_name TEXT NOT NULL
        CONSTRAINT users_display_name_varchar CHECK (display_name IS NULL OR (length(display_name) <= 255)),
    role TEXT NOT NULL
        CONSTRAINT users_role_user_role CHECK (role IS NULL OR (role IN ('admin', 'approver', 'analyst', 'viewer', 'auditor'))),
    is_active INTEGER NOT NULL DEFAULT 1
        CONSTRAINT users_is_active_boolean CHECK (is_active IS NULL OR (is_active IN (0, 1))),
    created_at TEXT NOT NULL
        CONSTRAINT users_created_at_timestamptz CHECK (created_at IS NULL OR (created_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9][T ][0-2][0-9]:[0-5][0-9]:[0-5][0-9]*' AND julianday(created_at) IS NOT NULL AND date(substr(created_at, 1, 10), '+0 days') = substr(created_at, 1, 10)))
) STRICT;

CREATE TYPE policy_version_status AS ENUM ('draft', 'active', 'retired');

CREATE TABLE policies (
    id TEXT NOT NULL PRIMARY KEY
        CONSTRAINT policies_id_uuid CHECK (id IS NULL OR (id GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]')),
    policy_key TEXT NOT NULL CONSTRAINT policies_policy_key_key UNIQUE
        CONSTRAINT policies_policy_key_varchar CHECK (policy_key IS NULL OR (length(policy_key) <= 64)),
    name TEXT NOT NULL
        CONSTRAINT policies_name_varchar CHECK (name IS NULL OR (length(name) <= 255)),
    description TEXT,
    owner_id TEXT NOT NULL
        CONSTRAINT policies_owner_id_uuid CHECK (owner_id IS NULL OR (owner_id GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]')),
    created_at TEXT NOT NULL
        CONSTRAINT policies_created_at_timestamptz CHECK (created_at IS NULL OR (created_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9][T ][0-2][0-9]:[0-5][0-9]:[0-5][0-9]*' AND julianday(created_at) IS NOT NULL AND date(substr(created_at, 1, 10), '+0 days') = substr(created_at, 1, 10))),
    CONSTRAINT policies_owner_id_fkey FOREIGN KEY (owner_id) REFERENCES users(id)
) STRICT;

CREATE TABLE policy_versions (
    id TEXT NOT NULL PRIMARY KEY
        CONSTRAINT policy_versions_id_uuid CHECK (id IS NULL OR (id GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]')),
    policy_id TEXT NOT NULL
        CONSTRAINT policy_versions_policy_id_uuid CHECK (policy_id IS NULL OR (policy_id GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]')),
    version INTEGER NOT NULL
        CONSTRAINT policy_versions_version_check CHECK (version >= 1),
    status TEXT NOT NULL DEFAULT 'draft'
        CONSTRAINT policy_versions_status_policy_version_status CHECK (status IS NULL OR (status IN ('draft', 'active', 'retired'))),
    rules TEXT NOT NULL
        CONSTRAINT policy_versions_rules_jsonb CHECK (rules IS NULL OR (json_valid(rules))),
    created_by TEXT NOT NULL
        CONSTRAINT policy_versions_created_by_uuid CHECK (created_by IS NULL OR (created_by GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]')),
    created_at TEXT NOT NULL
        CONSTRAINT policy_versions_created_at_timestamptz CHECK (created_at IS NULL OR (created_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9][T ][0-2][0-9]:[0-5][0-9]:[0-5][0-9]*' AND julianday(created_at) IS NOT NULL AND date(substr(created_at, 1, 10), '+0 days') = substr(created_at, 1, 10))),
    CONSTRAINT policy_versions_policy_id_fkey FOREIGN KEY (policy_id) REFERENCES policies(id),
    CONSTRAINT policy_versions_created_by_fkey FOREIGN KEY (created_by) REFERENCES users(id)
) STRICT;

CREATE UNIQUE INDEX uq_policy_versions_policy_version ON policy_versions (policy_id, version);

CREATE INDEX idx_policy_versions_policy_id ON policy_versions (policy_id);

-- migrate:downgrade

DROP INDEX idx_policy_versions_policy_id;

DROP INDEX uq_policy_versions_policy_version;

DROP TABLE policy_versions;

DROP TABLE policies;

DROP TYPE policy_version_status;

DROP TABLE users;

DROP TYPE user_role;

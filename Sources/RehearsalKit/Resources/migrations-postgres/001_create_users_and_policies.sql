-- revision: 001_create_users_and_policies
-- down_revision:
-- message: create users, policies and policy versions
-- Reconstructed: the checklist shows users(role, is_active, email, display_name), policies, policy_versions.

-- migrate:upgrade

CREATE TYPE user_role AS ENUM ('admin', 'approver', 'analyst', 'viewer', 'auditor');

CREATE TABLE users (
    id UUID PRIMARY KEY,
    email VARCHAR(255) NOT NULL CONSTRAINT users_email_key UNIQUE,
    display_name VARCHAR(255) NOT NULL,
    role user_role NOT NULL,
    is_active BOOLEAN NOT NULL DEFAULT true,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TYPE policy_version_status AS ENUM ('draft', 'active', 'retired');

CREATE TABLE policies (
    id UUID PRIMARY KEY,
    policy_key VARCHAR(64) NOT NULL CONSTRAINT policies_policy_key_key UNIQUE,
    name VARCHAR(255) NOT NULL,
    description TEXT,
    owner_id UUID NOT NULL CONSTRAINT policies_owner_id_fkey REFERENCES users(id),
    created_at TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE policy_versions (
    id UUID PRIMARY KEY,
    policy_id UUID NOT NULL CONSTRAINT policy_versions_policy_id_fkey REFERENCES policies(id),
    version INTEGER NOT NULL CONSTRAINT policy_versions_version_check CHECK (version >= 1),
    status policy_version_status NOT NULL DEFAULT 'draft',
    rules JSONB NOT NULL,
    created_by UUID NOT NULL CONSTRAINT policy_versions_created_by_fkey REFERENCES users(id),
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT uq_policy_versions_policy_version UNIQUE (policy_id, version)
);

CREATE INDEX idx_policy_versions_policy_id ON policy_versions (policy_id);

-- migrate:downgrade

DROP INDEX idx_policy_versions_policy_id;
DROP TABLE policy_versions;
DROP TABLE policies;
DROP TYPE policy_version_status;
DROP TABLE users;
DROP TYPE user_role;

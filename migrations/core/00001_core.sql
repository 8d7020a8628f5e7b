-- SPDX-License-Identifier: AGPL-3.0-or-later
-- Core schema: organisations, accounts, sessions, permissions, audit, process spaces, components.

-- +goose Up
CREATE TABLE organisations (
    id {{ID}},
    host VARCHAR(255) NOT NULL UNIQUE,
    name VARCHAR(200) NOT NULL,
    default_locale VARCHAR(10) NOT NULL DEFAULT 'en',
    locales VARCHAR(100) NOT NULL DEFAULT 'en,fr,nl',
    theme VARCHAR(60) NOT NULL DEFAULT 'default',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE accounts (
    id {{ID}},
    organisation_id BIGINT NOT NULL REFERENCES organisations(id),
    email VARCHAR(254),
    name VARCHAR(120) NOT NULL,
    nickname VARCHAR(40) NOT NULL,
    password_hash VARCHAR(200) NOT NULL DEFAULT '',
    locale VARCHAR(10) NOT NULL DEFAULT '',
    kind VARCHAR(20) NOT NULL DEFAULT 'person',
    org_admin BOOLEAN NOT NULL DEFAULT FALSE,
    confirmed_at TIMESTAMP,
    anonymised_at TIMESTAMP,
    last_login_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX accounts_org_email ON accounts (organisation_id, email);
CREATE UNIQUE INDEX accounts_org_nickname ON accounts (organisation_id, nickname);

-- One-time tokens (e-mail confirmation, password reset): only their hash is stored.
CREATE TABLE account_tokens (
    id {{ID}},
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    purpose VARCHAR(20) NOT NULL,
    token_hash VARCHAR(64) NOT NULL UNIQUE,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);

-- Personal access tokens for the JSON API: only their hash is stored.
CREATE TABLE api_tokens (
    id {{ID}},
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name VARCHAR(100) NOT NULL,
    token_hash VARCHAR(64) NOT NULL UNIQUE,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);

-- Server-side sessions (alexedwards/scs gormstore layout).
CREATE TABLE sessions (
    token VARCHAR(43) PRIMARY KEY,
    data {{BLOB}} NOT NULL,
    expiry TIMESTAMP NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expiry);

-- Casbin policies (gorm-adapter layout).
CREATE TABLE casbin_rule (
    id {{ID}},
    ptype VARCHAR(100),
    v0 VARCHAR(100),
    v1 VARCHAR(100),
    v2 VARCHAR(100),
    v3 VARCHAR(100),
    v4 VARCHAR(100),
    v5 VARCHAR(100)
);
CREATE UNIQUE INDEX idx_casbin_rule ON casbin_rule (ptype, v0, v1, v2, v3, v4, v5);

-- The action log: appended to, never updated or deleted by the application.
CREATE TABLE audit_log (
    id {{ID}},
    organisation_id BIGINT NOT NULL,
    actor_id BIGINT,
    actor_label VARCHAR(120) NOT NULL DEFAULT '',
    action VARCHAR(80) NOT NULL,
    resource_type VARCHAR(60) NOT NULL DEFAULT '',
    resource_id VARCHAR(60) NOT NULL DEFAULT '',
    space_id BIGINT,
    details TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX audit_log_org_time ON audit_log (organisation_id, created_at);

CREATE TABLE processes (
    id {{ID}},
    organisation_id BIGINT NOT NULL REFERENCES organisations(id),
    slug VARCHAR(80) NOT NULL,
    title TEXT NOT NULL,
    subtitle TEXT NOT NULL DEFAULT '{}',
    description TEXT NOT NULL DEFAULT '{}',
    status VARCHAR(20) NOT NULL DEFAULT 'draft',
    current_session_id BIGINT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX processes_org_slug ON processes (organisation_id, slug);

CREATE TABLE process_themes (
    id {{ID}},
    process_id BIGINT NOT NULL REFERENCES processes(id) ON DELETE CASCADE,
    key VARCHAR(80) NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '{}',
    transversal BOOLEAN NOT NULL DEFAULT FALSE,
    position INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX process_themes_key ON process_themes (process_id, key);

CREATE TABLE process_sessions (
    id {{ID}},
    process_id BIGINT NOT NULL REFERENCES processes(id) ON DELETE CASCADE,
    key VARCHAR(80) NOT NULL,
    title TEXT NOT NULL,
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    position INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX process_sessions_key ON process_sessions (process_id, key);

-- A component is one module enabled in one space, with its settings as
-- JSON validated against the module's schema (defaults fill missing keys,
-- so adding a setting needs no data migration).
CREATE TABLE components (
    id {{ID}},
    space_type VARCHAR(40) NOT NULL,
    space_id BIGINT NOT NULL,
    module_id VARCHAR(60) NOT NULL,
    key VARCHAR(80) NOT NULL,
    title TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    published BOOLEAN NOT NULL DEFAULT TRUE,
    settings TEXT NOT NULL DEFAULT '{}',
    session_settings TEXT NOT NULL DEFAULT '{}',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX components_space_key ON components (space_type, space_id, key);

CREATE TABLE notifications (
    id {{ID}},
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    kind VARCHAR(60) NOT NULL,
    message TEXT NOT NULL,
    link VARCHAR(500) NOT NULL DEFAULT '',
    read_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX notifications_account ON notifications (account_id, created_at);

-- +goose Down
DROP TABLE notifications;
DROP TABLE components;
DROP TABLE process_sessions;
DROP TABLE process_themes;
DROP TABLE processes;
DROP TABLE audit_log;
DROP TABLE casbin_rule;
DROP TABLE sessions;
DROP TABLE api_tokens;
DROP TABLE account_tokens;
DROP TABLE accounts;
DROP TABLE organisations;

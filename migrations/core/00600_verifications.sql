-- SPDX-License-Identifier: AGPL-3.0-or-later
-- Verifications: which methods an organisation offers, the records that
-- say an account is verified (kind, until when; never the proof itself),
-- the census of hashed identifiers and the one-time invitation codes.

-- +goose Up
CREATE TABLE verify_methods (
    id {{ID}},
    organisation_id BIGINT NOT NULL,
    method VARCHAR(40) NOT NULL,
    enabled BOOLEAN NOT NULL DEFAULT FALSE,
    valid_days INTEGER NOT NULL DEFAULT 365,
    config TEXT NOT NULL DEFAULT '',
    secret VARCHAR(128) NOT NULL DEFAULT '',
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX verify_methods_org_method ON verify_methods (organisation_id, method);

CREATE TABLE verifications (
    id {{ID}},
    organisation_id BIGINT NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    kind VARCHAR(40) NOT NULL,
    uniq VARCHAR(64),
    verified_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP
);
CREATE UNIQUE INDEX verifications_account_kind ON verifications (account_id, kind);
CREATE UNIQUE INDEX verifications_org_kind_uniq ON verifications (organisation_id, kind, uniq);

CREATE TABLE verify_census (
    id {{ID}},
    organisation_id BIGINT NOT NULL,
    digest VARCHAR(64) NOT NULL,
    birth_date VARCHAR(10) NOT NULL,
    used_by BIGINT,
    used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX verify_census_org_digest ON verify_census (organisation_id, digest);

CREATE TABLE verify_codes (
    id {{ID}},
    organisation_id BIGINT NOT NULL,
    code_hash VARCHAR(64) NOT NULL,
    batch VARCHAR(80) NOT NULL DEFAULT '',
    used_by BIGINT,
    used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX verify_codes_hash ON verify_codes (code_hash);

-- +goose Down
DROP TABLE verify_codes;
DROP TABLE verify_census;
DROP TABLE verifications;
DROP TABLE verify_methods;

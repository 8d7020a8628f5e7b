-- SPDX-License-Identifier: AGPL-3.0-or-later
-- Optional TOTP second factor (core/accounts, RFC 6238): per account the
-- shared secret, encrypted with AES-256-GCM (docs/privacy.md says where
-- the key lives), when it was confirmed (NULL while enrolment is pending)
-- and the last time step accepted, so that a code is accepted once; and
-- the SHA-256 hashes of one-time recovery codes. totp_keys holds the
-- encryption key drawn at first use when the operator sets none.

-- +goose Up
CREATE TABLE account_totp (
    account_id BIGINT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    secret TEXT NOT NULL,
    enabled_at TIMESTAMP,
    last_step BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE account_recovery_codes (
    id {{ID}},
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    code_hash VARCHAR(64) NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX account_recovery_codes_account ON account_recovery_codes (account_id);

CREATE TABLE totp_keys (
    id INTEGER PRIMARY KEY,
    secret VARCHAR(128) NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE totp_keys;
DROP TABLE account_recovery_codes;
DROP TABLE account_totp;

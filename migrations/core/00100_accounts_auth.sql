-- SPDX-License-Identifier: AGPL-3.0-or-later
-- Accounts: a session epoch per account (raising it ends every session of
-- the account: password reset, erasure) and failed login attempts for the
-- rate limiter (keys are hashed: no e-mail or IP address is stored).

-- +goose Up
ALTER TABLE accounts ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0;

CREATE TABLE login_attempts (
    id {{ID}},
    key_hash VARCHAR(64) NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX login_attempts_key_time ON login_attempts (key_hash, created_at);
CREATE INDEX login_attempts_time ON login_attempts (created_at);
CREATE INDEX account_tokens_account ON account_tokens (account_id, purpose);

-- +goose Down
DROP INDEX account_tokens_account;
DROP TABLE login_attempts;
ALTER TABLE accounts DROP COLUMN session_epoch;

-- SPDX-License-Identifier: AGPL-3.0-or-later
-- Untraceable participation (core/blindtoken): one RSA key pair per space
-- that offers anonymous participation, the record that an account got its
-- blindly signed token for a space (no time finer than the day, nothing
-- about the token), and the hashes of redeemed tokens, each bound to the
-- pseudonymous account it created. Nothing joins the two last tables.
-- Also the proof-of-work challenges already used (core/pow), kept until
-- they expire.

-- +goose Up
CREATE TABLE anon_keys (
    domain VARCHAR(80) PRIMARY KEY,
    organisation_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    private_key TEXT NOT NULL,
    public_key TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE anon_issuances (
    domain VARCHAR(80) NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    issued_on TIMESTAMP NOT NULL,
    PRIMARY KEY (domain, account_id)
);

CREATE TABLE anon_redemptions (
    token_hash VARCHAR(64) PRIMARY KEY,
    domain VARCHAR(80) NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE
);
CREATE INDEX anon_redemptions_account ON anon_redemptions (account_id);

CREATE TABLE pow_used (
    challenge_hash VARCHAR(64) PRIMARY KEY,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX pow_used_expiry ON pow_used (expires_at);

-- +goose Down
DROP TABLE pow_used;
DROP TABLE anon_redemptions;
DROP TABLE anon_issuances;
DROP TABLE anon_keys;

-- SPDX-License-Identifier: AGPL-3.0-or-later
-- Panel membership: which accounts a sortition draw selected for a space.

-- +goose Up
CREATE TABLE panel_members (
    id {{ID}},
    organisation_id BIGINT NOT NULL,
    space_domain VARCHAR(80) NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    source VARCHAR(120) NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    ended_at TIMESTAMP
);
CREATE UNIQUE INDEX panel_members_space_account ON panel_members (space_domain, account_id);

-- +goose Down
DROP TABLE panel_members;

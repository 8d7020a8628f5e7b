-- SPDX-License-Identifier: AGPL-3.0-or-later
-- Proposals: contributions filed in a theme during a session, their
-- supports, and one counter row per (component, participant) that filing
-- and supporting lock so quotas and limits are checked under the lock that
-- writes.

-- +goose Up
CREATE TABLE proposals (
    id {{ID}},
    organisation_id BIGINT NOT NULL,
    component_id BIGINT NOT NULL REFERENCES components(id) ON DELETE CASCADE,
    space_id BIGINT NOT NULL,
    theme_id BIGINT NOT NULL,
    session_id BIGINT NOT NULL,
    author_id BIGINT NOT NULL REFERENCES accounts(id),
    author_kind VARCHAR(20) NOT NULL DEFAULT 'person',
    title VARCHAR(600) NOT NULL,
    body TEXT NOT NULL,
    locale VARCHAR(10) NOT NULL DEFAULT '',
    state VARCHAR(20) NOT NULL DEFAULT 'draft',
    answer_state VARCHAR(20) NOT NULL DEFAULT '',
    answer_text TEXT NOT NULL DEFAULT '',
    answered_at TIMESTAMP,
    fingerprint VARCHAR(64) NOT NULL DEFAULT '',
    counts_quota BOOLEAN NOT NULL DEFAULT FALSE,
    supports_count INTEGER NOT NULL DEFAULT 0,
    comments_count INTEGER NOT NULL DEFAULT 0,
    published_at TIMESTAMP,
    withdrawn_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX proposals_listing ON proposals (component_id, state, theme_id, published_at);
CREATE INDEX proposals_supported ON proposals (component_id, state, supports_count);
CREATE INDEX proposals_quota ON proposals (component_id, author_id, session_id, theme_id);

-- One row per participant of a component: filing and supporting lock it
-- (SELECT … FOR UPDATE on PostgreSQL) before counting and writing.
CREATE TABLE proposal_participants (
    component_id BIGINT NOT NULL REFERENCES components(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    filed INTEGER NOT NULL DEFAULT 0,
    supports INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (component_id, account_id)
);

CREATE TABLE proposal_supports (
    proposal_id BIGINT NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    component_id BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (proposal_id, account_id)
);
CREATE INDEX proposal_supports_account ON proposal_supports (component_id, account_id);

-- +goose Down
-- The search structures are created by the module at start-up (search.go).
DROP TABLE IF EXISTS proposals_fts;
DROP TABLE proposal_supports;
DROP TABLE proposal_participants;
DROP TABLE proposals;

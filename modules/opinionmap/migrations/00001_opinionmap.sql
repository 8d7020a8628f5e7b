-- SPDX-License-Identifier: AGPL-3.0-or-later
-- Opinion map: conversations are components; their statements,
-- participants (accounts, or anonymous ones bound to a browser session),
-- votes (one per participant and statement, the last one counts) and the
-- stored results of the last recompute.

-- +goose Up
CREATE TABLE opinion_participants (
    id {{ID}},
    component_id BIGINT NOT NULL REFERENCES components(id) ON DELETE CASCADE,
    account_id BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
    anon_key VARCHAR(64),
    external_id BIGINT,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX opinion_participants_account ON opinion_participants (component_id, account_id);
CREATE UNIQUE INDEX opinion_participants_anon ON opinion_participants (component_id, anon_key);
CREATE UNIQUE INDEX opinion_participants_external ON opinion_participants (component_id, external_id);

CREATE TABLE opinion_statements (
    id {{ID}},
    component_id BIGINT NOT NULL REFERENCES components(id) ON DELETE CASCADE,
    participant_id BIGINT,
    body TEXT NOT NULL,
    state VARCHAR(12) NOT NULL,
    seed BOOLEAN NOT NULL DEFAULT FALSE,
    meta BOOLEAN NOT NULL DEFAULT FALSE,
    external_id BIGINT,
    created_at TIMESTAMP NOT NULL,
    moderated_at TIMESTAMP
);
CREATE INDEX opinion_statements_component ON opinion_statements (component_id, state);

-- One row per participant and statement: voting again updates it.
CREATE TABLE opinion_votes (
    statement_id BIGINT NOT NULL REFERENCES opinion_statements(id) ON DELETE CASCADE,
    participant_id BIGINT NOT NULL REFERENCES opinion_participants(id) ON DELETE CASCADE,
    component_id BIGINT NOT NULL,
    vote SMALLINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (statement_id, participant_id)
);
CREATE INDEX opinion_votes_component ON opinion_votes (component_id, participant_id);

-- The last recompute of a conversation: the result (gob) with its
-- history for the next warm start, and the votes it reflects.
CREATE TABLE opinion_results (
    component_id BIGINT PRIMARY KEY REFERENCES components(id) ON DELETE CASCADE,
    votes_count BIGINT NOT NULL,
    participants_count BIGINT NOT NULL,
    computed_at TIMESTAMP NOT NULL,
    duration_ms BIGINT NOT NULL,
    result {{BLOB}} NOT NULL
);

-- +goose Down
DROP TABLE opinion_results;
DROP TABLE opinion_votes;
DROP TABLE opinion_statements;
DROP TABLE opinion_participants;

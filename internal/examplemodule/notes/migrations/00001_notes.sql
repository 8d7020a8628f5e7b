-- SPDX-License-Identifier: AGPL-3.0-or-later
-- The notes module's table. {{ID}} becomes an auto-increment primary key
-- on SQLite and PostgreSQL alike.

-- +goose Up
CREATE TABLE notes_notes (
    id {{ID}},
    component_id BIGINT NOT NULL REFERENCES components(id) ON DELETE CASCADE,
    author_id BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX notes_notes_component ON notes_notes (component_id, created_at);

-- +goose Down
DROP TABLE notes_notes;

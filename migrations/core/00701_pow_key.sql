-- SPDX-License-Identifier: AGPL-3.0-or-later
-- The secret core/pow signs its stateless challenges with: one row, drawn
-- at first use, shared by every instance so that any of them verifies a
-- challenge another issued.

-- +goose Up
CREATE TABLE pow_keys (
    id INTEGER PRIMARY KEY,
    secret VARCHAR(128) NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE pow_keys;

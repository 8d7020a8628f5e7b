-- SPDX-License-Identifier: AGPL-3.0-or-later
-- Replacement draws: a member who drops out is ended and one volunteer of
-- the same type is drawn with the published seed machinery.

-- +goose Up
ALTER TABLE sortition_members ADD COLUMN ended_at TIMESTAMP;
CREATE TABLE sortition_replacements (
    id {{ID}},
    draw_id BIGINT NOT NULL REFERENCES sortition_draws(id) ON DELETE CASCADE,
    replaced VARCHAR(64) NOT NULL,
    replacement VARCHAR(64) NOT NULL,
    record TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX sortition_replacements_draw ON sortition_replacements (draw_id);

-- +goose Down
DROP TABLE sortition_replacements;
ALTER TABLE sortition_members DROP COLUMN ended_at;

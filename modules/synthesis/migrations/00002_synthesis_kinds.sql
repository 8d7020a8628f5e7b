-- SPDX-License-Identifier: AGPL-3.0-or-later
-- The kinds of contributions a version reads (JSON array of
-- Contribution.Kind, e.g. ["proposal","comment"]); empty: every kind, as
-- versions built before the column existed did.

-- +goose Up
ALTER TABLE syntheses ADD COLUMN kinds TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE syntheses DROP COLUMN kinds;

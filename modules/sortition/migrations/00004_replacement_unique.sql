-- SPDX-License-Identifier: AGPL-3.0-or-later
-- Concurrent replacement draws: a volunteer sits at most once on a draw's
-- panel, and a dropout is replaced at most once.

-- +goose Up
CREATE UNIQUE INDEX sortition_members_pseudonym ON sortition_members (draw_id, pseudonym);
CREATE UNIQUE INDEX sortition_replacements_replaced ON sortition_replacements (draw_id, replaced);

-- +goose Down
DROP INDEX sortition_replacements_replaced;
DROP INDEX sortition_members_pseudonym;

-- SPDX-License-Identifier: AGPL-3.0-or-later
-- Every login looks for the session's anonymous participants in all
-- conversations (MergeAnonymous), by key alone: the unique index starts
-- with the component, so without this one each login read the whole
-- table.

-- +goose Up
CREATE INDEX opinion_participants_anon_key ON opinion_participants (anon_key) WHERE anon_key IS NOT NULL;

-- +goose Down
DROP INDEX opinion_participants_anon_key;

-- SPDX-License-Identifier: AGPL-3.0-or-later
-- The process tables themselves are core's (migrations/core); this owner
-- only adds what the process pages query often.

-- +goose Up
CREATE INDEX processes_org_status ON processes (organisation_id, status);
CREATE INDEX process_sessions_window ON process_sessions (process_id, starts_at);

-- +goose Down
DROP INDEX process_sessions_window;
DROP INDEX processes_org_status;

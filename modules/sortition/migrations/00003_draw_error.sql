-- SPDX-License-Identifier: AGPL-3.0-or-later
-- Large pools are drawn by a background job; a failed computation (e.g.
-- quotas that conflict across categories) is reported here.

-- +goose Up
ALTER TABLE sortition_draws ADD COLUMN error TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE sortition_draws DROP COLUMN error;

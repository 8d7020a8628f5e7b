-- SPDX-License-Identifier: AGPL-3.0-or-later
-- Sign-up closing date: after this moment the form refuses volunteers
-- (NULL: the sign-up stays open until the organisers close it).

-- +goose Up
ALTER TABLE sortition_draws ADD COLUMN signup_closes_at TIMESTAMP;

-- +goose Down
ALTER TABLE sortition_draws DROP COLUMN signup_closes_at;

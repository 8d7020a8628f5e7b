-- SPDX-License-Identifier: AGPL-3.0-or-later
-- Sign-up: a draw can collect its pool through a form in the space. The
-- draw remembers when its sign-up was set up and whether volunteers are
-- asked for their household; a collected pool row records when its
-- volunteer consented, and an account signs up at most once per draw.

-- +goose Up
ALTER TABLE sortition_draws ADD COLUMN households BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE sortition_draws ADD COLUMN signup_opened_at TIMESTAMP;
ALTER TABLE sortition_pool ADD COLUMN consented_at TIMESTAMP;
CREATE UNIQUE INDEX sortition_pool_signup ON sortition_pool (draw_id, account_id) WHERE consented_at IS NOT NULL;

-- +goose Down
DROP INDEX sortition_pool_signup;
ALTER TABLE sortition_pool DROP COLUMN consented_at;
ALTER TABLE sortition_draws DROP COLUMN signup_opened_at;
ALTER TABLE sortition_draws DROP COLUMN households;

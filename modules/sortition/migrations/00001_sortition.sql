-- SPDX-License-Identifier: AGPL-3.0-or-later
-- Sortition: one draw per component, its pool (personal data, erased on
-- the retention schedule) and the drawn members.

-- +goose Up
CREATE TABLE sortition_draws (
    id {{ID}},
    organisation_id BIGINT NOT NULL,
    component_id BIGINT NOT NULL REFERENCES components(id) ON DELETE CASCADE,
    space_id BIGINT NOT NULL,
    panel_size INTEGER NOT NULL,
    categories TEXT NOT NULL,
    pool_size INTEGER NOT NULL DEFAULT 0,
    commitment VARCHAR(64) NOT NULL DEFAULT '',
    status VARCHAR(20) NOT NULL,
    pseudonym_key VARCHAR(64) NOT NULL DEFAULT '',
    record TEXT NOT NULL DEFAULT '',
    drawn_at TIMESTAMP,
    pool_erased_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX sortition_draws_component ON sortition_draws (component_id);

CREATE TABLE sortition_pool (
    id {{ID}},
    draw_id BIGINT NOT NULL REFERENCES sortition_draws(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    external_id VARCHAR(300) NOT NULL,
    features TEXT NOT NULL,
    household VARCHAR(300) NOT NULL DEFAULT '',
    account_id BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX sortition_pool_draw ON sortition_pool (draw_id, position);

CREATE TABLE sortition_members (
    id {{ID}},
    draw_id BIGINT NOT NULL REFERENCES sortition_draws(id) ON DELETE CASCADE,
    pseudonym VARCHAR(64) NOT NULL,
    account_id BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX sortition_members_draw ON sortition_members (draw_id);

-- +goose Down
DROP TABLE sortition_members;
DROP TABLE sortition_pool;
DROP TABLE sortition_draws;

-- SPDX-License-Identifier: AGPL-3.0-or-later
-- Retention periods (core/retention): per space (domain "process:3") or
-- organisation ("org:1"), how many days data of a category is kept before
-- the daily job erases it.

-- +goose Up
CREATE TABLE retention_policies (
    domain VARCHAR(80) NOT NULL,
    category VARCHAR(40) NOT NULL,
    days INTEGER NOT NULL,
    PRIMARY KEY (domain, category)
);

-- +goose Down
DROP TABLE retention_policies;

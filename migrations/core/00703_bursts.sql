-- SPDX-License-Identifier: AGPL-3.0-or-later
-- Guarded form posts per network prefix and minute (core/pow), for the
-- admin view of suspicious bursts: only a keyed hash of the /24 (IPv4) or
-- /48 (IPv6) prefix is stored, and rows are forgotten after a day.

-- +goose Up
CREATE TABLE pow_bursts (
    id {{ID}},
    purpose VARCHAR(40) NOT NULL,
    prefix_hash VARCHAR(16) NOT NULL,
    minute TIMESTAMP NOT NULL
);
CREATE INDEX pow_bursts_minute ON pow_bursts (minute);

-- +goose Down
DROP TABLE pow_bursts;

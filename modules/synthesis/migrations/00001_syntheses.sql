-- SPDX-License-Identifier: AGPL-3.0-or-later
-- Syntheses: one row per version (interim 1, 2, 3…, final) of a synthesis
-- component, its slice, its frozen result and the organisers' edits.

-- +goose Up
CREATE TABLE syntheses (
    id {{ID}},
    organisation_id BIGINT NOT NULL,
    component_id BIGINT NOT NULL REFERENCES components(id) ON DELETE CASCADE,
    space_id BIGINT NOT NULL,
    kind VARCHAR(10) NOT NULL,
    number INTEGER NOT NULL,
    sources TEXT NOT NULL,
    theme_id BIGINT NOT NULL DEFAULT 0,
    session_id BIGINT NOT NULL DEFAULT 0,
    date_from TIMESTAMP,
    date_to TIMESTAMP,
    status VARCHAR(20) NOT NULL,
    progress INTEGER NOT NULL DEFAULT 0,
    progress_note VARCHAR(200) NOT NULL DEFAULT '',
    job_id BIGINT NOT NULL DEFAULT 0,
    error TEXT NOT NULL DEFAULT '',
    input_hash VARCHAR(64) NOT NULL DEFAULT '',
    method_version VARCHAR(40) NOT NULL DEFAULT '',
    software_version VARCHAR(40) NOT NULL DEFAULT '',
    result TEXT NOT NULL DEFAULT '',
    labels TEXT NOT NULL DEFAULT '',
    introduction TEXT NOT NULL DEFAULT '',
    created_by BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    built_at TIMESTAMP,
    published_at TIMESTAMP
);
CREATE UNIQUE INDEX syntheses_version ON syntheses (component_id, kind, number);

-- +goose Down
DROP TABLE syntheses;

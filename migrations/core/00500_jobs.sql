-- SPDX-License-Identifier: AGPL-3.0-or-later
-- Background jobs: recomputations, syntheses, exports, retention.

-- +goose Up
CREATE TABLE jobs (
    id {{ID}},
    kind VARCHAR(60) NOT NULL,
    job_key VARCHAR(120) NOT NULL DEFAULT '',
    payload TEXT NOT NULL DEFAULT '{}',
    status VARCHAR(20) NOT NULL DEFAULT 'queued',
    progress INTEGER NOT NULL DEFAULT 0,
    message TEXT NOT NULL DEFAULT '',
    attempts INTEGER NOT NULL DEFAULT 0,
    run_after TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    started_at TIMESTAMP,
    finished_at TIMESTAMP
);
CREATE INDEX jobs_status_run ON jobs (status, run_after);
CREATE INDEX jobs_kind_key ON jobs (kind, job_key, status);

-- +goose Down
DROP TABLE jobs;

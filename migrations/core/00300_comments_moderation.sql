-- SPDX-License-Identifier: AGPL-3.0-or-later
-- Core services shared by modules: threaded comments on any resource, and
-- moderation (reports, hiding, the moderator queue).

-- +goose Up
CREATE TABLE comments (
    id {{ID}},
    organisation_id BIGINT NOT NULL,
    resource_type VARCHAR(60) NOT NULL,
    resource_id BIGINT NOT NULL,
    parent_id BIGINT REFERENCES comments(id),
    depth INTEGER NOT NULL DEFAULT 0,
    author_id BIGINT NOT NULL REFERENCES accounts(id),
    body TEXT NOT NULL,
    stance VARCHAR(10) NOT NULL DEFAULT 'neutral',
    edited_at TIMESTAMP,
    deleted_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX comments_resource ON comments (resource_type, resource_id, id);

-- One moderation per reported resource; hidden_at set while hidden.
CREATE TABLE moderations (
    id {{ID}},
    organisation_id BIGINT NOT NULL,
    space_id BIGINT NOT NULL DEFAULT 0,
    resource_type VARCHAR(60) NOT NULL,
    resource_id BIGINT NOT NULL,
    author_id BIGINT,
    link VARCHAR(500) NOT NULL DEFAULT '',
    excerpt TEXT NOT NULL DEFAULT '',
    reports_count INTEGER NOT NULL DEFAULT 0,
    hidden_at TIMESTAMP,
    hidden_by BIGINT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX moderations_resource ON moderations (resource_type, resource_id);
CREATE INDEX moderations_queue ON moderations (organisation_id, space_id, reports_count);

CREATE TABLE moderation_reports (
    id {{ID}},
    moderation_id BIGINT NOT NULL REFERENCES moderations(id) ON DELETE CASCADE,
    reporter_id BIGINT NOT NULL REFERENCES accounts(id),
    reason VARCHAR(20) NOT NULL,
    details TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX moderation_reports_once ON moderation_reports (moderation_id, reporter_id);

-- +goose Down
DROP TABLE moderation_reports;
DROP TABLE moderations;
DROP TABLE comments;

-- SPDX-License-Identifier: AGPL-3.0-or-later
-- Listing indexes that cover the filters and sorts of the browse page, so
-- a page of 20 is read from an index in order (not sorted from thousands
-- of rows), and the counts per theme and session come from one index.

-- +goose Up
DROP INDEX proposals_listing;
DROP INDEX proposals_supported;
CREATE INDEX proposals_recent ON proposals (component_id, published_at, state);
CREATE INDEX proposals_theme_recent ON proposals (component_id, theme_id, published_at, state);
CREATE INDEX proposals_by_supports ON proposals (component_id, supports_count, state);
CREATE INDEX proposals_theme_supports ON proposals (component_id, theme_id, supports_count, state);
CREATE INDEX proposals_counts ON proposals (component_id, theme_id, session_id, state);

-- +goose Down
DROP INDEX proposals_counts;
DROP INDEX proposals_theme_supports;
DROP INDEX proposals_by_supports;
DROP INDEX proposals_theme_recent;
DROP INDEX proposals_recent;
CREATE INDEX proposals_listing ON proposals (component_id, state, theme_id, published_at);
CREATE INDEX proposals_supported ON proposals (component_id, state, supports_count);

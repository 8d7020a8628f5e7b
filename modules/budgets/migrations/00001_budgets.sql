-- SPDX-License-Identifier: AGPL-3.0-or-later
-- Participatory budgets: budgets of a component, their projects, the
-- voters' baskets (built before checkout), the ballots (exactly one per
-- voter per budget: a unique index decides under concurrency) and the
-- published results.

-- +goose Up
CREATE TABLE budgets (
    id {{ID}},
    organisation_id BIGINT NOT NULL,
    component_id BIGINT NOT NULL REFERENCES components(id) ON DELETE CASCADE,
    space_id BIGINT NOT NULL,
    title VARCHAR(300) NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    total BIGINT NOT NULL,
    state VARCHAR(20) NOT NULL DEFAULT 'draft',
    ballot_kind VARCHAR(20) NOT NULL DEFAULT 'approval',
    knapsack BOOLEAN NOT NULL DEFAULT TRUE,
    max_cost BIGINT NOT NULL DEFAULT 0,
    min_projects INTEGER NOT NULL DEFAULT 0,
    max_projects INTEGER NOT NULL DEFAULT 0,
    threshold_percent INTEGER NOT NULL DEFAULT 0,
    max_points BIGINT NOT NULL DEFAULT 0,
    max_points_project BIGINT NOT NULL DEFAULT 0,
    max_score BIGINT NOT NULL DEFAULT 0,
    outcome_rule VARCHAR(20) NOT NULL DEFAULT 'mes',
    completion VARCHAR(20) NOT NULL DEFAULT 'add1',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX budgets_component ON budgets (component_id);

CREATE TABLE budget_projects (
    id {{ID}},
    budget_id BIGINT NOT NULL REFERENCES budgets(id) ON DELETE CASCADE,
    title VARCHAR(600) NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    cost BIGINT NOT NULL,
    theme_id BIGINT NOT NULL DEFAULT 0,
    location VARCHAR(300) NOT NULL DEFAULT '',
    image_url VARCHAR(1000) NOT NULL DEFAULT '',
    source_ref VARCHAR(200) NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX budget_projects_budget ON budget_projects (budget_id);

CREATE TABLE budget_basket_items (
    budget_id BIGINT NOT NULL REFERENCES budgets(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    project_id BIGINT NOT NULL REFERENCES budget_projects(id) ON DELETE CASCADE,
    points BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (budget_id, account_id, project_id)
);

-- The unique index is what makes "one ballot per voter per budget" hold
-- when two checkouts race: the second insert waits for the first
-- transaction and then fails.
CREATE TABLE budget_ballots (
    id {{ID}},
    budget_id BIGINT NOT NULL REFERENCES budgets(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX budget_ballots_voter ON budget_ballots (budget_id, account_id);

CREATE TABLE budget_ballot_lines (
    ballot_id BIGINT NOT NULL REFERENCES budget_ballots(id) ON DELETE CASCADE,
    project_id BIGINT NOT NULL REFERENCES budget_projects(id),
    points BIGINT NOT NULL DEFAULT 1,
    PRIMARY KEY (ballot_id, project_id)
);

CREATE TABLE budget_results (
    budget_id BIGINT NOT NULL REFERENCES budgets(id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    input_sha256 VARCHAR(64) NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (budget_id)
);

-- +goose Down
DROP TABLE budget_results;
DROP TABLE budget_ballot_lines;
DROP TABLE budget_ballots;
DROP TABLE budget_basket_items;
DROP TABLE budget_projects;
DROP TABLE budgets;

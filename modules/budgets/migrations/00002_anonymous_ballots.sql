-- SPDX-License-Identifier: AGPL-3.0-or-later
-- Erasure (GDPR art. 17) detaches a ballot from its voter's account: the
-- ballot stays counted, with account_id NULL (a unique index allows any
-- number of NULLs, on both dialects). SQLite cannot drop a NOT NULL, so
-- the two ballot tables are rebuilt the portable way: new tables, rows
-- copied (new ballot ids, mapped through old_id so the identity sequence
-- stays right on PostgreSQL), old tables dropped, new ones renamed.
-- export_key is the budget's secret key that numbers voters in the .pb
-- export in an order unrelated to ballot ids (vote order).

-- +goose Up
CREATE TABLE budget_ballots_v2 (
    id {{ID}},
    budget_id BIGINT NOT NULL REFERENCES budgets(id) ON DELETE CASCADE,
    account_id BIGINT REFERENCES accounts(id),
    created_at TIMESTAMP NOT NULL,
    old_id BIGINT
);
INSERT INTO budget_ballots_v2 (budget_id, account_id, created_at, old_id)
    SELECT budget_id, account_id, created_at, id FROM budget_ballots ORDER BY id;

CREATE TABLE budget_ballot_lines_v2 (
    ballot_id BIGINT NOT NULL REFERENCES budget_ballots_v2(id) ON DELETE CASCADE,
    project_id BIGINT NOT NULL REFERENCES budget_projects(id),
    points BIGINT NOT NULL DEFAULT 1,
    PRIMARY KEY (ballot_id, project_id)
);
INSERT INTO budget_ballot_lines_v2 (ballot_id, project_id, points)
    SELECT n.id, l.project_id, l.points FROM budget_ballot_lines l JOIN budget_ballots_v2 n ON n.old_id = l.ballot_id;

DROP TABLE budget_ballot_lines;
DROP TABLE budget_ballots;
ALTER TABLE budget_ballots_v2 RENAME TO budget_ballots;
ALTER TABLE budget_ballot_lines_v2 RENAME TO budget_ballot_lines;
ALTER TABLE budget_ballots DROP COLUMN old_id;
-- One ballot per voter per budget: the second of two racing inserts
-- waits for the first transaction, then fails.
CREATE UNIQUE INDEX budget_ballots_voter ON budget_ballots (budget_id, account_id);
CREATE INDEX budget_ballots_account ON budget_ballots (account_id);

ALTER TABLE budgets ADD COLUMN export_key VARCHAR(64) NOT NULL DEFAULT '';

-- +goose Down
-- The nullable account_id is compatible with 00001's schema use; only
-- the export key goes.
ALTER TABLE budgets DROP COLUMN export_key;

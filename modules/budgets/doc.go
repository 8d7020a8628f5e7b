// SPDX-License-Identifier: AGPL-3.0-or-later

// Package budgets is the participatory-budgeting module: budgets of a
// component with their projects, a server-side basket per voter checked
// against the budget's ballot rule, an atomic checkout (one ballot per voter
// per budget), and results published by greedy and by the Method of Equal
// Shares, recomputable by anyone from the anonymised .pb export.
//
// The pure rules live in the rules and pabulib subpackages; this package
// stores, serves and audits.
package budgets

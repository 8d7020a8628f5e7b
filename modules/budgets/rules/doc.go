// SPDX-License-Identifier: AGPL-3.0-or-later

// Package rules holds the participatory-budgeting rules: which ballots a
// voter may submit (ballot-rule validation) and what gets funded (greedy by
// votes, the Method of Equal Shares with its completions and the comparison
// step), with a per-project explanation of every outcome.
//
// Everything here is pure and deterministic: no I/O, no randomness, and
// every decision of the Method of Equal Shares is taken on exact rational
// values (see mes.go for how that is done without paying big.Rat prices on
// every voter).
package rules

// SPDX-License-Identifier: AGPL-3.0-or-later

// Package pabulib reads and writes participatory-budgeting instances in the
// pabulib .pb text format: a META section of key;value rows, a PROJECTS
// table and a VOTES table, all separated by semicolons.
//
// The parser is strict about structure (section order, unknown project ids,
// duplicate ids, non-positive costs, rows that do not match their header)
// and reports every error with the file name and line number, but it keeps
// everything it does not understand (unknown META keys, extra columns) so
// that Write reproduces the instance. Values are kept as the raw strings of
// the file; typed views (costs, budget, ballots) are parsed alongside.
package pabulib

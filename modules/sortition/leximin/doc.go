// SPDX-License-Identifier: AGPL-3.0-or-later

// Package leximin selects citizens' panels fairly: given a pool of
// volunteers, a panel size and quotas on feature values, it computes the
// LEXIMIN distribution over quota-satisfying panels (Flanigan, Gölz, Gupta,
// Hennig, Procaccia, Nature 2021): the one that maximises the smallest
// selection probability, then the second smallest, and so on.
//
// The computation works on types (volunteers with the same feature values
// and no household link), runs column generation with a dense
// bounded-variable simplex for the master LP and a branch-and-bound integer
// programme for the pricing problem, and fixes the volunteers whose dual
// value is positive after each maximin stage. The package also diagnoses
// infeasible quotas before any LP and simulates the greedy ("legacy")
// selection algorithm for comparison. It is pure: no I/O, deterministic for
// a given input and seed.
package leximin

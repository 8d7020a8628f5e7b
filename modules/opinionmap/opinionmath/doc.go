// SPDX-License-Identifier: AGPL-3.0-or-later

// Package opinionmath computes the opinion map of a conversation: the
// Pol.is method written out in /work/shared/OPINIONMAP.md, done sparsely.
//
// The pipeline of one full run (Compute) is:
//
//  1. a sparse participant × statement vote matrix (Matrix), where rejected
//     and meta statements are left out of the math;
//  2. a two-component PCA of the mean-imputed, centred matrix by power
//     iteration, computed without ever densifying the matrix (an imputed
//     entry equals its column mean, so once centred it is exactly zero);
//  3. a sparsity-aware projection of every participant;
//  4. the participants "in the conversation" (enough votes) are clustered:
//     k-means with k = 100 base clusters, then weighted k-means on the base
//     centres for k = 2 … max_k, k chosen by silhouette and smoothed over
//     runs through a History;
//  5. statistics per group: representative statements (repness), consensus,
//     group-informed consensus, majority and divisive statements, and the
//     routing priority used to pick the next statement to show.
//
// Update is the incremental path: it re-projects only the participants with
// new votes against the previous run's PCA and base clusters and refreshes
// the statistics, falling back to a full Compute every Options.FullEvery
// votes.
//
// Replay re-enacts a live server: the votes in time order, a full run with
// history at every tick of a cadence (Pol.is polls for votes every second).
// Pol.is's published groups are the end of such a history, so comparisons
// with them use Replay rather than one cold Compute.
//
// Everything is deterministic for a given matrix, history and Options.Seed:
// parallel sums are split into a fixed number of chunks combined in order,
// and every tie is broken towards the lowest index.
package opinionmath

// SPDX-License-Identifier: AGPL-3.0-or-later

// Package topics builds a synthesis of many contributions: per theme, it
// groups near-duplicates (MinHash over character 5-gram shingles, LSH
// bands, exact Jaccard ≥ 0.8), turns the distinct texts into TF-IDF
// vectors of Snowball stems and frequent bigrams (French and Dutch stems
// found in the FreeDict bilingual dictionaries counted as the English
// stem of their first translation, textan.ToEnglish), reduces them by latent
// semantic analysis (randomised SVD), clusters them by evidence
// accumulation over many spherical k-means runs (k-means++ seeding) cut by
// average linkage at the k with the best silhouette, then refined by
// spherical k-means over all texts, labels each topic with its top class-based
// TF-IDF terms, picks verbatim quotes by closeness to the topic centre with
// maximal marginal relevance, and counts every topic per session, author
// type and language.
//
// Every number leads back to contributions: each topic lists the ids of
// all its contributions (near-duplicates included) and its size is the
// length of that list; contributions that fit no topic are listed under
// "other contributions", and those that could not be analysed are listed
// as left out with the reason. The package is pure: no I/O, and the same
// input and seed always give the same synthesis.
//
// The number of topics is chosen by the silhouette. Stability criteria
// (Lange et al. 2004 on k-means and on the consensus itself, Monti et
// al. 2003 with PAC, the gap statistic, Fred & Jain's lifetime) were
// measured against it on every labelled set and picked worse k:
// BenchmarkKCriteria reproduces the comparison. The same benchmark
// measures other clustering steps in place of the consensus tree (Louvain
// communities of a nearest-neighbour graph; GSDMM, the Dirichlet
// multinomial mixture of Yin & Wang 2014, one chain or the consensus of
// many), and another representation (character 3- to 5-grams of the
// words added to the stems and bigrams): none raised both labelled sets.
// With POLDER_PIVOT=none or all it measures the pipeline without the
// bilingual dictionaries, or with every translation instead of the first.
//
// The method is described in /work/shared/SYNTHESIS.md and, with measured
// figures, in ../README.md.
package topics

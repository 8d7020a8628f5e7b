// SPDX-License-Identifier: AGPL-3.0-or-later

// Package synthesis is the synthesis module: an organiser picks the
// contribution sources of a space (the other components that implement
// registry.ContributionSource) and a slice (theme, session, dates); a
// background job builds the synthesis with the topics method; versions
// (interim 1, 2, 3…, final) are frozen once published, and every number
// leads back to the contributions it counts.
package synthesis

// SPDX-License-Identifier: AGPL-3.0-or-later

// Package opinionmap is the opinion-map module: a Pol.is-style
// conversation where participants vote agree, disagree or pass on short
// statements, add their own, and see the opinion groups, what each stands
// for and what unites them. The math lives in opinionmath; this package
// holds the conversation (statements, participants, votes, moderation),
// the background recompute, the pages (vote, map, report), the exports
// in Pol.is's format and the JSON API.
package opinionmap

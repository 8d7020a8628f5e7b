// SPDX-License-Identifier: AGPL-3.0-or-later

package registry

import "context"

// PersonalDataProvider is an optional capability of a module (or a space
// type) that keeps data about participants: proposals they filed, votes,
// ballots, comments, panel applications… When a participant downloads
// their data (GDPR art. 15 and 20), core calls PersonalData for every
// registered module that implements it and puts the result, encoded as
// JSON, under the module's id in the export.
//
// Return every record the module holds about the account, including
// private ones (the participant is the reader), but never another
// person's data and never secrets (hashes, tokens). Return nil when the
// module holds nothing about the account.
type PersonalDataProvider interface {
	PersonalData(ctx context.Context, accountID int64) (any, error)
}

// Eraser is an optional capability of a module (or a space type) that
// keeps data about participants. When a participant deletes their
// account, core calls Anonymise for every module that implements it,
// before anonymising the account itself; an error stops the deletion so
// that it can be retried (Anonymise must therefore be idempotent).
//
// Erasure anonymises, it does not delete contributions: public content
// (proposals, comments, statements) stays, now shown under the neutral
// name core gives the account, because the deliberation of others builds
// on it. A module removes what is private and no longer needed (drafts,
// private answers, contact details) and detaches anything that would
// identify the person (free-text signatures, uploaded personal files).
// Votes and ballots stay counted.
type Eraser interface {
	Anonymise(ctx context.Context, accountID int64) error
}

// SPDX-License-Identifier: AGPL-3.0-or-later

package budgets

import "context"

// SetCheckoutFault installs (nil: removes) a failure between the ballot
// row and its lines inside the checkout transaction, for the crash test.
func SetCheckoutFault(s *Service, f func(context.Context) error) { s.afterBallotInsert = f }

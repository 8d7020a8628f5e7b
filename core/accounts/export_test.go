// SPDX-License-Identifier: AGPL-3.0-or-later

package accounts

import "time"

// SetLimiterClock replaces a limiter's clock (tests only).
func SetLimiterClock(l *Limiter, now func() time.Time) { l.now = now }

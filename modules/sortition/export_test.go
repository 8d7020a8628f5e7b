// SPDX-License-Identifier: AGPL-3.0-or-later

package sortition

// SetAfterPoolRead sets the hook run between reading the pool and storing
// a draw, for the race tests; it returns the function that removes it.
func SetAfterPoolRead(f func()) func() {
	afterPoolRead = f
	return func() { afterPoolRead = nil }
}

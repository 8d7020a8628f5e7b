// SPDX-License-Identifier: AGPL-3.0-or-later

package topics

import (
	"runtime"
	"sync"
)

// parallelFor runs body over [0,n) split in contiguous chunks, one per
// available core. Bodies write only to their own indices, so results do
// not depend on the number of cores.
func parallelFor(n int, body func(lo, hi int)) {
	workers := runtime.GOMAXPROCS(0)
	if workers > n/64 {
		workers = max(1, n/64)
	}
	if workers <= 1 {
		body(0, n)
		return
	}
	var wg sync.WaitGroup
	chunk := (n + workers - 1) / workers
	for lo := 0; lo < n; lo += chunk {
		hi := min(n, lo+chunk)
		wg.Add(1)
		go func() {
			defer wg.Done()
			body(lo, hi)
		}()
	}
	wg.Wait()
}

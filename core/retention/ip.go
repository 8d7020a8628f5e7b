// SPDX-License-Identifier: AGPL-3.0-or-later

package retention

import (
	"context"
	"fmt"
	"time"
)

// addressTables are core's records keyed by a client address, with the
// column that dates each row. Core keeps no raw address: login_attempts
// holds keyed hashes of rate-limit keys ("ip:<address>" among others) and
// pow_bursts a keyed hash of the address's network prefix. Keep this list
// in step with migrations/core and docs/privacy.md.
var addressTables = []struct{ table, column string }{
	{"login_attempts", "created_at"},
	{"pow_bursts", "minute"},
}

// eraseAddressRecords is the `ip` eraser. The address records carry no
// organisation or space, so it ignores domain and erases every row older
// than before: as Run calls it once per space that set an `ip` period,
// the shortest period set anywhere on the instance is the one that
// applies (a longer one erases nothing more). Rate-limit rows cannot be
// told apart by key (they are hashed), so account-keyed counters in
// login_attempts go too; periods are whole days and limit windows at most
// a day, so no running limit loses its counts.
func (s *Service) eraseAddressRecords(ctx context.Context, _ string, before time.Time) (int64, error) {
	var n int64
	for _, t := range addressTables {
		res := s.db.WithContext(ctx).Exec("DELETE FROM "+t.table+" WHERE "+t.column+" < ?", before)
		if res.Error != nil {
			return n, fmt.Errorf("erasing %s: %w", t.table, res.Error)
		}
		n += res.RowsAffected
	}
	return n, nil
}

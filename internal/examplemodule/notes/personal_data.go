// SPDX-License-Identifier: AGPL-3.0-or-later

package notes

import (
	"context"
	"fmt"
)

// PersonalData returns the notes an account pinned, for the
// participant's data download (registry.PersonalDataProvider).
func (m *Module) PersonalData(ctx context.Context, accountID int64) (any, error) {
	if m.board == nil {
		return nil, nil // not mounted: this instance serves no notes
	}
	var list []Note
	if err := m.board.db.WithContext(ctx).Where("author_id = ?", accountID).Order("id").Find(&list).Error; err != nil {
		return nil, fmt.Errorf("exporting notes: %w", err)
	}
	if len(list) == 0 {
		return nil, nil
	}
	return list, nil
}

// Anonymise detaches an erased account from its notes
// (registry.Eraser): the notes stay on the board, with no author. It is
// idempotent, as core requires.
func (m *Module) Anonymise(ctx context.Context, accountID int64) error {
	if m.board == nil {
		return nil
	}
	if err := m.board.db.WithContext(ctx).Model(&Note{}).Where("author_id = ?", accountID).Update("author_id", nil).Error; err != nil {
		return fmt.Errorf("anonymising notes: %w", err)
	}
	return nil
}

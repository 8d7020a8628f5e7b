// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"context"
	"errors"
	"io"
)

// applyCmd is replaced by the process preset work (spaces/process).
func applyCmd(ctx context.Context, args []string, out io.Writer) error {
	return errors.New("apply: not implemented yet")
}

// SPDX-License-Identifier: AGPL-3.0-or-later

package command

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/polder-civic/polder/modules/sortition/lottery"
)

func runVerify(args []string, stdout io.Writer) error {
	start := time.Now()
	fs := newFlagSet("verify", stdout)
	pos, err := parse(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return fmt.Errorf("verify: %w", err)
	}
	if len(pos) != 1 {
		fs.Usage()
		return fmt.Errorf("%w: verify takes one RECORD.json", ErrUsage)
	}
	f, err := os.Open(pos[0])
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	defer f.Close()
	panelRec, itemRec, err := lottery.ReadRecord(f)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	if panelRec != nil {
		panel, err := panelRec.Verify()
		if err != nil {
			return fmt.Errorf("verify: %w", err)
		}
		fmt.Fprintf(stdout, "Record verified: seed (%s) draws index %d of %d equally likely panels; every panel meets the quotas.\n",
			panelRec.Seed.Method, panelRec.Index, len(panelRec.Panels))
		fmt.Fprintf(stdout, "Panel (%d members): %s\n", len(panel), strings.Join(panel, " "))
	} else {
		ids, err := itemRec.Verify()
		if err != nil {
			return fmt.Errorf("verify: %w", err)
		}
		fmt.Fprintf(stdout, "Record verified: seed (%s) draws %d of %d items.\n", itemRec.Seed.Method, itemRec.N, len(itemRec.Items))
		fmt.Fprintf(stdout, "Selected: %s\n", strings.Join(ids, " "))
	}
	fmt.Fprintf(stdout, "Time taken: %s\n", time.Since(start).Round(time.Millisecond))
	return nil
}

func runCommit(args []string, stdout io.Writer) error {
	fs := newFlagSet("commit", stdout)
	secret := fs.String("secret", "", "the secret to commit to (keep it until the draw)")
	if _, err := parse(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return fmt.Errorf("commit: %w", err)
	}
	if *secret == "" {
		fs.Usage()
		return fmt.Errorf("%w: commit needs --secret", ErrUsage)
	}
	fmt.Fprintln(stdout, lottery.Commit(*secret))
	return nil
}

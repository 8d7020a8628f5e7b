// SPDX-License-Identifier: AGPL-3.0-or-later

// Package realdata locates the shared real data that tests reproduce
// published results on (Pol.is conversations, pabulib elections, sortition
// pools): ../shared/data beside the checkout, or $POLDER_SHARED_DATA. It
// opens no database, so pure algorithm packages stay free of storage.
package realdata

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// SharedDataDir returns the absolute path of the shared real-data folder
// (../shared/data beside the checkout, or $POLDER_SHARED_DATA). A test that
// needs it fails loudly when it is missing: CI always has it, and a skipped
// test would hide a regression.
func SharedDataDir(tb testing.TB) string {
	tb.Helper()
	if dir := os.Getenv("POLDER_SHARED_DATA"); dir != "" {
		return dir
	}
	root, err := RepoRoot()
	if err != nil {
		tb.Fatalf("locating repository root: %v", err)
	}
	dir := filepath.Join(filepath.Dir(root), "shared", "data")
	if _, err := os.Stat(dir); err != nil {
		tb.Fatalf("shared data folder %s is missing (set POLDER_SHARED_DATA): %v", dir, err)
	}
	return dir
}

// SharedData returns the path of a file or folder inside the shared data
// folder, failing the test when it does not exist.
func SharedData(tb testing.TB, rel ...string) string {
	tb.Helper()
	p := filepath.Join(append([]string{SharedDataDir(tb)}, rel...)...)
	if _, err := os.Stat(p); err != nil {
		tb.Fatalf("shared data %s: %v", p, err)
	}
	return p
}

// RepoRoot walks up from the working directory to the folder holding go.mod.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}

// Head is the start of a real file, at most max bytes cut at a line end:
// a fuzz seed of a few kilobytes that the fuzzer can mutate quickly.
func Head(b []byte, max int) []byte {
	if len(b) <= max {
		return b
	}
	b = b[:max]
	if i := bytes.LastIndexByte(b, '\n'); i > 0 {
		b = b[:i+1]
	}
	return b
}

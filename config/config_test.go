// SPDX-License-Identifier: AGPL-3.0-or-later

package config

import "testing"

func TestSourceURLFromEnvironment(t *testing.T) {
	t.Setenv("POLDER_CONFIG", "")
	t.Setenv("POLDER_SOURCE_URL", "https://code.example.org/city/polder")
	cfg, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.SourceURL != "https://code.example.org/city/polder" {
		t.Errorf("source URL %q", cfg.SourceURL)
	}
}

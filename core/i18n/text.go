// SPDX-License-Identifier: AGPL-3.0-or-later

package i18n

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
)

// Text is content written in several locales (a process title, a theme),
// stored as a JSON object {"en": "...", "fr": "..."}.
type Text map[string]string

// In returns the text in locale, falling back to fallback, then to any
// locale in a stable order.
func (t Text) In(locale, fallback string) string {
	if s := t[locale]; s != "" {
		return s
	}
	if s := t[fallback]; s != "" {
		return s
	}
	for _, l := range []string{"en", "fr", "nl"} {
		if s := t[l]; s != "" {
			return s
		}
	}
	for _, s := range t {
		return s
	}
	return ""
}

// Value implements driver.Valuer.
func (t Text) Value() (driver.Value, error) {
	if t == nil {
		return "{}", nil
	}
	b, err := json.Marshal(map[string]string(t))
	return string(b), err
}

// Scan implements sql.Scanner.
func (t *Text) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case string:
		b = []byte(v)
	case []byte:
		b = v
	case nil:
		*t = Text{}
		return nil
	default:
		return fmt.Errorf("scanning i18n.Text from %T", src)
	}
	m := map[string]string{}
	if len(b) > 0 {
		if err := json.Unmarshal(b, &m); err != nil {
			return fmt.Errorf("decoding i18n.Text: %w", err)
		}
	}
	*t = m
	return nil
}

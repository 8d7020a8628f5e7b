// SPDX-License-Identifier: AGPL-3.0-or-later

package registry

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// SettingType is the type of a setting's value.
type SettingType string

// Setting types. Values are stored as JSON; forms post strings, which
// Schema.Parse converts and validates.
const (
	Bool   SettingType = "bool"
	Int    SettingType = "int"
	String SettingType = "string"
	Text   SettingType = "text"
	Enum   SettingType = "enum"
)

// Setting declares one typed setting.
type Setting struct {
	Key  string
	Type SettingType
	// Default is a bool, int, or string matching Type.
	Default any
	// Min and Max bound Int settings (inclusive) and the length of String
	// and Text settings, when non-nil.
	Min, Max *int
	// Options are the allowed values of an Enum setting.
	Options []string
	// Label and Help are i18n message IDs.
	Label, Help string
}

// Schema is an ordered list of settings.
type Schema []Setting

// Values are settings values by key, with every key of the schema present.
type Values map[string]any

// FieldErrors maps a setting key to an i18n message ID explaining what is
// wrong, with its template data.
type FieldErrors map[string]FieldError

// FieldError is one invalid field.
type FieldError struct {
	MessageID string
	Data      map[string]any
}

// IntPtr is a helper for Min and Max.
func IntPtr(i int) *int { return &i }

func (s Schema) check() error {
	seen := map[string]bool{}
	for _, st := range s {
		if st.Key == "" || seen[st.Key] {
			return fmt.Errorf("empty or duplicate key %q", st.Key)
		}
		seen[st.Key] = true
		if _, errID := st.convert(st.Default); errID != "" {
			return fmt.Errorf("setting %q: default %v does not fit type %s", st.Key, st.Default, st.Type)
		}
		if st.Type == Enum && len(st.Options) == 0 {
			return fmt.Errorf("setting %q: enum without options", st.Key)
		}
	}
	return nil
}

// Defaults returns every setting at its default.
func (s Schema) Defaults() Values {
	v := Values{}
	for _, st := range s {
		v[st.Key] = st.Default
	}
	return v
}

// Decode reads stored JSON, keeping valid stored values and filling
// defaults for missing or no-longer-valid ones (a setting added in a new
// module version needs no data migration).
func (s Schema) Decode(raw string) Values {
	v := s.Defaults()
	if raw == "" {
		return v
	}
	var stored map[string]any
	if err := json.Unmarshal([]byte(raw), &stored); err != nil {
		return v
	}
	for _, st := range s {
		if x, ok := stored[st.Key]; ok {
			if val, errID := st.convert(x); errID == "" {
				v[st.Key] = val
			}
		}
	}
	return v
}

// Encode serialises values for storage.
func (v Values) Encode() string {
	b, _ := json.Marshal(map[string]any(v))
	return string(b)
}

// Parse converts and validates form input (strings by key). Bool settings
// absent from the form are false (unchecked checkboxes are not posted).
// It returns the values and, when any field is invalid, per-field errors;
// the caller must then change nothing.
func (s Schema) Parse(form map[string]string) (Values, FieldErrors) {
	v := Values{}
	errs := FieldErrors{}
	for _, st := range s {
		raw, present := form[st.Key]
		if st.Type == Bool {
			raw = strings.TrimSpace(raw)
			v[st.Key] = present && (raw == "on" || raw == "true" || raw == "1")
			continue
		}
		if !present {
			v[st.Key] = st.Default
			continue
		}
		val, errID := st.convert(raw)
		if errID != "" {
			errs[st.Key] = FieldError{MessageID: errID, Data: st.bounds()}
			continue
		}
		v[st.Key] = val
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return v, nil
}

func (st Setting) bounds() map[string]any {
	d := map[string]any{}
	if st.Min != nil {
		d["Min"] = *st.Min
	}
	if st.Max != nil {
		d["Max"] = *st.Max
	}
	if len(st.Options) > 0 {
		d["Options"] = strings.Join(st.Options, ", ")
	}
	return d
}

// convert turns x (from JSON or a form) into the setting's Go type, or
// returns the i18n message ID of the problem.
func (st Setting) convert(x any) (any, string) {
	switch st.Type {
	case Bool:
		switch b := x.(type) {
		case bool:
			return b, ""
		case string:
			return b == "true" || b == "on" || b == "1", ""
		}
		return nil, "settings.error.bool"
	case Int:
		var n int
		switch y := x.(type) {
		case int:
			n = y
		case float64:
			if y != float64(int(y)) {
				return nil, "settings.error.int"
			}
			n = int(y)
		case string:
			p, err := strconv.Atoi(strings.TrimSpace(y))
			if err != nil {
				return nil, "settings.error.int"
			}
			n = p
		default:
			return nil, "settings.error.int"
		}
		if st.Min != nil && n < *st.Min {
			return nil, "settings.error.min"
		}
		if st.Max != nil && n > *st.Max {
			return nil, "settings.error.max"
		}
		return n, ""
	case String, Text, Enum:
		str, ok := x.(string)
		if !ok {
			return nil, "settings.error.string"
		}
		if st.Type != Text {
			str = strings.TrimSpace(str)
		}
		if st.Type == Enum {
			if !slices.Contains(st.Options, str) {
				return nil, "settings.error.enum"
			}
			return str, ""
		}
		if st.Min != nil && len([]rune(str)) < *st.Min {
			return nil, "settings.error.minlength"
		}
		if st.Max != nil && len([]rune(str)) > *st.Max {
			return nil, "settings.error.maxlength"
		}
		return str, ""
	}
	return nil, "settings.error.type"
}

// Bool returns a bool setting (false when absent).
func (v Values) Bool(key string) bool { b, _ := v[key].(bool); return b }

// Int returns an int setting (0 when absent).
func (v Values) Int(key string) int {
	switch n := v[key].(type) {
	case int:
		return n
	case float64:
		return int(n)
	}
	return 0
}

// String returns a string, text or enum setting.
func (v Values) String(key string) string { s, _ := v[key].(string); return s }

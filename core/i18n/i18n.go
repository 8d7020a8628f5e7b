// SPDX-License-Identifier: AGPL-3.0-or-later

// Package i18n translates every user-visible string of core and modules
// with go-i18n. Each owner (a core package, a module, the theme) ships YAML
// message files named after their locale (en.yaml, fr.yaml, nl.yaml) and
// adds them to the one Bundle; Missing reports any message lacking a
// translation in a supported locale, and a test keeps that list empty.
package i18n

import (
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"sort"
	"strings"
	"sync"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"gopkg.in/yaml.v3"
)

// Supported are the locales every message must exist in.
var Supported = []string{"en", "fr", "nl"}

// Bundle holds every message of every owner.
type Bundle struct {
	b  *goi18n.Bundle
	mu sync.RWMutex
	// ids[owner][locale] = message IDs, for the completeness check.
	ids        map[string]map[string]map[string]bool
	localizers map[string]*goi18n.Localizer
}

// New returns an empty bundle with English as the fallback language.
func New() *Bundle {
	b := goi18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	return &Bundle{b: b, ids: map[string]map[string]map[string]bool{}, localizers: map[string]*goi18n.Localizer{}}
}

// AddFS loads every <locale>.yaml at the root of fsys as the messages of
// owner (a name used only in reports).
func (bd *Bundle) AddFS(owner string, fsys fs.FS) error {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return fmt.Errorf("reading messages of %s: %w", owner, err)
	}
	bd.mu.Lock()
	defer bd.mu.Unlock()
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".yaml" {
			continue
		}
		data, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return fmt.Errorf("reading %s/%s: %w", owner, e.Name(), err)
		}
		mf, err := bd.b.ParseMessageFileBytes(data, e.Name())
		if err != nil {
			return fmt.Errorf("parsing messages %s/%s: %w", owner, e.Name(), err)
		}
		loc := strings.TrimSuffix(e.Name(), ".yaml")
		if bd.ids[owner] == nil {
			bd.ids[owner] = map[string]map[string]bool{}
		}
		if bd.ids[owner][loc] == nil {
			bd.ids[owner][loc] = map[string]bool{}
		}
		for _, m := range mf.Messages {
			bd.ids[owner][loc][m.ID] = true
		}
	}
	bd.localizers = map[string]*goi18n.Localizer{}
	return nil
}

// MustAddFS is AddFS for start-up code with embedded files.
func (bd *Bundle) MustAddFS(owner string, fsys fs.FS) {
	if err := bd.AddFS(owner, fsys); err != nil {
		panic(err)
	}
}

// Missing lists "owner: locale: id" for each message that exists in one
// supported locale of an owner but not in another.
func (bd *Bundle) Missing() []string {
	bd.mu.RLock()
	defer bd.mu.RUnlock()
	var out []string
	for owner, byLoc := range bd.ids {
		all := map[string]bool{}
		for _, ids := range byLoc {
			for id := range ids {
				all[id] = true
			}
		}
		for _, loc := range Supported {
			for id := range all {
				if !byLoc[loc][id] {
					out = append(out, fmt.Sprintf("%s: %s: %s", owner, loc, id))
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// Has reports whether a message ID exists in English.
func (bd *Bundle) Has(id string) bool {
	bd.mu.RLock()
	defer bd.mu.RUnlock()
	for _, byLoc := range bd.ids {
		if byLoc["en"][id] {
			return true
		}
	}
	return false
}

func (bd *Bundle) localizer(locale string) *goi18n.Localizer {
	bd.mu.RLock()
	l := bd.localizers[locale]
	bd.mu.RUnlock()
	if l != nil {
		return l
	}
	bd.mu.Lock()
	defer bd.mu.Unlock()
	l = goi18n.NewLocalizer(bd.b, locale, "en")
	bd.localizers[locale] = l
	return l
}

// T translates id into locale with template data. A missing message is
// logged and shown as its ID, so a gap is visible but never fatal.
func (bd *Bundle) T(locale, id string, data map[string]any) string {
	s, err := bd.localizer(locale).Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil {
		slog.Warn("missing translation", "locale", locale, "id", id, "err", err)
		return id
	}
	return s
}

// N translates a message with plural forms for count.
func (bd *Bundle) N(locale, id string, count int, data map[string]any) string {
	if data == nil {
		data = map[string]any{}
	}
	data["Count"] = count
	s, err := bd.localizer(locale).Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: count})
	if err != nil {
		slog.Warn("missing translation", "locale", locale, "id", id, "err", err)
		return id
	}
	return s
}

// Negotiate picks the best of offered for an Accept-Language header.
func Negotiate(acceptLanguage string, offered []string) string {
	if len(offered) == 0 {
		return "en"
	}
	tags := make([]language.Tag, 0, len(offered))
	for _, o := range offered {
		tags = append(tags, language.Make(o))
	}
	m := language.NewMatcher(tags)
	prefs, _, _ := language.ParseAcceptLanguage(acceptLanguage)
	_, idx, conf := m.Match(prefs...)
	if conf == language.No {
		return offered[0]
	}
	return offered[idx]
}

// IsSupported reports whether locale is one of Supported.
func IsSupported(locale string) bool {
	for _, s := range Supported {
		if s == locale {
			return true
		}
	}
	return false
}

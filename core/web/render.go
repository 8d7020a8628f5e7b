// SPDX-License-Identifier: AGPL-3.0-or-later

package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/core/i18n"
	"github.com/polder-civic/polder/core/orgs"
)

// Renderer parses the theme's layout and partials once, then each page
// (theme pages and module pages) on top of a clone of them, so every page
// can define the same blocks ("title", "content").
type Renderer struct {
	bundle *i18n.Bundle
	mu     sync.RWMutex
	base   *template.Template
	pages  map[string]*template.Template
}

// Funcs available to every template. Translation goes through methods of
// Page ({{.T "id"}}) because it needs the request's locale.
var Funcs = template.FuncMap{
	"add":      func(a, b int) int { return a + b },
	"sub":      func(a, b int) int { return a - b },
	"date":     func(t time.Time) string { return t.UTC().Format("2006-01-02") },
	"datetime": DateTime,
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[fmt.Sprint(kv[i])] = kv[i+1]
		}
		return m
	},
	"pct": func(part, total int) int {
		if total == 0 {
			return 0
		}
		return part * 100 / total
	},
}

// NewRenderer loads the theme's templates/ folder: files under partials/
// and layout.html form the base; every other .html file is a page named by
// its path without extension ("home", "accounts/login").
func NewRenderer(bundle *i18n.Bundle, theme fs.FS) (*Renderer, error) {
	r := &Renderer{bundle: bundle, pages: map[string]*template.Template{}}
	tfs, err := fs.Sub(theme, "templates")
	if err != nil {
		return nil, err
	}
	base := template.New("").Funcs(Funcs)
	var pages []string
	err = fs.WalkDir(tfs, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".html" {
			return err
		}
		if p == "layout.html" || strings.HasPrefix(p, "partials/") {
			b, err := fs.ReadFile(tfs, p)
			if err != nil {
				return err
			}
			if _, err := base.New(p).Parse(string(b)); err != nil {
				return fmt.Errorf("parsing %s: %w", p, err)
			}
			return nil
		}
		pages = append(pages, p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("loading theme templates: %w", err)
	}
	r.base = base
	for _, p := range pages {
		if err := r.addPage(tfs, p, strings.TrimSuffix(p, ".html")); err != nil {
			return nil, err
		}
	}
	return r, nil
}

func (r *Renderer) addPage(fsys fs.FS, file, name string) error {
	b, err := fs.ReadFile(fsys, file)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	t, err := r.base.Clone()
	if err != nil {
		return err
	}
	if _, err := t.New(name).Parse(string(b)); err != nil {
		return fmt.Errorf("parsing page %s: %w", name, err)
	}
	r.pages[name] = t
	return nil
}

// AddPages adds a module's pages: every .html file of fsys becomes the
// page "<prefix>/<path without .html>".
func (r *Renderer) AddPages(prefix string, fsys fs.FS) error {
	return fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".html" {
			return err
		}
		return r.addPage(fsys, p, prefix+"/"+strings.TrimSuffix(p, ".html"))
	})
}

// Has reports whether a page exists.
func (r *Renderer) Has(name string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	_, ok := r.pages[name]
	return ok
}

// Page is what every template receives: the request's organisation,
// account and locale, translation methods, and the handler's Data.
type Page struct {
	Name    string
	Org     *orgs.Organisation
	Account *accounts.Account
	Locale  string
	Locales []string
	CSRF    string
	Path    string
	Query   string
	Flash   string
	Version string
	// SourceURL links the footer to the source code (empty: no link).
	SourceURL string
	Title     string
	// IsAdmin is true for organisation admins (admin links in the header).
	IsAdmin bool
	Data    any
	bundle  *i18n.Bundle
}

// T translates a message; kv are key/value pairs of template data.
func (p *Page) T(id string, kv ...any) string {
	return p.bundle.T(p.Locale, id, kvMap(kv))
}

// N translates a message with plural forms.
func (p *Page) N(id string, count int, kv ...any) string {
	return p.bundle.N(p.Locale, id, count, kvMap(kv))
}

// Tr translates a message id with a data map (for error structs).
func (p *Page) Tr(id string, data map[string]any) string { return p.bundle.T(p.Locale, id, data) }

// Text picks the page's locale from translated content.
func (p *Page) Text(t i18n.Text) string {
	def := "en"
	if p.Org != nil {
		def = p.Org.DefaultLocale
	}
	return t.In(p.Locale, def)
}

// LocaleURL is the current page in another locale.
func (p *Page) LocaleURL(loc string) string {
	return p.Path + "?locale=" + loc
}

func kvMap(kv []any) map[string]any {
	if len(kv) == 0 {
		return nil
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[fmt.Sprint(kv[i])] = kv[i+1]
	}
	return m
}

// NewPage builds the page context for a request.
func (s *Server) NewPage(c echo.Context, name string, data any) *Page {
	ctx := c.Request().Context()
	p := &Page{Name: name, Org: Org(c), Account: Account(c), Locale: Locale(c), CSRF: s.CSRFToken(c),
		Path: c.Request().URL.Path, Query: c.Request().URL.RawQuery, Version: s.Version, SourceURL: s.SourceURL, Data: data, bundle: s.Bundle}
	if p.Org != nil {
		p.Locales = p.Org.LocaleList()
	}
	if p.Account != nil {
		// Admins by account flag or by an organisation-wide grant.
		p.IsAdmin = p.Account.OrgAdmin
		if !p.IsAdmin {
			if ok, err := s.CanIn(ctx, c, "org", "org.admin"); err == nil {
				p.IsAdmin = ok
			}
		}
	}
	if f := s.Sessions.PopString(ctx, "flash"); f != "" {
		p.Flash = f
	}
	return p
}

// Render writes a page with a status.
func (s *Server) Render(c echo.Context, status int, name string, data any) error {
	return s.RenderPage(c, status, s.NewPage(c, name, data))
}

// RenderPage writes a prepared page.
func (s *Server) RenderPage(c echo.Context, status int, p *Page) error {
	s.Renderer.mu.RLock()
	t := s.Renderer.pages[p.Name]
	s.Renderer.mu.RUnlock()
	if t == nil {
		return fmt.Errorf("no template %q", p.Name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, p.Name, p); err != nil {
		return fmt.Errorf("rendering %s: %w", p.Name, err)
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// Redirect answers a form post with 303 See Other.
func Redirect(c echo.Context, url string) error {
	return c.Redirect(http.StatusSeeOther, url)
}

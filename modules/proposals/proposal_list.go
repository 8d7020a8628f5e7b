// SPDX-License-Identifier: AGPL-3.0-or-later

package proposals

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/polder-civic/polder/core/moderation"
	"github.com/polder-civic/polder/core/store"
	"github.com/polder-civic/polder/core/web"
)

// Sorts of the listing.
const (
	SortRecent    = "recent"
	SortSupported = "supported"
	SortRandom    = "random"
)

// ListQuery filters, sorts and pages the listing.
type ListQuery struct {
	ThemeID   int64
	SessionID int64
	// State is a lifecycle state (published, withdrawn) or an answer
	// state (evaluating, accepted, rejected); empty for all public ones.
	State string
	// AuthorKind is "person" or "group"; empty for both.
	AuthorKind string
	Search     string
	Sort       string
	// Seed orders the random sort; one visitor keeps one seed so pages
	// do not repeat or skip proposals.
	Seed    int64
	Page    int
	PerPage int
	// Locale chooses the full-text configuration.
	Locale string
	// total, when non-negative, is the number of matches already known
	// from the counts per theme and session (the page computes those
	// anyway), which saves counting again.
	total int64
}

// ListItem is a proposal with its author's public name.
type ListItem struct {
	Proposal
	AuthorName string `json:"author"`
}

// ListResult is one page of proposals.
type ListResult struct {
	Items   []ListItem `json:"items"`
	Total   int64      `json:"total"`
	Page    int        `json:"page"`
	PerPage int        `json:"per_page"`
	Pages   int        `json:"pages"`
}

// MaxPerPage bounds a page.
const MaxPerPage = 100

// publicStates are the states anyone sees; drafts are their author's.
var publicStates = []string{StatePublished, StateWithdrawn}

// ftsConfig maps a locale to PostgreSQL's text-search configuration.
func ftsConfig(locale string) string {
	switch locale {
	case "fr":
		return "french"
	case "nl":
		return "dutch"
	case "en":
		return "english"
	}
	return "simple"
}

// filtered applies the query's filters to the component's visible
// proposals (hidden ones are never listed).
func (s *Service) filtered(ctx context.Context, componentID int64, q ListQuery) *gorm.DB {
	db := s.db.WithContext(ctx).Table("proposals p").
		Where("p.component_id = ? AND p.state IN ?", componentID, publicStates).
		Where(moderation.NotHiddenSQL(ResourceType, "p.id"))
	if q.ThemeID != 0 {
		db = db.Where("p.theme_id = ?", q.ThemeID)
	}
	if q.SessionID != 0 {
		db = db.Where("p.session_id = ?", q.SessionID)
	}
	switch q.State {
	case StatePublished, StateWithdrawn:
		db = db.Where("p.state = ?", q.State)
	case AnswerEvaluating, AnswerAccepted, AnswerRejected:
		db = db.Where("p.answer_state = ?", q.State)
	}
	if q.AuthorKind == "person" || q.AuthorKind == "group" {
		db = db.Where("p.author_kind = ?", q.AuthorKind)
	}
	if search := strings.TrimSpace(q.Search); search != "" {
		switch {
		case s.db.Dialect == store.Postgres:
			cfg := ftsConfig(q.Locale)
			db = db.Where("to_tsvector('"+cfg+"', p.title || ' ' || p.body) @@ plainto_tsquery('"+cfg+"', ?)", search)
		case s.fts && ftsMatch(search) != "":
			db = db.Where("p.id IN (SELECT rowid FROM proposals_fts WHERE proposals_fts MATCH ?)", ftsMatch(search))
		default:
			// No FTS5: every word must appear in the title or the body
			// (LIKE is case-insensitive for ASCII letters only).
			words := strings.Fields(search)
			if len(words) > 8 {
				words = words[:8]
			}
			for _, w := range words {
				pat := "%" + likeEscape.Replace(w) + "%"
				db = db.Where("(p.title LIKE ? ESCAPE '\\' OR p.body LIKE ? ESCAPE '\\')", pat, pat)
			}
		}
	}
	return db
}

// randomFactor maps a seed to a multiplier in [2^20, 2^31-2] through a
// SplitMix64 step, so that nearby seeds give unrelated orders and the
// multiplier is never small (small ones keep ids nearly in order).
func randomFactor(seed int64) int64 {
	z := uint64(seed) + 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	z ^= z >> 31
	const lo, hi = 1 << 20, 2147483646
	return lo + int64(z%uint64(hi-lo))
}

var likeEscape = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// List returns one page of the component's visible proposals.
func (s *Service) List(ctx context.Context, sc *Scope, q ListQuery) (*ListResult, error) {
	if q.PerPage <= 0 || q.PerPage > MaxPerPage {
		q.PerPage = 20
	}
	if q.Page < 1 {
		q.Page = 1
	}
	res := &ListResult{Page: q.Page, PerPage: q.PerPage, Items: []ListItem{}, Total: q.total}
	if q.total <= 0 && s.counts != nil && totalFrom(nil, q) >= 0 {
		// Filtered by theme and session only: the total is a sum of the
		// cached counts per theme and session (see CacheCounts), not a
		// count of the rows.
		counts, err := s.Counts(ctx, sc)
		if err != nil {
			return nil, err
		}
		res.Total = totalFrom(counts, q)
	} else if q.total <= 0 {
		if err := s.filtered(ctx, sc.Component.ID, q).Count(&res.Total).Error; err != nil {
			return nil, fmt.Errorf("counting proposals: %w", err)
		}
	}
	res.Pages = int((res.Total + int64(q.PerPage) - 1) / int64(q.PerPage))
	var order string
	switch q.Sort {
	case SortSupported:
		order = "p.supports_count DESC, p.id DESC"
	case SortRandom:
		// Multiplying ids by a seed-derived factor modulo the prime
		// 2^31-1 permutes them: a stable shuffle per seed, computed the
		// same way on both dialects (the product stays within int64 for
		// ids below 2^32).
		order = fmt.Sprintf("(p.id * %d) %% 2147483647, p.id", randomFactor(q.Seed))
	default:
		order = "p.published_at DESC, p.id DESC"
	}
	// The page's ids come from the listing indexes alone; only those 20
	// rows are then read in full and joined with their authors.
	page := s.filtered(ctx, sc.Component.ID, q).Select("p.id").Order(order).Offset((q.Page - 1) * q.PerPage).Limit(q.PerPage)
	db := s.db.WithContext(ctx).Table("proposals p").
		Select("p.*, CASE WHEN a.anonymised_at IS NULL THEN a.nickname ELSE '' END AS author_name").
		Joins("JOIN accounts a ON a.id = p.author_id").
		Where("p.id IN (?)", page).Order(order)
	if err := db.Scan(&res.Items).Error; err != nil {
		return nil, fmt.Errorf("listing proposals: %w", err)
	}
	for i := range res.Items {
		if res.Items[i].AuthorName == "" {
			res.Items[i].AuthorName = "—"
		}
	}
	return res, nil
}

// Count is the number of visible proposals in one theme and session.
type Count struct {
	ThemeID   int64 `json:"theme_id"`
	SessionID int64 `json:"session_id"`
	N         int   `json:"count"`
	// Withdrawn counts the withdrawn ones, not included in N.
	Withdrawn int `json:"withdrawn"`
}

// Counts returns the visible published proposals per theme and session,
// the figures an organiser follows, with the withdrawn ones beside them.
// The list is shared with the cache (see CacheCounts): read it only.
func (s *Service) Counts(ctx context.Context, sc *Scope) ([]Count, error) {
	return s.counts.Get(sc.Component.ID, func() ([]Count, error) {
		var out []Count
		err := s.db.WithContext(ctx).Table("proposals p").
			Select("p.theme_id, p.session_id, SUM(CASE WHEN p.state = ? THEN 1 ELSE 0 END) AS n, SUM(CASE WHEN p.state = ? THEN 1 ELSE 0 END) AS withdrawn", StatePublished, StateWithdrawn).
			Where("p.component_id = ? AND p.state IN ?", sc.Component.ID, publicStates).
			Where(moderation.NotHiddenSQL(ResourceType, "p.id")).
			Group("p.theme_id, p.session_id").Scan(&out).Error
		if err != nil {
			return nil, fmt.Errorf("counting proposals: %w", err)
		}
		return out, nil
	})
}

// totalFrom returns the number of matches of a query filtering only by
// theme and session, from the counts; -1 when other filters apply.
func totalFrom(counts []Count, q ListQuery) int64 {
	if q.State != "" || q.AuthorKind != "" || strings.TrimSpace(q.Search) != "" {
		return -1
	}
	var n int64
	for _, c := range counts {
		if (q.ThemeID == 0 || c.ThemeID == q.ThemeID) && (q.SessionID == 0 || c.SessionID == q.SessionID) {
			n += int64(c.N + c.Withdrawn)
		}
	}
	return n
}

// CountTable arranges counts as rows of themes and columns of sessions.
type CountTable struct {
	Rows        []CountRow
	SessionSums []int
	Total       int
}

// CountRow is one theme's counts per session.
type CountRow struct {
	ThemeTitle string
	ThemeID    int64
	Cells      []int
	Sum        int
}

func (b *Base) countTable(counts []Count, locale string) CountTable {
	var t CountTable
	idx := map[[2]int64]int{}
	for _, c := range counts {
		idx[[2]int64{c.ThemeID, c.SessionID}] = c.N
	}
	t.SessionSums = make([]int, len(b.Space.Sessions))
	for _, th := range b.Space.Themes {
		row := CountRow{ThemeTitle: th.Title.In(locale, "en"), ThemeID: th.ID}
		for j, se := range b.Space.Sessions {
			n := idx[[2]int64{th.ID, se.ID}]
			row.Cells = append(row.Cells, n)
			row.Sum += n
			t.SessionSums[j] += n
		}
		t.Total += row.Sum
		t.Rows = append(t.Rows, row)
	}
	return t
}

// IndexPage is the data of the listing page.
type IndexPage struct {
	Base
	Query  ListQuery
	Result *ListResult
	Counts CountTable
	// PageURL builds the link to another page with the same filters.
	PrevURL, NextURL string
	// Choices of the filter form.
	LifeStates, AnswerStates, AuthorKinds, Sorts []string
}

func parseListQuery(c echo.Context) ListQuery {
	q := ListQuery{Search: c.QueryParam("q"), State: c.QueryParam("state"), AuthorKind: c.QueryParam("author"), Sort: c.QueryParam("sort"), Locale: web.Locale(c)}
	q.ThemeID, _ = strconv.ParseInt(c.QueryParam("theme"), 10, 64)
	q.SessionID, _ = strconv.ParseInt(c.QueryParam("session"), 10, 64)
	q.Page, _ = strconv.Atoi(c.QueryParam("page"))
	q.PerPage, _ = strconv.Atoi(c.QueryParam("per_page"))
	if len([]rune(q.Search)) > 200 {
		q.Search = string([]rune(q.Search)[:200])
	}
	return q
}

// visitorSeed returns the random-sort seed kept in the visitor's session.
func (h *handlers) visitorSeed(c echo.Context) int64 {
	ctx := c.Request().Context()
	if seed := h.s.Sessions.GetInt64(ctx, "proposals.seed"); seed != 0 {
		return seed
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	seed := int64(binary.LittleEndian.Uint64(b[:])>>33) + 1
	h.s.Sessions.Put(ctx, "proposals.seed", seed)
	return seed
}

func (h *handlers) index(c echo.Context) error {
	sc := h.scope(c)
	q := parseListQuery(c)
	if q.Sort == SortRandom {
		q.Seed = h.visitorSeed(c)
	}
	ctx := c.Request().Context()
	counts, err := h.svc.Counts(ctx, sc)
	if err != nil {
		return err
	}
	q.total = totalFrom(counts, q)
	res, err := h.svc.List(ctx, sc, q)
	if err != nil {
		return err
	}
	page := IndexPage{Base: h.base(c, sc), Query: q, Result: res, LifeStates: publicStates,
		AnswerStates: []string{AnswerEvaluating, AnswerAccepted, AnswerRejected}, AuthorKinds: []string{"person", "group"},
		Sorts: []string{SortRecent, SortSupported, SortRandom}}
	page.Counts = page.countTable(counts, web.Locale(c))
	link := func(n int) string {
		v := c.QueryParams()
		vals := url.Values{}
		for k, x := range v {
			vals[k] = x
		}
		vals.Set("page", strconv.Itoa(n))
		vals.Del("locale")
		return page.URL + "?" + vals.Encode()
	}
	if res.Page > 1 {
		page.PrevURL = link(res.Page - 1)
	}
	if res.Page < res.Pages {
		page.NextURL = link(res.Page + 1)
	}
	return h.s.Render(c, http.StatusOK, "proposals/index", page)
}

func (h *handlers) apiList(c echo.Context) error {
	q := parseListQuery(c)
	if q.Sort == SortRandom {
		q.Seed, _ = strconv.ParseInt(c.QueryParam("seed"), 10, 64)
	}
	res, err := h.svc.List(c.Request().Context(), h.scope(c), q)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

func (h *handlers) apiCounts(c echo.Context) error {
	counts, err := h.svc.Counts(c.Request().Context(), h.scope(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"counts": counts})
}

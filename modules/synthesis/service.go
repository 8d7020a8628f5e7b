// SPDX-License-Identifier: AGPL-3.0-or-later

package synthesis

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/polder-civic/polder/core/jobs"
	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/core/store"
	"github.com/polder-civic/polder/core/web"
	"github.com/polder-civic/polder/modules/synthesis/topics"
)

// Service stores syntheses and builds them in the background.
type Service struct {
	srv        *web.Server
	jobs       *jobs.Queue
	summariser Summariser
	results    *resultCache
	// Runs overrides the method's number of clustering runs (tests).
	Runs int
}

// NewService returns the service and registers the build job's handler.
func NewService(srv *web.Server, q *jobs.Queue, sum Summariser) *Service {
	s := &Service{srv: srv, jobs: q, summariser: sum, results: newResultCache()}
	if q != nil {
		q.Handle(JobKind, s.runJob)
	}
	return s
}

// Request is what an organiser asks for: sources and slice.
type Request struct {
	Kind      string
	Sources   []int64
	ThemeID   int64
	SessionID int64
	From, To  *time.Time
	// Kinds are the kinds of contributions to read (proposal, comment,
	// statement, project...); empty reads every kind the sources hold.
	Kinds []string
}

// Candidates lists the components of the space that can be sources: the
// other components whose module implements registry.ContributionSource.
func (s *Service) Candidates(ctx context.Context, comp *registry.Component) ([]registry.Component, error) {
	all, err := s.srv.Components.InSpace(ctx, comp.SpaceType, comp.SpaceID)
	if err != nil {
		return nil, fmt.Errorf("listing components: %w", err)
	}
	var out []registry.Component
	for _, c := range all {
		if c.ID == comp.ID {
			continue
		}
		if _, ok := s.source(c.ModuleID); ok {
			out = append(out, c)
		}
	}
	return out, nil
}

// Kinds lists the kinds of contributions the given components hold, in
// the order of the components and of each module's own list, once each.
func (s *Service) Kinds(comps []registry.Component) []string {
	var out []string
	for _, c := range comps {
		if src, ok := s.source(c.ModuleID); ok {
			for _, k := range src.ContributionKinds() {
				if !slices.Contains(out, k) {
					out = append(out, k)
				}
			}
		}
	}
	return out
}

// KindMessage is the message naming a kind of contribution: the module
// that declares the kind names it ("<module>.contribution_kind.<kind>",
// e.g. proposals.contribution_kind.comment); "" for a kind no module
// declares.
func (s *Service) KindMessage(kind string) string {
	for _, m := range s.srv.Registry.Modules() {
		if src, ok := m.(registry.ContributionSource); ok && slices.Contains(src.ContributionKinds(), kind) {
			return m.Manifest().ID + ".contribution_kind." + kind
		}
	}
	return ""
}

func (s *Service) source(moduleID string) (registry.ContributionSource, bool) {
	m, ok := s.srv.Registry.Module(moduleID)
	if !ok {
		return nil, false
	}
	src, ok := m.(registry.ContributionSource)
	return src, ok
}

// Create checks the request, stores a queued version and enqueues its
// build.
func (s *Service) Create(ctx context.Context, sp *registry.Space, comp *registry.Component, actor int64, req Request) (*Synthesis, error) {
	if req.Kind != KindInterim && req.Kind != KindFinal {
		return nil, perr.Invalid("synthesis.error.kind", nil)
	}
	if len(req.Sources) == 0 {
		return nil, perr.Invalid("synthesis.error.no_sources", nil)
	}
	cands, err := s.Candidates(ctx, comp)
	if err != nil {
		return nil, err
	}
	var chosen []registry.Component
	for _, id := range req.Sources {
		i := slices.IndexFunc(cands, func(c registry.Component) bool { return c.ID == id })
		if i < 0 {
			return nil, perr.Invalid("synthesis.error.bad_source", map[string]any{"ID": id})
		}
		chosen = append(chosen, cands[i])
	}
	// Kinds: one no source of the space holds is a mistake; one only the
	// sources left unpicked hold is dropped (the form offers every kind
	// of every source, checked); none left is a mistake too.
	kindsJSON := ""
	if len(req.Kinds) > 0 {
		known, offered := s.Kinds(cands), s.Kinds(chosen)
		var kinds []string
		for _, k := range req.Kinds {
			if !slices.Contains(known, k) {
				return nil, perr.Invalid("synthesis.error.bad_kind", map[string]any{"Kind": k})
			}
			if slices.Contains(offered, k) {
				kinds = append(kinds, k)
			}
		}
		if len(kinds) == 0 {
			return nil, perr.Invalid("synthesis.error.kinds_not_in_sources", nil)
		}
		slices.Sort(kinds)
		b, _ := json.Marshal(slices.Compact(kinds))
		kindsJSON = string(b)
	}
	if _, ok := sp.Theme(req.ThemeID); req.ThemeID != 0 && !ok {
		return nil, perr.Invalid("synthesis.error.bad_theme", nil)
	}
	if _, ok := sp.Session(req.SessionID); req.SessionID != 0 && !ok {
		return nil, perr.Invalid("synthesis.error.bad_session", nil)
	}
	if req.From != nil && req.To != nil && !req.From.Before(*req.To) {
		return nil, perr.Invalid("synthesis.error.dates", nil)
	}
	src := slices.Clone(req.Sources)
	slices.Sort(src)
	srcJSON, _ := json.Marshal(slices.Compact(src))
	now := time.Now().UTC()
	syn := &Synthesis{OrganisationID: sp.OrganisationID, ComponentID: comp.ID, SpaceID: sp.ID, Kind: req.Kind, Sources: string(srcJSON), Kinds: kindsJSON,
		ThemeID: req.ThemeID, SessionID: req.SessionID, DateFrom: utc(req.From), DateTo: utc(req.To), Status: StatusQueued,
		CreatedBy: actor, CreatedAt: now, UpdatedAt: now, MethodVersion: MethodVersion, SoftwareVersion: s.srv.Version}
	db := s.srv.DB
	err = db.Tx(ctx, func(tx *gorm.DB) error {
		var n struct{ N int }
		if err := tx.Raw("SELECT COALESCE(MAX(number), 0) AS n FROM syntheses WHERE component_id = ? AND kind = ?", comp.ID, req.Kind).Scan(&n).Error; err != nil {
			return err
		}
		if req.Kind == KindFinal && n.N > 0 {
			return perr.Conflict("synthesis.error.final_exists", nil)
		}
		syn.Number = n.N + 1
		return tx.Create(syn).Error
	})
	if err != nil {
		if store.IsUniqueViolation(err) {
			return nil, perr.Conflict("synthesis.error.busy", nil)
		}
		return nil, fmt.Errorf("storing synthesis: %w", err)
	}
	if s.jobs == nil {
		return nil, errors.New("synthesis: no job queue (core hands it to modules)")
	}
	jobID, err := s.jobs.Enqueue(ctx, JobKind, strconv.FormatInt(syn.ID, 10), strconv.FormatInt(syn.ID, 10), 0)
	if err != nil {
		return nil, err
	}
	syn.JobID = jobID
	if err := db.WithContext(ctx).Model(syn).Update("job_id", jobID).Error; err != nil {
		return nil, fmt.Errorf("recording job: %w", err)
	}
	s.audit(ctx, syn, actor, "synthesis.create", syn.Name())
	return syn, nil
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// List returns a component's versions, newest first; published ones only
// unless all.
func (s *Service) List(ctx context.Context, comp *registry.Component, all bool) ([]Synthesis, error) {
	q := s.srv.DB.WithContext(ctx).Omit("result").Where("component_id = ?", comp.ID)
	if !all {
		q = q.Where("status = ?", StatusPublished)
	}
	var out []Synthesis
	if err := q.Order("id DESC").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("listing syntheses: %w", err)
	}
	return out, nil
}

// runJob builds one version: reads the sources, runs the method, stores
// the result with the SHA-256 of its input.
func (s *Service) runJob(ctx context.Context, j *jobs.Job, progress func(int, string)) error {
	id, err := strconv.ParseInt(j.Payload, 10, 64)
	if err != nil {
		return fmt.Errorf("synthesis job payload %q: %w", j.Payload, err)
	}
	var syn Synthesis
	if err := s.srv.DB.WithContext(ctx).First(&syn, id).Error; err != nil {
		return fmt.Errorf("loading synthesis %d: %w", id, err)
	}
	if syn.Status != StatusQueued && syn.Status != StatusBuilding {
		return nil // built already (a retried job)
	}
	last := -1
	report := func(pct int, note string) {
		progress(pct, note)
		if pct != last {
			last = pct
			s.srv.DB.WithContext(ctx).Model(&Synthesis{}).Where("id = ?", id).Updates(map[string]any{"progress": pct, "progress_note": note, "status": StatusBuilding})
		}
	}
	report(1, "reading sources")
	res, hash, err := s.build(ctx, &syn, report)
	now := time.Now().UTC()
	if err != nil {
		msg := err.Error()
		s.srv.DB.WithContext(ctx).Model(&Synthesis{}).Where("id = ?", id).Updates(map[string]any{"status": StatusFailed, "error": msg, "updated_at": now})
		if errors.Is(err, topics.ErrInvalidInput) {
			return nil // retrying cannot help
		}
		return err
	}
	b, err := json.Marshal(res)
	if err != nil {
		return fmt.Errorf("encoding synthesis: %w", err)
	}
	report(100, "done")
	return s.srv.DB.WithContext(ctx).Model(&Synthesis{}).Where("id = ? AND status IN ?", id, []string{StatusQueued, StatusBuilding}).
		Updates(map[string]any{"status": StatusReady, "result": string(b), "input_hash": hash, "progress": 100, "built_at": now, "updated_at": now, "error": ""}).Error
}

// build gathers the contributions and runs the method.
func (s *Service) build(ctx context.Context, syn *Synthesis, report func(int, string)) (*Result, string, error) {
	comp, err := s.srv.Components.Get(ctx, syn.ComponentID)
	if err != nil {
		return nil, "", err
	}
	res, ok := s.srv.SpaceResolver(comp.SpaceType)
	if !ok {
		return nil, "", fmt.Errorf("no space type %q", comp.SpaceType)
	}
	sp, err := res.ByID(ctx, comp.SpaceID)
	if err != nil {
		return nil, "", fmt.Errorf("loading space: %w", err)
	}
	f := registry.ContributionFilter{ThemeID: syn.ThemeID, SessionID: syn.SessionID, Kinds: syn.KindList()}
	if syn.DateFrom != nil {
		f.From = *syn.DateFrom
	}
	if syn.DateTo != nil {
		f.To = *syn.DateTo
	}
	var contribs []registry.Contribution
	for _, cid := range syn.SourceIDs() {
		sc, err := s.srv.Components.Get(ctx, cid)
		if err != nil {
			return nil, "", fmt.Errorf("source %d: %w", cid, err)
		}
		src, ok := s.source(sc.ModuleID)
		if !ok {
			return nil, "", fmt.Errorf("source %d (%s) holds no contributions", cid, sc.ModuleID)
		}
		cs, err := src.Contributions(ctx, sc, f)
		if err != nil {
			return nil, "", fmt.Errorf("reading source %d: %w", cid, err)
		}
		for _, c := range cs {
			if inSlice(c, f) {
				contribs = append(contribs, c)
			}
		}
	}
	slices.SortFunc(contribs, func(a, b registry.Contribution) int { return strings.Compare(a.Ref, b.Ref) })
	report(5, "analysing")

	settings := s.srv.Components.Settings(comp)
	in := topics.Input{Seed: uint64(settings.Int("seed")), MaxTopics: settings.Int("max_topics"), Runs: s.Runs}
	out := &Result{Contributions: make([]Source, 0, len(contribs))}
	themeKey := func(id int64) string {
		if th, ok := sp.Theme(id); ok {
			return th.Key
		}
		return ""
	}
	sessionKey := func(id int64) string {
		if se, ok := sp.Session(id); ok {
			return se.Key
		}
		return ""
	}
	authors := map[string]bool{}
	for _, c := range contribs {
		if c.AuthorKey != "" {
			authors[c.AuthorKey] = true
		} else {
			out.Unattributed++
		}
		in.Contributions = append(in.Contributions, topics.Contribution{ID: c.Ref, Text: contributionText(c), Theme: themeKey(c.ThemeID),
			Session: sessionKey(c.SessionID), Date: c.CreatedAt.UTC(), AuthorType: c.AuthorType, Supports: c.Supports, Language: c.Language})
		out.Contributions = append(out.Contributions, Source{ID: c.Ref, Kind: c.Kind, Title: sourceTitle(c), URL: c.URL, Theme: themeKey(c.ThemeID)})
	}
	out.Authors = len(authors)
	themes := map[string]int{}
	for _, c := range in.Contributions {
		if _, ok := themes[c.Theme]; !ok {
			themes[c.Theme] = 0
		}
	}
	order := make([]string, 0, len(themes))
	for t := range themes {
		order = append(order, t)
	}
	slices.Sort(order)
	for i, t := range order {
		themes[t] = i
	}
	in.Progress = func(p topics.Progress) {
		if p.Stage == "analyse" || p.Total == 0 || len(order) == 0 {
			return
		}
		frac := (float64(themes[p.Theme]) + float64(p.Done)/float64(p.Total)) / float64(len(order))
		report(10+int(80*frac), "theme "+p.Theme)
	}
	maps, err := s.opinionMaps(ctx, comp, sp)
	if err != nil {
		return nil, "", err
	}
	out.OpinionMaps = maps
	hash := InputHash(in, maps)
	report(10, "clustering")
	out.Synthesis, err = topics.Build(ctx, in)
	if err != nil {
		return nil, "", fmt.Errorf("building synthesis: %w", err)
	}
	if s.summariser != nil {
		report(92, "machine summaries")
		out.Machine = summarise(ctx, s.summariser, out.Synthesis)
	}
	return out, hash, nil
}

// opinionMaps asks every conversation of the space (components whose
// module implements registry.ConsensusProvider) for its consensus and
// divisive statements. A conversation that fails, or has no computed
// results yet, is listed as such (the page says so) rather than failing
// the whole synthesis.
func (s *Service) opinionMaps(ctx context.Context, comp *registry.Component, sp *registry.Space) ([]OpinionMapResult, error) {
	all, err := s.srv.Components.InSpace(ctx, comp.SpaceType, comp.SpaceID)
	if err != nil {
		return nil, fmt.Errorf("listing the space's conversations: %w", err)
	}
	var out []OpinionMapResult
	for i := range all {
		c := &all[i]
		m, ok := s.srv.Registry.Module(c.ModuleID)
		if !ok {
			continue
		}
		p, ok := m.(registry.ConsensusProvider)
		if !ok {
			continue
		}
		om := OpinionMapResult{ComponentID: c.ID, Title: c.Title, Consensus: []topics.Statement{}, Divisive: []topics.Statement{}}
		cc, err := p.Consensus(ctx, c, sp)
		switch {
		case err != nil:
			slog.WarnContext(ctx, "synthesis: reading a conversation's consensus", "component", c.ID, "err", err)
			om.Status = OpinionMapFailed
		case cc == nil:
			om.Status = OpinionMapPending
		default:
			om.Status = OpinionMapComputed
			om.URL, om.ComputedAt, om.Participants, om.Groups = cc.URL, cc.ComputedAt.UTC(), cc.Participants, cc.Groups
			for _, st := range cc.Consensus {
				ts := statement(st)
				ts.Side = "disagree"
				if st.Agree {
					ts.Side = "agree"
				}
				om.Consensus = append(om.Consensus, ts)
			}
			for _, st := range cc.Divisive {
				om.Divisive = append(om.Divisive, statement(st))
			}
		}
		out = append(out, om)
	}
	return out, nil
}

func statement(st registry.ConsensusStatement) topics.Statement {
	return topics.Statement{ID: st.Ref, Text: st.Text, Votes: st.Seen, AgreePercent: 100 * st.AgreeShare,
		DisagreePercent: 100 * st.DisagreeShare, PassPercent: 100 * st.PassShare, URL: st.URL}
}

// contributionText is what the synthesis analyses and quotes of a
// contribution: its title and body, a blank line apart. A source whose
// items have no title of their own repeats the text as title (an
// opinion-map statement): it is then quoted and counted once.
func contributionText(c registry.Contribution) string {
	title, body := strings.TrimSpace(c.Title), strings.TrimSpace(c.Body)
	switch {
	case body == "" || body == title:
		return title
	case title == "":
		return body
	}
	return title + "\n\n" + body
}

// sourceTitle is how a contribution is listed on a topic's page: its
// title, or for one without (a comment) the start of its text.
func sourceTitle(c registry.Contribution) string {
	if t := strings.TrimSpace(c.Title); t != "" {
		return t
	}
	words := strings.Fields(c.Body)
	if len(words) > 12 {
		return strings.Join(words[:12], " ") + " …"
	}
	return strings.Join(words, " ")
}

// inSlice checks a contribution against the slice again: a source may not
// know themes or sessions (a conversation's statements have neither) and
// return everything; such contributions do not belong to a theme's or a
// session's slice.
func inSlice(c registry.Contribution, f registry.ContributionFilter) bool {
	switch {
	case !f.Wants(c.Kind),
		f.ThemeID != 0 && c.ThemeID != f.ThemeID,
		f.SessionID != 0 && c.SessionID != f.SessionID,
		!f.From.IsZero() && c.CreatedAt.Before(f.From),
		!f.To.IsZero() && !c.CreatedAt.Before(f.To):
		return false
	}
	return true
}

// InputHash is the SHA-256 of what the method reads: the contributions in
// order, the parameters, and the opinion maps shown beside the topics.
func InputHash(in topics.Input, maps []OpinionMapResult) string {
	h := sha256.New()
	_ = json.NewEncoder(h).Encode(struct {
		C    []topics.Contribution
		Seed uint64
		K    int
		Runs int
		Maps []OpinionMapResult `json:",omitempty"`
	}{in.Contributions, in.Seed, in.MaxTopics, in.Runs, maps})
	return hex.EncodeToString(h.Sum(nil))
}

// frozen refuses changes to a published version.
func frozen(syn *Synthesis) error {
	if syn.Frozen() {
		return perr.Conflict("synthesis.error.frozen", nil)
	}
	if syn.Status != StatusReady {
		return perr.Conflict("synthesis.error.not_ready", nil)
	}
	return nil
}

// SetLabel changes a topic's label, keeping the original beside it.
func (s *Service) SetLabel(ctx context.Context, syn *Synthesis, theme, topic int, label string, actor int64) error {
	label = strings.TrimSpace(label)
	if label == "" || len([]rune(label)) > 200 {
		return perr.Invalid("synthesis.error.label", nil)
	}
	var details string
	err := s.srv.DB.Tx(ctx, func(tx *gorm.DB) error {
		var cur Synthesis
		if err := s.srv.DB.LockRow(tx).First(&cur, syn.ID).Error; err != nil {
			return err
		}
		if err := frozen(&cur); err != nil {
			return err
		}
		res, err := cur.decodeResult()
		if err != nil {
			return err
		}
		t, ok := topicAt(res, theme, topic)
		if !ok {
			return perr.NotFound("topic")
		}
		labels := cur.decodeLabels()
		labels[labelKey(theme, topic)] = LabelEdit{Original: t.Label, Label: label, By: actor, At: time.Now().UTC()}
		b, _ := json.Marshal(labels)
		if err := tx.Model(&cur).Updates(map[string]any{"labels": string(b), "updated_at": time.Now().UTC()}).Error; err != nil {
			return err
		}
		*syn = cur
		syn.Labels = string(b)
		details = fmt.Sprintf("%s: %q → %q", labelKey(theme, topic), t.Label, label)
		return nil
	})
	if err != nil {
		return err
	}
	// Audited after the transaction: SQLite has one connection.
	s.audit(ctx, syn, actor, "synthesis.label", details)
	return nil
}

// SetIntroduction stores the organisers' editorial introduction.
func (s *Service) SetIntroduction(ctx context.Context, syn *Synthesis, text string, actor int64) error {
	if len(text) > 20000 {
		return perr.Invalid("synthesis.error.intro", nil)
	}
	err := s.srv.DB.Tx(ctx, func(tx *gorm.DB) error {
		var cur Synthesis
		if err := s.srv.DB.LockRow(tx).First(&cur, syn.ID).Error; err != nil {
			return err
		}
		if err := frozen(&cur); err != nil {
			return err
		}
		if err := tx.Model(&cur).Updates(map[string]any{"introduction": text, "updated_at": time.Now().UTC()}).Error; err != nil {
			return err
		}
		syn.Introduction = text
		return nil
	})
	if err != nil {
		return err
	}
	s.audit(ctx, syn, actor, "synthesis.introduction", fmt.Sprintf("%d characters", len(text)))
	return nil
}

// Publish freezes a built version.
func (s *Service) Publish(ctx context.Context, syn *Synthesis, actor int64) error {
	err := s.srv.DB.Tx(ctx, func(tx *gorm.DB) error {
		var cur Synthesis
		if err := s.srv.DB.LockRow(tx).First(&cur, syn.ID).Error; err != nil {
			return err
		}
		if err := frozen(&cur); err != nil {
			return err
		}
		now := time.Now().UTC()
		if err := tx.Model(&cur).Updates(map[string]any{"status": StatusPublished, "published_at": now, "updated_at": now}).Error; err != nil {
			return err
		}
		syn.Status, syn.PublishedAt, syn.InputHash = StatusPublished, &now, cur.InputHash
		return nil
	})
	if err != nil {
		return err
	}
	s.audit(ctx, syn, actor, "synthesis.publish", syn.Name()+" "+syn.InputHash)
	return nil
}

func (s *Service) audit(ctx context.Context, syn *Synthesis, actor int64, action, details string) {
	if s.srv.Audit == nil {
		return
	}
	s.srv.Audit.Record(ctx, web.AuditEntry{OrganisationID: syn.OrganisationID, ActorID: actor, Action: action,
		ResourceType: "synthesis", ResourceID: strconv.FormatInt(syn.ID, 10), SpaceID: syn.SpaceID, Details: details})
}

func topicAt(res *Result, theme, topic int) (*topics.Topic, bool) {
	if res == nil || res.Synthesis == nil || theme < 0 || theme >= len(res.Synthesis.Themes) {
		return nil, false
	}
	ts := &res.Synthesis.Themes[theme]
	if topic == len(ts.Topics) && ts.Other != nil {
		return ts.Other, true
	}
	if topic < 0 || topic >= len(ts.Topics) {
		return nil, false
	}
	return &ts.Topics[topic], true
}

// SPDX-License-Identifier: AGPL-3.0-or-later

package budgets

import (
	"bytes"
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/polder-civic/polder/core/perr"
	"github.com/polder-civic/polder/modules/budgets/pabulib"
	"github.com/polder-civic/polder/modules/budgets/rules"
)

// Results is what a published budget shows: the outcome by greedy and by
// the Method of Equal Shares computed from the anonymised .pb export, with
// everything needed to recompute it.
type Results struct {
	BudgetID    int64     `json:"budget_id"`
	Software    string    `json:"software"`
	InputSHA256 string    `json:"input_sha256"`
	Voters      int       `json:"voters"`
	Total       int64     `json:"total"`
	BallotKind  string    `json:"ballot_kind"`
	OutcomeRule string    `json:"outcome_rule"`
	Completion  string    `json:"completion"`
	PublishedAt time.Time `json:"published_at"`
	// Greedy and MES are the two outcomes; Comparison counts the voters
	// who prefer each (MES's comparison step).
	Greedy *rules.Outcome `json:"greedy"`
	MES    *rules.Outcome `json:"mes"`
	// Titles maps project ids to titles as published.
	Titles map[string]string `json:"titles"`
}

// Official returns the outcome of the rule the admin chose.
func (r *Results) Official() *rules.Outcome {
	if r.OutcomeRule == string(rules.RuleGreedy) {
		return r.Greedy
	}
	return r.MES
}

// VoteType is the pabulib vote_type of a ballot kind.
func VoteType(kind string) string {
	switch kind {
	case KindPoints:
		return pabulib.VoteCumulative
	case KindScores:
		return pabulib.VoteScoring
	}
	return pabulib.VoteApproval
}

// exportKey returns the budget's secret export key, creating it (32
// random bytes) the first time. Concurrent first exports agree: only the
// first write lands, and everyone reads it back.
func (s *Service) exportKey(ctx context.Context, b *Budget) ([]byte, error) {
	if b.ExportKey == "" {
		fresh := make([]byte, 32)
		if _, err := rand.Read(fresh); err != nil {
			return nil, fmt.Errorf("export key: %w", err)
		}
		db := s.db.WithContext(ctx)
		if err := db.Exec("UPDATE budgets SET export_key = ? WHERE id = ? AND export_key = ''", hex.EncodeToString(fresh), b.ID).Error; err != nil {
			return nil, fmt.Errorf("saving export key: %w", err)
		}
		if err := db.Raw("SELECT export_key FROM budgets WHERE id = ?", b.ID).Scan(&b.ExportKey).Error; err != nil {
			return nil, fmt.Errorf("loading export key: %w", err)
		}
	}
	key, err := hex.DecodeString(b.ExportKey)
	if err != nil || len(key) == 0 {
		return nil, fmt.Errorf("budget %d: bad export key", b.ID)
	}
	return key, nil
}

// voterOrder sorts ballot ids by HMAC-SHA256 under the budget's secret
// export key: a fixed order (every export of the budget is the same file,
// so its published SHA-256 holds) that, without the key, says nothing
// about the order in which ballots were cast, hence nothing about vote
// times or accounts.
func voterOrder(key []byte, ballotIDs []int64) []int64 {
	type keyed struct {
		id  int64
		mac []byte
	}
	ks := make([]keyed, len(ballotIDs))
	var buf [8]byte
	for i, id := range ballotIDs {
		m := hmac.New(sha256.New, key)
		binary.BigEndian.PutUint64(buf[:], uint64(id))
		m.Write(buf[:])
		ks[i] = keyed{id, m.Sum(nil)}
	}
	slices.SortFunc(ks, func(x, y keyed) int {
		if c := bytes.Compare(x.mac, y.mac); c != 0 {
			return c
		}
		return cmp.Compare(x.id, y.id)
	})
	out := make([]int64, len(ks))
	for i, k := range ks {
		out[i] = k.id
	}
	return out
}

// Instance builds the anonymised pabulib instance of a budget's ballots:
// voters are numbered 1..n in voterOrder, not in ballot order, and nothing
// else about them is written.
func (s *Service) Instance(ctx context.Context, b *Budget) (*pabulib.Instance, error) {
	projects, err := s.Projects(ctx, b.ID)
	if err != nil {
		return nil, err
	}
	key, err := s.exportKey(ctx, b)
	if err != nil {
		return nil, err
	}
	type row struct {
		BallotID  int64
		ProjectID int64
		Points    int64
	}
	var rows []row
	err = s.db.WithContext(ctx).Raw(`SELECT l.ballot_id, l.project_id, l.points FROM budget_ballot_lines l JOIN budget_ballots b ON b.id = l.ballot_id
		WHERE b.budget_id = ? ORDER BY l.ballot_id, l.project_id`, b.ID).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("loading ballots: %w", err)
	}
	votes := map[int64]int64{}
	for _, r := range rows {
		votes[r.ProjectID]++
	}
	in := &pabulib.Instance{ProjectColumns: []string{"project_id", "cost", "votes", "name"}, VoteColumns: []string{"voter_id", "vote"}}
	cardinal := b.Cardinal()
	if cardinal {
		in.VoteColumns = append(in.VoteColumns, "points")
	}
	for _, p := range projects {
		id := strconv.FormatInt(p.ID, 10)
		in.Projects = append(in.Projects, pabulib.Project{ID: id, Cost: pabulib.Decimal{Units: p.Cost},
			Fields: []string{id, strconv.FormatInt(p.Cost, 10), strconv.FormatInt(votes[p.ID], 10), p.Title}})
	}
	// Lines by ballot (rows come in ballot order), then ballots in voter
	// order.
	var ballotIDs []int64
	start := map[int64]int{}
	for i, r := range rows {
		if i == 0 || r.BallotID != rows[i-1].BallotID {
			ballotIDs = append(ballotIDs, r.BallotID)
			start[r.BallotID] = i
		}
	}
	for _, bid := range voterOrder(key, ballotIDs) {
		i := start[bid]
		j := i
		var ids, pts []string
		v := pabulib.Vote{VoterID: strconv.Itoa(len(in.Votes) + 1)}
		for ; j < len(rows) && rows[j].BallotID == bid; j++ {
			id := strconv.FormatInt(rows[j].ProjectID, 10)
			v.Projects = append(v.Projects, id)
			ids = append(ids, id)
			if cardinal {
				v.Points = append(v.Points, pabulib.Decimal{Units: rows[j].Points})
				pts = append(pts, strconv.FormatInt(rows[j].Points, 10))
			}
		}
		v.Fields = []string{v.VoterID, joinComma(ids)}
		if cardinal {
			v.Fields = append(v.Fields, joinComma(pts))
		}
		in.Votes = append(in.Votes, v)
	}
	meta := [][2]string{
		{"description", b.Title}, {"num_projects", strconv.Itoa(len(in.Projects))}, {"num_votes", strconv.Itoa(len(in.Votes))},
		{"budget", strconv.FormatInt(b.Total, 10)}, {"vote_type", VoteType(b.BallotKind)}, {"rule", pbRule(b)},
	}
	if b.MinProjects > 0 {
		meta = append(meta, [2]string{"min_length", strconv.Itoa(b.MinProjects)})
	}
	if b.MaxProjects > 0 {
		meta = append(meta, [2]string{"max_length", strconv.Itoa(b.MaxProjects)})
	}
	if b.Knapsack && !cardinal {
		limit := b.Total
		if b.MaxCost > 0 {
			limit = b.MaxCost
		}
		meta = append(meta, [2]string{"max_sum_cost", strconv.FormatInt(limit, 10)})
	}
	if b.MaxPoints > 0 {
		meta = append(meta, [2]string{"max_sum_points", strconv.FormatInt(b.MaxPoints, 10)})
	}
	if b.MaxScore > 0 {
		meta = append(meta, [2]string{"max_points", strconv.FormatInt(b.MaxScore, 10)})
	}
	meta = append(meta, [2]string{"software", "polder budgets " + Version})
	for _, m := range meta {
		in.Meta = append(in.Meta, pabulib.MetaField{Key: m[0], Value: m[1]})
	}
	return in, nil
}

func joinComma(xs []string) string {
	var buf bytes.Buffer
	for i, x := range xs {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString(x)
	}
	return buf.String()
}

// pbRule names the budget's outcome rule as pabulib does.
func pbRule(b *Budget) string {
	if b.OutcomeRule == string(rules.RuleGreedy) {
		return "greedy"
	}
	return "equalshares/" + b.Completion
}

// ExportPB writes the anonymised ballots of a closed or published budget
// in .pb format.
func (s *Service) ExportPB(ctx context.Context, b *Budget) ([]byte, error) {
	if b.State != StateClosed && b.State != StatePublished {
		return nil, perr.Conflict("budgets.error.not_closed", nil)
	}
	in, err := s.Instance(ctx, b)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := pabulib.Write(&buf, in); err != nil {
		return nil, fmt.Errorf("writing .pb: %w", err)
	}
	return buf.Bytes(), nil
}

// MESOptions are the MES options a budget publishes with: cost utilities
// (the cities' variant; scores for cardinal ballots), the budget's
// completion, and the comparison step's counts.
func MESOptions(b *Budget) rules.Options {
	return rules.Options{Rule: rules.RuleMES, Completion: rules.Completion(b.Completion), Utility: rules.UtilityCost, Comparison: true}
}

// Publish computes the results of a closed budget from its anonymised
// export (whose SHA-256 it records) and publishes them.
func (s *Service) Publish(ctx context.Context, b *Budget, actorID int64) (*Results, error) {
	if b.State != StateClosed {
		return nil, perr.Conflict("budgets.error.not_closed", nil)
	}
	data, err := s.ExportPB(ctx, b)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	in, err := pabulib.Parse(data, "ballots.pb")
	if err != nil {
		return nil, fmt.Errorf("re-reading the export: %w", err)
	}
	if len(in.Votes) == 0 {
		return nil, perr.Conflict("budgets.error.no_ballots", nil)
	}
	e, _, err := in.Election()
	if err != nil {
		return nil, fmt.Errorf("election: %w", err)
	}
	greedy, err := rules.ComputeContext(ctx, e, rules.Options{Rule: rules.RuleGreedy})
	if err != nil {
		return nil, fmt.Errorf("greedy outcome: %w", err)
	}
	mes, err := rules.ComputeContext(ctx, e, MESOptions(b))
	if err != nil {
		return nil, fmt.Errorf("MES outcome: %w", err)
	}
	res := &Results{BudgetID: b.ID, Software: "polder budgets " + Version, InputSHA256: hex.EncodeToString(sum[:]), Voters: len(in.Votes),
		Total: b.Total, BallotKind: b.BallotKind, OutcomeRule: b.OutcomeRule, Completion: b.Completion, PublishedAt: s.Now(),
		Greedy: greedy, MES: mes, Titles: map[string]string{}}
	for i, p := range in.Projects {
		if name, ok := in.ProjectColumn(i, "name"); ok {
			res.Titles[p.ID] = name
		}
	}
	body, err := json.Marshal(res)
	if err != nil {
		return nil, fmt.Errorf("encoding results: %w", err)
	}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		up := tx.Exec("UPDATE budgets SET state = ?, updated_at = ? WHERE id = ? AND state = ?", StatePublished, s.Now(), b.ID, StateClosed)
		if up.Error != nil {
			return fmt.Errorf("publishing: %w", up.Error)
		}
		if up.RowsAffected == 0 {
			return perr.Conflict("budgets.error.not_closed", nil)
		}
		return tx.Exec("INSERT INTO budget_results (budget_id, body, input_sha256, created_at) VALUES (?, ?, ?, ?)", b.ID, string(body), res.InputSHA256, s.Now()).Error
	})
	if err != nil {
		return nil, err
	}
	b.State = StatePublished
	s.record(ctx, b, actorID, "publish", res.InputSHA256)
	return res, nil
}

// Results loads the published results of a budget.
func (s *Service) Results(ctx context.Context, b *Budget) (*Results, error) {
	var row struct{ Body string }
	err := s.db.WithContext(ctx).Raw("SELECT body FROM budget_results WHERE budget_id = ?", b.ID).Scan(&row).Error
	if err != nil {
		return nil, fmt.Errorf("loading results: %w", err)
	}
	if row.Body == "" {
		return nil, perr.NotFound("results")
	}
	var res Results
	if err := json.Unmarshal([]byte(row.Body), &res); err != nil {
		return nil, fmt.Errorf("decoding results: %w", err)
	}
	return &res, nil
}

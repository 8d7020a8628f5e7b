// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmath_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/polder-civic/polder/modules/opinionmap/opinionmath"
)

// synthSpec describes a synthetic conversation with planted opinion groups.
type synthSpec struct {
	Seed         uint64
	Participants int
	// GroupShares are the planted groups' relative sizes.
	GroupShares []float64
	// Consensus statements: every group agrees.
	Consensus int
	// Signatures per group: that group agrees, the others mostly disagree.
	Signatures int
	// Bloc statements: each group leans one way with a milder strength.
	Bloc int
	// MissingMin, MissingMax bound each participant's share of unseen
	// statements (drawn uniformly per participant).
	MissingMin, MissingMax float64
	// VotesPerParticipant, when > 0, replaces the missing shares by a fixed
	// number of votes per participant (for the large benchmarks).
	VotesPerParticipant int
	// Noise is the share of votes drawn uniformly at random.
	Noise float64
}

// synthConversation is the generated matrix with its planted truth.
type synthConversation struct {
	m          *opinionmath.Matrix
	group      map[int64]int // planted group per participant
	consensus  []int64
	signatures [][]int64 // per planted group
}

// opinion is a statement's voting law within one group: the probability
// of agreeing and of disagreeing (passing otherwise), before noise.
type opinion struct{ agree, disagree float64 }

func generate(s synthSpec) synthConversation {
	rng := rand.New(rand.NewPCG(s.Seed, 42))
	g := len(s.GroupShares)
	var laws [][]opinion // per statement, per group
	out := synthConversation{m: opinionmath.NewMatrix(), group: map[int64]int{}, signatures: make([][]int64, g)}
	addStatement := func(law []opinion) int64 {
		id := int64(len(laws))
		laws = append(laws, law)
		out.m.SetStatement(opinionmath.Statement{ID: id, Moderation: opinionmath.Accepted})
		return id
	}
	for i := 0; i < s.Consensus; i++ {
		law := make([]opinion, g)
		for k := range law {
			law[k] = opinion{1, 0}
		}
		out.consensus = append(out.consensus, addStatement(law))
	}
	for k := 0; k < g; k++ {
		for i := 0; i < s.Signatures; i++ {
			law := make([]opinion, g)
			for h := range law {
				law[h] = opinion{0, 0.6}
			}
			law[k] = opinion{1, 0}
			out.signatures[k] = append(out.signatures[k], addStatement(law))
		}
	}
	// Bloc statements divide the groups along a latent two-dimensional
	// opinion space: group k sits at angle 2πk/G on a circle, a statement
	// has a random direction, and the groups on its side lean to agree,
	// the others to disagree. (A two-component map can only show groups
	// that differ within two dimensions; with independent random patterns
	// four groups would need three.) A split that leaves every group on one
	// side would be a consensus, so it is drawn again.
	for i := 0; i < s.Bloc; {
		theta := rng.Float64() * 2 * math.Pi
		law := make([]opinion, g)
		agreeing := 0
		for k := range law {
			if math.Cos(2*math.Pi*float64(k)/float64(g)-theta) > 0 {
				law[k] = opinion{0.8, 0.1}
				agreeing++
			} else {
				law[k] = opinion{0.1, 0.8}
			}
		}
		if agreeing == 0 || agreeing == g {
			continue
		}
		addStatement(law)
		i++
	}
	// Shuffle the statement order so that planted roles are not given away
	// by column position (ties break towards lower columns).
	order := rng.Perm(len(laws))
	colOf := make([]int, len(laws))
	shuffled := opinionmath.NewMatrix()
	for c, j := range order {
		colOf[j] = c
		shuffled.SetStatement(opinionmath.Statement{ID: int64(j), Moderation: opinionmath.Accepted})
	}
	out.m = shuffled

	var total float64
	for _, w := range s.GroupShares {
		total += w
	}
	n := len(laws)
	seen := make([]bool, n)
	for p := 0; p < s.Participants; p++ {
		x := rng.Float64() * total
		k := 0
		for k < g-1 && x >= s.GroupShares[k] {
			x -= s.GroupShares[k]
			k++
		}
		id := int64(p)
		out.group[id] = k
		var cols []int
		if s.VotesPerParticipant > 0 {
			clear(seen)
			for len(cols) < min(s.VotesPerParticipant, n) {
				j := rng.IntN(n)
				if !seen[j] {
					seen[j] = true
					cols = append(cols, j)
				}
			}
		} else {
			missing := s.MissingMin + rng.Float64()*(s.MissingMax-s.MissingMin)
			for j := 0; j < n; j++ {
				if rng.Float64() >= missing {
					cols = append(cols, j)
				}
			}
		}
		// Votes in column order append to the participant's row.
		slices.SortFunc(cols, func(a, b int) int { return colOf[a] - colOf[b] })
		out.m.AddParticipant(id)
		for _, j := range cols {
			var v opinionmath.Vote
			if rng.Float64() < s.Noise {
				v = opinionmath.Vote(rng.IntN(3) - 1)
			} else {
				law := laws[j][k]
				u := rng.Float64()
				switch {
				case u < law.agree:
					v = opinionmath.Agree
				case u < law.agree+law.disagree:
					v = opinionmath.Disagree
				default:
					v = opinionmath.Pass
				}
			}
			if err := out.m.SetVote(id, int64(j), v); err != nil {
				panic(err)
			}
		}
	}
	return out
}

// plantedToOurs maps each planted group to the computed group holding most
// of its clustered members.
func plantedToOurs(c synthConversation, res *opinionmath.Result, groups int) []int {
	counts := make([]map[int]int, groups)
	for k := range counts {
		counts[k] = map[int]int{}
	}
	for _, p := range res.Participants {
		if p.Clustered {
			counts[c.group[p.ID]][p.Group]++
		}
	}
	out := make([]int, groups)
	for k, cs := range counts {
		best, bn := -1, -1
		for g, n := range cs {
			if n > bn || (n == bn && g < best) {
				best, bn = g, n
			}
		}
		out[k] = best
	}
	return out
}

var synthCases = []struct {
	name string
	spec synthSpec
}{
	{"two groups", synthSpec{Seed: 1, Participants: 300, GroupShares: []float64{0.65, 0.35}, Consensus: 3, Signatures: 3, Bloc: 60, MissingMin: 0.3, MissingMax: 0.8, Noise: 0.1}},
	{"three groups", synthSpec{Seed: 2, Participants: 450, GroupShares: []float64{0.5, 0.3, 0.2}, Consensus: 3, Signatures: 3, Bloc: 60, MissingMin: 0.3, MissingMax: 0.8, Noise: 0.1}},
	{"four groups", synthSpec{Seed: 3, Participants: 600, GroupShares: []float64{0.4, 0.3, 0.18, 0.12}, Consensus: 3, Signatures: 3, Bloc: 60, MissingMin: 0.3, MissingMax: 0.8, Noise: 0.1}},
}

func TestSyntheticPlantedGroups(t *testing.T) {
	for _, tc := range synthCases {
		for seed := uint64(1); seed <= 5; seed++ {
			tc.spec.Seed = seed
			t.Run(fmt.Sprintf("%s/seed %d", tc.name, seed), func(t *testing.T) {
				c := generate(tc.spec)
				res, err := opinionmath.Compute(c.m, nil, opinionmath.Options{})
				if err != nil {
					t.Fatal(err)
				}
				var ours, planted []int
				for _, p := range res.Participants {
					if p.Clustered {
						ours = append(ours, p.Group)
						planted = append(planted, c.group[p.ID])
					}
				}
				ari := opinionmath.AdjustedRandIndex(ours, planted)
				t.Logf("ARI %.3f, %d groups (planted %d), silhouettes %v", ari, len(res.Groups), len(tc.spec.GroupShares), res.Silhouettes)
				if ari < 0.9 {
					t.Errorf("ARI with planted groups = %.3f, want ≥ 0.9", ari)
				}

				// The planted consensus statements come first, on Pol.is's
				// agree-consensus list and on group-informed consensus.
				want := slices.Sorted(slices.Values(c.consensus))
				top := func(list []opinionmath.Scored) []int64 {
					var ids []int64
					for _, s := range list[:min(len(list), len(want))] {
						ids = append(ids, s.StatementID)
					}
					slices.Sort(ids)
					return ids
				}
				if got := top(res.ConsensusAgree); !slices.Equal(got, want) {
					t.Errorf("top agree consensus %v, want the planted %v", got, want)
				}
				if got := top(res.GroupConsensus); !slices.Equal(got, want) {
					t.Errorf("top group-informed consensus %v, want the planted %v", got, want)
				}

				// Each planted group's signature statements are among its
				// representative statements, as agreements.
				mapping := plantedToOurs(c, res, len(tc.spec.GroupShares))
				for k, sigs := range c.signatures {
					g := mapping[k]
					if g < 0 || g >= len(res.Groups) {
						t.Fatalf("planted group %d has no computed group", k)
					}
					reps := map[int64]opinionmath.Vote{}
					for _, r := range res.Groups[g].Representative {
						reps[r.StatementID] = r.Direction
					}
					for _, s := range sigs {
						if d, ok := reps[s]; !ok || d != opinionmath.Agree {
							t.Errorf("planted group %d (ours %d): signature %d not an agree representative; got %v", k, g, s, reps)
						}
					}
					for _, s := range c.consensus {
						if _, ok := reps[s]; ok {
							t.Errorf("group %d: consensus statement %d listed as representative", g, s)
						}
					}
				}
			})
		}
	}
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 99)) }

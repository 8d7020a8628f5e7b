// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmath

import (
	"math"
	"sort"
)

const (
	// maxConsensus is how many statements each consensus side keeps.
	maxConsensus = 5
	// majorityShare is the share of voters voting alike that makes a
	// majority statement.
	majorityShare = 0.6
	// maxDivisive is how many divisive statements are listed.
	maxDivisive = 5
	// metaPriority is the fixed routing priority of meta statements.
	metaPriority = 49
)

// computeStatistics fills the per-statement statistics, the groups'
// representative statements and the ranked lists from the participants'
// current groups. It is one pass over the votes plus work per statement
// and group.
func (res *Result) computeStatistics(m *Matrix, inMath []bool, opts Options) {
	nc := len(m.statements)
	ng := len(res.Groups)
	all := make([]Counts, nc)
	clustered := make([]Counts, nc)
	byGroup := make([][]Counts, ng)
	for g := range byGroup {
		byGroup[g] = make([]Counts, nc)
	}
	for r, row := range m.rows {
		p := res.Participants[r]
		for _, e := range row {
			add(&all[e.col], e.vote)
			if p.Clustered {
				add(&clustered[e.col], e.vote)
			}
			if p.Group >= 0 {
				add(&byGroup[p.Group][e.col], e.vote)
			}
		}
	}
	totalGroups := make([]Counts, nc)
	for g := range byGroup {
		for j, c := range byGroup[g] {
			totalGroups[j].Agree += c.Agree
			totalGroups[j].Disagree += c.Disagree
			totalGroups[j].Seen += c.Seen
		}
	}

	nInMath := 0
	for _, in := range inMath {
		if in {
			nInMath++
		}
	}
	colOf := res.PCA.columnMap(m)
	res.Statements = make([]StatementResult, nc)
	for j, s := range m.statements {
		st := StatementResult{ID: s.ID, InMath: inMath[j], All: all[j], Clustered: clustered[j], DivisiveGroup: -1}
		if k := colOf[j]; k >= 0 && inMath[j] {
			// The statement as a virtual participant who agreed with it
			// alone (plus the zeroed columns every participant holds).
			d := (1 - res.PCA.Center[k]) * sparsityScale(nc, 1+nc-nInMath)
			st.Extremity = math.Hypot(d*res.PCA.Components[0][k], d*res.PCA.Components[1][k])
		}
		switch {
		case s.Meta:
			st.Priority = metaPriority
		case !s.routable(opts.StrictModeration):
			st.Priority = 0
		default:
			st.Priority = Priority(clustered[j], st.Extremity)
		}
		if inMath[j] && ng > 0 {
			st.ConsensusAgree, st.ConsensusDisagree = 1, 1
			for g := range byGroup {
				c := byGroup[g][j]
				st.ConsensusAgree *= c.ProbAgree()
				st.ConsensusDisagree *= c.ProbDisagree()
				gap := math.Abs(c.ProbAgree() - totalGroups[j].sub(c).ProbAgree())
				if ng > 1 && gap > st.Divisiveness {
					st.Divisiveness, st.DivisiveGroup = gap, g
				}
			}
		}
		res.Statements[j] = st
	}

	for g := range res.Groups {
		var stats []Repness
		for j, s := range m.statements {
			if !inMath[j] {
				continue
			}
			c := byGroup[g][j]
			stats = append(stats, NewRepness(s.ID, c, totalGroups[j].sub(c)))
		}
		res.Groups[g].Representative = SelectRepresentative(stats)
	}
	res.rankStatements(m, inMath)
}

func add(c *Counts, v Vote) {
	c.Seen++
	switch v {
	case Agree:
		c.Agree++
	case Disagree:
		c.Disagree++
	}
}

// Priority is the routing weight of a statement from its counts over the
// clustered participants and its extremity E:
// importance = (1 − p)·(E + 1)·a with a = (1+A)/(2+S), p = (1+P)/(2+S),
// priority = (importance·(1 + 8·2^(−S/5)))².
func Priority(c Counts, extremity float64) float64 {
	s := float64(c.Seen)
	a := float64(1+c.Agree) / (2 + s)
	p := float64(1+c.Pass()) / (2 + s)
	importance := (1 - p) * (extremity + 1) * a
	boost := importance * (1 + 8*math.Pow(2, -s/5))
	return boost * boost
}

// rankStatements builds the consensus, group-informed consensus, majority
// and divisive lists. Sorts are stable over column order, so ties keep the
// earlier statement.
func (res *Result) rankStatements(m *Matrix, inMath []bool) {
	var agree, disagree, gic, majority, divisive []Scored
	for j, st := range res.Statements {
		if !inMath[j] {
			continue
		}
		c := st.All
		pa, pd := c.ProbAgree(), c.ProbDisagree()
		za, zd := PropTest(c.Agree, c.Seen), PropTest(c.Disagree, c.Seen)
		if pa > 0.5 && za > z90 {
			agree = append(agree, Scored{StatementID: st.ID, Vote: Agree, Score: pa * za, P: pa, Z: za})
		}
		if pd > 0.5 && zd > z90 {
			disagree = append(disagree, Scored{StatementID: st.ID, Vote: Disagree, Score: pd * zd, P: pd, Z: zd})
		}
		if len(res.Groups) > 0 && c.Seen > 0 {
			if st.ConsensusAgree >= st.ConsensusDisagree {
				gic = append(gic, Scored{StatementID: st.ID, Vote: Agree, Score: st.ConsensusAgree})
			} else {
				gic = append(gic, Scored{StatementID: st.ID, Vote: Disagree, Score: st.ConsensusDisagree})
			}
		}
		if c.Seen > 0 {
			sa, sd := float64(c.Agree)/float64(c.Seen), float64(c.Disagree)/float64(c.Seen)
			if sa >= majorityShare {
				majority = append(majority, Scored{StatementID: st.ID, Vote: Agree, Score: sa, P: sa})
			} else if sd >= majorityShare {
				majority = append(majority, Scored{StatementID: st.ID, Vote: Disagree, Score: sd, P: sd})
			}
		}
		if st.DivisiveGroup >= 0 {
			divisive = append(divisive, Scored{StatementID: st.ID, Score: st.Divisiveness})
		}
	}
	byScore := func(s []Scored) {
		sort.SliceStable(s, func(a, b int) bool { return s[a].Score > s[b].Score })
	}
	byScore(agree)
	byScore(disagree)
	byScore(gic)
	byScore(majority)
	byScore(divisive)
	res.ConsensusAgree = agree[:min(len(agree), maxConsensus)]
	res.ConsensusDisagree = disagree[:min(len(disagree), maxConsensus)]
	res.GroupConsensus = gic
	res.Majority = majority
	res.Divisive = divisive[:min(len(divisive), maxDivisive)]
}

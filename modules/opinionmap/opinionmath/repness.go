// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmath

import (
	"math"
	"sort"
)

// z90 is the one-sided 90% critical value of the standard normal.
const z90 = 1.2816

// maxRepresentative is how many representative statements a group keeps.
const maxRepresentative = 5

// Counts are the votes on one statement within a set of participants.
type Counts struct {
	Agree, Disagree, Seen int
}

// Pass is the number of passes (seen but neither agreed nor disagreed).
func (c Counts) Pass() int { return c.Seen - c.Agree - c.Disagree }

func (c Counts) sub(o Counts) Counts {
	return Counts{c.Agree - o.Agree, c.Disagree - o.Disagree, c.Seen - o.Seen}
}

// ProbAgree is the smoothed agree probability (1 + n_a) / (2 + n_s).
func (c Counts) ProbAgree() float64 { return float64(1+c.Agree) / float64(2+c.Seen) }

// ProbDisagree is the smoothed disagree probability (1 + n_d) / (2 + n_s).
func (c Counts) ProbDisagree() float64 { return float64(1+c.Disagree) / float64(2+c.Seen) }

// PropTest is Pol.is's one-proportion test of succ successes out of n
// against ½: 2·sqrt(n + 1)·((succ + 1)/(n + 1) − ½).
func PropTest(succ, n int) float64 {
	return 2 * math.Sqrt(float64(n)+1) * ((float64(succ)+1)/(float64(n)+1) - 0.5)
}

// TwoPropTest is the two-proportion z-test of s1/n1 against s2/n2 with
// every count incremented by one first; 0 when the pooled proportion is 1.
func TwoPropTest(s1, n1, s2, n2 int) float64 {
	a, b, c, d := float64(s1+1), float64(n1+1), float64(s2+1), float64(n2+1)
	p1, p2 := a/b, c/d
	pp := (a + c) / (b + d)
	if pp >= 1 || pp <= 0 {
		return 0
	}
	return (p1 - p2) / math.Sqrt(pp*(1-pp)*(1/b+1/d))
}

// Repness is the representativeness of one statement for one group, with
// every intermediate value of §5 of the spec.
type Repness struct {
	StatementID int64
	Group       Counts
	Rest        Counts
	// PA, PD: smoothed agree/disagree probabilities in the group.
	PA, PD float64
	// RA, RD: their ratios to the rest's.
	RA, RD float64
	// ZPA, ZPD: one-proportion tests in the group.
	ZPA, ZPD float64
	// ZRA, ZRD: two-proportion tests of the group against the rest.
	ZRA, ZRD float64
	// Direction is Agree when ZRA > ZRD, else Disagree.
	Direction Vote
	// Metric is r·z_r·p·z_p in Direction.
	Metric float64
	// Significant: both tests pass at 90% one-sided in one direction.
	Significant bool
	// BestAgree marks the group's best-agree statement.
	BestAgree bool
}

// NewRepness computes the statistics of a statement for a group given the
// group's counts and the rest's (the other groups summed).
func NewRepness(id int64, g, rest Counts) Repness {
	r := Repness{StatementID: id, Group: g, Rest: rest}
	r.PA, r.PD = g.ProbAgree(), g.ProbDisagree()
	r.RA = r.PA / rest.ProbAgree()
	r.RD = r.PD / rest.ProbDisagree()
	r.ZPA = PropTest(g.Agree, g.Seen)
	r.ZPD = PropTest(g.Disagree, g.Seen)
	r.ZRA = TwoPropTest(g.Agree, g.Seen, rest.Agree, rest.Seen)
	r.ZRD = TwoPropTest(g.Disagree, g.Seen, rest.Disagree, rest.Seen)
	r.Significant = (r.ZRA > z90 && r.ZPA > z90) || (r.ZRD > z90 && r.ZPD > z90)
	if r.ZRA > r.ZRD {
		r.Direction = Agree
		r.Metric = r.agreeMetric()
	} else {
		r.Direction = Disagree
		r.Metric = r.RD * r.ZRD * r.PD * r.ZPD
	}
	return r
}

func (r Repness) agreeMetric() float64 { return r.RA * r.ZRA * r.PA * r.ZPA }

// SelectRepresentative picks a group's representative statements from the
// statistics of every statement in the math (in column order, which breaks
// ties): the best-agree statement first, then the significant ones by
// metric, at most five, agrees before disagrees. When none is significant
// it returns the best-agree statement alone, or else the statement with
// the highest max(z_ra, z_rd).
//
// The best-agree statement is the one with the highest r_a·z_ra·p_a·z_pa
// among statements the group agreed with at least once and where r_a > 1;
// while none has r_a > 1, the highest p_a·z_pa among those agreed with.
func SelectRepresentative(stats []Repness) []Repness {
	best := -1
	bestRatio := false
	for i, s := range stats {
		if s.Group.Agree == 0 {
			continue
		}
		ratio := s.RA > 1
		switch {
		case best < 0:
			best, bestRatio = i, ratio
		case ratio && !bestRatio:
			best, bestRatio = i, true
		case ratio && bestRatio:
			if s.agreeMetric() > stats[best].agreeMetric() {
				best = i
			}
		case !ratio && !bestRatio:
			if s.PA*s.ZPA > stats[best].PA*stats[best].ZPA {
				best = i
			}
		}
	}

	var sig []int
	for i, s := range stats {
		if s.Significant {
			sig = append(sig, i)
		}
	}
	sort.SliceStable(sig, func(a, b int) bool { return stats[sig[a]].Metric > stats[sig[b]].Metric })

	var picked []Repness
	if len(sig) == 0 {
		if best >= 0 {
			r := stats[best]
			r.BestAgree = true
			return []Repness{r}
		}
		top := -1
		for i, s := range stats {
			if top < 0 || math.Max(s.ZRA, s.ZRD) > math.Max(stats[top].ZRA, stats[top].ZRD) {
				top = i
			}
		}
		if top < 0 {
			return nil
		}
		return []Repness{stats[top]}
	}
	if best >= 0 {
		r := stats[best]
		r.BestAgree = true
		// The best-agree statement is shown as an agreement.
		if r.Direction != Agree {
			r.Direction = Agree
			r.Metric = r.agreeMetric()
		}
		picked = append(picked, r)
	}
	for _, i := range sig {
		if len(picked) == maxRepresentative {
			break
		}
		if i == best {
			continue
		}
		picked = append(picked, stats[i])
	}
	sort.SliceStable(picked, func(a, b int) bool {
		return picked[a].Direction == Agree && picked[b].Direction != Agree
	})
	return picked
}

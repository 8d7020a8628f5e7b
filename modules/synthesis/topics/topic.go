// SPDX-License-Identifier: AGPL-3.0-or-later

package topics

import (
	"cmp"
	"math"
	"slices"
	"strings"
)

// ids returns the ids of every member of the groups represented at the
// given positions, in date order.
func (td *themeDocs) ids(repPositions []int) []string {
	var pos []int
	for _, r := range repPositions {
		pos = append(pos, td.group[r]...)
	}
	slices.Sort(pos)
	out := make([]string, len(pos))
	for k, p := range pos {
		out[k] = td.in.Contributions[td.order[p]].ID
	}
	return out
}

// Keys of the three breakdowns of a topic.
func (td *themeDocs) sessionKey(p int) string {
	return cmp.Or(td.in.Contributions[td.order[p]].Session, "unspecified")
}

func (td *themeDocs) authorKey(p int) string {
	return cmp.Or(td.in.Contributions[td.order[p]].AuthorType, "unspecified")
}

func (td *themeDocs) langKey(p int) string {
	return string(td.prep[td.order[p]].lang)
}

// sessionTotals counts the slice's contributions per session, sessions in
// order of their first contribution.
func (td *themeDocs) sessionTotals() ([]Share, []string) {
	counts := map[string]int{}
	var order []string
	for p := range td.order {
		k := td.sessionKey(p)
		if counts[k] == 0 {
			order = append(order, k)
		}
		counts[k]++
	}
	return sharesOf(counts, len(td.order), order), order
}

// breakdown counts positions per key and divides by the slice's count for
// the same key, so a share says how much of a session (or author type,
// or language) went to the topic.
func (td *themeDocs) breakdown(pos []int, key func(int) string, order []string) []Share {
	totals := map[string]int{}
	for p := range td.order {
		totals[key(p)]++
	}
	counts := map[string]int{}
	for _, p := range pos {
		counts[key(p)]++
	}
	if order == nil {
		for k := range counts {
			order = append(order, k)
		}
		slices.Sort(order)
	}
	out := make([]Share, 0, len(order))
	for _, k := range order {
		if counts[k] == 0 && totals[k] == 0 {
			continue
		}
		out = append(out, Share{Key: k, Count: counts[k], Share: float64(counts[k]) / float64(totals[k])})
	}
	return out
}

// topic assembles a topic from reps (indices into td.reps).
func (td *themeDocs) topic(reps []int, centroid []float64, other bool) Topic {
	var repPos, pos []int
	for _, d := range reps {
		repPos = append(repPos, td.reps[d])
		pos = append(pos, td.group[td.reps[d]]...)
	}
	slices.Sort(pos)
	_, sessions := td.sessionTotals()
	t := Topic{
		IDs:          td.ids(repPos),
		Voices:       len(reps),
		BySession:    td.breakdown(pos, td.sessionKey, sessions),
		ByAuthorType: td.breakdown(pos, td.authorKey, nil),
		ByLanguage:   td.breakdown(pos, td.langKey, nil),
		Other:        other,
		Terms:        []string{},
		Stems:        []string{},
	}
	t.Size = len(t.IDs)
	if other {
		t.Label = "other contributions"
	}
	t.Quotes = td.quotes(reps, centroid)
	return t
}

// groupSupports adds up the supports of a group's members.
func (td *themeDocs) groupSupports(d int) int {
	s := 0
	for _, p := range td.group[td.reps[d]] {
		s += td.in.Contributions[td.order[p]].Supports
	}
	return s
}

// MMR trade-off between closeness to the centre and difference from the
// quotes already chosen, and the weight of supports in closeness.
const (
	mmrLambda     = 0.7
	supportWeight = 0.1
	mmrCandidates = 100
)

// quotes picks 3-5 representatives: relevance is the cosine to the topic
// centre, raised by the log of the group's supports; the choice is greedy
// maximal marginal relevance so that quotes do not repeat each other.
// Without a centre ("other contributions"), the most supported come first.
func (td *themeDocs) quotes(reps []int, centroid []float64) []Quote {
	q := min(len(reps), max(3, min(5, 3+len(reps)/20)))
	rel := make(map[int]float64, len(reps))
	for _, d := range reps {
		r := 1.0
		if centroid != nil {
			r = floatsDot(td.emb[d], centroid)
		}
		rel[d] = r * (1 + supportWeight*math.Log1p(float64(td.groupSupports(d))))
	}
	cands := slices.Clone(reps)
	slices.SortStableFunc(cands, func(a, b int) int { return cmp.Compare(rel[b], rel[a]) })
	if len(cands) > mmrCandidates {
		cands = cands[:mmrCandidates]
	}
	var chosen []int
	used := make(map[int]bool)
	for len(chosen) < q {
		best, bestScore := -1, math.Inf(-1)
		for _, d := range cands {
			if used[d] {
				continue
			}
			red := 0.0
			for _, c := range chosen {
				red = max(red, td.vecs[d].dot(td.vecs[c]))
			}
			if s := mmrLambda*rel[d] - (1-mmrLambda)*red; s > bestScore {
				best, bestScore = d, s
			}
		}
		if best < 0 {
			break
		}
		used[best] = true
		chosen = append(chosen, best)
	}
	out := make([]Quote, 0, len(chosen))
	for _, d := range chosen {
		c := td.in.Contributions[td.order[td.reps[d]]]
		out = append(out, Quote{ID: c.ID, Text: c.Text, Supports: c.Supports, Copies: len(td.group[td.reps[d]])})
	}
	return out
}

// maxLabelTerms is the number of terms in a label.
const maxLabelTerms = 4

// labels returns, per kept cluster, its top terms by class-based TF-IDF:
// the term's frequency within the topic, normalised by the topic's term
// count, times ln(1 + A/f) where A is the mean term count of a topic and f
// the term's frequency over all topics. A term is skipped when the terms
// already chosen cover all its stems.
func (td *themeDocs) labels(members [][]int, kept []int) [][]string {
	nt := len(td.voc.terms)
	tf := make([][]float64, len(kept))
	totals := make([]float64, len(kept))
	f := make([]float64, nt)
	for n, c := range kept {
		tf[n] = make([]float64, nt)
		for _, d := range members[c] {
			for k, t := range td.vecs[d].idx {
				x := float64(td.voc.counts[d][k])
				tf[n][t] += x
				totals[n] += x
				f[t] += x
			}
		}
	}
	avg := 0.0
	for _, s := range totals {
		avg += s
	}
	avg /= float64(max(1, len(kept)))
	out := make([][]string, len(kept))
	for n := range kept {
		w := make([]float64, nt)
		var cand []int
		for t := range nt {
			if tf[n][t] > 0 && totals[n] > 0 {
				w[t] = tf[n][t] / totals[n] * math.Log(1+avg/f[t])
				cand = append(cand, t)
			}
		}
		slices.SortStableFunc(cand, func(a, b int) int { return cmp.Compare(w[b], w[a]) })
		out[n] = pickLabel(cand, td.voc.terms, td.stems)
	}
	return out
}

// pickLabel takes the first maxLabelTerms terms of cand (term ids, best
// first) as a label: a term whose stems are all shown already is skipped,
// and a word pair takes the place of a word of its own shown before it
// ("advertising", then "advertising suvs": the pair, once, where the word
// was), so that no word is shown twice.
func pickLabel(cand []int, terms [][2]int32, stems []string) []string {
	var label [][2]int32
	covered := map[int32]bool{}
	for _, t := range cand {
		if len(label) == maxLabelTerms {
			break
		}
		term := terms[t]
		if covered[term[0]] && (term[1] < 0 || covered[term[1]]) {
			continue
		}
		at := -1
		if term[1] >= 0 {
			kept := make([][2]int32, 0, len(label))
			for _, l := range label {
				if l[1] < 0 && (l[0] == term[0] || l[0] == term[1]) {
					if at < 0 {
						at = len(kept)
					}
					continue
				}
				kept = append(kept, l)
			}
			label = kept
		}
		if at < 0 {
			at = len(label)
		}
		label = slices.Insert(label, at, term)
		covered[term[0]] = true
		if term[1] >= 0 {
			covered[term[1]] = true
		}
	}
	out := make([]string, len(label))
	for i, l := range label {
		out[i] = stems[l[0]]
		if l[1] >= 0 {
			out[i] += " " + stems[l[1]]
		}
	}
	return out
}

// surfaces shows each stem of each label term as its most frequent
// written form in the slice (ties: alphabetical).
func (td *themeDocs) surfaces(terms []string) []string {
	need := map[string]map[string]int{}
	for _, t := range terms {
		for _, s := range strings.Fields(t) {
			need[s] = map[string]int{}
		}
	}
	for _, r := range td.reps {
		for _, tok := range td.prep[td.order[r]].tokens {
			if m, ok := need[tok.Stem]; ok {
				m[tok.Surface]++
			}
		}
	}
	best := func(stem string) string {
		m := need[stem]
		b, bc := stem, 0
		for s, c := range m {
			if c > bc || (c == bc && s < b) {
				b, bc = s, c
			}
		}
		return b
	}
	out := make([]string, len(terms))
	for k, t := range terms {
		parts := strings.Fields(t)
		for j := range parts {
			parts[j] = best(parts[j])
		}
		out[k] = strings.Join(parts, " ")
	}
	return out
}

func joinLabel(terms []string) string {
	return strings.Join(terms, " · ")
}

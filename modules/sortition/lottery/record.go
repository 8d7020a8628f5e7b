// SPDX-License-Identifier: AGPL-3.0-or-later

package lottery

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// GeneratorDescription is written into every record so a reader knows how
// to replay the draw without reading our code.
const GeneratorDescription = "seed = SHA-256(\"" + domain + "\" || len||method || len||inputs...) with 8-byte big-endian lengths; " +
	"ChaCha8 (C2SP chacha8rand, Go math/rand/v2 NewChaCha8) keyed by the seed; " +
	"index in [0,n) = first 64-bit output u < floor(2^64/n)*n, reduced mod n"

// ErrTampered is returned when a record does not replay to what it claims.
var ErrTampered = errors.New("record does not replay")

// Quota is one quota row of a published record.
type Quota struct {
	Category string `json:"category"`
	Value    string `json:"value"`
	Min      int    `json:"min"`
	Max      int    `json:"max"`
}

// Member is a pool member as published: a pseudonymous id and the feature
// values in the order of Record.Categories, nothing else.
type Member struct {
	ID        string   `json:"id"`
	Features  []string `json:"features"`
	Household string   `json:"household,omitempty"`
}

// Record is the published record of a panel draw: the pool (pseudonymised),
// the quotas, the M equally likely panels, the seed inputs, the index drawn
// and the panel selected.
type Record struct {
	Version    int        `json:"version"`
	Kind       string     `json:"kind"`
	Generator  string     `json:"generator"`
	Seed       SeedInputs `json:"seed"`
	Categories []string   `json:"categories"`
	Quotas     []Quota    `json:"quotas"`
	PanelSize  int        `json:"panel_size"`
	Households bool       `json:"households,omitempty"`
	Pool       []Member   `json:"pool"`
	Panels     [][]string `json:"panels"`
	Index      int        `json:"index"`
	Selected   []string   `json:"selected"`
	Loss       *Loss      `json:"rounding_loss,omitempty"`
}

// Pseudonym returns a stable pseudonymous id: the first 16 hex digits of
// HMAC-SHA256(key, id). The organiser keeps the key to tell the chosen
// people; the record alone does not reveal who they are.
func Pseudonym(key []byte, id string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id))
	return hex.EncodeToString(m.Sum(nil))[:16]
}

// Draw computes Index and Selected from the seed inputs and the panels.
func (r *Record) Draw() error {
	if len(r.Panels) == 0 {
		return fmt.Errorf("record has no panels")
	}
	seed, err := r.Seed.Seed()
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	r.Version, r.Kind, r.Generator = 1, "panel", GeneratorDescription
	r.Index = NewGenerator(seed).Index(len(r.Panels))
	r.Selected = append([]string(nil), r.Panels[r.Index]...)
	return nil
}

// Verify replays the draw: the seed from its inputs (checking the
// commitment), the index, the selected panel, and that every panel of the
// lottery is a feasible panel of the published pool. It returns the
// selected panel.
func (r *Record) Verify() ([]string, error) {
	if r.Kind != "panel" {
		return nil, fmt.Errorf("record kind %q, want panel", r.Kind)
	}
	if len(r.Panels) == 0 {
		return nil, fmt.Errorf("%w: no panels", ErrTampered)
	}
	seed, err := r.Seed.Seed()
	if err != nil {
		return nil, fmt.Errorf("%w: seed: %w", ErrTampered, err)
	}
	idx := NewGenerator(seed).Index(len(r.Panels))
	if idx != r.Index {
		return nil, fmt.Errorf("%w: the seed draws index %d, the record says %d", ErrTampered, idx, r.Index)
	}
	if !slices.Equal(r.Panels[idx], r.Selected) {
		return nil, fmt.Errorf("%w: selected panel differs from panel %d of the lottery", ErrTampered, idx)
	}
	if err := r.checkPanels(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTampered, err)
	}
	return append([]string(nil), r.Selected...), nil
}

func (r *Record) checkPanels() error {
	pool := make(map[string]Member, len(r.Pool))
	for _, m := range r.Pool {
		if _, dup := pool[m.ID]; dup {
			return fmt.Errorf("pool id %s appears twice", m.ID)
		}
		if len(m.Features) != len(r.Categories) {
			return fmt.Errorf("pool member %s has %d features, want %d", m.ID, len(m.Features), len(r.Categories))
		}
		pool[m.ID] = m
	}
	catIndex := make(map[string]int, len(r.Categories))
	for i, c := range r.Categories {
		catIndex[c] = i
	}
	for _, q := range r.Quotas {
		if _, ok := catIndex[q.Category]; !ok {
			return fmt.Errorf("quota on unknown category %q", q.Category)
		}
	}
	for p, panel := range r.Panels {
		if len(panel) != r.PanelSize {
			return fmt.Errorf("panel %d has %d members, want %d", p, len(panel), r.PanelSize)
		}
		seen := map[string]bool{}
		homes := map[string]bool{}
		count := map[[2]string]int{}
		for _, id := range panel {
			m, ok := pool[id]
			if !ok {
				return fmt.Errorf("panel %d: member %s is not in the pool", p, id)
			}
			if seen[id] {
				return fmt.Errorf("panel %d: member %s twice", p, id)
			}
			seen[id] = true
			if r.Households && m.Household != "" {
				if homes[m.Household] {
					return fmt.Errorf("panel %d: two members of household %s", p, m.Household)
				}
				homes[m.Household] = true
			}
			for c, v := range m.Features {
				count[[2]string{r.Categories[c], v}]++
			}
		}
		for _, q := range r.Quotas {
			if n := count[[2]string{q.Category, q.Value}]; n < q.Min || n > q.Max {
				return fmt.Errorf("panel %d: %s=%s has %d members, quota %d..%d", p, q.Category, q.Value, n, q.Min, q.Max)
			}
		}
	}
	return nil
}

// Item is a candidate of an item draw (a proposal, a replacement member):
// an id and the published key the list is sorted by before drawing.
type Item struct {
	ID  string `json:"id"`
	Key string `json:"key"`
}

// ItemRecord is the published record of an item draw.
type ItemRecord struct {
	Version   int        `json:"version"`
	Kind      string     `json:"kind"`
	Generator string     `json:"generator"`
	Seed      SeedInputs `json:"seed"`
	Items     []Item     `json:"items"`
	N         int        `json:"n"`
	Selected  []string   `json:"selected"`
}

// DrawItems draws n distinct items: the list is sorted by (Key, ID) so the
// input order does not matter, then a partial Fisher–Yates shuffle driven
// by the generator picks position i among the items not yet drawn.
func DrawItems(items []Item, n int, seed [32]byte) ([]Item, error) {
	if n < 0 || n > len(items) {
		return nil, fmt.Errorf("draw %d of %d items", n, len(items))
	}
	list := slices.Clone(items)
	slices.SortFunc(list, func(a, b Item) int {
		if c := strings.Compare(a.Key, b.Key); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	ids := map[string]bool{}
	for _, it := range list {
		if ids[it.ID] {
			return nil, fmt.Errorf("item id %q appears twice", it.ID)
		}
		ids[it.ID] = true
	}
	g := NewGenerator(seed)
	for i := 0; i < n; i++ {
		j := i + g.Index(len(list)-i)
		list[i], list[j] = list[j], list[i]
	}
	return list[:n], nil
}

// NewItemRecord draws n items and returns the record to publish.
func NewItemRecord(items []Item, n int, in SeedInputs) (*ItemRecord, error) {
	seed, err := in.Seed()
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	got, err := DrawItems(items, n, seed)
	if err != nil {
		return nil, err
	}
	r := &ItemRecord{Version: 1, Kind: "items", Generator: GeneratorDescription, Seed: in, Items: slices.Clone(items), N: n}
	for _, it := range got {
		r.Selected = append(r.Selected, it.ID)
	}
	return r, nil
}

// Verify replays an item draw and returns the selected ids.
func (r *ItemRecord) Verify() ([]string, error) {
	if r.Kind != "items" {
		return nil, fmt.Errorf("record kind %q, want items", r.Kind)
	}
	seed, err := r.Seed.Seed()
	if err != nil {
		return nil, fmt.Errorf("%w: seed: %w", ErrTampered, err)
	}
	got, err := DrawItems(r.Items, r.N, seed)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTampered, err)
	}
	ids := make([]string, len(got))
	for i, it := range got {
		ids[i] = it.ID
	}
	if !slices.Equal(ids, r.Selected) {
		return nil, fmt.Errorf("%w: the seed selects %v, the record says %v", ErrTampered, ids, r.Selected)
	}
	return ids, nil
}

// ReadRecord decodes a published record of either kind; exactly one of the
// results is non-nil.
func ReadRecord(rd io.Reader) (*Record, *ItemRecord, error) {
	raw, err := io.ReadAll(rd)
	if err != nil {
		return nil, nil, fmt.Errorf("reading record: %w", err)
	}
	var head struct {
		Kind string `json:"kind"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return nil, nil, fmt.Errorf("decoding record: %w", err)
	}
	switch head.Kind {
	case "panel":
		var r Record
		if err := json.Unmarshal(raw, &r); err != nil {
			return nil, nil, fmt.Errorf("decoding panel record: %w", err)
		}
		return &r, nil, nil
	case "items":
		var r ItemRecord
		if err := json.Unmarshal(raw, &r); err != nil {
			return nil, nil, fmt.Errorf("decoding item record: %w", err)
		}
		return nil, &r, nil
	default:
		return nil, nil, fmt.Errorf("record kind %q is neither panel nor items", head.Kind)
	}
}

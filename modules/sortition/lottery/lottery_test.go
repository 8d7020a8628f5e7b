// SPDX-License-Identifier: AGPL-3.0-or-later

package lottery_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/polder-civic/polder/modules/sortition/lottery"
)

func TestCommitRevealSeed(t *testing.T) {
	in := lottery.CommitReveal("correct horse", "EuroMillions 2026-11-24: 3 17 22 40 48 + 2 9")
	if want := sha256.Sum256([]byte("correct horse")); in.Commitment != hexOf(want[:]) {
		t.Fatalf("commitment %s", in.Commitment)
	}
	seed, err := in.Seed()
	if err != nil {
		t.Fatal(err)
	}
	// recompute the documented construction by hand
	h := sha256.New()
	h.Write([]byte("polder-sortition-seed-v1"))
	for _, s := range []string{"commit-reveal", "correct horse", "EuroMillions 2026-11-24: 3 17 22 40 48 + 2 9"} {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	if !bytes.Equal(seed[:], h.Sum(nil)) {
		t.Fatal("seed does not follow the documented construction")
	}
	// a different public value changes the seed
	other, _ := lottery.CommitReveal("correct horse", "other").Seed()
	if other == seed {
		t.Fatal("public value ignored")
	}
	// a wrong secret is refused
	bad := in
	bad.Secret = "correct horse!"
	if _, err := bad.Seed(); !errors.Is(err, lottery.ErrCommitment) {
		t.Fatalf("wrong secret: %v, want ErrCommitment", err)
	}
}

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, x := range b {
		out = append(out, digits[x>>4], digits[x&15])
	}
	return string(out)
}

func TestIndexDeterministicAndUniform(t *testing.T) {
	seed, err := lottery.Public("dice: 4 2 6 1 3 5").Seed()
	if err != nil {
		t.Fatal(err)
	}
	a, b := lottery.NewGenerator(seed), lottery.NewGenerator(seed)
	const n = 7
	counts := make([]int, n)
	for i := 0; i < 70000; i++ {
		x, y := a.Index(n), b.Index(n)
		if x != y {
			t.Fatal("same seed, different draws")
		}
		counts[x]++
	}
	// chi-square with 6 degrees of freedom: 22.5 is the 0.999 quantile
	var chi float64
	for _, c := range counts {
		d := float64(c) - 10000
		chi += d * d / 10000
	}
	if chi > 22.5 {
		t.Fatalf("counts %v not uniform (chi² %.1f)", counts, chi)
	}
}

func TestApportion(t *testing.T) {
	p := []float64{0.5, 0.3333333, 0.1666667}
	c, err := lottery.Apportion(p, 1000)
	if err != nil {
		t.Fatal(err)
	}
	sum := 0
	for j, x := range c {
		sum += x
		if math.Abs(float64(x)-1000*p[j]) >= 1 {
			t.Errorf("count %d for probability %v", x, p[j])
		}
	}
	if sum != 1000 {
		t.Fatalf("counts sum to %d", sum)
	}
	if _, err := lottery.Apportion([]float64{-0.1, 1.1}, 10); err == nil {
		t.Error("negative probability accepted")
	}
}

func sampleRecord(t *testing.T) *lottery.Record {
	t.Helper()
	r := &lottery.Record{
		Seed:       lottery.CommitReveal("s3cret", "lottery 2026-11-24"),
		Categories: []string{"gender"},
		Quotas:     []lottery.Quota{{Category: "gender", Value: "f", Min: 1, Max: 1}, {Category: "gender", Value: "m", Min: 1, Max: 1}},
		PanelSize:  2,
		Pool: []lottery.Member{
			{ID: "a", Features: []string{"f"}}, {ID: "b", Features: []string{"f"}},
			{ID: "c", Features: []string{"m"}}, {ID: "d", Features: []string{"m"}},
		},
		Panels: [][]string{{"a", "c"}, {"a", "d"}, {"b", "c"}, {"b", "d"}},
	}
	if err := r.Draw(); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRecordReplaysAndDetectsTampering(t *testing.T) {
	r := sampleRecord(t)
	again := sampleRecord(t)
	if r.Index != again.Index || !slices.Equal(r.Selected, again.Selected) {
		t.Fatal("same inputs, different panel")
	}
	raw, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	decoded, _, err := lottery.ReadRecord(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	panel, err := decoded.Verify()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(panel, r.Selected) {
		t.Fatalf("replayed %v, record says %v", panel, r.Selected)
	}
	tamper := map[string]func(x *lottery.Record){
		"index":       func(x *lottery.Record) { x.Index = (x.Index + 1) % len(x.Panels) },
		"selected":    func(x *lottery.Record) { x.Selected = []string{"b", "d"}; x.Panels[x.Index] = []string{"a", "c"} },
		"secret":      func(x *lottery.Record) { x.Seed.Secret = "guess" },
		"public":      func(x *lottery.Record) { x.Seed.PublicValue = "lottery 2026-11-25" },
		"panel quota": func(x *lottery.Record) { x.Panels[(x.Index+1)%4] = []string{"a", "b"} },
		"features":    func(x *lottery.Record) { x.Pool[0].Features = []string{"m"} },
		"panel size":  func(x *lottery.Record) { x.PanelSize = 3 },
	}
	for name, f := range tamper {
		t.Run(name, func(t *testing.T) {
			x := sampleRecord(t)
			f(x)
			if _, err := x.Verify(); err == nil {
				t.Fatal("tampered record verified")
			}
		})
	}
}

func TestItemDraw(t *testing.T) {
	items := []lottery.Item{{ID: "p1", Key: "2026-01-03"}, {ID: "p2", Key: "2026-01-01"}, {ID: "p3", Key: "2026-01-02"}, {ID: "p4", Key: "2026-01-02"}, {ID: "p5", Key: "2026-01-09"}}
	in := lottery.Public("dice 6 6 1")
	r, err := lottery.NewItemRecord(items, 3, in)
	if err != nil {
		t.Fatal(err)
	}
	// the input order must not matter: the list is sorted by key first
	rev := slices.Clone(items)
	slices.Reverse(rev)
	r2, err := lottery.NewItemRecord(rev, 3, in)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.Selected, r2.Selected) {
		t.Fatalf("order changed the draw: %v vs %v", r.Selected, r2.Selected)
	}
	if len(r.Selected) != 3 || len(slices.Compact(slices.Sorted(slices.Values(r.Selected)))) != 3 {
		t.Fatalf("selected %v, want 3 distinct", r.Selected)
	}
	if _, err := r.Verify(); err != nil {
		t.Fatal(err)
	}
	r.Selected[0], r.Selected[1] = r.Selected[1], r.Selected[0]
	if _, err := r.Verify(); !errors.Is(err, lottery.ErrTampered) {
		t.Fatalf("reordered selection: %v, want ErrTampered", err)
	}
	if _, err := lottery.NewItemRecord(append(items, lottery.Item{ID: "p1", Key: "x"}), 1, in); err == nil {
		t.Fatal("duplicate item id accepted")
	}
}

// SPDX-License-Identifier: AGPL-3.0-or-later

package pooldata_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/polder-civic/polder/modules/sortition/leximin"
	"github.com/polder-civic/polder/modules/sortition/pooldata"
)

// bounds flattens categories to "cat=value:min..max" for comparison.
func bounds(cats []leximin.Category) string {
	var parts []string
	for _, c := range cats {
		for _, q := range c.Values {
			parts = append(parts, fmt.Sprintf("%s=%s:%d..%d", c.Name, q.Value, q.Min, q.Max))
		}
	}
	return strings.Join(parts, " ")
}

func TestShareRows(t *testing.T) {
	cases := []struct {
		name, csv string
		size      int
		want      string
	}{
		// floor(0.45·20)=9, ceil=9; ±1 seat.
		{"replication layout, fractions", "category,feature,share,tolerance\ngender,female,0.45,1\ngender,male,0.55,1\n", 20,
			"gender=female:8..10 gender=male:10..12"},
		{"foundation layout, percentages", "feature,value,share,tolerance\nage,young,25%,0\nage,old,75%,2\n", 10,
			"age=young:2..3 age=old:5..10"},
		// 0.07·100 is exactly 7 seats (a float product would give 7.000000000000001 and a ceiling of 8).
		{"exact arithmetic", "feature,value,share,tolerance\nregion,north,0.07,0\nregion,south,0.93,0\n", 100,
			"region=north:7..7 region=south:93..93"},
		{"tolerance clamped to 0 and size", "feature,value,share,tolerance\ng,a,1,3\ng,b,0,3\n", 5,
			"g=a:2..5 g=b:0..3"},
		{"no tolerance column", "feature,value,share\ng,a,50%\ng,b,50%\n", 7,
			"g=a:3..4 g=b:3..4"},
		{"rows of both kinds in one table", "category,feature,min,max,share,tolerance\ngender,female,9,11,,\nleaning,liberal,,,50%,1\n", 20,
			"gender=female:9..11 leaning=liberal:9..11"},
		{"shares summing to 100% by hand-rounding", "feature,value,share,tolerance\ng,a,33.4%,0\ng,b,33.4%,0\ng,c,33.4%,0\n", 10,
			"g=a:3..4 g=b:3..4 g=c:3..4"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cats, err := pooldata.ReadCategoriesForSize(strings.NewReader(c.csv), "c.csv", c.size)
			if err != nil {
				t.Fatal(err)
			}
			if got := bounds(cats); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

func TestShareEmptyTolerance(t *testing.T) {
	cats, err := pooldata.ReadCategoriesForSize(strings.NewReader("feature,value,share,tolerance\ng,a,0.5,\ng,b,0.5, \n"), "c.csv", 9)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := bounds(cats), "g=a:4..5 g=b:4..5"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestShareErrorsNameTheRow(t *testing.T) {
	cases := []struct {
		name, csv string
		size      int
		wants     []string
	}{
		{"mixed row", "category,feature,min,max,share,tolerance\ngender,female,9,11,,\ngender,male,9,11,0.5,1\n", 20,
			[]string{"c.csv line 3", "gender=male", "both min/max and share/tolerance"}},
		{"share above 1", "feature,value,share,tolerance\ng,a,1.2,0\n", 20, []string{"c.csv line 2", "share 1.2 is above 1"}},
		{"percentage above 100", "feature,value,share,tolerance\ng,a,10%,0\ng,b,120%,0\n", 20, []string{"c.csv line 3", "above 1"}},
		{"negative tolerance", "feature,value,share,tolerance\ng,a,0.5,-1\n", 20, []string{"c.csv line 2", "column tolerance", `"-1"`, "≥ 0"}},
		{"fractional tolerance", "feature,value,share,tolerance\ng,a,0.5,1.5\n", 20, []string{"c.csv line 2", `"1.5"`}},
		{"shares sum over 1", "feature,value,share,tolerance\ng,a,0.6,0\nh,x,0.9,0\ng,b,0.5,0\n", 20,
			[]string{"c.csv line 4", "shares of g", "110.00%"}},
		{"not a number", "feature,value,share,tolerance\ng,a,half,0\n", 20, []string{"c.csv line 2", `"half" is not a share`}},
		{"negative share", "feature,value,share,tolerance\ng,a,-0.5,0\n", 20, []string{"c.csv line 2", "not a share"}},
		{"fraction form", "feature,value,share,tolerance\ng,a,1/3,0\n", 20, []string{"c.csv line 2", "not a share"}},
		{"exponent form", "feature,value,share,tolerance\ng,a,1e-1,0\n", 20, []string{"c.csv line 2", "not a share"}},
		{"tolerance without share", "feature,value,share,tolerance\ng,a,,2\n", 20, []string{"c.csv line 2", "tolerance without a share"}},
		{"row with neither", "category,feature,min,max,share,tolerance\ng,a,,,,\n", 20, []string{"c.csv line 2", `"" is not an integer`}},
		{"neither in a share table", "feature,value,share\ng,a,\n", 20, []string{"c.csv line 2", "g=a has no share"}},
		{"no panel size", "feature,value,share,tolerance\ng,a,0.5,0\n", 0, []string{"c.csv line 2", "needs the panel size"}},
		{"tolerance column alone", "feature,value,tolerance\ng,a,1\n", 20, []string{"c.csv line 1", "min, max", "share"}},
		{"duplicate share row", "feature,value,share\ng,a,0.2\ng,a,0.2\n", 20, []string{"c.csv line 3", "listed twice"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cats, err := pooldata.ReadCategoriesForSize(strings.NewReader(c.csv), "c.csv", c.size)
			if err == nil {
				t.Fatalf("read %s, want an error", bounds(cats))
			}
			if !errors.Is(err, pooldata.ErrFormat) {
				t.Errorf("error %v is not ErrFormat", err)
			}
			for _, w := range c.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// ReadCategories (no panel size) still reads min/max tables and refuses
// share rows with a clear message rather than guessing a size.
func TestReadCategoriesWithoutSize(t *testing.T) {
	if _, err := pooldata.ReadCategories(strings.NewReader("feature,value,min,max\ng,a,1,2\n"), "c.csv"); err != nil {
		t.Fatal(err)
	}
	_, err := pooldata.ReadCategories(strings.NewReader("feature,value,share\ng,a,0.5\n"), "c.csv")
	if err == nil || !strings.Contains(err.Error(), "needs the panel size") {
		t.Fatalf("error %v, want one asking for the panel size", err)
	}
}

// SPDX-License-Identifier: AGPL-3.0-or-later

package sortition_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/polder-civic/polder/modules/sortition"
	"github.com/polder-civic/polder/modules/sortition/leximin"
)

// The upload form takes quotas as target shares and converts them for
// the panel size it is given; a bad share row is refused naming the row.
func TestUploadShareQuotas(t *testing.T) {
	e := newEnv(t)
	_, pool, _ := e.smallPool()
	bad := "category,feature,share,tolerance\ngender,female,0.5,1\ngender,male,0.5,-2\n"
	e.post(e.base+"/pool", url.Values{"quotas": {bad}, "pool": {pool}, "panel_size": {"20"}}).
		Must(t, http.StatusUnprocessableEntity).Contains(t, "line 3")
	if n := e.count(&sortition.Draw{}) + e.count(&sortition.PoolRow{}); n != 0 {
		t.Fatalf("a refused upload stored %d rows", n)
	}

	// For 20 seats: 45% ±1 → 8..10, 55% ±1 → 10..12; min/max rows as given.
	quotas := "category,feature,min,max,share,tolerance\ngender,female,,,45%,1\ngender,male,,,0.55,1\nleaning,liberal,9,11,,\nleaning,conservative,9,11,,\n"
	e.post(e.base+"/pool", url.Values{"quotas": {quotas}, "pool": {pool}, "panel_size": {"20"}}).Must(t, http.StatusSeeOther)
	var cats []leximin.Category
	if err := json.Unmarshal([]byte(e.draw().Categories), &cats); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range cats {
		for _, q := range c.Values {
			got = append(got, fmt.Sprintf("%s=%s:%d..%d", c.Name, q.Value, q.Min, q.Max))
		}
	}
	want := "gender=female:8..10 gender=male:10..12 leaning=liberal:9..11 leaning=conservative:9..11"
	if strings.Join(got, " ") != want {
		t.Fatalf("stored quotas %s, want %s", strings.Join(got, " "), want)
	}
}

// SPDX-License-Identifier: AGPL-3.0-or-later

package topics

import (
	"context"
	"fmt"
	"testing"
)

// TestDutchEndToEnd runs Dutch contributions on two subjects through the
// whole pipeline (detection, Dutch stop words and Snowball stems, topics).
func TestDutchEndToEnd(t *testing.T) {
	cs, known := dutchContributions()
	syn, err := Build(context.Background(), Input{Contributions: cs, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(syn.LeftOut) > 0 || len(syn.Languages) != 1 || syn.Languages[0].Key != "nl" {
		t.Fatalf("Dutch not recognised: left out %v, languages %v", syn.LeftOut, syn.Languages)
	}
	got := topicLabels(t, syn)
	pur := purity(got, known)
	for _, tp := range syn.Themes[0].Topics {
		t.Logf("  %2d %s", tp.Size, tp.Label)
	}
	t.Logf("Dutch, two subjects: %d topics, purity %.3f", len(syn.Themes[0].Topics), pur)
	if len(syn.Themes[0].Topics) < 2 || pur < 0.8 {
		t.Errorf("subjects not separated: %d topics, purity %.3f", len(syn.Themes[0].Topics), pur)
	}
}

// dutchContributions returns the Dutch contributions on two subjects and
// their known subject.
func dutchContributions() ([]Contribution, map[string]string) {
	var cs []Contribution
	known := map[string]string{}
	for _, subject := range []string{"fiets", "woning"} {
		for i, text := range dutchTexts[subject] {
			id := fmt.Sprintf("%s%02d", subject, i)
			cs = append(cs, Contribution{ID: id, Text: text, Theme: "stad", Session: "s1"})
			known[id] = subject
		}
	}
	return cs, known
}

var dutchTexts = map[string][]string{
	"fiets": {
		"Meer veilige fietspaden langs de drukke wegen naar school.",
		"De fietspaden in het centrum zijn te smal voor bakfietsen.",
		"Een overdekte fietsenstalling bij het station, want fietsen worden gestolen.",
		"Fietsers hebben voorrang nodig op de rotondes in de stad.",
		"Gescheiden fietspaden zodat kinderen veilig naar school fietsen.",
		"De fietsenstalling bij het station is altijd vol.",
		"Subsidie voor elektrische fietsen voor wie naar het werk fietst.",
		"Snelle fietsroutes tussen de dorpen en de stad.",
		"Meer fietsenrekken in de winkelstraten en bij het station.",
		"Verlichting op de fietspaden buiten de stad voor de winter.",
		"Fietsers en auto's scheiden op de gevaarlijke kruispunten.",
		"Een fietsstraat waar de auto te gast is, langs de scholen.",
	},
	"woning": {
		"Sociale huurwoningen moeten beter geïsoleerd worden tegen de kou.",
		"De huurprijzen van woningen in de stad zijn te hoog voor jongeren.",
		"Lege kantoren ombouwen tot betaalbare woningen.",
		"Subsidie voor isolatie van oude woningen en daken.",
		"Meer betaalbare huurwoningen voor starters en gezinnen.",
		"Verhuurders verplichten om hun woningen te isoleren.",
		"Woningen boven winkels weer bewoonbaar maken.",
		"De wachtlijst voor sociale huurwoningen is jaren lang.",
		"Tiny houses toestaan op lege grond in de wijk.",
		"Isolatie van woningen verlaagt de energierekening van huurders.",
		"Nieuwe woningen bouwen in plaats van kantoren leeg te laten staan.",
		"Huurders beschermen tegen te hoge huurprijzen en slechte woningen.",
	},
}

// SPDX-License-Identifier: AGPL-3.0-or-later

package textan

import "testing"

// labelledSentences are short contributions written for this test, in the
// register of a citizens' platform, each with its true language. "other"
// holds German, Spanish, Italian, Portuguese and Chinese.
var labelledSentences = []struct {
	lang Lang
	text string
}{
	{English, "We need more protected bike lanes on the main roads."},
	{English, "Public transport should be free for students and pensioners."},
	{English, "The council must insulate social housing before next winter."},
	{English, "Ban advertising for SUVs in the city centre."},
	{English, "I think local farmers deserve a fair price for their milk."},
	{English, "Plant trees along every school street."},
	{English, "Solar panels on all public buildings by 2030."},
	{English, "Why is the night bus so rare after midnight?"},
	{English, "Rents are too high for young people in this area."},
	{English, "Repair cafés should get a small subsidy from the city."},
	{English, "Too many cars park on the pavement near the station."},
	{English, "Make the canteens serve a vegetarian meal every day."},
	{English, "The tax on kerosene is far too low compared with train tickets."},
	{English, "Workers need training to move to green jobs."},
	{English, "Stop building new car parks."},
	{French, "Il faut davantage de pistes cyclables sécurisées en ville."},
	{French, "Les transports en commun devraient être gratuits pour les jeunes."},
	{French, "Rénover les passoires thermiques avant de construire du neuf."},
	{French, "Interdire la publicité pour les voitures les plus polluantes."},
	{French, "L'agriculture biologique doit être soutenue par des aides."},
	{French, "Planter des arbres dans chaque cour d'école."},
	{French, "Des panneaux solaires sur tous les bâtiments publics."},
	{French, "Pourquoi le train coûte-t-il plus cher que l'avion ?"},
	{French, "Les loyers sont trop élevés pour les étudiants."},
	{French, "Réduire la vitesse à 110 km/h sur les autoroutes."},
	{French, "Limiter l'artificialisation des sols agricoles."},
	{French, "Un repas végétarien par semaine dans les cantines scolaires."},
	{French, "Taxer le kérosène comme l'essence."},
	{French, "Former les salariés aux métiers de la transition écologique."},
	{French, "Rendre obligatoire l'affichage de la durée de vie des produits."},
	{Dutch, "We hebben meer veilige fietspaden nodig in de stad."},
	{Dutch, "Het openbaar vervoer moet gratis worden voor jongeren."},
	{Dutch, "De gemeente moet sociale woningen beter isoleren."},
	{Dutch, "Verbied reclame voor grote auto's in het centrum."},
	{Dutch, "Lokale boeren verdienen een eerlijke prijs voor hun melk."},
	{Dutch, "Plant bomen in elke schoolstraat."},
	{Dutch, "Zonnepanelen op alle openbare gebouwen tegen 2030."},
	{Dutch, "Waarom rijdt de nachtbus zo weinig na middernacht?"},
	{Dutch, "De huurprijzen zijn te hoog voor jonge mensen."},
	{Dutch, "Repair cafés zouden een kleine subsidie van de stad moeten krijgen."},
	{Dutch, "Er staan te veel auto's op het voetpad bij het station."},
	{Dutch, "Elke dag een vegetarische maaltijd in de schoolkantine."},
	{Dutch, "Kerosine wordt veel te weinig belast in vergelijking met de trein."},
	{Dutch, "Werknemers hebben opleiding nodig voor groene banen."},
	{Dutch, "Stop met het bouwen van nieuwe parkeergarages."},
	{Other, "Wir brauchen mehr sichere Radwege in der Stadt."},
	{Other, "Der öffentliche Nahverkehr sollte für Schüler kostenlos sein."},
	{Other, "Die Mieten sind für junge Leute viel zu hoch."},
	{Other, "Necesitamos más carriles bici seguros en la ciudad."},
	{Other, "El transporte público debería ser gratuito para los jóvenes."},
	{Other, "Los alquileres son demasiado caros para los estudiantes."},
	{Other, "Servono più piste ciclabili sicure in città."},
	{Other, "Il trasporto pubblico dovrebbe essere gratuito per i giovani."},
	{Other, "Precisamos de mais ciclovias seguras na cidade."},
	{Other, "O transporte público deveria ser gratuito para os jovens."},
	// Short texts with few or no function words, as titles often are.
	{English, "Ban single-use plastic packaging."},
	{English, "Progressive electricity prices: cheap first kilowatt hours, expensive waste."},
	{English, "Cheaper trains, fewer flights."},
	{English, "Community gardens everywhere!"},
	{French, "Interdiction des emballages plastiques jetables."},
	{French, "Trains moins chers, vols plus rares."},
	{French, "Jardins partagés partout !"},
	{French, "Tarification progressive de l'électricité."},
	{Dutch, "Verbod op plastic wegwerpverpakkingen."},
	{Dutch, "Goedkopere treinen, minder vluchten."},
	{Dutch, "Buurtmoestuinen overal!"},
	{Dutch, "Progressieve elektriciteitsprijzen."},
	{Other, "Verbot von Einwegverpackungen aus Plastik."},
	{Other, "Trenes más baratos, menos vuelos."},
	{Other, "我們需要更多安全的自行車道"},
	{Other, "https://example.org"},
}

// TestDetectLanguageAccuracy measures the stop-word-ratio classifier on the
// labelled sentences and fails below 90% overall or 85% in any class.
func TestDetectLanguageAccuracy(t *testing.T) {
	right := 0
	perClass := map[Lang][2]int{}
	for _, s := range labelledSentences {
		got := DetectLanguage(Normalize(s.text)).Lang
		pc := perClass[s.lang]
		pc[1]++
		if got == s.lang {
			right++
			pc[0]++
		} else {
			t.Logf("miss: %q is %s, detected %s", s.text, s.lang, got)
		}
		perClass[s.lang] = pc
	}
	acc := float64(right) / float64(len(labelledSentences))
	t.Logf("language detection accuracy: %d/%d = %.3f", right, len(labelledSentences), acc)
	for _, l := range append(Supported, Other) {
		pc := perClass[l]
		a := float64(pc[0]) / float64(pc[1])
		t.Logf("  %-5s %d/%d = %.3f", l, pc[0], pc[1], a)
		if a < 0.85 {
			t.Errorf("accuracy for %s is %.3f, below 0.85", l, a)
		}
	}
	if acc < 0.9 {
		t.Errorf("overall accuracy %.3f below 0.9", acc)
	}
}

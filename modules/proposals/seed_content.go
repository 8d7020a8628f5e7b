// SPDX-License-Identifier: AGPL-3.0-or-later

package proposals

// idea is one demo contribution, in French and in English.
type idea struct {
	TitleFR, BodyFR, TitleEN, BodyEN string
}

// demoIdeas are the demo's contributions per theme key of the climate
// convention preset, written in the spirit of the 2019-2020 convention's
// public contributions.
var demoIdeas = map[string][]idea{
	"se-deplacer": {
		{"Développer le train de nuit", "Relancer les lignes de train de nuit entre les grandes villes et vers les pays voisins, avec des tarifs inférieurs à l'avion.",
			"Bring back night trains", "Reopen night train lines between major cities and to neighbouring countries, with fares below those of flights."},
		{"Pistes cyclables sécurisées partout", "Financer un réseau continu de pistes cyclables séparées de la circulation, entre les villages et les bourgs, pour que les enfants puissent aller à l'école à vélo.",
			"Safe cycle lanes everywhere", "Fund a continuous network of cycle lanes separated from traffic, between villages and towns, so that children can cycle to school."},
		{"Limiter la vitesse à 110 km/h sur autoroute", "Abaisser la vitesse maximale sur autoroute de 130 à 110 km/h réduit la consommation de carburant et les émissions sans presque allonger les trajets.",
			"Lower the motorway speed limit to 110 km/h", "Lowering the motorway limit from 130 to 110 km/h cuts fuel use and emissions while barely lengthening journeys."},
		{"Transports en commun gratuits pour les jeunes", "Rendre les bus et les trains régionaux gratuits pour les moins de 25 ans, financé par une contribution des employeurs.",
			"Free public transport for young people", "Make buses and regional trains free for people under 25, paid for by an employers' contribution."},
		{"Interdire les vols intérieurs quand le train met moins de 4 heures", "Quand un trajet existe en train en moins de quatre heures, supprimer les vols intérieurs correspondants.",
			"Ban domestic flights where the train takes under 4 hours", "Where a train journey of under four hours exists, end the matching domestic flights."},
		{"Favoriser le covoiturage domicile-travail", "Créer des voies réservées au covoiturage aux entrées des villes et une prime mensuelle pour les salariés qui covoiturent.",
			"Encourage car-sharing to work", "Create car-pool lanes at the entrances of cities and a monthly bonus for employees who share their car."},
		{"Fret ferroviaire plutôt que camions", "Remettre en service les gares de fret et taxer le transport routier de marchandises sur les longues distances.",
			"Freight by rail rather than lorries", "Reopen freight stations and tax long-distance road haulage."},
	},
	"se-loger": {
		{"Rénovation énergétique obligatoire à la vente", "Obliger la rénovation des logements les moins isolés au moment de leur vente, avec un prêt à taux zéro remboursé sur les économies d'énergie.",
			"Mandatory energy renovation on sale", "Require the renovation of the worst-insulated homes when they are sold, with a zero-interest loan repaid from the energy savings."},
		{"Un guichet unique pour rénover", "Un seul interlocuteur public par département pour conseiller, trouver des artisans certifiés et monter les dossiers d'aides.",
			"One-stop shop for renovation", "A single public contact per district to advise, find certified builders and apply for grants."},
		{"Stopper l'artificialisation des sols", "Interdire les nouvelles zones commerciales en périphérie et réhabiliter les friches et les logements vacants avant de construire.",
			"Stop building on farmland", "Ban new out-of-town shopping zones and renovate brownfields and empty homes before building anything new."},
		{"Remplacer les chaudières au fioul", "Interdire l'installation de chaudières au fioul et aider les ménages modestes à passer à la pompe à chaleur.",
			"Replace oil boilers", "Ban new oil boilers and help low-income households switch to heat pumps."},
		{"Chauffer moins les bâtiments publics", "Limiter le chauffage des bureaux et bâtiments publics à 19 °C et couper la climatisation en dessous de 26 °C.",
			"Heat public buildings less", "Cap heating in offices and public buildings at 19 °C and no air conditioning below 26 °C."},
		{"Des logements plus petits mais mieux partagés", "Encourager l'habitat partagé et les buanderies, chambres d'amis et ateliers communs dans les immeubles neufs.",
			"Smaller homes, better shared", "Encourage shared housing and common laundries, guest rooms and workshops in new buildings."},
	},
	"se-nourrir": {
		{"Un repas végétarien par jour à la cantine", "Proposer chaque jour une option végétarienne dans toutes les cantines publiques, préparée avec des produits locaux.",
			"A daily vegetarian meal in canteens", "Offer a vegetarian option every day in all public canteens, cooked with local produce."},
		{"Aider les agriculteurs à passer au bio", "Garantir un revenu aux agriculteurs pendant les années de conversion à l'agriculture biologique.",
			"Help farmers convert to organic", "Guarantee farmers an income during the years they convert to organic farming."},
		{"Lutter contre le gaspillage alimentaire", "Obliger les supermarchés et la restauration collective à donner leurs invendus et à mesurer leurs pertes.",
			"Fight food waste", "Require supermarkets and catering to donate unsold food and to measure what they throw away."},
		{"Réduire les engrais azotés", "Taxer progressivement les engrais azotés de synthèse et financer avec cette taxe les cultures de légumineuses.",
			"Cut nitrogen fertilisers", "Tax synthetic nitrogen fertilisers step by step and use the tax to fund pulse crops."},
		{"Des circuits courts dans chaque commune", "Mettre à disposition des producteurs locaux un local ou un marché hebdomadaire dans chaque commune.",
			"Short supply chains in every town", "Give local producers a shop or a weekly market in every municipality."},
		{"Protéger les haies et les prairies", "Replanter des haies et protéger les prairies permanentes, qui stockent du carbone et abritent la biodiversité.",
			"Protect hedges and meadows", "Replant hedgerows and protect permanent grassland, which store carbon and shelter wildlife."},
	},
	"produire-travailler": {
		{"Former aux métiers de la transition", "Créer des formations gratuites aux métiers de la rénovation, des énergies renouvelables et de la réparation, ouvertes aux personnes en reconversion.",
			"Train people for transition jobs", "Create free training in renovation, renewable energy and repair trades, open to people changing careers."},
		{"Des éoliennes et du solaire citoyens", "Faciliter les coopératives d'habitants qui financent et possèdent des parcs solaires et éoliens près de chez eux.",
			"Community wind and solar", "Make it easier for residents' cooperatives to fund and own solar and wind farms near where they live."},
		{"Conditionner les aides publiques au climat", "Les entreprises qui reçoivent des aides publiques doivent publier et respecter une trajectoire de baisse de leurs émissions.",
			"Tie public aid to climate targets", "Companies receiving public aid must publish and keep to a path of falling emissions."},
		{"Allonger la durée de garantie", "Porter la garantie légale des appareils à dix ans pour pousser les fabricants à produire solide et réparable.",
			"Longer warranties", "Extend the legal warranty on appliances to ten years to push manufacturers to make durable, repairable goods."},
		{"Décarboner l'industrie lourde", "Financer l'hydrogène produit à partir d'électricité bas carbone pour l'acier et le ciment.",
			"Decarbonise heavy industry", "Fund hydrogen made from low-carbon electricity for steel and cement."},
		{"Semaine de quatre jours", "Expérimenter la semaine de quatre jours pour réduire les déplacements domicile-travail.",
			"Four-day week", "Trial a four-day working week to cut commuting."},
	},
	"consommer": {
		{"Interdire la publicité pour les SUV", "Interdire la publicité pour les produits les plus émetteurs, à commencer par les voitures les plus lourdes.",
			"Ban advertising for SUVs", "Ban advertising for the highest-emitting products, starting with the heaviest cars."},
		{"Un indice de réparabilité sur tous les produits", "Afficher un score de réparabilité et de durabilité sur l'électroménager, les vêtements et les appareils numériques.",
			"A repairability score on every product", "Show a repairability and durability score on appliances, clothes and digital devices."},
		{"Fin des emballages plastiques jetables", "Généraliser la consigne du verre et supprimer les emballages plastiques à usage unique d'ici 2030.",
			"End single-use plastic packaging", "Bring back deposit-return for glass and phase out single-use plastic packaging by 2030."},
		{"Des cafés de réparation dans chaque quartier", "Soutenir les ateliers de réparation bénévoles avec des locaux et des outils.",
			"Repair cafés in every neighbourhood", "Support volunteer repair workshops with premises and tools."},
		{"Sobriété numérique", "Limiter la lecture automatique des vidéos et informer de l'empreinte carbone des usages numériques.",
			"Digital sufficiency", "Limit video autoplay and tell users the carbon footprint of their digital habits."},
		{"Afficher l'empreinte carbone des produits", "Un étiquetage carbone simple, de A à E, sur les produits de consommation courante.",
			"Carbon labels on products", "A simple A-to-E carbon label on everyday consumer goods."},
	},
	"financement-constitution": {
		{"Inscrire le climat dans la Constitution", "Ajouter à l'article premier que la République garantit la préservation de la biodiversité et de l'environnement et lutte contre le dérèglement climatique.",
			"Put the climate in the Constitution", "Add to the first article that the Republic guarantees the protection of biodiversity and the environment and fights climate change."},
		{"Une taxe carbone juste", "Reverser l'intégralité de la taxe carbone aux ménages, en priorité aux plus modestes et aux habitants des zones rurales.",
			"A fair carbon tax", "Return all carbon tax revenue to households, first to those on low incomes and in rural areas."},
		{"Taxer le kérosène", "Mettre fin à l'exonération de taxe sur le kérosène des vols intérieurs et européens.",
			"Tax aviation fuel", "End the tax exemption on kerosene for domestic and European flights."},
		{"Un crime d'écocide", "Créer un crime d'écocide pour punir les atteintes graves et durables aux écosystèmes.",
			"A crime of ecocide", "Create a crime of ecocide to punish serious and lasting damage to ecosystems."},
		{"Flécher l'épargne vers la transition", "Orienter une partie de l'épargne réglementée vers le financement de la rénovation et des transports propres.",
			"Steer savings to the transition", "Direct part of regulated savings towards funding renovation and clean transport."},
		{"Un défenseur de l'environnement indépendant", "Créer une autorité indépendante qui vérifie chaque loi au regard des objectifs climatiques.",
			"An independent climate watchdog", "Create an independent authority that checks every law against the climate targets."},
	},
}

// demoPlaces localise demo contributions.
var demoPlaces = []string{"Lyon", "Rennes", "Lille", "Toulouse", "Nantes", "Strasbourg", "Montpellier", "Brest", "Grenoble", "Limoges", "Dijon", "Amiens", "Pau", "Besançon", "Metz"}

var demoAnglesFR = []string{
	"Dans ma ville, %s, on le voit tous les jours.",
	"À %s, une expérience locale a déjà montré que c'est possible.",
	"Je vis près de %s et je n'ai pas d'autre choix que la voiture aujourd'hui.",
	"Notre association à %s est prête à aider.",
	"",
}

var demoAnglesEN = []string{
	"In my town, %s, we see the problem every day.",
	"In %s, a local trial has already shown it can work.",
	"I live near %s and today I have no choice but to drive.",
	"Our association in %s is ready to help.",
	"",
}

var demoComments = []struct{ FR, EN, Stance string }{
	{"Entièrement d'accord, il faut aller vite.", "Fully agree, we need to move fast.", "agree"},
	{"Bonne idée, mais qui paie ?", "Good idea, but who pays?", "neutral"},
	{"Cela pénaliserait les zones rurales.", "This would penalise rural areas.", "disagree"},
	{"Il faudrait l'accompagner d'aides pour les ménages modestes.", "It should come with help for low-income households.", "agree"},
	{"Trop contraignant à mon avis.", "Too restrictive in my view.", "disagree"},
}

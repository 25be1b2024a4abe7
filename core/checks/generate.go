package checks

import (
	"strconv"
	"strings"
)

// The fillers. All companies are fictional; their names carry no industry,
// so that any template reads naturally with any of them.
var (
	companies = []string{
		"Halvorsen Group", "Brightwater plc", "Kestrel Holdings", "Aurelia SA", "Tidewell Corp",
		"Norrland AB", "Castellan Group", "Veridian Inc", "Olmsted Industries", "Petrova Holdings",
		"Lindqvist ASA", "Marlowe plc", "Sablewood Group", "Quillon Technologies", "Ardentis AG",
		"Fenwick & Rowe", "Corvane Oyj", "Baltica Group", "Emberly Corp", "Rosenthal SE",
	}
	currencies = []string{"EUR", "USD", "GBP", "CHF", "SEK", "NOK"}
	// amounts are standalone sums: a deal, a fine, a facility.
	amounts = []string{"120m", "45m", "310m", "75m", "1.2bn", "640m", "28m"}
	// numbers pair a base amount (in millions) with a change in percent:
	// {lo} is the base, {hi} the base grown by {pct}%, so "rose to {hi} from
	// {lo}" and "narrowed to {lo} from {hi}" always agree with "{pct}%".
	// Every change is material (over 10%) and every fall is over 5%, so that
	// changing the number keeps the label (LABELLING.md, rules 1 and market).
	numbers = []struct {
		base float64
		pct  int
	}{
		{63.8, 12}, {148.2, 14}, {36.4, 17}, {412, 19}, {9.8, 22},
		{256.3, 26}, {88.6, 31}, {530, 15}, {19.7, 28},
	}
	periods = []struct{ noun, adj string }{
		{"the second quarter", "second-quarter"}, {"the third quarter", "third-quarter"},
		{"the first half", "first-half"}, {"the fourth quarter", "fourth-quarter"},
		{"the first quarter", "first-quarter"}, {"the second half", "second-half"},
	}
	years   = []string{"2025", "2026", "2027", "2028"}
	dates   = []string{"14 May", "3 March", "22 October", "9 June", "27 November", "18 April", "5 September"}
	persons = []string{
		"Maria Lindgren", "Thomas Okafor", "Elena Varga", "David Chen", "Ingrid Solberg",
		"Rafael Moreno", "Anja Keller", "Samuel Adeyemi", "Claire Dubois", "Kenji Watanabe",
	}
	cities = []string{"Oslo", "Stockholm", "Frankfurt", "London", "Zurich", "Amsterdam", "Helsinki", "Copenhagen", "Milan"}
)

// filler chooses one entry of each filler list, by index (taken modulo the
// list's length), to fill a template's slots.
type filler struct {
	company, rival, currency, amount, number, period, year, date, person, city int
}

// fillerAt is the i-th filling. The rival is nine companies on, the
// successor three persons on, so neither is ever the company or the person.
func fillerAt(i int) filler {
	return filler{company: i, rival: i + 9, currency: i, amount: i, number: i, period: i, year: i, date: i, person: i, city: i}
}

// pick returns list[i mod len(list)].
func pick[T any](list []T, i int) T {
	n := len(list)
	return list[((i%n)+n)%n]
}

// money formats an amount in millions: 80.08 → "80.1m".
func money(cur string, millions float64) string {
	return cur + " " + strconv.FormatFloat(float64(int(millions*10+0.5))/10, 'f', -1, 64) + "m"
}

// fill replaces the slots of template t:
//
//	{co} {rival}          company names; "{co}'s" becomes a possessive
//	{cur} {amt}           a currency code; a sum in it ("EUR 120m")
//	{lo} {hi} {pct}       two sums and the change between them in percent
//	{period} {period-adj} "the first half"; "first-half"
//	{year} {date}         "2026"; "14 May"
//	{person} {person2}    two different people
//	{city}                a European financial centre
func (f filler) fill(t string) string {
	cur := pick(currencies, f.currency)
	n := pick(numbers, f.number)
	p := pick(periods, f.period)
	co, rival := pick(companies, f.company), pick(companies, f.rival)
	return strings.NewReplacer( // the possessives first: the replacer tries slots in this order
		"{co}'s", possessive(co),
		"{rival}'s", possessive(rival),
		"{co}", co,
		"{rival}", rival,
		"{cur}", cur,
		"{amt}", cur+" "+pick(amounts, f.amount),
		"{lo}", money(cur, n.base),
		"{hi}", money(cur, n.base*(1+float64(n.pct)/100)),
		"{pct}", strconv.Itoa(n.pct),
		"{period}", p.noun,
		"{period-adj}", p.adj,
		"{year}", pick(years, f.year),
		"{date}", pick(dates, f.date),
		"{person}", pick(persons, f.person),
		"{person2}", pick(persons, f.person+3),
		"{city}", pick(cities, f.city),
	).Replace(t)
}

// possessive writes "Marlowe plc's" but "Kestrel Holdings'".
func possessive(name string) string {
	if strings.HasSuffix(name, "s") {
		return name + "'"
	}
	return name + "'s"
}

// mftCopies is the number of fillings of each MFT template.
const mftCopies = 2

// invCases is the number of cases of each INV test.
const invCases = 24

// dirCopies is the number of fillings of each DIR pair.
const dirCopies = 2

// Margins of the DIR tests: an intensifier must not move the signal the
// wrong way; a negated or added risk must move the strongest risk
// probability by at least riskMargin.
const (
	intensifierMargin = 0.0
	riskMargin        = 0.1
)

// Generate returns every case, deterministically (same order every call), at least 400 in all.
// The MFT tests come first, then the INV tests, then the DIR tests.
func Generate() []Case {
	// Filling 5k+i+7·rep: each test starts at its own place in the lists,
	// and a template's second filling is seven on, a different company.
	var out []Case
	for k, m := range mftTests {
		for rep := range mftCopies {
			for i, t := range m.templates {
				c := Case{
					Test: m.name, Kind: MFT,
					Text:      fillerAt(5*k + i + 7*rep).fill(t.text),
					Sentiment: t.sentiment,
					NoRisk:    m.noRisk,
				}
				if len(m.categories) > 0 {
					c.Categories = append([]string(nil), m.categories...)
				}
				out = append(out, c)
			}
		}
	}

	pool := interleave(mftTests)
	for k, v := range invTests {
		n := 0
		for _, t := range pool {
			if n == invCases {
				break
			}
			if !v.applies(t) {
				continue
			}
			f := fillerAt(3*k + n)
			out = append(out, Case{Test: v.name, Kind: INV, Text: f.fill(t), Other: v.perturb(t, f, n)})
			n++
		}
	}

	for k, d := range dirTests {
		for rep := range dirCopies {
			for i, p := range d.pairs {
				f := fillerAt(5*k + i + 7*rep)
				c := Case{
					Test: d.name, Kind: DIR,
					Text: f.fill(p.text), Other: f.fill(p.other),
					Direction: d.direction, Margin: d.margin,
				}
				if p.category != "" {
					c.Categories = []string{p.category}
				}
				out = append(out, c)
			}
		}
	}
	return out
}

// interleave lists the MFT templates one from each test in turn (the first
// of every test, then the second, ...), so that a prefix of the list
// covers every kind of sentence.
func interleave(tests []mftTest) []string {
	var out []string
	for i := 0; ; i++ {
		added := false
		for _, m := range tests {
			if i < len(m.templates) {
				out = append(out, m.templates[i].text)
				added = true
			}
		}
		if !added {
			return out
		}
	}
}

// hasSlot reports whether template t has any of the slots.
func hasSlot(t string, slots ...string) bool {
	for _, s := range slots {
		if strings.Contains(t, s) {
			return true
		}
	}
	return false
}

// attributions end a statement about a company without changing it.
var attributions = []string{
	", Reuters reported on Tuesday.",
	", according to a stock-exchange filing.",
	", the company said in a statement.",
	", Bloomberg News reported, citing the company.",
	", according to a release published on its website.",
	", the group confirmed to analysts on a call.",
}

// invTest is an invariance test: which templates it perturbs and how. n is
// the case's number within the test, used to vary the perturbation.
type invTest struct {
	name    string
	applies func(template string) bool
	perturb func(template string, f filler, n int) string
}

var invTests = []invTest{
	{
		name:    "INV swap company",
		applies: func(t string) bool { return hasSlot(t, "{co}") },
		perturb: func(t string, f filler, n int) string {
			f.company += 4 // never the rival, nine on
			return f.fill(t)
		},
	},
	{
		name:    "INV swap currency",
		applies: func(t string) bool { return hasSlot(t, "{cur}", "{amt}", "{lo}", "{hi}") },
		perturb: func(t string, f filler, n int) string {
			f.currency += 1 + n%(len(currencies)-1)
			return f.fill(t)
		},
	},
	{
		name:    "INV change numbers",
		applies: func(t string) bool { return hasSlot(t, "{amt}", "{lo}", "{hi}", "{pct}") },
		perturb: func(t string, f filler, n int) string {
			f.number += 1 + n%(len(numbers)-1)
			f.amount += 1 + n%(len(amounts)-1)
			return f.fill(t)
		},
	},
	{
		name:    "INV change period",
		applies: func(t string) bool { return hasSlot(t, "{period}", "{period-adj}", "{year}", "{date}") },
		perturb: func(t string, f filler, n int) string {
			f.period += 1 + n%(len(periods)-1)
			f.year += 1 + n%(len(years)-1)
			f.date += 1 + n%(len(dates)-1)
			return f.fill(t)
		},
	},
	{
		name: "INV add attribution",
		applies: func(t string) bool {
			return strings.HasPrefix(t, "{co}") && strings.HasSuffix(t, ".")
		},
		perturb: func(t string, f filler, n int) string {
			return strings.TrimSuffix(f.fill(t), ".") + pick(attributions, n)
		},
	},
}

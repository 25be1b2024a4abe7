package dataset

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Mix is every labelled set the shipped model is trained or chosen on, read
// from the weights folder (see weights/README.md):
//
//   - the MIT sentiment corpus (training-data/, split by LoadCorpus);
//   - risk-train/risk_train.csv: MIT sentences of the train split labelled
//     for risk, which keep their sentiment label from the corpus;
//   - team-written/*.csv: report-style sentences with sentiment and risk;
//   - the taxonomy's example phrases (risk only), given as Taxonomy.
//
// Team-written and risk-train rows are split 90% train, 10% dev, seeded.
// Any text that is, normalised (NormalizeText), the same as a sentence of
// an evaluation set (risk-dev/, risk-test/, documents/) is dropped.
type Mix struct {
	Train []Labelled
	// Dev chooses the epoch, fits both heads' calibration and keeps the
	// best step of the heads fitted after fine-tuning.
	Dev []Labelled
	// RiskDev is weights/risk-dev: with Dev's risk rows it chooses the
	// per-category thresholds, nothing else.
	RiskDev []Labelled
	// DevDocuments chooses the level head's class balance and how
	// sentences are aggregated into a document.
	DevDocuments []Document
	// Tests, never trained on or used to choose anything.
	TwitterTest, SEntFiNTest []Example
	// Dropped counts texts left out because an evaluation set holds them.
	Dropped int
}

// TaxonomyExample is one example phrase of a risk category.
type TaxonomyExample struct {
	Category, Text string
}

// mixSeed fixes the 90/10 splits of the labelled sets.
const mixSeed = 20261202

// LoadMix reads the training mix from the weights folder dir.
func LoadMix(dir string, categories []string, taxonomy []TaxonomyExample) (*Mix, error) {
	corpus, err := LoadCorpus(filepath.Join(dir, "training-data"))
	if err != nil {
		return nil, err
	}
	readCSV := func(path string) ([]Labelled, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		rows, err := ReadLabelledCSV(f, categories)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return rows, nil
	}
	m := &Mix{TwitterTest: corpus.TwitterTest, SEntFiNTest: corpus.SEntFiNTest}
	if m.RiskDev, err = readCSV(filepath.Join(dir, "risk-dev", "risk_dev.csv")); err != nil {
		return nil, err
	}
	riskTest, err := readCSV(filepath.Join(dir, "risk-test", "risk_test.csv"))
	if err != nil {
		return nil, err
	}
	var docs []Document
	for _, name := range []string{"test", "dev"} {
		path := filepath.Join(dir, "documents", name+".jsonl")
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		d, err := ReadDocuments(f, categories)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		docs = append(docs, d...)
		if name == "dev" {
			m.DevDocuments = d
		}
	}
	held := map[string]bool{}
	for _, l := range append(m.RiskDev, riskTest...) {
		held[NormalizeText(l.Text)] = true
	}
	for _, d := range docs {
		for _, s := range roughSentences(d.Text) {
			held[NormalizeText(s)] = true
		}
	}
	keep := func(text string) bool {
		if held[NormalizeText(text)] {
			m.Dropped++
			return false
		}
		return true
	}

	// Risk labels of MIT sentences, by record.
	riskRows, err := readCSV(filepath.Join(dir, "risk-train", "risk_train.csv"))
	if err != nil {
		return nil, err
	}
	type record struct {
		source string
		row    int
	}
	riskOf := map[record]Labelled{}
	for _, l := range riskRows {
		riskOf[record{l.Source, l.Row}] = l
	}
	_, riskDev := splitLabelled(riskRows, mixSeed) // the rest join the corpus's train rows below
	inRiskDev := map[record]bool{}
	for _, l := range riskDev {
		inRiskDev[record{l.Source, l.Row}] = true
	}
	fromCorpus := func(ex []Example, into *[]Labelled) {
		for _, e := range ex {
			r := record{e.Source, e.Row}
			if inRiskDev[r] || !keep(e.Text) {
				continue
			}
			l := Labelled{Text: e.Text, Sentiment: e.Label, Source: e.Source, Row: e.Row}
			if rl, ok := riskOf[r]; ok {
				l.ID, l.Risk, l.Categories, l.Level = rl.ID, true, rl.Categories, rl.Level
			}
			*into = append(*into, l)
		}
	}
	fromCorpus(corpus.Train, &m.Train)
	fromCorpus(corpus.Dev, &m.Dev)
	// The risk-train rows held out for dev, with their corpus sentiment.
	sentimentOf := map[record]int{}
	for _, e := range corpus.Train {
		sentimentOf[record{e.Source, e.Row}] = e.Label
	}
	for _, l := range riskDev {
		if y, ok := sentimentOf[record{l.Source, l.Row}]; ok {
			l.Sentiment = y
		}
		if keep(l.Text) {
			m.Dev = append(m.Dev, l)
		}
	}

	paths, err := filepath.Glob(filepath.Join(dir, "team-written", "*.csv"))
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	var team []Labelled
	for _, p := range paths {
		rows, err := readCSV(p)
		if err != nil {
			return nil, err
		}
		team = append(team, rows...)
	}
	teamTrain, teamDev := splitLabelled(team, mixSeed+1)
	for _, l := range teamTrain {
		if keep(l.Text) {
			m.Train = append(m.Train, l)
		}
	}
	for _, l := range teamDev {
		if keep(l.Text) {
			m.Dev = append(m.Dev, l)
		}
	}
	for _, t := range taxonomy {
		if keep(t.Text) {
			m.Train = append(m.Train, Labelled{Text: t.Text, Sentiment: NoSentiment, Risk: true, Categories: []string{t.Category}, Level: "medium", Source: "taxonomy"})
		}
	}
	return m, nil
}

// splitLabelled shuffles rows with a seeded generator and returns 90% and
// 10% of them.
func splitLabelled(rows []Labelled, seed uint64) (train, dev []Labelled) {
	perm := rand.New(rand.NewPCG(seed, 0x5eed)).Perm(len(rows))
	n := len(rows) / 10
	for i, j := range perm {
		if i < n {
			dev = append(dev, rows[j])
		} else {
			train = append(train, rows[j])
		}
	}
	return train, dev
}

var (
	urlPattern     = regexp.MustCompile(`https?://\S+`)
	nonWordPattern = regexp.MustCompile(`[^\p{L}\p{N}]+`)
)

// NormalizeText is the form in which two texts count as the same sentence:
// lower case, URLs removed, and every run of characters that are not
// letters or digits made one space.
func NormalizeText(s string) string {
	s = urlPattern.ReplaceAllString(strings.ToLower(s), " ")
	return strings.TrimSpace(nonWordPattern.ReplaceAllString(s, " "))
}

// roughSentences splits a document at sentence ends and line breaks,
// enough to find its sentences in other sets.
func roughSentences(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		start := 0
		for i := 0; i+1 < len(line); i++ {
			if strings.ContainsRune(".!?", rune(line[i])) && line[i+1] == ' ' {
				out = append(out, line[start:i+1])
				start = i + 2
			}
		}
		out = append(out, line[start:])
	}
	return out
}

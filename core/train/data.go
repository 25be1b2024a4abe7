package train

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"finscore/core/dataset"
	"finscore/core/scorer"
	"finscore/core/tokenize"
)

// Data is what Build trains, chooses and reports on, tokenised.
type Data struct {
	// Train is fine-tuned on; Dev chooses the epoch, fits both heads'
	// calibration and keeps the best step of the heads fitted afterwards.
	Train, Dev []Sample
	// RiskDev, with Dev's risk rows, chooses the category thresholds.
	RiskDev []Sample
	// DevDocuments chooses the level head's class balance and how
	// sentences are aggregated into a document.
	DevDocuments []dataset.Document
	// TwitterTest and SEntFiNTest are only reported on.
	TwitterTest, SEntFiNTest []Sample
	// Dropped counts texts left out of training because an evaluation set
	// holds them.
	Dropped int
}

// LoadData reads the training mix from the weights folder dir (see
// dataset.LoadMix), with the taxonomy's categories as the risk targets and
// its example phrases as extra risk rows, and tokenises it.
func LoadData(dir string, tax *scorer.Taxonomy, tok *tokenize.Tokenizer) (*Data, error) {
	var categories []string
	var examples []dataset.TaxonomyExample
	for _, c := range tax.Categories {
		categories = append(categories, c.ID)
		for _, e := range c.Examples {
			examples = append(examples, dataset.TaxonomyExample{Category: c.ID, Text: e})
		}
	}
	mix, err := dataset.LoadMix(dir, categories, examples)
	if err != nil {
		return nil, err
	}
	d := &Data{DevDocuments: mix.DevDocuments, Dropped: mix.Dropped}
	for _, set := range []struct {
		name string
		rows []dataset.Labelled
		dst  *[]Sample
	}{
		{"train", mix.Train, &d.Train},
		{"dev", mix.Dev, &d.Dev},
		{"risk-dev", mix.RiskDev, &d.RiskDev},
		{"twitter-test", fromExamples(mix.TwitterTest), &d.TwitterTest},
		{"sentfin-test", fromExamples(mix.SEntFiNTest), &d.SEntFiNTest},
	} {
		if *set.dst, err = toSamples(set.rows, categories, tok); err != nil {
			return nil, fmt.Errorf("%s set: %w", set.name, err)
		}
	}
	return d, nil
}

// toSamples tokenises labelled rows, with a 0/1 target per category and the
// level for rows labelled for risk.
func toSamples(rows []dataset.Labelled, categories []string, tok *tokenize.Tokenizer) ([]Sample, error) {
	out := make([]Sample, len(rows))
	for i, r := range rows {
		ids, err := tok.Encode(r.Text)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", r.Text, err)
		}
		out[i] = Sample{IDs: ids, Label: r.Sentiment}
		if r.Risk {
			out[i].Risk = make([]float32, len(categories))
			for _, c := range r.Categories {
				out[i].Risk[slices.Index(categories, c)] = 1
			}
			out[i].Level = slices.Index(dataset.Levels, r.Level)
		}
	}
	return out, nil
}

func fromExamples(ex []dataset.Example) []dataset.Labelled {
	out := make([]dataset.Labelled, len(ex))
	for i, e := range ex {
		out[i] = dataset.Labelled{Text: e.Text, Sentiment: e.Label, Source: e.Source, Row: e.Row}
	}
	return out
}

// subset returns n samples chosen by a seeded shuffle.
func subset(s []Sample, n int, seed uint64) []Sample {
	perm := rand.New(rand.NewPCG(seed, 0x5ab5e7)).Perm(len(s))
	out := make([]Sample, n)
	for i := range out {
		out[i] = s[perm[i]]
	}
	return out
}

// withRisk counts the samples with risk labels.
func withRisk(s []Sample) int {
	n := 0
	for _, x := range s {
		if x.Risk != nil {
			n++
		}
	}
	return n
}

package dataset

import (
	"fmt"
	"os"
	"path/filepath"
)

// Corpus is the training data of the shipped model, split for training,
// model selection and testing (weights/training-data/README.md).
type Corpus struct {
	Train       []Example // Twitter train 90% + SEntFiN 80%
	Dev         []Example // Twitter train 10% + SEntFiN 10%: early stopping, calibration
	TwitterTest []Example // Twitter sent_valid.csv
	SEntFiNTest []Example // SEntFiN 10%
}

// splitSeed fixes the corpus splits; changing it changes the shipped model.
const splitSeed = 20261129

// LoadCorpus reads and splits the training data under dir
// (weights/training-data).
func LoadCorpus(dir string) (*Corpus, error) {
	read := func(source, path, text, label string, f LabelFunc) ([]Example, error) {
		file, err := os.Open(filepath.Join(dir, path))
		if err != nil {
			return nil, err
		}
		defer file.Close()
		ex, err := ReadCSV(file, text, label, f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		for i := range ex {
			ex[i].Source = source
		}
		return ex, nil
	}
	twTrain, err := read("tw_train", "twitter-financial-news/sent_train.csv", "text", "label", TwitterLabel)
	if err != nil {
		return nil, err
	}
	twValid, err := read("tw_valid", "twitter-financial-news/sent_valid.csv", "text", "label", TwitterLabel)
	if err != nil {
		return nil, err
	}
	sentfin, err := read("sentfin", "sentfin/sentfin_headline_level.csv", "title", "headline_label", NamedLabel)
	if err != nil {
		return nil, err
	}
	c := &Corpus{TwitterTest: twValid}
	twRest, twDev := Split(twTrain, 0.1, splitSeed)
	sfRest, sfTest := Split(dedupe(sentfin), 0.1, splitSeed)
	sfTrain, sfDev := Split(sfRest, 1.0/9, splitSeed+1) // 10% of the whole
	c.Train = append(twRest, sfTrain...)
	c.Dev = append(twDev, sfDev...)
	c.SEntFiNTest = sfTest
	return c, nil
}

// dedupe keeps the first example of each distinct text.
func dedupe(examples []Example) []Example {
	seen := map[string]bool{}
	var out []Example
	for _, e := range examples {
		if !seen[e.Text] {
			seen[e.Text] = true
			out = append(out, e)
		}
	}
	return out
}

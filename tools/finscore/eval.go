package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"finscore/core/dataset"
	"finscore/core/lexicon"
	"finscore/core/metrics"
)

// evalSet is one labelled set to evaluate.
type evalSet struct {
	name     string
	examples []dataset.Example
}

// evalResult is one row of the evaluation table.
type evalResult struct {
	Set       string             `json:"set"`
	Model     string             `json:"model"`
	N         int                `json:"n"`
	Accuracy  float64            `json:"accuracy"`
	MacroF1   float64            `json:"macro_f1"`
	Confusion [][]int            `json:"confusion"` // [truth][predicted], classes in dataset.Labels order
	conf      *metrics.Confusion `json:"-"`
}

func runEval(args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("eval", "[--weights FILE] (--csv FILE | --phrasebank | --split NAME) [flags]",
		"Measures sentence-level sentiment accuracy, macro-F1 and the confusion matrix of the\n"+
			"model and, beside it, of a word-counting lexicon baseline, so the table shows what\n"+
			"the Transformer adds. Each text is classified as one sentence.\n\n"+
			"  --csv FILE      any labelled CSV with a header (labels negative/neutral/positive,\n"+
			"                  or 0/1/2 as in Twitter Financial News with --twitter-labels)\n"+
			"  --phrasebank    Financial PhraseBank from the shared folder: all 4,846 sentences\n"+
			"                  (fpb_50agree) and the 2,264 unanimous ones (fpb_allagree); never\n"+
			"                  trained on, so a cross-domain test\n"+
			"  --split NAME    a split of weights/training-data: dev, twitter-test, sentfin-test\n"+
			"  --risk FILE     the risk head on a hand-labelled risk set (e.g.\n"+
			"                  weights/risk-dev/risk_dev.csv): per-category precision, recall\n"+
			"                  and F1, and the risk-level confusion matrix", stderr)
	weights := fs.String("weights", defaultModel, "model bundle to evaluate")
	csvPath := fs.String("csv", "", "labelled CSV file")
	textCol := fs.String("text-column", "text", "CSV column with the text")
	labelCol := fs.String("label-column", "label", "CSV column with the label")
	twitterLabels := fs.Bool("twitter-labels", false, "CSV labels are 0 bearish, 1 bullish, 2 neutral")
	phrasebank := fs.Bool("phrasebank", false, "evaluate on Financial PhraseBank (all and unanimous)")
	shared := fs.String("shared", "../shared", "shared folder holding data/sentiment/eval/financial-phrasebank")
	split := fs.String("split", "", "evaluate a split of the training data: dev, twitter-test or sentfin-test")
	data := fs.String("data", "weights/training-data", "training data directory, for --split")
	riskPath := fs.String("risk", "", "hand-labelled risk set (CSV with text, categories, level)")
	asJSON := fs.Bool("json", false, "write the results as JSON instead of a table")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	chosen := 0
	for _, on := range []bool{*csvPath != "", *phrasebank, *split != "", *riskPath != ""} {
		if on {
			chosen++
		}
	}
	if chosen != 1 {
		fmt.Fprintln(stderr, "finscore eval: give exactly one of --csv, --phrasebank, --split, --risk")
		fs.Usage()
		return errUsage
	}
	if *riskPath != "" {
		set, err := readRiskSet(*riskPath)
		if err != nil {
			return err
		}
		s, err := loadScorer(*weights)
		if err != nil {
			return err
		}
		rep, err := evalRisk(s, set)
		if err != nil {
			return err
		}
		if *asJSON {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(rep)
		}
		printRiskReport(stdout, rep)
		return nil
	}
	var sets []evalSet
	switch {
	case *csvPath != "":
		label := dataset.NamedLabel
		if *twitterLabels {
			label = dataset.TwitterLabel
		}
		ex, err := readExamples(*csvPath, *textCol, *labelCol, label)
		if err != nil {
			return err
		}
		sets = append(sets, evalSet{filepath.Base(*csvPath), ex})
	case *phrasebank:
		dir := filepath.Join(*shared, "data", "sentiment", "eval", "financial-phrasebank")
		for _, f := range []struct{ name, file string }{{"phrasebank-all", "fpb_50agree.csv"}, {"phrasebank-unanimous", "fpb_allagree.csv"}} {
			ex, err := readExamples(filepath.Join(dir, f.file), "sentence", "label", dataset.NamedLabel)
			if err != nil {
				return err
			}
			sets = append(sets, evalSet{f.name, ex})
		}
	default:
		corpus, err := dataset.LoadCorpus(*data)
		if err != nil {
			return err
		}
		splits := map[string][]dataset.Example{"dev": corpus.Dev, "twitter-test": corpus.TwitterTest, "sentfin-test": corpus.SEntFiNTest}
		ex, ok := splits[*split]
		if !ok {
			fmt.Fprintf(stderr, "finscore eval: unknown --split %q (want dev, twitter-test or sentfin-test)\n", *split)
			return errUsage
		}
		sets = append(sets, evalSet{*split, ex})
	}
	s, err := loadScorer(*weights)
	if err != nil {
		return err
	}
	var results []evalResult
	for _, set := range sets {
		texts := make([]string, len(set.examples))
		for i, e := range set.examples {
			texts[i] = e.Text
		}
		preds, _, err := s.Classify(texts)
		if err != nil {
			return fmt.Errorf("%s: %w", set.name, err)
		}
		model := metrics.NewConfusion(dataset.Labels)
		lex := metrics.NewConfusion(dataset.Labels)
		for i, e := range set.examples {
			model.Add(e.Label, slices.Index(dataset.Labels, preds[i].Label))
			lex.Add(e.Label, slices.Index(dataset.Labels, lexicon.Default.Label(e.Text)))
		}
		results = append(results, result(set.name, filepath.Base(*weights), model), result(set.name, "lexicon baseline", lex))
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(results)
	}
	fmt.Fprintf(stdout, "%-22s %-18s %6s %9s %9s\n", "set", "model", "n", "accuracy", "macro-F1")
	for _, r := range results {
		fmt.Fprintf(stdout, "%-22s %-18s %6d %9.4f %9.4f\n", r.Set, r.Model, r.N, r.Accuracy, r.MacroF1)
	}
	for _, r := range results {
		fmt.Fprintf(stdout, "\n%s, %s:\n%s", r.Set, r.Model, indent(r.conf.String()))
	}
	return nil
}

func result(set, model string, c *metrics.Confusion) evalResult {
	return evalResult{Set: set, Model: model, N: c.Total(), Accuracy: c.Accuracy(), MacroF1: c.MacroF1(), Confusion: c.Counts, conf: c}
}

func readExamples(path, textCol, labelCol string, label dataset.LabelFunc) ([]dataset.Example, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ex, err := dataset.ReadCSV(f, textCol, labelCol, label)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(ex) == 0 {
		return nil, fmt.Errorf("%s: no labelled rows", path)
	}
	return ex, nil
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n  ") + "\n"
}

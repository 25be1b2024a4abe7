package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"finscore/core/dataset"
	"finscore/core/lexicon"
	"finscore/core/metrics"
	"finscore/core/scorer"
	"finscore/core/train"
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
	fs := newFlags("eval", "[--weights FILE] (--csv FILE | --phrasebank | --split NAME | --risk FILE | --documents FILE | --checks | --all) [flags]",
		"Measures the model. Sentiment sets: accuracy, macro-F1 and the confusion matrix of\n"+
			"the model and, beside it, of a word-counting lexicon baseline, so the table shows\n"+
			"what the Transformer adds; each text is classified as one sentence.\n\n"+
			"  --csv FILE        any labelled CSV with a header (labels negative/neutral/positive,\n"+
			"                    or 0/1/2 as in Twitter Financial News with --twitter-labels)\n"+
			"  --phrasebank      Financial PhraseBank from the shared folder: all 4,846 sentences\n"+
			"                    (fpb_50agree) and the 2,264 unanimous ones (fpb_allagree); never\n"+
			"                    trained on, so a cross-domain test\n"+
			"  --split NAME      a split of weights/training-data: dev, twitter-test, sentfin-test\n"+
			"  --risk FILE       the risk head on a hand-labelled risk set (e.g.\n"+
			"                    weights/risk-test/risk_test.csv): per-category precision, recall\n"+
			"                    and F1, false alarms on sentences with no risk, risk levels\n"+
			"  --documents FILE  labelled documents (e.g. weights/documents/test.jsonl): document\n"+
			"                    sentiment, risk level, top category among the model's top two\n"+
			"  --checks          the behaviour tests (core/checks): pass rate by test\n"+
			"  --all             every figure of the model card: the splits, PhraseBank, the risk\n"+
			"                    dev and test sets, the test documents and the behaviour tests", stderr)
	weights := fs.String("weights", defaultModel, "model bundle to evaluate")
	csvPath := fs.String("csv", "", "labelled CSV file")
	textCol := fs.String("text-column", "text", "CSV column with the text")
	labelCol := fs.String("label-column", "label", "CSV column with the label")
	twitterLabels := fs.Bool("twitter-labels", false, "CSV labels are 0 bearish, 1 bullish, 2 neutral")
	phrasebank := fs.Bool("phrasebank", false, "evaluate on Financial PhraseBank (all and unanimous)")
	shared := fs.String("shared", "../shared", "shared folder holding data/sentiment/eval/financial-phrasebank")
	split := fs.String("split", "", "evaluate a split of the training data: dev, twitter-test or sentfin-test")
	data := fs.String("data", "weights", "weights folder (training-data/, risk-dev/, risk-test/, documents/), for --split and --all")
	riskPath := fs.String("risk", "", "hand-labelled risk set (CSV with text, categories, level)")
	docsPath := fs.String("documents", "", "labelled documents (JSON Lines with text, sentiment, risk_level, top_categories)")
	checks := fs.Bool("checks", false, "run the behaviour tests")
	all := fs.Bool("all", false, "every figure of the model card")
	asJSON := fs.Bool("json", false, "write the results as JSON instead of a table")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	chosen := 0
	for _, on := range []bool{*csvPath != "", *phrasebank, *split != "", *riskPath != "", *docsPath != "", *checks, *all} {
		if on {
			chosen++
		}
	}
	if chosen != 1 {
		fmt.Fprintln(stderr, "finscore eval: give exactly one of --csv, --phrasebank, --split, --risk, --documents, --checks, --all")
		fs.Usage()
		return errUsage
	}
	if *split != "" && !slices.Contains([]string{"dev", "twitter-test", "sentfin-test"}, *split) {
		fmt.Fprintf(stderr, "finscore eval: unknown --split %q (want dev, twitter-test or sentfin-test)\n", *split)
		return errUsage
	}
	s, err := loadScorer(*weights)
	if err != nil {
		return err
	}
	var categories []string
	for _, c := range s.RiskCategories() {
		categories = append(categories, c.ID)
	}
	out := &evalOutput{w: &errWriter{w: stdout}, json: *asJSON, model: filepath.Base(*weights), sections: map[string]any{}}
	sentiment := func(sets []evalSet) error {
		for _, set := range sets {
			if err := out.sentiment(s, set); err != nil {
				return err
			}
		}
		return nil
	}
	splits := func(names ...string) error {
		corpus, err := dataset.LoadCorpus(filepath.Join(*data, "training-data"))
		if err != nil {
			return err
		}
		byName := map[string][]dataset.Example{"dev": corpus.Dev, "twitter-test": corpus.TwitterTest, "sentfin-test": corpus.SEntFiNTest}
		var sets []evalSet
		for _, n := range names {
			sets = append(sets, evalSet{n, byName[n]})
		}
		return sentiment(sets)
	}
	pb := func() error {
		dir := filepath.Join(*shared, "data", "sentiment", "eval", "financial-phrasebank")
		var sets []evalSet
		for _, f := range []struct{ name, file string }{{"phrasebank-all", "fpb_50agree.csv"}, {"phrasebank-unanimous", "fpb_allagree.csv"}} {
			ex, err := readExamples(filepath.Join(dir, f.file), "sentence", "label", dataset.NamedLabel)
			if err != nil {
				return err
			}
			sets = append(sets, evalSet{f.name, ex})
		}
		return sentiment(sets)
	}
	risk := func(name, path string) error {
		set, err := readRiskSet(path, categories)
		if err != nil {
			return err
		}
		rep, err := evalRisk(s, set)
		if err != nil {
			return err
		}
		return out.section(name, rep, func(w io.Writer) { printRiskReport(w, name, rep) })
	}
	documents := func(name, path string) error {
		docs, err := readDocuments(path, categories)
		if err != nil {
			return err
		}
		rep, err := train.EvaluateDocuments(s, docs)
		if err != nil {
			return err
		}
		return out.section(name, rep, func(w io.Writer) { printDocumentReport(w, name, rep) })
	}
	behaviour := func() error {
		rep, err := runChecks(s, 0)
		if err != nil {
			return err
		}
		return out.section("checks", rep, func(w io.Writer) { printChecks(w, rep) })
	}
	var steps []func() error
	switch {
	case *csvPath != "":
		label := dataset.NamedLabel
		if *twitterLabels {
			label = dataset.TwitterLabel
		}
		steps = append(steps, func() error {
			ex, err := readExamples(*csvPath, *textCol, *labelCol, label)
			if err != nil {
				return err
			}
			return sentiment([]evalSet{{filepath.Base(*csvPath), ex}})
		})
	case *phrasebank:
		steps = append(steps, pb)
	case *split != "":
		steps = append(steps, func() error { return splits(*split) })
	case *riskPath != "":
		steps = append(steps, func() error { return risk(filepath.Base(*riskPath), *riskPath) })
	case *docsPath != "":
		steps = append(steps, func() error { return documents(filepath.Base(*docsPath), *docsPath) })
	case *checks:
		steps = append(steps, behaviour)
	case *all:
		steps = append(steps,
			func() error { return splits("dev", "twitter-test", "sentfin-test") }, pb,
			func() error { return risk("risk-dev", filepath.Join(*data, "risk-dev", "risk_dev.csv")) },
			func() error { return risk("risk-test", filepath.Join(*data, "risk-test", "risk_test.csv")) },
			func() error { return documents("documents-dev", filepath.Join(*data, "documents", "dev.jsonl")) },
			func() error { return documents("documents-test", filepath.Join(*data, "documents", "test.jsonl")) },
			behaviour)
	}
	// A missing file stops only its own step; a write error stops the run,
	// since what follows would be measured for no one.
	var errs []error
	for _, step := range steps {
		errs = append(errs, step())
		if out.w.err != nil {
			break
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return out.finish()
}

// evalOutput collects the results of one eval run: printed as tables as
// they come, or written as one JSON object at the end.
type evalOutput struct {
	w        *errWriter // stdout: every write checked
	json     bool
	model    string
	results  []evalResult
	sections map[string]any
}

// sentiment evaluates one sentiment set, beside the lexicon baseline.
func (o *evalOutput) sentiment(s *scorer.Scorer, set evalSet) error {
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
	rs := []evalResult{result(set.name, o.model, model), result(set.name, "lexicon baseline", lex)}
	o.results = append(o.results, rs...)
	if o.json {
		return nil
	}
	fmt.Fprintf(o.w, "%-22s %-18s %6s %9s %9s\n", "set", "model", "n", "accuracy", "macro-F1")
	for _, r := range rs {
		fmt.Fprintf(o.w, "%-22s %-18s %6d %9.4f %9.4f\n", r.Set, r.Model, r.N, r.Accuracy, r.MacroF1)
	}
	for _, r := range rs {
		fmt.Fprintf(o.w, "\n%s, %s:\n%s", r.Set, r.Model, indent(r.conf.String()))
	}
	fmt.Fprintln(o.w)
	return o.w.err
}

// section records one named result, printing it at once unless JSON.
func (o *evalOutput) section(name string, v any, print func(io.Writer)) error {
	o.sections[name] = v
	if !o.json {
		print(o.w)
		fmt.Fprintln(o.w)
	}
	return o.w.err
}

// finish writes the JSON: the sentiment results as a list when they are
// all there is (the form scripts already read), else an object.
func (o *evalOutput) finish() error {
	if !o.json {
		return o.w.err
	}
	enc := json.NewEncoder(o.w)
	enc.SetIndent("", "  ")
	if len(o.sections) == 0 {
		return enc.Encode(o.results)
	}
	if len(o.results) > 0 {
		o.sections["sentiment"] = o.results
	}
	if len(o.sections) == 1 {
		for _, v := range o.sections {
			return enc.Encode(v)
		}
	}
	return enc.Encode(o.sections)
}

func result(set, model string, c *metrics.Confusion) evalResult {
	return evalResult{Set: set, Model: model, N: c.Total(), Accuracy: c.Accuracy(), MacroF1: c.MacroF1(), Confusion: c.Counts, conf: c}
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n  ") + "\n"
}

package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"time"

	"finscore/core/bundle"
	"finscore/core/dataset"
	"finscore/core/embed"
	"finscore/core/encoder"
	"finscore/core/scorer"
	"finscore/core/train"
)

func runTrain(args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("train", "[flags]",
		"Fine-tunes the encoder with two heads, three-way sentiment and multi-label risk, on\n"+
			"the training mix in the weights folder (see weights/README.md): the MIT sentiment\n"+
			"sets, the MIT sentences labelled for risk and the team-written sentences. It keeps\n"+
			"the epoch with the best dev score, then chooses on dev data only: both heads'\n"+
			"calibration, each risk category's threshold, the risk-level cut-points and the\n"+
			"document aggregation. It reports dev and test figures and writes a bundle.\n"+
			"After fine-tuning it refits the risk head on the fixed embeddings (--refit-steps).\n"+
			"With --checkpoint it saves its state after every epoch and resumes from it.", stderr)
	def := train.DefaultOptions()
	base := fs.String("base", "weights/use-lite.fsb", "pretrained bundle to start from")
	data := fs.String("data", "weights", "weights folder holding training-data/, risk-train/, team-written/, risk-dev/, risk-test/ and documents/")
	out := fs.String("out", "weights/finscore.fsb", "bundle to write")
	taxonomyPath := fs.String("taxonomy", "weights/risk-taxonomy.json", "risk taxonomy: the categories of the risk head")
	checkpoint := fs.String("checkpoint", "", "checkpoint file: resume from it if it exists, save to it after every epoch")
	epochs := fs.Int("epochs", def.Epochs, "maximum passes over the training set")
	batch := fs.Int("batch", def.BatchSize, "sentences per update")
	lr := fs.Float64("lr", def.LR, "peak learning rate of the encoder")
	headLR := fs.Float64("head-lr", def.HeadLR, "peak learning rate of the heads")
	riskWeight := fs.Float64("risk-weight", def.RiskWeight, "weight of the risk loss against the sentiment loss")
	maxFalseAlarms := fs.Float64("max-false-alarms", defaultMaxFalseAlarms, "risk thresholds: the best dev F1 per category under the lowest dev precision floor (0.6 to 0.8) that flags at most this share of dev sentences with no risk")
	warmup := fs.Float64("warmup", def.WarmupFrac, "fraction of steps spent warming up the learning rate")
	decay := fs.Float64("weight-decay", def.WeightDecay, "AdamW weight decay of matrices")
	clip := fs.Float64("clip", def.ClipNorm, "global gradient-norm limit (0: none)")
	patience := fs.Int("patience", def.Patience, "epochs without a better dev score before stopping")
	seed := fs.Uint64("seed", def.Seed, "seed for shuffling; the same seed and flags give the same model")
	refitDef := train.DefaultRefitOptions()
	refitSteps := fs.Int("refit-steps", refitDef.Steps, "after fine-tuning, full-batch steps refitting the risk head on the fixed embeddings, best step kept by dev average precision (0: no refit)")
	refitLR := fs.Float64("refit-lr", refitDef.LR, "learning rate of the risk-head refit")
	workers := fs.Int("workers", min(runtime.NumCPU(), 4), "goroutines sharing each batch")
	limit := fs.Int("limit", 0, "train on only the first N shuffled training sentences (0: all), for quick trials")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case *epochs < 1 || *batch < 1 || *batch > 4096 || *workers < 1 || *workers > 64 || *patience < 1 || *limit < 0 || *refitSteps < 0:
		fmt.Fprintln(stderr, "finscore train: --epochs, --batch (≤4096), --workers (≤64) and --patience must be positive, --limit and --refit-steps not negative")
		return errUsage
	case !(*lr > 0) || !(*headLR > 0) || *warmup < 0 || *warmup >= 1 || *decay < 0 || *clip < 0 || !(*riskWeight >= 0) || !(*maxFalseAlarms >= 0 && *maxFalseAlarms <= 1):
		fmt.Fprintln(stderr, "finscore train: --lr and --head-lr must be positive, --warmup in [0,1), --max-false-alarms in [0,1], --weight-decay, --clip and --risk-weight not negative")
		return errUsage
	case !(*refitLR > 0):
		fmt.Fprintln(stderr, "finscore train: --refit-lr must be positive")
		return errUsage
	}
	opt := train.Options{
		Epochs: *epochs, BatchSize: *batch, LR: *lr, HeadLR: *headLR, RiskWeight: *riskWeight, WarmupFrac: *warmup,
		WeightDecay: *decay, ClipNorm: *clip, Patience: *patience, Seed: *seed, Workers: *workers,
	}

	taxData, err := os.ReadFile(*taxonomyPath)
	if err != nil {
		return err
	}
	taxonomy, err := scorer.ParseTaxonomy(taxData)
	if err != nil {
		return fmt.Errorf("%s: %w", *taxonomyPath, err)
	}
	var catIDs []string
	var examples []dataset.TaxonomyExample
	for _, c := range taxonomy.Categories {
		catIDs = append(catIDs, c.ID)
		for _, e := range c.Examples {
			examples = append(examples, dataset.TaxonomyExample{Category: c.ID, Text: e})
		}
	}
	baseBundle, err := bundle.ReadFile(*base)
	if err != nil {
		return err
	}
	emb, err := embed.FromBundle(baseBundle)
	if err != nil {
		return err
	}
	mix, err := dataset.LoadMix(*data, catIDs, examples)
	if err != nil {
		return err
	}
	samples := map[string][]train.Sample{}
	for name, rows := range map[string][]dataset.Labelled{"train": mix.Train, "dev": mix.Dev, "risk-dev": mix.RiskDev,
		"twitter-test": fromExamples(mix.TwitterTest), "sentfin-test": fromExamples(mix.SEntFiNTest)} {
		if samples[name], err = toSamples(rows, catIDs, emb); err != nil {
			return fmt.Errorf("%s set: %w", name, err)
		}
	}
	if *limit > 0 && *limit < len(samples["train"]) {
		samples["train"] = subset(samples["train"], *limit, *seed)
	}
	fmt.Fprintf(stderr, "training on %d sentences (%d with risk labels), dev %d (%d with risk labels); %d left out as evaluation text; %d workers\n",
		len(samples["train"]), withRisk(samples["train"]), len(samples["dev"]), withRisk(samples["dev"]), mix.Dropped, opt.Workers)

	st, err := startState(*checkpoint, emb.Model, len(catIDs), opt, stderr)
	if err != nil {
		return err
	}
	bar := newProgressBar(stderr)
	opt.Progress = bar.update
	opt.Checkpoint = func(st *train.State) error {
		bar.finish()
		r := st.History[len(st.History)-1]
		fmt.Fprintf(stderr, "epoch %d: loss %.4f, dev sentiment accuracy %.4f, macro-F1 %.4f, dev risk macro-F1 %.4f (%s)\n",
			r.Epoch, r.Loss, r.DevAcc, r.DevF1, r.DevRiskF1, r.Duration.Round(time.Second))
		if *checkpoint == "" {
			return nil
		}
		var buf bytes.Buffer
		if err := train.WriteCheckpoint(&buf, st); err != nil {
			return err
		}
		return writeFileAtomic(*checkpoint, buf.Bytes())
	}
	if err := train.Fit(st, samples["train"], samples["dev"], opt); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "best epoch %d (dev score %.4f)\n", st.BestEpoch, st.BestF1)
	var refit *train.RefitResult
	if *refitSteps > 0 {
		ro := refitDef
		ro.Steps, ro.LR = *refitSteps, *refitLR
		fmt.Fprintf(stderr, "refitting the risk head on the fine-tuned embeddings (%d steps)...\n", ro.Steps)
		r, err := train.RefitRiskHead(st.Model, samples["train"], samples["dev"], ro, opt.Workers)
		if err != nil {
			return err
		}
		refit = &r
		fmt.Fprintf(stdout, "risk head refit: dev mean average precision %.4f -> %.4f (step %d of %d)\n", r.StartDev, r.Dev, r.Step, ro.Steps)
	}

	choice, err := chooseOnDev(st.Model, samples["dev"], samples["risk-dev"], taxonomy, minPrecisionGrid, *maxFalseAlarms, opt.Workers)
	if err != nil {
		return err
	}
	report := map[string]any{"options": optionSummary(opt, *limit, *maxFalseAlarms), "best_epoch": st.BestEpoch, "history": st.History}
	if refit != nil {
		report["risk_refit"] = map[string]any{"steps": *refitSteps, "lr": *refitLR, "result": refit}
	}
	fmt.Fprintf(stdout, "calibration on dev: sentiment temperature %.4f, risk temperature %.4f\n", choice.Sentiment.Temperature, choice.Risk.Temperature)
	fmt.Fprintf(stdout, "risk thresholds, chosen on dev with precision floor %.2f, flagging %.3f of dev sentences with no risk (dev precision / recall / F1 there):\n", choice.MinPrecision, choice.DevFalseAlarms)
	for i, c := range choice.Risk.Categories {
		d := choice.DevThresholds[i]
		fmt.Fprintf(stdout, "  %-18s %.3f   %.3f / %.3f / %.3f\n", c.ID, choice.Risk.Thresholds[i], d.Precision, d.Recall, d.F1)
	}
	fmt.Fprintf(stdout, "%-14s %8s %9s %9s\n", "split", "n", "accuracy", "macro-F1")
	for _, name := range []string{"dev", "twitter-test", "sentfin-test"} {
		conf, err := train.Evaluate(st.Model, samples[name], opt.Workers)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%-14s %8d %9.4f %9.4f\n", name, conf.Total(), conf.Accuracy(), conf.MacroF1())
		report[name] = map[string]float64{"n": float64(conf.Total()), "accuracy": conf.Accuracy(), "macro_f1": conf.MacroF1()}
	}

	best, err := chooseOnDevDocuments(st.Model, samples, mix.DevDocuments, baseBundle.Manifest, choice, report, opt.Workers, stdout)
	if err != nil {
		return err
	}
	if err := writeFileAtomic(*out, best); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%d bytes)\n", *out, len(best))
	return nil
}

// startState resumes from a checkpoint when one exists, or starts from the
// pretrained encoder with zero heads.
func startState(path string, base *encoder.Model, riskCategories int, opt train.Options, stderr io.Writer) (*train.State, error) {
	if path != "" {
		data, err := os.ReadFile(path)
		switch {
		case err == nil:
			st, err := train.ReadCheckpoint(data, opt)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			fmt.Fprintf(stderr, "resuming from %s after epoch %d\n", path, st.Epoch)
			return st, nil
		case !errors.Is(err, os.ErrNotExist):
			return nil, err
		}
	}
	return train.NewState(train.NewModel(base.Config, base.Weights, len(dataset.Labels), riskCategories), opt), nil
}

// subset returns n samples chosen by a seeded shuffle.
func subset(s []train.Sample, n int, seed uint64) []train.Sample {
	perm := rand.New(rand.NewPCG(seed, 0x5ab5e7)).Perm(len(s))
	out := make([]train.Sample, n)
	for i := range out {
		out[i] = s[perm[i]]
	}
	return out
}

func optionSummary(o train.Options, limit int, maxFalseAlarms float64) map[string]any {
	return map[string]any{"epochs": o.Epochs, "batch": o.BatchSize, "lr": o.LR, "head_lr": o.HeadLR, "risk_weight": o.RiskWeight,
		"warmup": o.WarmupFrac, "weight_decay": o.WeightDecay, "clip": o.ClipNorm, "patience": o.Patience,
		"seed": o.Seed, "limit": limit, "max_false_alarms": maxFalseAlarms}
}

// toSamples tokenises labelled rows, with a 0/1 target per category and the
// level for rows labelled for risk.
func toSamples(rows []dataset.Labelled, categories []string, emb *embed.Embedder) ([]train.Sample, error) {
	out := make([]train.Sample, len(rows))
	for i, r := range rows {
		ids, err := emb.Tokenizer.Encode(r.Text)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", r.Text, err)
		}
		out[i] = train.Sample{IDs: ids, Label: r.Sentiment}
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

func withRisk(s []train.Sample) int {
	n := 0
	for _, x := range s {
		if x.Risk != nil {
			n++
		}
	}
	return n
}

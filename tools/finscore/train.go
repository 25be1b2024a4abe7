package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
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
			"calibration, each risk category's threshold, the risk-level head and the\n"+
			"document aggregation. It reports dev and test figures and writes a bundle.\n"+
			"After fine-tuning it refits the risk head on the fixed embeddings (--refit-steps).\n"+
			"With --checkpoint it saves its state after every epoch and resumes from it.", stderr)
	def := train.DefaultRecipe()
	base := fs.String("base", "weights/use-lite.fsb", "pretrained bundle to start from")
	data := fs.String("data", "weights", "weights folder holding training-data/, risk-train/, team-written/, risk-dev/, risk-test/ and documents/")
	out := fs.String("out", "weights/finscore.fsb", "bundle to write")
	taxonomyPath := fs.String("taxonomy", "weights/risk-taxonomy.json", "risk taxonomy: the categories of the risk head")
	checkpoint := fs.String("checkpoint", "", "checkpoint file: resume from it if it exists, save to it after every epoch")
	epochs := fs.Int("epochs", def.Fit.Epochs, "maximum passes over the training set")
	batch := fs.Int("batch", def.Fit.BatchSize, "sentences per update")
	lr := fs.Float64("lr", def.Fit.LR, "peak learning rate of the encoder")
	headLR := fs.Float64("head-lr", def.Fit.HeadLR, "peak learning rate of the heads")
	riskWeight := fs.Float64("risk-weight", def.Fit.RiskWeight, "weight of the risk loss against the sentiment loss")
	maxFalseAlarms := fs.Float64("max-false-alarms", def.MaxFalseAlarms, "risk thresholds: the best dev F1 per category under the lowest dev precision floor (0.6 to 0.8) that flags at most this share of dev sentences with no risk")
	warmup := fs.Float64("warmup", def.Fit.WarmupFrac, "fraction of steps spent warming up the learning rate")
	decay := fs.Float64("weight-decay", def.Fit.WeightDecay, "AdamW weight decay of matrices")
	clip := fs.Float64("clip", def.Fit.ClipNorm, "global gradient-norm limit (0: none)")
	patience := fs.Int("patience", def.Fit.Patience, "epochs without a better dev score before stopping")
	seed := fs.Uint64("seed", def.Fit.Seed, "seed for shuffling; the same seed and flags give the same model")
	refitSteps := fs.Int("refit-steps", def.Refit.Steps, "after fine-tuning, full-batch steps refitting the risk head on the fixed embeddings, best step kept by dev average precision (0: no refit)")
	refitLR := fs.Float64("refit-lr", def.Refit.LR, "learning rate of the risk-head refit")
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
	recipe := def
	recipe.Fit = train.Options{
		Epochs: *epochs, BatchSize: *batch, LR: *lr, HeadLR: *headLR, RiskWeight: *riskWeight, WarmupFrac: *warmup,
		WeightDecay: *decay, ClipNorm: *clip, Patience: *patience, Seed: *seed, Workers: *workers,
	}
	recipe.Limit, recipe.MaxFalseAlarms = *limit, *maxFalseAlarms
	recipe.Refit.Steps, recipe.Refit.LR = *refitSteps, *refitLR

	taxData, err := os.ReadFile(*taxonomyPath)
	if err != nil {
		return err
	}
	taxonomy, err := scorer.ParseTaxonomy(taxData)
	if err != nil {
		return fmt.Errorf("%s: %w", *taxonomyPath, err)
	}
	baseBundle, err := bundle.ReadFile(*base)
	if err != nil {
		return err
	}
	emb, err := embed.FromBundle(baseBundle)
	if err != nil {
		return err
	}
	set, err := train.LoadData(*data, taxonomy, emb.Tokenizer)
	if err != nil {
		return err
	}
	st, err := startState(*checkpoint, emb.Model, len(taxonomy.Categories), recipe.Fit, stderr)
	if err != nil {
		return err
	}

	bar := newProgressBar(stderr)
	recipe.Fit.Progress = bar.update
	recipe.Fit.Checkpoint = func(st *train.State) error {
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
	recipe.Stage = trainPrinter{stdout: stdout, stderr: stderr, recipe: &recipe}.stage
	model, _, err := train.Build(st, baseBundle.Manifest, taxonomy, set, recipe)
	if err != nil {
		return err
	}
	if err := writeFileAtomic(*out, model); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%d bytes)\n", *out, len(model))
	return nil
}

// trainPrinter prints each stage of train.Build as it finishes: progress
// to stderr, figures to stdout.
type trainPrinter struct {
	stdout, stderr io.Writer
	recipe         *train.Recipe
}

func (p trainPrinter) stage(s train.Stage, r *train.Report) {
	switch s {
	case train.StageData:
		z := r.Sizes
		fmt.Fprintf(p.stderr, "training on %d sentences (%d with risk labels), dev %d (%d with risk labels); %d left out as evaluation text; %d workers\n",
			z.Train, z.TrainRisk, z.Dev, z.DevRisk, z.Dropped, p.recipe.Fit.Workers)
	case train.StageFit:
		fmt.Fprintf(p.stderr, "best epoch %d (dev score %.4f)\n", r.BestEpoch, r.BestScore)
		if p.recipe.Refit.Steps > 0 {
			fmt.Fprintf(p.stderr, "refitting the risk head on the fine-tuned embeddings (%d steps)...\n", p.recipe.Refit.Steps)
		}
	case train.StageRefit:
		f := r.RiskRefit
		fmt.Fprintf(p.stdout, "risk head refit: dev mean average precision %.4f -> %.4f (step %d of %d)\n", f.Result.StartDev, f.Result.Dev, f.Result.Step, f.Steps)
	case train.StageChoose:
		c := r.Choices
		fmt.Fprintf(p.stdout, "calibration on dev: sentiment temperature %.4f, risk temperature %.4f\n", c.Sentiment.Temperature, c.Risk.Temperature)
		fmt.Fprintf(p.stdout, "risk thresholds, chosen on dev with precision floor %.2f, flagging %.3f of dev sentences with no risk (dev precision / recall / F1 there):\n", c.MinPrecision, c.DevFalseAlarms)
		for i, cat := range c.Risk.Categories {
			d := c.DevThresholds[i]
			fmt.Fprintf(p.stdout, "  %-18s %.3f   %.3f / %.3f / %.3f\n", cat.ID, c.Risk.Thresholds[i], d.Precision, d.Recall, d.F1)
		}
	case train.StageEvaluate:
		fmt.Fprintf(p.stdout, "%-14s %8s %9s %9s\n", "split", "n", "accuracy", "macro-F1")
		for _, split := range []struct {
			name  string
			score train.SplitScore
		}{{"dev", r.Dev}, {"twitter-test", r.TwitterTest}, {"sentfin-test", r.SEntFiNTest}} {
			fmt.Fprintf(p.stdout, "%-14s %8d %9.4f %9.4f\n", split.name, split.score.N, split.score.Accuracy, split.score.MacroF1)
		}
	case train.StageLevelHead:
		t := r.LevelTrials[len(r.LevelTrials)-1]
		fmt.Fprintf(p.stdout, "risk level head, balance %.1f: dev sentence macro-F1 %.4f (step %d); dev documents' risk level accuracy %.4f\n",
			t.Balance, t.Fit.Dev, t.Fit.Step, t.Documents.LevelAccuracy)
	case train.StageFocus:
		t := r.FocusTrials[len(r.FocusTrials)-1]
		fmt.Fprintf(p.stdout, "dev documents, focus %.1f: sentiment accuracy %.4f, risk level accuracy %.4f, top category in top two %.4f\n",
			t.Focus, t.Documents.SentimentAccuracy, t.Documents.LevelAccuracy, t.Documents.TopCategoryInTopTwo)
	}
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

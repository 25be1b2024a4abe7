package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
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
		"Fine-tunes the encoder and a sentiment head on the MIT-licensed training data\n"+
			"(weights/training-data; see its README for the splits), picks the epoch with the\n"+
			"best dev macro-F1, calibrates the probabilities on dev (temperature scaling),\n"+
			"reports accuracy and macro-F1 on dev and the two test splits, and writes a bundle.\n"+
			"With --checkpoint it saves its state after every epoch and resumes from it.", stderr)
	def := train.DefaultOptions()
	base := fs.String("base", "weights/use-lite.fsb", "pretrained bundle to start from")
	data := fs.String("data", "weights/training-data", "training data directory")
	out := fs.String("out", "weights/finscore.fsb", "bundle to write")
	taxonomyPath := fs.String("taxonomy", "weights/risk-taxonomy.json", "risk taxonomy the risk head is built from")
	checkpoint := fs.String("checkpoint", "", "checkpoint file: resume from it if it exists, save to it after every epoch")
	epochs := fs.Int("epochs", def.Epochs, "maximum passes over the training set")
	batch := fs.Int("batch", def.BatchSize, "sentences per update")
	lr := fs.Float64("lr", def.LR, "peak learning rate of the encoder")
	headLR := fs.Float64("head-lr", def.HeadLR, "peak learning rate of the sentiment head")
	warmup := fs.Float64("warmup", def.WarmupFrac, "fraction of steps spent warming up the learning rate")
	decay := fs.Float64("weight-decay", def.WeightDecay, "AdamW weight decay of matrices")
	clip := fs.Float64("clip", def.ClipNorm, "global gradient-norm limit (0: none)")
	patience := fs.Int("patience", def.Patience, "epochs without a better dev macro-F1 before stopping")
	seed := fs.Uint64("seed", def.Seed, "seed for shuffling; the same seed and flags give the same model")
	workers := fs.Int("workers", min(runtime.NumCPU(), 4), "goroutines sharing each batch")
	limit := fs.Int("limit", 0, "train on only the first N shuffled training sentences (0: all), for quick trials")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case *epochs < 1 || *batch < 1 || *batch > 4096 || *workers < 1 || *workers > 64 || *patience < 1 || *limit < 0:
		fmt.Fprintln(stderr, "finscore train: --epochs, --batch (≤4096), --workers (≤64) and --patience must be positive, --limit not negative")
		return errUsage
	case !(*lr > 0) || !(*headLR > 0) || *warmup < 0 || *warmup >= 1 || *decay < 0 || *clip < 0:
		fmt.Fprintln(stderr, "finscore train: --lr and --head-lr must be positive, --warmup in [0,1), --weight-decay and --clip not negative")
		return errUsage
	}
	opt := train.Options{
		Epochs: *epochs, BatchSize: *batch, LR: *lr, HeadLR: *headLR, WarmupFrac: *warmup,
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
	baseData, err := os.ReadFile(*base)
	if err != nil {
		return err
	}
	baseBundle, err := bundle.Read(baseData)
	if err != nil {
		return fmt.Errorf("%s: %w", *base, err)
	}
	emb, err := embed.FromBundle(baseBundle)
	if err != nil {
		return err
	}
	corpus, err := dataset.LoadCorpus(*data)
	if err != nil {
		return err
	}
	tokenizeAll := func(ex []dataset.Example) ([]train.Sample, error) {
		out := make([]train.Sample, len(ex))
		for i, e := range ex {
			ids, err := emb.Tokenizer.Encode(e.Text)
			if err != nil {
				return nil, fmt.Errorf("%q: %w", e.Text, err)
			}
			out[i] = train.Sample{IDs: ids, Label: e.Label}
		}
		return out, nil
	}
	sets := map[string][]dataset.Example{"train": corpus.Train, "dev": corpus.Dev, "twitter-test": corpus.TwitterTest, "sentfin-test": corpus.SEntFiNTest}
	samples := map[string][]train.Sample{}
	for name, ex := range sets {
		if samples[name], err = tokenizeAll(ex); err != nil {
			return fmt.Errorf("%s set: %w", name, err)
		}
	}
	if *limit > 0 && *limit < len(samples["train"]) {
		samples["train"] = subset(samples["train"], *limit, *seed)
	}
	fmt.Fprintf(stderr, "training on %d sentences, dev %d, tests %d (Twitter) and %d (SEntFiN); %d workers\n",
		len(samples["train"]), len(samples["dev"]), len(samples["twitter-test"]), len(samples["sentfin-test"]), opt.Workers)

	st, err := startState(*checkpoint, emb.Model, opt, stderr)
	if err != nil {
		return err
	}
	bar := newProgressBar(stderr)
	opt.Progress = bar.update
	opt.Checkpoint = func(st *train.State) error {
		bar.finish()
		r := st.History[len(st.History)-1]
		fmt.Fprintf(stderr, "epoch %d: loss %.4f, dev accuracy %.4f, dev macro-F1 %.4f (%s)\n", r.Epoch, r.Loss, r.DevAcc, r.DevF1, r.Duration.Round(time.Second))
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
	fmt.Fprintf(stderr, "best epoch %d (dev macro-F1 %.4f)\n", st.BestEpoch, st.BestF1)

	// Calibrate on dev, then report every split.
	devLogits, err := train.Predict(st.Model, samples["dev"], opt.Workers)
	if err != nil {
		return err
	}
	labels := make([]int, len(samples["dev"]))
	for i, s := range samples["dev"] {
		labels[i] = s.Label
	}
	temperature := train.FitTemperature(devLogits, labels)
	report := map[string]any{"options": optionSummary(opt, *limit), "best_epoch": st.BestEpoch, "history": st.History, "temperature": temperature}
	fmt.Fprintf(stdout, "calibration temperature %.4f (fitted on dev)\n%-14s %8s %9s %9s\n", temperature, "split", "n", "accuracy", "macro-F1")
	for _, name := range []string{"dev", "twitter-test", "sentfin-test"} {
		conf, err := train.Evaluate(st.Model, samples[name], opt.Workers)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%-14s %8d %9.4f %9.4f\n", name, conf.Total(), conf.Accuracy(), conf.MacroF1())
		report[name] = map[string]float64{"n": float64(conf.Total()), "accuracy": conf.Accuracy(), "macro_f1": conf.MacroF1()}
	}
	manifest, tensors, err := train.Export(st.Model, baseBundle.Manifest, dataset.Labels, temperature, bundle.Float16, report)
	if err != nil {
		return err
	}
	risk, err := buildRiskHead(st.Model, emb, taxonomy, corpus.Train, *seed)
	if err != nil {
		return err
	}
	riskSpec, riskTensor, err := risk.Bundle()
	if err != nil {
		return err
	}
	manifest.Extra[scorer.RiskEntry] = riskSpec
	tensors = append(tensors, riskTensor)
	var buf bytes.Buffer
	if err := bundle.Write(&buf, manifest, tensors); err != nil {
		return err
	}
	if _, err := bundle.Read(buf.Bytes()); err != nil {
		return fmt.Errorf("the written bundle does not read back: %w", err)
	}
	if err := writeFileAtomic(*out, buf.Bytes()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%d bytes)\n", *out, buf.Len())
	return nil
}

// backgroundSize is the number of presumed risk-free sentences the risk
// calibration sees.
const backgroundSize = 400

// buildRiskHead builds the risk head with the fine-tuned encoder. Its
// background sentences are training headlines labelled positive: not a
// guarantee of no risk, but the best risk-free sample the MIT sets offer.
func buildRiskHead(m *train.Model, base *embed.Embedder, tax *scorer.Taxonomy, trainSet []dataset.Example, seed uint64) (*scorer.RiskHead, error) {
	var background []string
	for _, i := range rand.New(rand.NewPCG(seed, 0xb6)).Perm(len(trainSet)) {
		if trainSet[i].Label == dataset.Positive {
			background = append(background, trainSet[i].Text)
			if len(background) == backgroundSize {
				break
			}
		}
	}
	e := embed.New(base.Tokenizer, &encoder.Model{Config: m.Config, Weights: m.W})
	return scorer.BuildRiskHead(tax, background, func(texts []string) ([][]float32, error) {
		var out [][]float32
		for i := 0; i < len(texts); i += 64 {
			_, embs, err := e.Embed(texts[i:min(i+64, len(texts))])
			if err != nil {
				return nil, err
			}
			out = append(out, embs...)
		}
		return out, nil
	})
}

// startState resumes from a checkpoint when one exists, or starts from the
// pretrained encoder with a zero head.
func startState(path string, base *encoder.Model, opt train.Options, stderr io.Writer) (*train.State, error) {
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
	m := &train.Model{Config: base.Config, W: base.Weights, Classes: len(dataset.Labels)}
	m.HeadW = make([]float32, base.Config.OutputDim*m.Classes)
	m.HeadB = make([]float32, m.Classes)
	return train.NewState(m, opt), nil
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

func optionSummary(o train.Options, limit int) map[string]any {
	return map[string]any{"epochs": o.Epochs, "batch": o.BatchSize, "lr": o.LR, "head_lr": o.HeadLR,
		"warmup": o.WarmupFrac, "weight_decay": o.WeightDecay, "clip": o.ClipNorm, "patience": o.Patience,
		"seed": o.Seed, "limit": limit}
}

// writeFileAtomic writes through a temporary file, so a crash never leaves
// half a file under the final name.
func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// progressBar draws "epoch 1/3 [=====>    ] 35% loss 0.62 41 sent/s ETA 12m"
// on one line of the terminal, at most a few times a second.
type progressBar struct {
	w    io.Writer
	last time.Time
	line bool
}

func newProgressBar(w io.Writer) *progressBar { return &progressBar{w: w} }

func (b *progressBar) update(p train.Progress) {
	if time.Since(b.last) < 200*time.Millisecond && p.Step != p.Steps {
		return
	}
	b.last = time.Now()
	const width = 30
	frac := float64(p.Step) / float64(p.Steps)
	filled := int(frac * width)
	bar := strings.Repeat("=", filled) + strings.Repeat(" ", width-filled)
	if filled < width {
		bar = bar[:filled] + ">" + bar[filled+1:]
	}
	fmt.Fprintf(b.w, "\repoch %d/%d [%s] %3.0f%% loss %.4f %.0f sent/s ETA %s   ",
		p.Epoch, p.Epochs, bar, 100*frac, p.Loss, p.SentencesPerSec, p.ETA.Round(time.Second))
	b.line = true
}

// finish ends the bar's line so that the next message starts clean.
func (b *progressBar) finish() {
	if b.line {
		fmt.Fprintln(b.w)
		b.line = false
	}
}

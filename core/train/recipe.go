package train

import (
	"bytes"
	"errors"
	"fmt"
	"slices"

	"finscore/core/bundle"
	"finscore/core/scorer"
)

// Recipe is how Build makes a scoring model: the fine-tuning, the heads
// fitted afterwards on the fixed embeddings, and the choices made on dev
// data. DefaultRecipe is the shipped model's.
type Recipe struct {
	// Fit fine-tunes the encoder and both heads together. Its Progress
	// and Checkpoint callbacks are called as Fit calls them.
	Fit Options
	// Limit, when positive and below the training set's size, trains on
	// that many training samples chosen by a shuffle seeded with Fit.Seed.
	Limit int
	// Refit refits the risk head after fine-tuning (RefitRiskHead); Steps 0
	// leaves the fine-tuned head.
	Refit RefitOptions
	// LevelHead fits the risk-level head (FitLevelHead), once for each
	// class balance tried.
	LevelHead RefitOptions
	// MaxFalseAlarms is the share of dev sentences with no risk that the
	// category thresholds may flag.
	MaxFalseAlarms float64
	// Stage, if set, is called as each stage of Build finishes, with the
	// report as far as it goes.
	Stage func(Stage, *Report)
}

// DefaultRecipe is the recipe of the shipped model (make model).
func DefaultRecipe() Recipe {
	return Recipe{Fit: DefaultOptions(), Refit: DefaultRefitOptions(), LevelHead: DefaultRefitOptions(), MaxFalseAlarms: 0.08}
}

// Stage names a step of Build, reported when it finishes. Each fills in
// part of the Report.
type Stage int

const (
	StageData      Stage = iota // the training set is settled: Report.Sizes
	StageFit                    // fine-tuning is done: BestEpoch, BestScore, History
	StageRefit                  // the risk head is refitted: RiskRefit
	StageChoose                 // calibration and thresholds: Choices
	StageEvaluate               // sentiment on dev and the tests: Dev, TwitterTest, SEntFiNTest
	StageLevelHead              // one more level head tried: the last of LevelTrials
	StageFocus                  // one more document aggregation tried: the last of FocusTrials
)

// Report is what Build measured and chose. Bundles keep it as their
// "training" entry, but for the fields marked "-", which are for the
// caller to print. Its fields are in the order of their JSON names, the
// order the entry has had since bundles were first written.
type Report struct {
	BestEpoch   int             `json:"best_epoch"`
	Choices     *Choice         `json:"choices"`
	Dev         SplitScore      `json:"dev"`
	History     []EpochResult   `json:"history"`
	LevelHead   LevelHeadChoice `json:"level_head"`
	Options     RecipeSummary   `json:"options"`
	RiskRefit   *RiskRefit      `json:"risk_refit,omitempty"`
	SEntFiNTest SplitScore      `json:"sentfin-test"`
	TwitterTest SplitScore      `json:"twitter-test"`

	// Sizes are the sets trained and chosen on.
	Sizes Sizes `json:"-"`
	// BestScore is the dev score of the best epoch (State.BestF1).
	BestScore float64 `json:"-"`
	// LevelTrials and FocusTrials are the choices tried on the dev
	// documents, in order.
	LevelTrials []LevelTrial `json:"-"`
	FocusTrials []FocusTrial `json:"-"`
}

// Sizes counts the sentences trained on (after Recipe.Limit) and the dev
// sentences, each with how many have risk labels, and the texts left out
// of training because an evaluation set holds them.
type Sizes struct {
	Train, TrainRisk, Dev, DevRisk, Dropped int
}

// SplitScore is the sentiment head on one labelled set.
type SplitScore struct {
	Accuracy float64 `json:"accuracy"`
	MacroF1  float64 `json:"macro_f1"`
	N        int     `json:"n"`
}

// RecipeSummary is the recipe as the bundle records it.
type RecipeSummary struct {
	Batch          int     `json:"batch"`
	Clip           float64 `json:"clip"`
	Epochs         int     `json:"epochs"`
	HeadLR         float64 `json:"head_lr"`
	Limit          int     `json:"limit"`
	LR             float64 `json:"lr"`
	MaxFalseAlarms float64 `json:"max_false_alarms"`
	Patience       int     `json:"patience"`
	RiskWeight     float64 `json:"risk_weight"`
	Seed           uint64  `json:"seed"`
	Warmup         float64 `json:"warmup"`
	WeightDecay    float64 `json:"weight_decay"`
}

// RiskRefit is the risk head's refit: its settings and result.
type RiskRefit struct {
	LR     float64     `json:"lr"`
	Result RefitResult `json:"result"`
	Steps  int         `json:"steps"`
}

// LevelHeadChoice is the level head kept: the class balance chosen on the
// dev documents, the fitting settings and the fit's result.
type LevelHeadChoice struct {
	Balance float64      `json:"balance"`
	Options RefitOptions `json:"options"`
	Result  RefitResult  `json:"result"`
}

// LevelTrial is one level head tried: its class balance, its fit on the
// dev sentences and the dev documents scored with it.
type LevelTrial struct {
	Balance   float64
	Fit       RefitResult
	Documents *DocumentReport
}

// FocusTrial is one document sentiment aggregation tried
// (scorer.SentimentSpec.DocumentFocus) and the dev documents scored with
// it.
type FocusTrial struct {
	Focus     float64
	Documents *DocumentReport
}

// documentFocusGrid are the document sentiment aggregations tried on the
// dev documents; ties go to the first.
var documentFocusGrid = []float64{0, 0.5, 1, 2, 3}

// levelBalanceGrid are the class balances of the risk level head tried on
// the dev documents (FitLevelHead); ties go to the first.
var levelBalanceGrid = []float64{0, 0.5, 1}

// Build makes a scoring model from st (a fresh NewState or a resumed
// checkpoint) and returns it as bundle bytes, with the report of how. In
// order, it:
//
//  1. fine-tunes the encoder with both heads (Fit), keeping the epoch with
//     the best dev score;
//  2. refits the risk head on the fine-tuned, fixed embeddings;
//  3. chooses on the dev sentences both heads' calibration and each risk
//     category's threshold (chooseOnDev);
//  4. measures sentiment on dev and the two test sets;
//  5. on the dev documents, fits the level head with each class balance
//     and keeps the best risk-level accuracy, then keeps the document
//     sentiment aggregation with the best sentiment accuracy.
//
// base provides the tokenizer and provenance; tax the risk categories,
// in the order of the risk head's outputs. The same st, data and recipe
// give the same bytes.
func Build(st *State, base bundle.Manifest, tax *scorer.Taxonomy, data *Data, r Recipe) ([]byte, *Report, error) {
	switch {
	case r.Limit < 0:
		return nil, nil, fmt.Errorf("train: limit %d is negative", r.Limit)
	case !(r.MaxFalseAlarms >= 0 && r.MaxFalseAlarms <= 1):
		return nil, nil, fmt.Errorf("train: the share of false alarms %v is not in [0, 1]", r.MaxFalseAlarms)
	case r.Refit.Steps < 0:
		return nil, nil, fmt.Errorf("train: %d refit steps", r.Refit.Steps)
	case len(data.DevDocuments) == 0:
		return nil, nil, errors.New("train: no dev documents to choose the level head and the document aggregation on")
	case len(tax.Categories) != st.Model.Risk.Outputs:
		return nil, nil, fmt.Errorf("train: %d risk categories for a risk head of %d outputs", len(tax.Categories), st.Model.Risk.Outputs)
	}
	stage := func(s Stage, rep *Report) {
		if r.Stage != nil {
			r.Stage(s, rep)
		}
	}
	m, workers := st.Model, r.Fit.Workers
	trainSet := data.Train
	if r.Limit > 0 && r.Limit < len(trainSet) {
		trainSet = subset(trainSet, r.Limit, r.Fit.Seed)
	}
	o := r.Fit
	rep := &Report{
		Options: RecipeSummary{Batch: o.BatchSize, Clip: o.ClipNorm, Epochs: o.Epochs, HeadLR: o.HeadLR, Limit: r.Limit, LR: o.LR,
			MaxFalseAlarms: r.MaxFalseAlarms, Patience: o.Patience, RiskWeight: o.RiskWeight, Seed: o.Seed, Warmup: o.WarmupFrac, WeightDecay: o.WeightDecay},
		Sizes: Sizes{Train: len(trainSet), TrainRisk: withRisk(trainSet), Dev: len(data.Dev), DevRisk: withRisk(data.Dev), Dropped: data.Dropped},
	}
	stage(StageData, rep)

	if err := Fit(st, trainSet, data.Dev, r.Fit); err != nil {
		return nil, nil, err
	}
	rep.BestEpoch, rep.BestScore, rep.History = st.BestEpoch, st.BestF1, st.History
	stage(StageFit, rep)

	if r.Refit.Steps > 0 {
		res, err := RefitRiskHead(m, trainSet, data.Dev, r.Refit, workers)
		if err != nil {
			return nil, nil, err
		}
		rep.RiskRefit = &RiskRefit{LR: r.Refit.LR, Result: res, Steps: r.Refit.Steps}
		stage(StageRefit, rep)
	}

	choice, err := chooseOnDev(m, data.Dev, data.RiskDev, tax, minPrecisionGrid, r.MaxFalseAlarms, workers)
	if err != nil {
		return nil, nil, err
	}
	rep.Choices = choice
	stage(StageChoose, rep)

	for _, split := range []struct {
		set []Sample
		dst *SplitScore
	}{{data.Dev, &rep.Dev}, {data.TwitterTest, &rep.TwitterTest}, {data.SEntFiNTest, &rep.SEntFiNTest}} {
		conf, err := Evaluate(m, split.set, workers)
		if err != nil {
			return nil, nil, err
		}
		*split.dst = SplitScore{Accuracy: conf.Accuracy(), MacroF1: conf.MacroF1(), N: conf.Total()}
	}
	stage(StageEvaluate, rep)

	out, err := chooseOnDevDocuments(m, trainSet, data, base, rep, r, stage)
	if err != nil {
		return nil, nil, err
	}
	return out, rep, nil
}

// chooseOnDevDocuments settles what only whole documents show, on the dev
// documents: the level head's class balance, by the documents' risk-level
// accuracy, then the sentiment aggregation, by their sentiment accuracy. It
// fits the level head into m, records the choices in rep and returns the
// finished bundle.
func chooseOnDevDocuments(m *Model, trainSet []Sample, data *Data, base bundle.Manifest, rep *Report, r Recipe, stage func(Stage, *Report)) ([]byte, error) {
	choice, workers := rep.Choices, r.Fit.Workers
	// build writes the bundle as it stands and scores the dev documents
	// with it.
	build := func() ([]byte, *DocumentReport, error) {
		manifest, tensors, err := Export(m, base, choice.Sentiment, choice.Risk, bundle.Float16, rep)
		if err != nil {
			return nil, nil, err
		}
		var buf bytes.Buffer
		if err := bundle.Write(&buf, manifest, tensors); err != nil {
			return nil, nil, err
		}
		s, _, err := scorer.Load(buf.Bytes())
		if err != nil {
			return nil, nil, fmt.Errorf("train: the written bundle does not load back: %w", err)
		}
		res, err := EvaluateDocuments(s, data.DevDocuments)
		return buf.Bytes(), res, err
	}

	choice.Sentiment.DocumentFocus = documentFocusGrid[0]
	var bestHead Head
	var bestFit RefitResult
	bestBalance, bestLevel := 0.0, -1.0
	for _, balance := range levelBalanceGrid {
		fit, err := FitLevelHead(m, trainSet, data.Dev, balance, r.LevelHead, workers)
		if err != nil {
			return nil, err
		}
		_, res, err := build()
		if err != nil {
			return nil, err
		}
		rep.LevelTrials = append(rep.LevelTrials, LevelTrial{Balance: balance, Fit: fit, Documents: res})
		stage(StageLevelHead, rep)
		if res.LevelAccuracy > bestLevel {
			bestLevel, bestBalance, bestFit = res.LevelAccuracy, balance, fit
			bestHead = Head{Outputs: m.Level.Outputs, W: slices.Clone(m.Level.W), B: slices.Clone(m.Level.B)}
		}
	}
	m.Level = bestHead
	rep.LevelHead = LevelHeadChoice{Balance: bestBalance, Options: r.LevelHead, Result: bestFit}

	var best []byte
	bestAcc, bestFocus := -1.0, 0.0
	for _, focus := range documentFocusGrid {
		choice.Sentiment.DocumentFocus = focus
		out, res, err := build()
		if err != nil {
			return nil, err
		}
		rep.FocusTrials = append(rep.FocusTrials, FocusTrial{Focus: focus, Documents: res})
		stage(StageFocus, rep)
		if res.SentimentAccuracy > bestAcc {
			bestAcc, bestFocus, best = res.SentimentAccuracy, focus, out
		}
	}
	// The report is now the kept bundle's, not the last one tried.
	choice.Sentiment.DocumentFocus = bestFocus
	return best, nil
}

package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"

	"finscore/core/bundle"
	"finscore/core/dataset"
	"finscore/core/scorer"
	"finscore/core/train"
)

// minPrecisionGrid are the dev precision floors tried for the risk
// thresholds, lowest first: all above the 0.5 the targets ask for, so
// that the promise holds on new text too.
var minPrecisionGrid = []float64{0.6, 0.65, 0.7, 0.75, 0.8}

// defaultMaxFalseAlarms is the share of dev sentences with no risk that
// the thresholds may flag.
const defaultMaxFalseAlarms = 0.08

// devChoice is what chooseOnDev settles.
type devChoice struct {
	Sentiment     scorer.SentimentSpec `json:"sentiment"`
	Risk          scorer.RiskSpec      `json:"risk"`
	DevThresholds []devPRF             `json:"dev_thresholds"`
	// MinPrecision is the precision floor the thresholds were chosen
	// with, DevFalseAlarms the share of dev rows with no risk that they
	// flag.
	MinPrecision   float64 `json:"min_precision"`
	DevFalseAlarms float64 `json:"dev_false_alarms"`
}

// falseAlarms is the share of rows labelled with no risk category that get
// one at the thresholds.
func falseAlarms(probs [][]float64, rows []train.Sample, thresholds []float64) float64 {
	clean, flagged := 0, 0
	for i, row := range probs {
		if slices.Contains(rows[i].Risk, 1) {
			continue
		}
		clean++
		for j, p := range row {
			if p >= thresholds[j] {
				flagged++
				break
			}
		}
	}
	if clean == 0 {
		return 0
	}
	return float64(flagged) / float64(clean)
}

// devPRF is one category's dev precision, recall and F1 at its threshold.
type devPRF struct {
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
}

// chooseOnDev fits the sentiment temperature on dev's sentiment labels and
// the risk temperature on its risk labels; then, on dev's risk rows and the
// risk dev set together, each category's threshold: the best F1 with at
// least a precision floor, the lowest floor of minPrecisions (ascending)
// at which no more than maxFalseAlarms of the sentences labelled with no
// risk get a category.
func chooseOnDev(m *train.Model, dev, riskDev []train.Sample, tax *scorer.Taxonomy, minPrecisions []float64, maxFalseAlarms float64, workers int) (*devChoice, error) {
	sent, risk, err := train.Predict(m, dev, workers)
	if err != nil {
		return nil, err
	}
	var sLogits, rLogits [][]float32
	var labels []int
	var riskRows []train.Sample
	for i, s := range dev {
		if s.Label >= 0 {
			sLogits, labels = append(sLogits, sent[i]), append(labels, s.Label)
		}
		if s.Risk != nil {
			rLogits, riskRows = append(rLogits, risk[i]), append(riskRows, s)
		}
	}
	if len(sLogits) == 0 || len(rLogits) == 0 {
		return nil, errors.New("train: dev has no sentiment or no risk labels to calibrate on")
	}
	targets := make([][]float32, len(riskRows))
	for i, s := range riskRows {
		targets[i] = s.Risk
	}
	c := &devChoice{Sentiment: scorer.SentimentSpec{Labels: dataset.Labels, Temperature: train.FitTemperature(sLogits, labels)}}
	c.Risk.Temperature = train.FitRiskTemperature(rLogits, targets)

	_, rd, err := train.Predict(m, riskDev, workers)
	if err != nil {
		return nil, err
	}
	rLogits, riskRows = append(rLogits, rd...), append(riskRows, riskDev...)
	probs := make([][]float64, len(rLogits))
	for i, row := range rLogits {
		probs[i] = make([]float64, len(row))
		for j, v := range row {
			probs[i][j] = 1 / (1 + math.Exp(-float64(v)/c.Risk.Temperature))
		}
	}
	// Thresholds: the lowest precision floor of minPrecisions whose
	// thresholds flag at most maxFalseAlarms of the rows labelled with no
	// risk (the highest floor if none does).
	for _, floor := range minPrecisions {
		c.Risk.Categories, c.Risk.Thresholds, c.DevThresholds = nil, nil, nil
		for j, cat := range tax.Categories {
			col, truth := make([]float64, len(probs)), make([]bool, len(probs))
			for i := range probs {
				col[i], truth[i] = probs[i][j], riskRows[i].Risk[j] >= 0.5
			}
			t, p, r, f := train.ChooseThreshold(col, truth, floor)
			c.Risk.Categories = append(c.Risk.Categories, scorer.Category{ID: cat.ID, Label: cat.Label, Description: cat.Description})
			c.Risk.Thresholds = append(c.Risk.Thresholds, t)
			c.DevThresholds = append(c.DevThresholds, devPRF{p, r, f})
		}
		c.MinPrecision, c.DevFalseAlarms = floor, falseAlarms(probs, riskRows, c.Risk.Thresholds)
		if c.DevFalseAlarms <= maxFalseAlarms {
			break
		}
	}
	return c, nil
}

// documentFocusGrid are the document sentiment aggregations tried on the
// dev documents (scorer.SentimentSpec.DocumentFocus); ties go to the first.
var documentFocusGrid = []float64{0, 0.5, 1, 2, 3}

// levelBalanceGrid are the class balances of the risk level head tried on
// the dev documents (train.FitLevelHead); ties go to the first.
var levelBalanceGrid = []float64{0, 0.5, 1}

// chooseOnDevDocuments settles what only whole documents show, on the dev
// documents: the level head's class balance, by the documents' risk-level
// accuracy, then the sentiment aggregation, by their sentiment accuracy. It
// fits the level head into m, records the choices in report and returns the
// finished bundle.
func chooseOnDevDocuments(m *train.Model, samples map[string][]train.Sample, docs []dataset.Document, base bundle.Manifest,
	choice *devChoice, report map[string]any, workers int, stdout io.Writer) ([]byte, error) {
	build := func() ([]byte, *documentReport, error) {
		report["choices"] = choice
		manifest, tensors, err := train.Export(m, base, choice.Sentiment, choice.Risk, bundle.Float16, report)
		if err != nil {
			return nil, nil, err
		}
		var buf bytes.Buffer
		if err := bundle.Write(&buf, manifest, tensors); err != nil {
			return nil, nil, err
		}
		s, _, err := scorer.Load(buf.Bytes())
		if err != nil {
			return nil, nil, fmt.Errorf("the written bundle does not load: %w", err)
		}
		res, err := evalDocuments(s, docs)
		return buf.Bytes(), res, err
	}

	choice.Sentiment.DocumentFocus = documentFocusGrid[0]
	var bestHead train.Head
	var bestFit train.RefitResult
	bestBalance, bestLevel := 0.0, -1.0
	for _, balance := range levelBalanceGrid {
		fit, err := train.FitLevelHead(m, samples["train"], samples["dev"], balance, train.DefaultRefitOptions(), workers)
		if err != nil {
			return nil, err
		}
		_, res, err := build()
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(stdout, "risk level head, balance %.1f: dev sentence macro-F1 %.4f (step %d); dev documents' risk level accuracy %.4f\n",
			balance, fit.Dev, fit.Step, res.LevelAccuracy)
		if res.LevelAccuracy > bestLevel {
			bestLevel, bestBalance, bestFit = res.LevelAccuracy, balance, fit
			bestHead = train.Head{Outputs: m.Level.Outputs, W: slices.Clone(m.Level.W), B: slices.Clone(m.Level.B)}
		}
	}
	m.Level = bestHead
	report["level_head"] = map[string]any{"balance": bestBalance, "options": train.DefaultRefitOptions(), "result": bestFit}

	var best []byte
	bestAcc := -1.0
	for _, focus := range documentFocusGrid {
		choice.Sentiment.DocumentFocus = focus
		data, res, err := build()
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(stdout, "dev documents, focus %.1f: sentiment accuracy %.4f, risk level accuracy %.4f, top category in top two %.4f\n",
			focus, res.SentimentAccuracy, res.LevelAccuracy, res.TopCategoryInTopTwo)
		if res.SentimentAccuracy > bestAcc {
			bestAcc, best = res.SentimentAccuracy, data
		}
	}
	return best, nil
}

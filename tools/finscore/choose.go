package main

import (
	"errors"
	"math"

	"finscore/core/dataset"
	"finscore/core/scorer"
	"finscore/core/train"
)

// defaultMinPrecision is the dev precision each risk category's threshold
// must reach where it can: above the 0.5 that the targets ask for, so that
// the promise holds on new text too.
const defaultMinPrecision = 0.6

// devChoice is what chooseOnDev settles.
type devChoice struct {
	Sentiment     scorer.SentimentSpec `json:"sentiment"`
	Risk          scorer.RiskSpec      `json:"risk"`
	DevThresholds []devPRF             `json:"dev_thresholds"`
}

// devPRF is one category's dev precision, recall and F1 at its threshold.
type devPRF struct {
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
}

// chooseOnDev fits the sentiment temperature on dev's sentiment labels and
// the risk temperature on its risk labels; then, on dev's risk rows and the
// risk dev set together, each category's threshold and the level
// cut-points.
func chooseOnDev(m *train.Model, dev, riskDev []train.Sample, tax *scorer.Taxonomy, minPrecision float64, workers int) (*devChoice, error) {
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
	for j, cat := range tax.Categories {
		col, truth := make([]float64, len(probs)), make([]bool, len(probs))
		for i := range probs {
			col[i], truth[i] = probs[i][j], riskRows[i].Risk[j] >= 0.5
		}
		t, p, r, f := train.ChooseThreshold(col, truth, minPrecision)
		c.Risk.Categories = append(c.Risk.Categories, scorer.Category{ID: cat.ID, Label: cat.Label, Description: cat.Description})
		c.Risk.Thresholds = append(c.Risk.Thresholds, t)
		c.DevThresholds = append(c.DevThresholds, devPRF{p, r, f})
	}
	// Levels: each flagged row's strongest probability against its
	// labelled level (a flagged row labelled none is best called low).
	var scores []float64
	var levels []int
	for i, row := range probs {
		flagged, top := false, 0.0
		for j, p := range row {
			top = max(top, p)
			flagged = flagged || p >= c.Risk.Thresholds[j]
		}
		if flagged {
			scores, levels = append(scores, top), append(levels, max(1, riskRows[i].Level))
		}
	}
	c.Risk.Medium, c.Risk.High = train.ChooseLevels(scores, levels)
	return c, nil
}

package train

import (
	"errors"
	"math"
	"slices"

	"finscore/core/dataset"
	"finscore/core/scorer"
)

// This file holds the choices made on dev sentences after training: both
// heads' calibration and each risk category's threshold (chooseOnDev). The
// choices that only whole documents show are in recipe.go.

// minPrecisionGrid are the dev precision floors tried for the risk
// thresholds, lowest first: all above the 0.5 the targets ask for, so
// that the promise holds on new text too.
var minPrecisionGrid = []float64{0.6, 0.65, 0.7, 0.75, 0.8}

// Choice is what chooseOnDev settles: the heads' specs as the bundle
// stores them, with each category's dev figures at its threshold.
type Choice struct {
	Sentiment     scorer.SentimentSpec `json:"sentiment"`
	Risk          scorer.RiskSpec      `json:"risk"`
	DevThresholds []ThresholdScore     `json:"dev_thresholds"`
	// MinPrecision is the precision floor the thresholds were chosen
	// with, DevFalseAlarms the share of dev rows with no risk that they
	// flag.
	MinPrecision   float64 `json:"min_precision"`
	DevFalseAlarms float64 `json:"dev_false_alarms"`
}

// ThresholdScore is one category's dev precision, recall and F1 at its
// threshold.
type ThresholdScore struct {
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
}

// chooseOnDev fits the sentiment temperature on dev's sentiment labels and
// the risk temperature on its risk labels; then, on dev's risk rows and the
// risk dev set together, each category's threshold: the best F1 with at
// least a precision floor, the lowest floor of minPrecisions (ascending)
// at which no more than maxFalseAlarms of the sentences labelled with no
// risk get a category (the highest floor if none does).
func chooseOnDev(m *Model, dev, riskDev []Sample, tax *scorer.Taxonomy, minPrecisions []float64, maxFalseAlarms float64, workers int) (*Choice, error) {
	sent, risk, err := Predict(m, dev, workers)
	if err != nil {
		return nil, err
	}
	var sLogits, rLogits [][]float32
	var labels []int
	var riskRows []Sample
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
	c := &Choice{Sentiment: scorer.SentimentSpec{Labels: dataset.Labels, Temperature: FitTemperature(sLogits, labels)}}
	c.Risk.Temperature = FitRiskTemperature(rLogits, targets)

	_, rd, err := Predict(m, riskDev, workers)
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
	for _, floor := range minPrecisions {
		c.Risk.Categories, c.Risk.Thresholds, c.DevThresholds = nil, nil, nil
		for j, cat := range tax.Categories {
			col, truth := make([]float64, len(probs)), make([]bool, len(probs))
			for i := range probs {
				col[i], truth[i] = probs[i][j], riskRows[i].Risk[j] >= 0.5
			}
			t, p, r, f := ChooseThreshold(col, truth, floor)
			c.Risk.Categories = append(c.Risk.Categories, scorer.Category{ID: cat.ID, Label: cat.Label, Description: cat.Description})
			c.Risk.Thresholds = append(c.Risk.Thresholds, t)
			c.DevThresholds = append(c.DevThresholds, ThresholdScore{p, r, f})
		}
		c.MinPrecision, c.DevFalseAlarms = floor, falseAlarms(probs, riskRows, c.Risk.Thresholds)
		if c.DevFalseAlarms <= maxFalseAlarms {
			break
		}
	}
	return c, nil
}

// falseAlarms is the share of rows labelled with no risk category that get
// one at the thresholds.
func falseAlarms(probs [][]float64, rows []Sample, thresholds []float64) float64 {
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

// FitRiskTemperature returns the temperature T that minimises the mean
// sigmoid cross-entropy of logits/T against the 0/1 targets (one
// temperature shared by all categories), searching log T in [1/50, 50].
func FitRiskTemperature(logits, targets [][]float32) float64 {
	nll := func(logT float64) float64 {
		t := math.Exp(logT)
		var sum float64
		for i, row := range logits {
			for j, v := range row {
				x := float64(v) / t
				sum += math.Log1p(math.Exp(-math.Abs(x))) + math.Max(x, 0) - x*float64(targets[i][j])
			}
		}
		return sum
	}
	return math.Exp(goldenMin(nll, math.Log(1.0/50), math.Log(50)))
}

// goldenMin returns the x in [lo, hi] that minimises a unimodal f.
func goldenMin(f func(float64) float64, lo, hi float64) float64 {
	const g = 0.6180339887498949
	a, b := hi-g*(hi-lo), lo+g*(hi-lo)
	fa, fb := f(a), f(b)
	for i := 0; i < 80; i++ {
		if fa < fb {
			hi, b, fb = b, a, fa
			a = hi - g*(hi-lo)
			fa = f(a)
		} else {
			lo, a, fa = a, b, fb
			b = lo + g*(hi-lo)
			fb = f(b)
		}
	}
	return (lo + hi) / 2
}

// ThresholdGrid is the set of probabilities a category threshold is chosen
// from.
var ThresholdGrid = func() []float64 {
	var g []float64
	for t := 0.10; t < 0.951; t += 0.025 {
		g = append(g, math.Round(t*1000)/1000)
	}
	return g
}()

// ChooseThreshold picks, for one category, the threshold of ThresholdGrid
// with the best F1 among those whose precision is at least minPrecision
// (the best F1 overall if none reaches it). Ties go to the higher
// threshold. probs are the category's probabilities and truth its labels.
func ChooseThreshold(probs []float64, truth []bool, minPrecision float64) (threshold, precision, recall, f1 float64) {
	type cand struct{ t, p, r, f float64 }
	var best, bestAny cand
	bestAny.f, best.f = -1, -1
	for _, t := range ThresholdGrid {
		var tp, fp, fn float64
		for i, p := range probs {
			switch pred := p >= t; {
			case pred && truth[i]:
				tp++
			case pred:
				fp++
			case truth[i]:
				fn++
			}
		}
		c := cand{t: t}
		if tp+fp > 0 {
			c.p = tp / (tp + fp)
		}
		if tp+fn > 0 {
			c.r = tp / (tp + fn)
		}
		if c.p+c.r > 0 {
			c.f = 2 * c.p * c.r / (c.p + c.r)
		}
		if c.f >= bestAny.f {
			bestAny = c
		}
		if c.p >= minPrecision && c.f >= best.f {
			best = c
		}
	}
	if best.f < 0 {
		best = bestAny
	}
	return best.t, best.p, best.r, best.f
}

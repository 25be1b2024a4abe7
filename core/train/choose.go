package train

import (
	"math"
)

// This file holds the choices made on dev data after training: the risk
// head's calibration, each category's threshold and the level cut-points.

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

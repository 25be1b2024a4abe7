package train

import "math"

// FitTemperature returns the temperature T that minimises the mean negative
// log-likelihood of softmax(logits / T) on held-out examples (temperature
// scaling, Guo et al. 2017). It searches log T in [1/50, 50].
func FitTemperature(logits [][]float32, labels []int) float64 {
	nll := func(logT float64) float64 {
		t := math.Exp(logT)
		var sum float64
		for i, row := range logits {
			mx := math.Inf(-1)
			for _, v := range row {
				mx = math.Max(mx, float64(v)/t)
			}
			var z float64
			for _, v := range row {
				z += math.Exp(float64(v)/t - mx)
			}
			sum += math.Log(z) + mx - float64(row[labels[i]])/t
		}
		return sum / float64(len(logits))
	}
	// Golden-section search; the NLL is unimodal in log T for these models.
	lo, hi := math.Log(1.0/50), math.Log(50)
	const g = 0.6180339887498949
	a, b := hi-g*(hi-lo), lo+g*(hi-lo)
	fa, fb := nll(a), nll(b)
	for i := 0; i < 80; i++ {
		if fa < fb {
			hi, b, fb = b, a, fa
			a = hi - g*(hi-lo)
			fa = nll(a)
		} else {
			lo, a, fa = a, b, fb
			b = lo + g*(hi-lo)
			fb = nll(b)
		}
	}
	return math.Exp((lo + hi) / 2)
}

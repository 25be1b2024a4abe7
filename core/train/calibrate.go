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
	// The NLL is unimodal in log T for these models.
	return math.Exp(goldenMin(nll, math.Log(1.0/50), math.Log(50)))
}

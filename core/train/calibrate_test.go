package train

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestFitTemperatureRecoversAKnownTemperature draws labels from
// softmax(logits / 2.5) and expects the fit to find about 2.5.
func TestFitTemperatureRecoversAKnownTemperature(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	const trueT = 2.5
	var logits [][]float32
	var labels []int
	for i := 0; i < 20000; i++ {
		row := []float32{float32(r.NormFloat64() * 4), float32(r.NormFloat64() * 4), float32(r.NormFloat64() * 4)}
		var z float64
		p := make([]float64, 3)
		for j, v := range row {
			p[j] = math.Exp(float64(v) / trueT)
			z += p[j]
		}
		u, label := r.Float64()*z, 2
		for j := range p {
			if u < p[j] {
				label = j
				break
			}
			u -= p[j]
		}
		logits = append(logits, row)
		labels = append(labels, label)
	}
	if got := FitTemperature(logits, labels); math.Abs(got-trueT) > 0.1 {
		t.Errorf("temperature %.3f, want about %v", got, trueT)
	}
}

package train

import (
	"math"
	"testing"
)

func TestAdamWMinimisesAQuadratic(t *testing.T) {
	// f(p) = Σ (p - 3)², from p = 0.
	p := []float32{0, 0, 0}
	params := [][]float32{p}
	o := NewAdamW(params, 0)
	for i := 0; i < 2000; i++ {
		g := make([]float32, 3)
		for j := range p {
			g[j] = 2 * (p[j] - 3)
		}
		o.Update(params, [][]float32{g}, []bool{false}, []float64{0.01})
	}
	for _, v := range p {
		if math.Abs(float64(v)-3) > 1e-2 {
			t.Fatalf("p = %v, want 3", p)
		}
	}
}

func TestAdamWFirstStepAndDecay(t *testing.T) {
	// Bias correction makes the first step exactly lr·sign(g); decay
	// shrinks only the tensors marked for it.
	params := [][]float32{{1}, {1}}
	o := NewAdamW(params, 0.5)
	o.Update(params, [][]float32{{4}, {4}}, []bool{true, false}, []float64{0.1, 0.1})
	if got, want := params[0][0], float32(1*(1-0.1*0.5)-0.1); math.Abs(float64(got-want)) > 1e-6 {
		t.Errorf("decayed: %v, want %v", got, want)
	}
	if got, want := params[1][0], float32(0.9); math.Abs(float64(got-want)) > 1e-6 {
		t.Errorf("not decayed: %v, want %v", got, want)
	}
}

func TestClipGradients(t *testing.T) {
	g := [][]float32{{3}, {4}}
	if n := ClipGradients(g, 1); n != 5 || math.Abs(float64(g[0][0])-0.6) > 1e-7 || math.Abs(float64(g[1][0])-0.8) > 1e-7 {
		t.Errorf("norm %v, clipped %v", n, g)
	}
	g = [][]float32{{0.3}, {0.4}}
	ClipGradients(g, 1)
	if g[0][0] != 0.3 {
		t.Errorf("small gradients changed: %v", g)
	}
}

func TestSchedule(t *testing.T) {
	s := Schedule{Peak: 1, Warmup: 4, Total: 12}
	for step, want := range map[int]float64{0: 0.25, 3: 1, 4: 1, 8: 0.5, 12: 0, 20: 0} {
		if got := s.At(step); math.Abs(got-want) > 1e-12 {
			t.Errorf("At(%d) = %v, want %v", step, got, want)
		}
	}
}

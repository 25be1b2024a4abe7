package train

import (
	"math"
	"testing"
)

func TestAdamWMinimisesAQuadratic(t *testing.T) {
	// f(p) = Σ (p - 3)², from p = 0.
	p := []float32{0, 0, 0}
	params := []Param{{Value: p, Grad: make([]float32, 3), Group: "g"}}
	o := NewAdamW(params, 0)
	for i := 0; i < 2000; i++ {
		for j := range p {
			params[0].Grad[j] = 2 * (p[j] - 3)
		}
		o.Update(params, func(string) float64 { return 0.01 })
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
	// Groups choose the learning rate.
	params := []Param{
		{Value: []float32{1}, Grad: []float32{4}, Decay: true, Group: "a"},
		{Value: []float32{1}, Grad: []float32{4}, Group: "a"},
		{Value: []float32{1}, Grad: []float32{4}, Group: "b"},
	}
	o := NewAdamW(params, 0.5)
	o.Update(params, func(g string) float64 { return map[string]float64{"a": 0.1, "b": 0.2}[g] })
	if got, want := params[0].Value[0], float32(1*(1-0.1*0.5)-0.1); math.Abs(float64(got-want)) > 1e-6 {
		t.Errorf("decayed: %v, want %v", got, want)
	}
	if got, want := params[1].Value[0], float32(0.9); math.Abs(float64(got-want)) > 1e-6 {
		t.Errorf("not decayed: %v, want %v", got, want)
	}
	if got, want := params[2].Value[0], float32(0.8); math.Abs(float64(got-want)) > 1e-5 {
		t.Errorf("group b: %v, want %v", got, want)
	}
}

func TestClipGradients(t *testing.T) {
	g := []Param{{Grad: []float32{3}}, {Grad: []float32{4}}}
	if n := ClipGradients(g, 1); n != 5 || math.Abs(float64(g[0].Grad[0])-0.6) > 1e-7 || math.Abs(float64(g[1].Grad[0])-0.8) > 1e-7 {
		t.Errorf("norm %v, clipped %v", n, g)
	}
	g = []Param{{Grad: []float32{0.3}}, {Grad: []float32{0.4}}}
	ClipGradients(g, 1)
	if g[0].Grad[0] != 0.3 {
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

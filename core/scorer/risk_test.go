package scorer

import (
	"math"
	"testing"
)

func TestFitLogisticSeparates(t *testing.T) {
	var xs []float64
	var ys []bool
	for i := 0; i < 50; i++ {
		xs = append(xs, 0.6+0.004*float64(i)) // positives around 0.7
		ys = append(ys, true)
	}
	for i := 0; i < 500; i++ {
		xs = append(xs, 0.1+0.0008*float64(i)) // negatives around 0.3
		ys = append(ys, false)
	}
	a, b := fitLogistic(xs, ys)
	if p := sigmoid(a*0.75 + b); p < 0.9 {
		t.Errorf("p(0.75) = %v, want high", p)
	}
	if p := sigmoid(a*0.2 + b); p > 0.1 {
		t.Errorf("p(0.2) = %v, want low", p)
	}
	if mid := -b / a; mid < 0.5 || mid > 0.62 {
		t.Errorf("decision boundary at %v, want between the classes", mid)
	}
}

// TestBuildRiskHead uses a toy embedding in which each category's examples
// point along their own axis, so every example must score highest on its
// category and the background low on all.
func TestBuildRiskHead(t *testing.T) {
	tax := &Taxonomy{Categories: []Category{
		{ID: "a", Label: "A", Description: "a", Examples: []string{"a1", "a2", "a3"}},
		{ID: "b", Label: "B", Description: "b", Examples: []string{"b1", "b2", "b3"}},
	}}
	axis := map[byte]int{'a': 0, 'b': 1, 'n': 2}
	embed := func(texts []string) ([][]float32, error) {
		out := make([][]float32, len(texts))
		for i, s := range texts {
			v := []float64{0.1, 0.1, 0.1, 0.1}
			v[axis[s[0]]] = 1
			v[3] = float64(len(s)%3) * 0.2 // some spread
			out[i] = normalized(v)
		}
		return out, nil
	}
	h, err := BuildRiskHead(tax, []string{"n1", "n22", "n333", "n4444"}, embed)
	if err != nil {
		t.Fatal(err)
	}
	embs, _ := embed([]string{"a9", "b9", "n9"})
	pa, pb, pn := h.Probs(embs[0]), h.Probs(embs[1]), h.Probs(embs[2])
	if !(pa[0] > 0.5 && pa[1] < 0.5 && pb[1] > 0.5 && pb[0] < 0.5 && pn[0] < 0.5 && pn[1] < 0.5) {
		t.Errorf("probs: a %v, b %v, background %v", pa, pb, pn)
	}
	for c := range h.Spec.Categories {
		var norm float64
		for _, v := range h.Prototypes[c*4 : (c+1)*4] {
			norm += float64(v) * float64(v)
		}
		if math.Abs(norm-1) > 1e-6 {
			t.Errorf("prototype %d has norm² %v", c, norm)
		}
	}
}

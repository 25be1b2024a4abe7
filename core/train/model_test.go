package train

import (
	"math"
	"math/rand/v2"
	"testing"

	"finscore/core/encoder"
)

// tinyModel has USE-Lite's structure at toy size: a widening first layer
// with a residual projection, a second layer that keeps the width.
func tinyModel(seed uint64) *Model {
	cfg := encoder.Config{
		Type: encoder.TypeUSELite, VocabSize: 13, EmbedDim: 4, MaxLen: 6, OutputDim: 6,
		LayerNormEps: 1e-6, L2Eps: 1e-12,
		Layers: []encoder.LayerConfig{
			{InputDim: 4, ModelDim: 6, Heads: 2, FFNDim: 8, QueryScale: 0.7},
			{InputDim: 6, ModelDim: 6, Heads: 3, FFNDim: 5, QueryScale: 0.6},
		},
	}
	r := rand.New(rand.NewPCG(seed, 7))
	m := &Model{Config: cfg, W: cfg.ZeroWeights(), Classes: 3}
	m.HeadW = make([]float32, cfg.OutputDim*3)
	m.HeadB = make([]float32, 3)
	_, params, _ := Params(m, NewGrads(m))
	for _, p := range params {
		for i := range p {
			p[i] = float32(r.NormFloat64() * 0.5)
		}
	}
	for i := range m.W.InvTimescales {
		m.W.InvTimescales[i] = float32(math.Pow(10, -float64(i)))
	}
	for i := range m.HeadW {
		m.HeadW[i] *= 4 // a head strong enough that the loss feels every weight
	}
	return m
}

var tinyBatch = [][]int32{{1, 2, 3, 4}, {5}, {6, 7, 8, 9, 10, 11, 12}, {}, {0, 12, 3}}
var tinyLabels = []int{0, 2, 1, 1, 2}

// TestForwardMatchesEncode holds the training forward pass to the
// production one.
func TestForwardMatchesEncode(t *testing.T) {
	m := tinyModel(1)
	tr, err := m.Forward(tinyBatch)
	if err != nil {
		t.Fatal(err)
	}
	enc := &encoder.Model{Config: m.Config, Weights: m.W}
	out := make([][]float32, len(tinyBatch))
	for i := range out {
		out[i] = make([]float32, m.Config.OutputDim)
	}
	if err := enc.Encode(encoder.NewWorkspace(), tinyBatch, out); err != nil {
		t.Fatal(err)
	}
	D := m.Config.OutputDim
	for s := range out {
		for j := range out[s] {
			if d := math.Abs(float64(out[s][j] - tr.Emb[s*D+j])); d > 1e-6 {
				t.Fatalf("sentence %d dim %d: train %v, encode %v", s, j, tr.Emb[s*D+j], out[s][j])
			}
		}
	}
}

func loss(t *testing.T, m *Model) float64 {
	tr, err := m.Forward(tinyBatch)
	if err != nil {
		t.Fatal(err)
	}
	l, _ := CrossEntropy(tr.Logits, tinyLabels, m.Classes, []float32{1, 0.5, 2, 1, 1})
	return l
}

// TestGradientsFiniteDifference checks the analytic gradient of every
// parameter tensor (and so the backward pass of every operation between it
// and the loss) against central finite differences.
func TestGradientsFiniteDifference(t *testing.T) {
	m := tinyModel(2)
	g := NewGrads(m)
	tr, err := m.Forward(tinyBatch)
	if err != nil {
		t.Fatal(err)
	}
	_, dLogits := CrossEntropy(tr.Logits, tinyLabels, m.Classes, []float32{1, 0.5, 2, 1, 1})
	m.Backward(tr, g, dLogits)

	names, params, grads := Params(m, g)
	r := rand.New(rand.NewPCG(3, 4))
	const h = 1e-2
	for i, p := range params {
		if names[i] == "timing/inv_timescales" {
			continue // a constant of the model, never trained
		}
		worst := 0.0
		for trial := 0; trial < 6; trial++ {
			j := r.IntN(len(p))
			if names[i] == "embeddings" {
				j = int(tinyBatch[trial%3][0])*m.Config.EmbedDim + r.IntN(m.Config.EmbedDim)
			}
			orig := p[j]
			p[j] = orig + h
			up := loss(t, m)
			p[j] = orig - h
			down := loss(t, m)
			p[j] = orig
			numeric := (up - down) / (2 * h)
			analytic := float64(grads[i][j])
			diff := math.Abs(numeric - analytic)
			rel := diff / math.Max(math.Abs(numeric)+math.Abs(analytic), 1e-3)
			worst = math.Max(worst, rel)
			if rel > 2e-2 && diff > 2e-4 {
				t.Errorf("%s[%d]: analytic %.6g, numeric %.6g", names[i], j, analytic, numeric)
			}
		}
		t.Logf("%-28s worst relative error %.2g", names[i], worst)
	}
}

func TestCrossEntropy(t *testing.T) {
	logits := []float32{2, 0, -1, 0, 0, 0}
	l, d := CrossEntropy(logits, []int{0, 2}, 3, nil)
	p0 := math.Exp(2) / (math.Exp(2) + 1 + math.Exp(-1))
	want := (-math.Log(p0) + math.Log(3)) / 2
	if math.Abs(l-want) > 1e-6 {
		t.Errorf("loss %v, want %v", l, want)
	}
	if math.Abs(float64(d[0])-(p0-1)/2) > 1e-6 || math.Abs(float64(d[5])-(1.0/3-1)/2) > 1e-6 {
		t.Errorf("gradient %v", d)
	}
}

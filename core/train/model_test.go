package train

import (
	"math"
	"math/rand/v2"
	"testing"

	"finscore/core/encoder"
	"finscore/core/scorer"
	"finscore/core/tensor"
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
	m := NewModel(cfg, cfg.ZeroWeights(), 3, 2)
	for _, p := range m.Params(nil) {
		for i := range p.Value {
			p.Value[i] = float32(r.NormFloat64() * 0.5)
		}
	}
	for i := range m.W.InvTimescales {
		m.W.InvTimescales[i] = float32(math.Pow(10, -float64(i)))
	}
	for i := range m.Sentiment.W {
		m.Sentiment.W[i] *= 4 // heads strong enough that the loss feels every weight
	}
	for i := range m.Risk.W {
		m.Risk.W[i] *= 4
	}
	return m
}

var tinyBatch = [][]int32{{1, 2, 3, 4}, {5}, {6, 7, 8, 9, 10, 11, 12}, {}, {0, 12, 3}}
var tinyLabels = []int{0, 2, NoLabel, 1, 2}

// tinyRisk has risk targets for some of tinyBatch's sentences.
var tinyRisk = [][]float32{{1, 0}, nil, {0, 1}, {1, 1}, nil}

// TestForwardMatchesEncode: recording the activations for training leaves
// the embeddings exactly those of the production forward pass.
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
			if out[s][j] != tr.Emb[s*D+j] {
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
	l, _ := CrossEntropy(tr.Sentiment, tinyLabels, m.Sentiment.Outputs, []float32{1, 0.5, 2, 1, 1})
	r, _, _ := BinaryCrossEntropy(tr.Risk, tinyRisk, m.Risk.Outputs)
	return l + 0.7*r
}

// TestGradientsFiniteDifference checks the analytic gradient of every
// parameter tensor (and so the backward pass of every operation between it
// and the loss) against central finite differences, for a loss with both
// heads' terms and examples missing one or the other label.
func TestGradientsFiniteDifference(t *testing.T) {
	m := tinyModel(2)
	g := NewGrads(m)
	tr, err := m.Forward(tinyBatch)
	if err != nil {
		t.Fatal(err)
	}
	_, dSent := CrossEntropy(tr.Sentiment, tinyLabels, m.Sentiment.Outputs, []float32{1, 0.5, 2, 1, 1})
	_, dRisk, _ := BinaryCrossEntropy(tr.Risk, tinyRisk, m.Risk.Outputs)
	tensor.Scale(dRisk, 0.7)
	m.Backward(tr, g, dSent, dRisk)

	ps := m.Params(g)
	r := rand.New(rand.NewPCG(3, 4))
	const h = 1e-2
	for _, prm := range ps {
		p, name := prm.Value, prm.Name
		if name == "timing/inv_timescales" {
			continue // a constant of the model, never trained
		}
		worst := 0.0
		for trial := 0; trial < 6; trial++ {
			j := r.IntN(len(p))
			if name == "embeddings" {
				j = int(tinyBatch[trial%3][0])*m.Config.EmbedDim + r.IntN(m.Config.EmbedDim)
			}
			orig := p[j]
			p[j] = orig + h
			up := loss(t, m)
			p[j] = orig - h
			down := loss(t, m)
			p[j] = orig
			numeric := (up - down) / (2 * h)
			analytic := float64(prm.Grad[j])
			diff := math.Abs(numeric - analytic)
			rel := diff / math.Max(math.Abs(numeric)+math.Abs(analytic), 1e-3)
			worst = math.Max(worst, rel)
			if rel > 2e-2 && diff > 2e-4 {
				t.Errorf("%s[%d]: analytic %.6g, numeric %.6g", name, j, analytic, numeric)
			}
		}
		t.Logf("%-28s worst relative error %.2g", name, worst)
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

func TestBinaryCrossEntropy(t *testing.T) {
	logits := []float32{0, 2, 50, -50, 1, 1}
	l, d, n := BinaryCrossEntropy(logits, [][]float32{{1, 0}, {1, 0}, nil}, 2)
	want := (math.Log(2) + math.Log1p(math.Exp(2)) + 0 + 0) / 2
	if n != 2 || math.Abs(l-want) > 1e-6 {
		t.Errorf("loss %v over %d, want %v over 2", l, n, want)
	}
	sig := func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
	if math.Abs(float64(d[0])-(0.5-1)/2) > 1e-6 || math.Abs(float64(d[1])-sig(2)/2) > 1e-6 || d[4] != 0 || d[5] != 0 {
		t.Errorf("gradient %v", d)
	}
	if l, _, n := BinaryCrossEntropy(logits, [][]float32{nil, nil, nil}, 2); l != 0 || n != 0 {
		t.Errorf("no labels: loss %v over %d", l, n)
	}
}

// TestHeadParamsNameTheBundleTensors: Export writes the heads under the
// names Params gives them, which must be the names the scorer loads.
func TestHeadParamsNameTheBundleTensors(t *testing.T) {
	var names []string
	for _, p := range tinyModel(1).Params(nil) {
		if p.Group == GroupHeads {
			names = append(names, p.Name)
		}
	}
	want := []string{scorer.SentimentKernel, scorer.SentimentBias, scorer.RiskKernel, scorer.RiskBias}
	if len(names) != len(want) {
		t.Fatalf("head params %v, want %v", names, want)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Errorf("head params %v, want %v", names, want)
		}
	}
}

package train

import (
	"errors"
	"fmt"
	"math"

	"finscore/core/metrics"
	"finscore/core/tensor"
)

// RefitOptions configures the heads fitted on fixed embeddings after
// fine-tuning (RefitRiskHead, FitLevelHead).
type RefitOptions struct {
	Steps       int     // full-batch Adam steps at most
	LR          float64 // Adam learning rate
	WeightDecay float64 // decoupled decay of the kernel
	Every       int     // steps between dev measurements
}

// DefaultRefitOptions are the settings the shipped model is trained with.
func DefaultRefitOptions() RefitOptions {
	return RefitOptions{Steps: 1000, LR: 0.03, WeightDecay: 0.01, Every: 20}
}

// RefitResult reports a head fitted on fixed embeddings: the dev score of
// the head it started from and of the head it kept, and the step that
// reached it (0: the starting head was kept).
type RefitResult struct {
	StartDev float64 `json:"start_dev"`
	Dev      float64 `json:"dev"`
	Step     int     `json:"step"`
}

// RefitRiskHead trains the risk head further on the fine-tuned encoder's
// fixed embeddings. In joint fine-tuning the risk head sees each risk
// example a few times at a learning rate shared with the encoder and
// underfits; on fixed embeddings many full-batch steps are cheap. It starts
// from the current head and keeps the step with the best dev mean average
// precision over the categories, so it never returns a head worse on dev
// than it was given. Samples without risk labels are ignored.
func RefitRiskHead(m *Model, trainSet, dev []Sample, opt RefitOptions, workers int) (RefitResult, error) {
	if m.Risk.Outputs == 0 {
		return RefitResult{}, errors.New("train: the model has no risk head to refit")
	}
	x, t, _, err := riskFeatures(m, trainSet, workers)
	if err != nil {
		return RefitResult{}, err
	}
	dx, dt, _, err := riskFeatures(m, dev, workers)
	if err != nil {
		return RefitResult{}, err
	}
	K := m.Risk.Outputs
	grad := func(logits []float32) []float32 {
		_, d, _ := BinaryCrossEntropy(logits, t, K)
		return d
	}
	score := func(logits []float32) float64 { return meanAP(logits, dt, K) }
	return fitHead(&m.Risk, m.Config.OutputDim, x, len(t), dx, len(dt), grad, score, opt)
}

// LevelOutputs is the size of a level head: none, low, medium, high.
const LevelOutputs = 4

// FitLevelHead fits m.Level, a softmax over the risk levels (none, low,
// medium, high) of a sentence, on the fine-tuned encoder's fixed embeddings
// of the samples with risk labels. Each level's examples are weighted by
// (1 / its frequency)^balance, normalised: 0 leaves the levels as common
// as they are, 1 makes them count equally. It starts from zero and keeps
// the step with the best dev macro-F1 over the levels.
func FitLevelHead(m *Model, trainSet, dev []Sample, balance float64, opt RefitOptions, workers int) (RefitResult, error) {
	x, _, levels, err := riskFeatures(m, trainSet, workers)
	if err != nil {
		return RefitResult{}, err
	}
	dx, _, devLevels, err := riskFeatures(m, dev, workers)
	if err != nil {
		return RefitResult{}, err
	}
	count := make([]int, LevelOutputs)
	for _, l := range levels {
		if l < 0 || l >= LevelOutputs {
			return RefitResult{}, fmt.Errorf("train: risk level %d outside 0..%d", l, LevelOutputs-1)
		}
		count[l]++
	}
	weights := make([]float32, len(levels))
	for i, l := range levels {
		weights[i] = float32(math.Pow(float64(len(levels))/float64(LevelOutputs*count[l]), balance))
	}
	m.Level = NewHead(m.Config.OutputDim, LevelOutputs)
	grad := func(logits []float32) []float32 {
		_, d := CrossEntropy(logits, levels, LevelOutputs, weights)
		return d
	}
	score := func(logits []float32) float64 {
		c := metrics.NewConfusion(classNames(LevelOutputs))
		for i, l := range devLevels {
			if l >= 0 && l < LevelOutputs {
				c.Add(l, argmax(logits[i*LevelOutputs:(i+1)*LevelOutputs]))
			}
		}
		return c.MacroF1()
	}
	return fitHead(&m.Level, m.Config.OutputDim, x, len(levels), dx, len(devLevels), grad, score, opt)
}

// fitHead runs full-batch AdamW on head h over embeddings x [n, D]: grad
// maps the logits to their loss gradient, score rates the logits of the dev
// embeddings dx [dn, D] (higher is better). It keeps the head of the best
// dev score, measured every opt.Every steps and at the start.
func fitHead(h *Head, D int, x []float32, n int, dx []float32, dn int, grad func([]float32) []float32, score func([]float32) float64, opt RefitOptions) (RefitResult, error) {
	if opt.Steps < 0 || opt.Every < 1 || !(opt.LR > 0) || opt.WeightDecay < 0 {
		return RefitResult{}, fmt.Errorf("train: bad refit options %+v", opt)
	}
	if n == 0 || dn == 0 {
		return RefitResult{}, errors.New("train: fitting a head on fixed embeddings needs risk labels in train and dev")
	}
	K := h.Outputs
	devLogits := make([]float32, dn*K)
	devScore := func() float64 {
		tensor.MatMul(devLogits, dx, h.W, h.B, dn, D, K)
		return score(devLogits)
	}
	g := NewHead(D, K)
	params := []Param{
		{Name: "kernel", Value: h.W, Grad: g.W, Decay: true, Group: GroupHeads},
		{Name: "bias", Value: h.B, Grad: g.B, Group: GroupHeads},
	}
	adam := NewAdamW(params, opt.WeightDecay)
	lr := func(string) float64 { return opt.LR }
	res := RefitResult{StartDev: devScore()}
	res.Dev = res.StartDev
	bestW, bestB := append([]float32(nil), h.W...), append([]float32(nil), h.B...)
	logits := make([]float32, n*K)
	for step := 1; step <= opt.Steps; step++ {
		tensor.MatMul(logits, x, h.W, h.B, n, D, K)
		d := grad(logits)
		clear(g.W)
		clear(g.B)
		for s := 0; s < n; s++ {
			row, ds := x[s*D:(s+1)*D], d[s*K:(s+1)*K]
			for j, dj := range ds {
				g.B[j] += dj
			}
			for i, xi := range row {
				gw := g.W[i*K : (i+1)*K]
				for j, dj := range ds {
					gw[j] += xi * dj
				}
			}
		}
		adam.Update(params, lr)
		if step%opt.Every == 0 {
			if sc := devScore(); sc > res.Dev {
				res.Dev, res.Step = sc, step
				copy(bestW, h.W)
				copy(bestB, h.B)
			}
		}
	}
	copy(h.W, bestW)
	copy(h.B, bestB)
	return res, nil
}

// riskFeatures returns the embeddings [N, D], risk targets and levels of
// the samples with risk labels.
func riskFeatures(m *Model, samples []Sample, workers int) ([]float32, [][]float32, []int, error) {
	var labelled []Sample
	for _, s := range samples {
		if s.Risk != nil {
			labelled = append(labelled, s)
		}
	}
	emb, err := Embed(m, labelled, workers)
	if err != nil {
		return nil, nil, nil, err
	}
	x := make([]float32, 0, len(labelled)*m.Config.OutputDim)
	t := make([][]float32, len(labelled))
	levels := make([]int, len(labelled))
	for i, s := range labelled {
		x = append(x, emb[i]...)
		t[i], levels[i] = s.Risk, s.Level
	}
	return x, t, levels, nil
}

// meanAP is the mean over categories of the average precision of the
// logits [N, K] against targets t; categories without a positive are left
// out (0 when none has one, so that no step counts as better).
func meanAP(logits []float32, t [][]float32, K int) float64 {
	var sum float64
	n := 0
	for j := 0; j < K; j++ {
		scores, truth := make([]float64, len(t)), make([]bool, len(t))
		positive := false
		for s := range t {
			scores[s], truth[s] = float64(logits[s*K+j]), t[s][j] >= 0.5
			positive = positive || truth[s]
		}
		if positive {
			sum += metrics.AveragePrecision(scores, truth)
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// Package train fine-tunes the encoder with a sentiment head and a risk head
// in pure Go: the forward pass is the encoder's own (encoder.EncodeRecorded
// keeps the activations backpropagation reads), then the backward pass of
// every operation, AdamW (optimizer.go), the training loop (fit.go), the
// heads fitted afterwards on the fixed embeddings (refit.go) and the
// choices made on dev data (choose.go, calibrate.go). Build (recipe.go)
// puts them together into the shipped model's bundle.
package train

import (
	"fmt"
	"math"

	"finscore/core/dataset"
	"finscore/core/encoder"
	"finscore/core/tensor"
)

// Head is a linear layer on the L2-normalised sentence embedding:
// logits = embedding · W + B.
type Head struct {
	Outputs int
	W       []float32 // [OutputDim, Outputs]
	B       []float32 // [Outputs]
}

// NewHead returns a zero head with the given number of outputs for
// embeddings dim wide.
func NewHead(dim, outputs int) Head {
	return Head{Outputs: outputs, W: make([]float32, dim*outputs), B: make([]float32, outputs)}
}

// Model is the encoder with heads on its embedding: Sentiment, a softmax
// over the sentiment classes, and Risk, one sigmoid per risk category (a
// model may have no risk outputs), both trained with the encoder; and
// Level, a softmax over the risk levels fitted afterwards on the fixed
// embeddings (FitLevelHead; no outputs until then). Params lists the
// parameters trained with the encoder, so Level is not among them.
type Model struct {
	Config    encoder.Config
	W         encoder.Weights
	Sentiment Head
	Risk      Head
	Level     Head
}

// NewModel puts zero heads with the given sizes on an encoder.
func NewModel(cfg encoder.Config, w encoder.Weights, sentimentClasses, riskCategories int) *Model {
	return &Model{Config: cfg, W: w, Sentiment: NewHead(cfg.OutputDim, sentimentClasses), Risk: NewHead(cfg.OutputDim, riskCategories)}
}

// Grads holds one gradient per parameter of a Model.
type Grads struct {
	W         encoder.Weights
	Sentiment Head
	Risk      Head
}

// NewGrads allocates zeroed gradients for m.
func NewGrads(m *Model) *Grads {
	return &Grads{
		W:         m.Config.ZeroWeights(),
		Sentiment: NewHead(m.Config.OutputDim, m.Sentiment.Outputs),
		Risk:      NewHead(m.Config.OutputDim, m.Risk.Outputs),
	}
}

// Parameter groups: each has its own learning rate.
const (
	GroupEncoder = "encoder"
	GroupHeads   = "heads"
)

// Param is one trainable tensor: its name (as in bundles and checkpoints),
// shape, values and, when listed with gradients, its gradient; whether
// AdamW decays it, and its learning-rate group.
type Param struct {
	Name        string
	Shape       []int
	Value, Grad []float32
	Decay       bool
	Group       string
}

// Params lists every parameter of m, the encoder's first in its tensor
// order, then the sentiment and risk heads. With g, each Param carries its
// gradient from g; with g nil, Grad is nil. Matrices are decayed, except
// the embedding table, whose rows are updated only when their token
// appears; biases and norms are not.
func (m *Model) Params(g *Grads) []Param {
	var ps []Param
	values := m.Config.Tensors(&m.W)
	var grads [][]float32
	if g != nil {
		grads = m.Config.Tensors(&g.W)
	}
	for i, s := range m.Config.TensorSpecs() {
		p := Param{Name: s.Name, Shape: s.Shape, Value: values[i], Decay: len(s.Shape) >= 2 && s.Name != "embeddings", Group: GroupEncoder}
		if g != nil {
			p.Grad = grads[i]
		}
		ps = append(ps, p)
	}
	head := func(name string, h *Head, gh *Head) {
		k := Param{Name: name + "/kernel", Shape: []int{m.Config.OutputDim, h.Outputs}, Value: h.W, Decay: true, Group: GroupHeads}
		b := Param{Name: name + "/bias", Shape: []int{h.Outputs}, Value: h.B, Group: GroupHeads}
		if gh != nil {
			k.Grad, b.Grad = gh.W, gh.B
		}
		ps = append(ps, k, b)
	}
	var gs, gr *Head
	if g != nil {
		gs, gr = &g.Sentiment, &g.Risk
	}
	head("sentiment", &m.Sentiment, gs)
	if m.Risk.Outputs > 0 {
		head("risk", &m.Risk, gr)
	}
	return ps
}

// Zero clears every gradient.
func (g *Grads) Zero(m *Model) {
	for _, p := range m.Params(g) {
		clear(p.Grad)
	}
}

// Trace is a batch's forward pass, kept for Backward: the encoder's record
// of its activations (encoder.Record) and the heads' inputs and outputs.
type Trace struct {
	batch     [][]int32 // ids, clipped to MaxLen
	rec       encoder.Record
	Emb       []float32 // [B, D]: L2-normalised sentence embeddings
	Sentiment []float32 // [B, Sentiment.Outputs]: sentiment logits
	Risk      []float32 // [B, Risk.Outputs]: risk logits
}

// Forward runs the encoder, recording what Backward needs, and both heads
// on a batch of token ids. The encoder's pass is encoder.Encode's own, so
// training and scoring compute the same embeddings.
func (m *Model) Forward(batch [][]int32) (*Trace, error) {
	c := &m.Config
	B, D := len(batch), c.OutputDim
	tr := &Trace{Emb: make([]float32, B*D)}
	for _, ids := range batch {
		tr.batch = append(tr.batch, ids[:min(len(ids), c.MaxLen)])
	}
	out := make([][]float32, B)
	for s := range out {
		out[s] = tr.Emb[s*D : (s+1)*D]
	}
	enc := encoder.Model{Config: m.Config, Weights: m.W}
	if err := enc.EncodeRecorded(encoder.NewWorkspace(), tr.batch, out, &tr.rec); err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	tr.Sentiment = make([]float32, B*m.Sentiment.Outputs)
	tensor.MatMul(tr.Sentiment, tr.Emb, m.Sentiment.W, m.Sentiment.B, B, D, m.Sentiment.Outputs)
	tr.Risk = make([]float32, B*m.Risk.Outputs)
	if m.Risk.Outputs > 0 {
		tensor.MatMul(tr.Risk, tr.Emb, m.Risk.W, m.Risk.B, B, D, m.Risk.Outputs)
	}
	return tr, nil
}

// Backward adds to g the gradient of a loss whose gradients with respect to
// the logits are dSentiment [B, Sentiment.Outputs] and dRisk [B,
// Risk.Outputs] (nil when the loss has no risk term).
func (m *Model) Backward(tr *Trace, g *Grads, dSentiment, dRisk []float32) {
	c := &m.Config
	B, D := len(tr.batch), c.OutputDim
	starts := tr.rec.Starts
	T := starts[len(starts)-1]

	// Heads: both feed the same embedding, so their gradients add in dz.
	dz := make([]float32, B*D)
	headBackward := func(h, gh *Head, dLogits []float32) {
		if dLogits == nil || h.Outputs == 0 {
			return
		}
		tensor.AddMatMulTransA(gh.W, gh.B, tr.Emb, dLogits, B, D, h.Outputs)
		part := make([]float32, B*D)
		tensor.MatMulTransB(part, dLogits, h.W, B, D, h.Outputs)
		tensor.Add(dz, part)
	}
	headBackward(&m.Sentiment, &g.Sentiment, dSentiment)
	headBackward(&m.Risk, &g.Risk, dRisk)

	// L2 normalisation and tanh: dy = (dz − z(z·dz))/‖y‖, dpre = dy(1−y²).
	dpre := make([]float32, B*D)
	for s := 0; s < B; s++ {
		z, dzs, y := tr.Emb[s*D:(s+1)*D], dz[s*D:(s+1)*D], tr.rec.Y[s*D:(s+1)*D]
		zdz := tensor.Dot(z, dzs)
		for j := range z {
			dy := (dzs[j] - z[j]*zdz) / tr.rec.Norms[s]
			dpre[s*D+j] = dy * (1 - y[j]*y[j])
		}
	}
	tensor.AddMatMulTransA(g.W.PoolKernel, g.W.PoolBias, tr.rec.Pooled, dpre, B, D, D)
	dpooled := make([]float32, B*D)
	tensor.MatMulTransB(dpooled, dpre, m.W.PoolKernel, B, D, D)

	// Mean pooling spreads each sentence's gradient over its tokens.
	dx := make([]float32, T*D)
	for s := 0; s < B; s++ {
		n := starts[s+1] - starts[s]
		for t := starts[s]; t < starts[s+1]; t++ {
			tensor.Axpy(dx[t*D:(t+1)*D], 1/float32(n), dpooled[s*D:(s+1)*D])
		}
	}
	for i := len(c.Layers) - 1; i >= 0; i-- {
		dx = m.layerBackward(tr, i, g, dx)
	}

	// Each input row is 2·emb + timing.
	E := c.EmbedDim
	for s, ids := range tr.batch {
		for pos, id := range ids {
			t := starts[s] + pos
			tensor.Axpy(g.W.Embeddings[int(id)*E:(int(id)+1)*E], 2, dx[t*E:(t+1)*E])
		}
	}
}

// layerBackward takes the gradient of layer i's output and returns the
// gradient of its input, adding parameter gradients to g.
func (m *Model) layerBackward(tr *Trace, i int, g *Grads, dout []float32) []float32 {
	l, w, gw, lt := m.Config.Layers[i], &m.W.Layers[i], &g.W.Layers[i], &tr.rec.Layers[i]
	starts := tr.rec.Starts
	T := starts[len(starts)-1]
	in, d, f, eps := l.InputDim, l.ModelDim, l.FFNDim, m.Config.LayerNormEps

	// Feed-forward block: out = h + relu(a2·W1 + b1)·W2 + b2.
	tensor.AddMatMulTransA(gw.FFNOutKernel, gw.FFNOutBias, lt.Hidden, dout, T, f, d)
	dhid := make([]float32, T*f)
	tensor.MatMulTransB(dhid, dout, w.FFNOutKernel, T, f, d)
	for j, v := range lt.Hidden {
		if v <= 0 {
			dhid[j] = 0
		}
	}
	tensor.AddMatMulTransA(gw.FFNInKernel, gw.FFNInBias, lt.A2, dhid, T, d, f)
	da2 := make([]float32, T*d)
	tensor.MatMulTransB(da2, dhid, w.FFNInKernel, T, d, f)
	dh := append([]float32(nil), dout...)
	tensor.LayerNormBackward(dh, gw.FFNNormScale, gw.FFNNormBias, da2, lt.H, w.FFNNormScale, T, d, eps)

	// Attention output projection and residual: h = ctx·Wo + bo + r(x).
	tensor.AddMatMulTransA(gw.AttnOutKernel, gw.AttnOutBias, lt.Ctx, dh, T, in, d)
	dctx := make([]float32, T*in)
	tensor.MatMulTransB(dctx, dh, w.AttnOutKernel, T, in, d)
	dx := make([]float32, T*in)
	if l.ProjectsResidual() {
		tensor.AddMatMulTransA(gw.ResidualKernel, gw.ResidualBias, lt.X, dh, T, in, d)
		tensor.MatMulTransB(dx, dh, w.ResidualKernel, T, in, d)
	} else {
		copy(dx, dh)
	}

	// Attention: scores = scale·q·kᵀ, P = softmax(scores), ctx = P·v.
	hd, stride := l.HeadDim(), 3*in
	dqkv := make([]float32, T*3*in)
	off := 0
	for s := 0; s+1 < len(starts); s++ {
		start, end := starts[s], starts[s+1]
		n := end - start
		dp := make([]float32, n)
		for h := 0; h < l.Heads; h++ {
			for qi := start; qi < end; qi++ {
				p := lt.Probs[off+(qi-start)*n : off+(qi-start+1)*n]
				do := dctx[qi*in+h*hd : qi*in+(h+1)*hd]
				for kj := start; kj < end; kj++ {
					v := kj*stride + 2*in + h*hd
					dp[kj-start] = tensor.Dot(do, lt.QKV[v:v+hd])
					tensor.Axpy(dqkv[v:v+hd], p[kj-start], do)
				}
				tensor.SoftmaxBackward(dp, dp, p)
				q := qi*stride + h*hd
				for kj := start; kj < end; kj++ {
					k := kj*stride + in + h*hd
					ds := l.QueryScale * dp[kj-start]
					tensor.Axpy(dqkv[q:q+hd], ds, lt.QKV[k:k+hd])
					tensor.Axpy(dqkv[k:k+hd], ds, lt.QKV[q:q+hd])
				}
			}
			off += n * n
		}
	}
	tensor.AddMatMulTransA(gw.QKVKernel, gw.QKVBias, lt.A1, dqkv, T, in, 3*in)
	da1 := make([]float32, T*in)
	tensor.MatMulTransB(da1, dqkv, w.QKVKernel, T, in, 3*in)
	tensor.LayerNormBackward(dx, gw.AttnNormScale, gw.AttnNormBias, da1, lt.X, w.AttnNormScale, T, in, eps)
	return dx
}

// CrossEntropy returns the mean softmax cross-entropy of the logits
// [B, Classes] against labels, and its gradient with respect to the logits.
// weights, if not nil, scales each example's term (class balancing).
// Examples labelled NoLabel (or any negative label) are left out.
func CrossEntropy(logits []float32, labels []int, classes int, weights []float32) (loss float64, dLogits []float32) {
	dLogits = make([]float32, len(logits))
	var total float64
	for s, y := range labels {
		if y < 0 {
			continue // no sentiment label
		}
		w := float32(1)
		if weights != nil {
			w = weights[s]
		}
		row := dLogits[s*classes : (s+1)*classes]
		copy(row, logits[s*classes:(s+1)*classes])
		mx := row[0]
		for _, v := range row {
			mx = max(mx, v)
		}
		var sum float64
		for _, v := range row {
			sum += math.Exp(float64(v - mx))
		}
		loss += float64(w) * (math.Log(sum) - float64(row[y]-mx))
		total += float64(w)
		for j, v := range row {
			p := float32(math.Exp(float64(v-mx)) / sum)
			if j == y {
				p--
			}
			row[j] = w * p
		}
	}
	if total == 0 {
		return 0, dLogits
	}
	tensor.Scale(dLogits, float32(1/total))
	return loss / total, dLogits
}

// NoLabel marks a sample without a sentiment label, as dataset marks a
// row without one.
const NoLabel = dataset.NoSentiment

// BinaryCrossEntropy returns the summed sigmoid cross-entropy of the logits
// [B, K] against targets (K values in [0, 1] per example; a nil row means
// the example has no risk labels and is left out), divided by the number of
// labelled examples, and its gradient with respect to the logits. It also
// returns that number of labelled examples.
func BinaryCrossEntropy(logits []float32, targets [][]float32, k int) (loss float64, dLogits []float32, labelled int) {
	dLogits = make([]float32, len(logits))
	for s, t := range targets {
		if t == nil {
			continue
		}
		labelled++
		for j, y := range t {
			x := float64(logits[s*k+j])
			// log(1 + e^-|x|) + max(x, 0) − x·y, stable for any x.
			loss += math.Log1p(math.Exp(-math.Abs(x))) + math.Max(x, 0) - x*float64(y)
			dLogits[s*k+j] = float32(1/(1+math.Exp(-x))) - y
		}
	}
	if labelled == 0 {
		return 0, dLogits, 0
	}
	tensor.Scale(dLogits, 1/float32(labelled))
	return loss / float64(labelled), dLogits, labelled
}

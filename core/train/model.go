// Package train fine-tunes the encoder and a classification head in pure Go:
// a forward pass that keeps the activations backpropagation needs, the
// backward pass of every operation, and (in optimizer.go) AdamW.
//
// The forward pass computes exactly what encoder.Encode computes (a test
// holds the two to the same numbers); it differs only in keeping, for each
// layer, the values its backward pass reads.
package train

import (
	"fmt"
	"math"

	"finscore/core/encoder"
	"finscore/core/tensor"
)

// Model is the encoder with a linear classifier on its L2-normalised
// sentence embedding: logits = embedding · HeadW + HeadB.
type Model struct {
	Config  encoder.Config
	W       encoder.Weights
	Classes int
	HeadW   []float32 // [OutputDim, Classes]
	HeadB   []float32 // [Classes]
}

// Grads holds one gradient per parameter of a Model.
type Grads struct {
	W     encoder.Weights
	HeadW []float32
	HeadB []float32
}

// NewGrads allocates zeroed gradients for m.
func NewGrads(m *Model) *Grads {
	return &Grads{
		W:     m.Config.ZeroWeights(),
		HeadW: make([]float32, len(m.HeadW)),
		HeadB: make([]float32, len(m.HeadB)),
	}
}

// Params lists the model's parameter tensors and, in the same order, the
// matching gradient tensors, with their names.
func Params(m *Model, g *Grads) (names []string, params, grads [][]float32) {
	for _, s := range m.Config.TensorSpecs() {
		names = append(names, s.Name)
	}
	params = append(m.Config.Tensors(&m.W), m.HeadW, m.HeadB)
	grads = append(m.Config.Tensors(&g.W), g.HeadW, g.HeadB)
	return append(names, "head/kernel", "head/bias"), params, grads
}

// Zero clears every gradient.
func (g *Grads) Zero(m *Model) {
	_, _, grads := Params(m, g)
	for _, t := range grads {
		clear(t)
	}
}

// layerTrace keeps one layer's activations for its backward pass.
type layerTrace struct {
	x     []float32 // [T, in]: the layer's input
	a1    []float32 // [T, in]: attention layer-norm output
	qkv   []float32 // [T, 3·in]: queries (unscaled), keys, values
	probs []float32 // attention weights, per sentence and head, n×n each
	ctx   []float32 // [T, in]: attention output before its projection
	h     []float32 // [T, d]: the stream after attention and residual
	a2    []float32 // [T, d]: feed-forward layer-norm output
	hid   []float32 // [T, f]: feed-forward hidden units after ReLU
	out   []float32 // [T, d]: the layer's output
}

// Trace is a batch's forward pass, kept for Backward.
type Trace struct {
	batch  [][]int32 // ids, clipped to MaxLen
	starts []int     // token offset of each sentence, plus the total
	layers []layerTrace
	pooled []float32 // [B, D]
	y      []float32 // [B, D]: tanh layer output
	norms  []float32 // [B]: ‖y‖ as used for normalisation
	Emb    []float32 // [B, D]: L2-normalised sentence embeddings
	Logits []float32 // [B, Classes]
}

// Forward runs the encoder and the head on a batch of token ids.
func (m *Model) Forward(batch [][]int32) (*Trace, error) {
	c := &m.Config
	tr := &Trace{starts: []int{0}}
	for s, ids := range batch {
		ids = ids[:min(len(ids), c.MaxLen)]
		for i, id := range ids {
			if id < 0 || int(id) >= c.VocabSize {
				return nil, fmt.Errorf("train: sentence %d, token %d: id %d outside the vocabulary", s, i, id)
			}
		}
		tr.batch = append(tr.batch, ids)
		tr.starts = append(tr.starts, tr.starts[len(tr.starts)-1]+len(ids))
	}
	T := tr.starts[len(tr.starts)-1]

	// Input rows: emb + (emb + timing), as in encoder.Encode.
	E := c.EmbedDim
	x := make([]float32, T*E)
	for s, ids := range tr.batch {
		for pos, id := range ids {
			m.W.InputRow(x[(tr.starts[s]+pos)*E:(tr.starts[s]+pos+1)*E], id, pos)
		}
	}
	for i := range c.Layers {
		lt := m.layerForward(tr, i, x)
		tr.layers = append(tr.layers, lt)
		x = lt.out
	}

	B, D := len(batch), c.OutputDim
	tr.pooled = make([]float32, B*D)
	tr.y = make([]float32, B*D)
	tr.norms = make([]float32, B)
	tr.Emb = make([]float32, B*D)
	for s := range tr.batch {
		p := tr.pooled[s*D : (s+1)*D]
		for t := tr.starts[s]; t < tr.starts[s+1]; t++ {
			tensor.Add(p, x[t*D:(t+1)*D])
		}
		tensor.Scale(p, 1/float32(max(tr.starts[s+1]-tr.starts[s], 1)))
	}
	tensor.MatMul(tr.y, tr.pooled, m.W.PoolKernel, m.W.PoolBias, B, D, D)
	tensor.Tanh(tr.y)
	for s := range tr.batch {
		y := tr.y[s*D : (s+1)*D]
		var sq float32
		for _, v := range y {
			sq += v * v
		}
		tr.norms[s] = float32(math.Sqrt(float64(max(sq, c.L2Eps))))
		z := tr.Emb[s*D : (s+1)*D]
		copy(z, y)
		tensor.Scale(z, 1/tr.norms[s])
	}
	tr.Logits = make([]float32, B*m.Classes)
	tensor.MatMul(tr.Logits, tr.Emb, m.HeadW, m.HeadB, B, D, m.Classes)
	return tr, nil
}

func (m *Model) layerForward(tr *Trace, i int, x []float32) layerTrace {
	l, w, eps := m.Config.Layers[i], &m.W.Layers[i], m.Config.LayerNormEps
	T := tr.starts[len(tr.starts)-1]
	in, d, f := l.InputDim, l.ModelDim, l.FFNDim
	lt := layerTrace{x: x}
	lt.a1 = make([]float32, T*in)
	tensor.LayerNorm(lt.a1, x, w.AttnNormScale, w.AttnNormBias, T, in, eps)
	lt.qkv = make([]float32, T*3*in)
	tensor.MatMul(lt.qkv, lt.a1, w.QKVKernel, w.QKVBias, T, in, 3*in)

	// Attention, keeping each (sentence, head) weight matrix.
	hd, stride := l.HeadDim(), 3*in
	lt.ctx = make([]float32, T*in)
	size := 0
	for s := 0; s+1 < len(tr.starts); s++ {
		n := tr.starts[s+1] - tr.starts[s]
		size += l.Heads * n * n
	}
	lt.probs = make([]float32, size)
	off := 0
	for s := 0; s+1 < len(tr.starts); s++ {
		start, end := tr.starts[s], tr.starts[s+1]
		n := end - start
		for h := 0; h < l.Heads; h++ {
			for qi := start; qi < end; qi++ {
				q := lt.qkv[qi*stride+h*hd : qi*stride+(h+1)*hd]
				row := lt.probs[off+(qi-start)*n : off+(qi-start+1)*n]
				for kj := start; kj < end; kj++ {
					k := lt.qkv[kj*stride+in+h*hd : kj*stride+in+(h+1)*hd]
					row[kj-start] = l.QueryScale * tensor.Dot(q, k)
				}
				tensor.Softmax(row)
				o := lt.ctx[qi*in+h*hd : qi*in+(h+1)*hd]
				for kj := start; kj < end; kj++ {
					tensor.Axpy(o, row[kj-start], lt.qkv[kj*stride+2*in+h*hd:kj*stride+2*in+(h+1)*hd])
				}
			}
			off += n * n
		}
	}

	lt.h = make([]float32, T*d)
	tensor.MatMul(lt.h, lt.ctx, w.AttnOutKernel, w.AttnOutBias, T, in, d)
	if l.ProjectsResidual() {
		proj := make([]float32, T*d)
		tensor.MatMul(proj, x, w.ResidualKernel, w.ResidualBias, T, in, d)
		tensor.Add(lt.h, proj)
	} else {
		tensor.Add(lt.h, x)
	}
	lt.a2 = make([]float32, T*d)
	tensor.LayerNorm(lt.a2, lt.h, w.FFNNormScale, w.FFNNormBias, T, d, eps)
	lt.hid = make([]float32, T*f)
	tensor.MatMul(lt.hid, lt.a2, w.FFNInKernel, w.FFNInBias, T, d, f)
	tensor.ReLU(lt.hid)
	lt.out = make([]float32, T*d)
	tensor.MatMul(lt.out, lt.hid, w.FFNOutKernel, w.FFNOutBias, T, f, d)
	tensor.Add(lt.out, lt.h)
	return lt
}

// Backward adds to g the gradient of a loss whose gradient with respect to
// the logits is dLogits [B, Classes].
func (m *Model) Backward(tr *Trace, g *Grads, dLogits []float32) {
	c := &m.Config
	B, D, C := len(tr.batch), c.OutputDim, m.Classes
	T := tr.starts[len(tr.starts)-1]

	// Head.
	tensor.AddMatMulTransA(g.HeadW, g.HeadB, tr.Emb, dLogits, B, D, C)
	dz := make([]float32, B*D)
	tensor.MatMulTransB(dz, dLogits, m.HeadW, B, D, C)

	// L2 normalisation and tanh: dy = (dz − z(z·dz))/‖y‖, dpre = dy(1−y²).
	dpre := make([]float32, B*D)
	for s := 0; s < B; s++ {
		z, dzs, y := tr.Emb[s*D:(s+1)*D], dz[s*D:(s+1)*D], tr.y[s*D:(s+1)*D]
		zdz := tensor.Dot(z, dzs)
		for j := range z {
			dy := (dzs[j] - z[j]*zdz) / tr.norms[s]
			dpre[s*D+j] = dy * (1 - y[j]*y[j])
		}
	}
	tensor.AddMatMulTransA(g.W.PoolKernel, g.W.PoolBias, tr.pooled, dpre, B, D, D)
	dpooled := make([]float32, B*D)
	tensor.MatMulTransB(dpooled, dpre, m.W.PoolKernel, B, D, D)

	// Mean pooling spreads each sentence's gradient over its tokens.
	dx := make([]float32, T*D)
	for s := 0; s < B; s++ {
		n := tr.starts[s+1] - tr.starts[s]
		for t := tr.starts[s]; t < tr.starts[s+1]; t++ {
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
			t := tr.starts[s] + pos
			tensor.Axpy(g.W.Embeddings[int(id)*E:(int(id)+1)*E], 2, dx[t*E:(t+1)*E])
		}
	}
}

// layerBackward takes the gradient of layer i's output and returns the
// gradient of its input, adding parameter gradients to g.
func (m *Model) layerBackward(tr *Trace, i int, g *Grads, dout []float32) []float32 {
	l, w, gw, lt := m.Config.Layers[i], &m.W.Layers[i], &g.W.Layers[i], &tr.layers[i]
	T := tr.starts[len(tr.starts)-1]
	in, d, f, eps := l.InputDim, l.ModelDim, l.FFNDim, m.Config.LayerNormEps

	// Feed-forward block: out = h + relu(a2·W1 + b1)·W2 + b2.
	tensor.AddMatMulTransA(gw.FFNOutKernel, gw.FFNOutBias, lt.hid, dout, T, f, d)
	dhid := make([]float32, T*f)
	tensor.MatMulTransB(dhid, dout, w.FFNOutKernel, T, f, d)
	for j, v := range lt.hid {
		if v <= 0 {
			dhid[j] = 0
		}
	}
	tensor.AddMatMulTransA(gw.FFNInKernel, gw.FFNInBias, lt.a2, dhid, T, d, f)
	da2 := make([]float32, T*d)
	tensor.MatMulTransB(da2, dhid, w.FFNInKernel, T, d, f)
	dh := append([]float32(nil), dout...)
	tensor.LayerNormBackward(dh, gw.FFNNormScale, gw.FFNNormBias, da2, lt.h, w.FFNNormScale, T, d, eps)

	// Attention output projection and residual: h = ctx·Wo + bo + r(x).
	tensor.AddMatMulTransA(gw.AttnOutKernel, gw.AttnOutBias, lt.ctx, dh, T, in, d)
	dctx := make([]float32, T*in)
	tensor.MatMulTransB(dctx, dh, w.AttnOutKernel, T, in, d)
	dx := make([]float32, T*in)
	if l.ProjectsResidual() {
		tensor.AddMatMulTransA(gw.ResidualKernel, gw.ResidualBias, lt.x, dh, T, in, d)
		tensor.MatMulTransB(dx, dh, w.ResidualKernel, T, in, d)
	} else {
		copy(dx, dh)
	}

	// Attention: scores = scale·q·kᵀ, P = softmax(scores), ctx = P·v.
	hd, stride := l.HeadDim(), 3*in
	dqkv := make([]float32, T*3*in)
	off := 0
	for s := 0; s+1 < len(tr.starts); s++ {
		start, end := tr.starts[s], tr.starts[s+1]
		n := end - start
		dp := make([]float32, n)
		for h := 0; h < l.Heads; h++ {
			for qi := start; qi < end; qi++ {
				p := lt.probs[off+(qi-start)*n : off+(qi-start+1)*n]
				do := dctx[qi*in+h*hd : qi*in+(h+1)*hd]
				for kj := start; kj < end; kj++ {
					v := kj*stride + 2*in + h*hd
					dp[kj-start] = tensor.Dot(do, lt.qkv[v:v+hd])
					tensor.Axpy(dqkv[v:v+hd], p[kj-start], do)
				}
				tensor.SoftmaxBackward(dp, dp, p)
				q := qi*stride + h*hd
				for kj := start; kj < end; kj++ {
					k := kj*stride + in + h*hd
					ds := l.QueryScale * dp[kj-start]
					tensor.Axpy(dqkv[q:q+hd], ds, lt.qkv[k:k+hd])
					tensor.Axpy(dqkv[k:k+hd], ds, lt.qkv[q:q+hd])
				}
			}
			off += n * n
		}
	}
	tensor.AddMatMulTransA(gw.QKVKernel, gw.QKVBias, lt.a1, dqkv, T, in, 3*in)
	da1 := make([]float32, T*in)
	tensor.MatMulTransB(da1, dqkv, w.QKVKernel, T, in, 3*in)
	tensor.LayerNormBackward(dx, gw.AttnNormScale, gw.AttnNormBias, da1, lt.x, w.AttnNormScale, T, in, eps)
	return dx
}

// CrossEntropy returns the mean softmax cross-entropy of the logits
// [B, Classes] against labels, and its gradient with respect to the logits.
// weights, if not nil, scales each example's term (class balancing).
func CrossEntropy(logits []float32, labels []int, classes int, weights []float32) (loss float64, dLogits []float32) {
	dLogits = make([]float32, len(logits))
	var total float64
	for s, y := range labels {
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

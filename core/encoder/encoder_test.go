package encoder_test

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"finscore/core/bundle"
	"finscore/core/encoder"
)

// tinyConfig is a small model with the same structure as USE-Lite: a first
// layer that widens the stream (residual projection) and a second that
// keeps it.
func tinyConfig() encoder.Config {
	return encoder.Config{
		Type: encoder.TypeUSELite, VocabSize: 11, EmbedDim: 4, MaxLen: 5, OutputDim: 6,
		LayerNormEps: 1e-6, L2Eps: 1e-12,
		Layers: []encoder.LayerConfig{
			{InputDim: 4, ModelDim: 6, Heads: 2, FFNDim: 8, QueryScale: 0.7},
			{InputDim: 6, ModelDim: 6, Heads: 3, FFNDim: 5, QueryScale: 0.7},
		},
	}
}

// tinyModel fills tinyConfig's tensors with deterministic values.
func tinyModel(t *testing.T) *encoder.Model {
	cfg := tinyConfig()
	src := fakeSource{}
	for i, s := range cfg.TensorSpecs() {
		n := 1
		for _, d := range s.Shape {
			n *= d
		}
		v := make([]float32, n)
		for j := range v {
			v[j] = float32(math.Sin(float64(7*i+j))) / 2
		}
		src[s.Name] = v
	}
	m, err := encoder.Load(cfg, src)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

type fakeSource map[string][]float32

func (f fakeSource) Float32s(name string, want ...int) ([]float32, error) {
	v, ok := f[name]
	if !ok {
		return nil, &missingErr{name}
	}
	return v, nil
}

type missingErr struct{ name string }

func (e *missingErr) Error() string { return "missing " + e.name }

func TestConfigValidate(t *testing.T) {
	if err := tinyConfig().Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		change func(*encoder.Config)
		want   string
	}{
		{"type", func(c *encoder.Config) { c.Type = "bert" }, `unknown model type "bert"`},
		{"vocab", func(c *encoder.Config) { c.VocabSize = 0 }, "vocab_size = 0"},
		{"odd embed", func(c *encoder.Config) { c.EmbedDim = 5; c.Layers[0].InputDim = 5 }, "must be even"},
		{"no layers", func(c *encoder.Config) { c.Layers = nil }, "0 layers"},
		{"chain", func(c *encoder.Config) { c.Layers[1].InputDim = 4 }, "layer 1 input_dim 4"},
		{"heads", func(c *encoder.Config) { c.Layers[0].Heads = 3 }, "does not split into 3 heads"},
		{"scale", func(c *encoder.Config) { c.Layers[0].QueryScale = float32(math.NaN()) }, "query_scale"},
		{"output", func(c *encoder.Config) { c.OutputDim = 7 }, "output_dim is 7"},
		{"eps", func(c *encoder.Config) { c.LayerNormEps = 0 }, "layer_norm_eps"},
		{"scale huge", func(c *encoder.Config) { c.Layers[1].QueryScale = 3e38 }, "layer 1: query_scale 3e+38 outside (0, 1]"},
		{"scale infinite", func(c *encoder.Config) { c.Layers[0].QueryScale = float32(math.Inf(1)) }, "query_scale +Inf outside"},
		{"scale negative", func(c *encoder.Config) { c.Layers[0].QueryScale = -0.1 }, "query_scale -0.1 outside"},
		{"eps huge", func(c *encoder.Config) { c.LayerNormEps = 1e30 }, "layer_norm_eps 1e+30 and l2_eps 1e-12 must be in (0, 1]"},
		{"l2 eps infinite", func(c *encoder.Config) { c.L2Eps = float32(math.Inf(1)) }, "l2_eps +Inf must be in"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tinyConfig()
			c.Layers = append([]encoder.LayerConfig(nil), c.Layers...)
			tc.change(&c)
			if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate: %v, want %q", err, tc.want)
			}
		})
	}
}

// TestFromBundleMissingTensors checks that a bundle lacking tensors is
// refused with every missing name, and that a misshapen one is named.
func TestFromBundleMissingTensors(t *testing.T) {
	m := tinyModel(t)
	specs := m.Config.TensorSpecs()
	values := m.Config.Tensors(&m.Weights)
	write := func(skip string, reshape string) *bundle.Bundle {
		var tensors []bundle.TensorData
		for i, s := range specs {
			if s.Name == skip {
				continue
			}
			shape := s.Shape
			if s.Name == reshape {
				shape = []int{len(values[i])} // same values, flattened
			}
			tensors = append(tensors, bundle.TensorData{Name: s.Name, Shape: shape, DType: bundle.Float32, Values: values[i]})
		}
		var buf bytes.Buffer
		manifest := bundle.Manifest{Name: "tiny", Model: []byte(`{"type":"use-lite-kona-transformer","vocab_size":11,"embed_dim":4,"max_len":5,"output_dim":6,"layer_norm_eps":1e-6,"l2_eps":1e-12,"layers":[{"input_dim":4,"model_dim":6,"heads":2,"ffn_dim":8,"query_scale":0.7},{"input_dim":6,"model_dim":6,"heads":3,"ffn_dim":5,"query_scale":0.7}]}`)}
		if err := bundle.Write(&buf, manifest, tensors); err != nil {
			t.Fatal(err)
		}
		b, err := bundle.Read(buf.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if _, err := encoder.FromBundle(write("", "")); err != nil {
		t.Fatalf("complete bundle: %v", err)
	}
	if _, err := encoder.FromBundle(write("layer0/residual/kernel", "")); err == nil || !strings.Contains(err.Error(), `missing required tensor "layer0/residual/kernel"`) {
		t.Errorf("missing tensor: %v", err)
	}
	if _, err := encoder.FromBundle(write("", "layer1/qkv/kernel")); err == nil || !strings.Contains(err.Error(), `"layer1/qkv/kernel" has shape [108], want [6 18]`) {
		t.Errorf("misshapen tensor: %v", err)
	}
	b := write("", "")
	b.Manifest.Model = nil
	if _, err := encoder.FromBundle(b); err == nil || !strings.Contains(err.Error(), `no "model" entry`) {
		t.Errorf("no model entry: %v", err)
	}
	b.Manifest.Model = []byte(`{"type": 3}`)
	if _, err := encoder.FromBundle(b); err == nil {
		t.Error("bad model entry accepted")
	}
	b.Manifest.Model, _ = json.Marshal(tinyConfig())
	if cfg, err := encoder.BundleConfig(b); err != nil || cfg.VocabSize != 11 {
		t.Errorf("BundleConfig: %+v, %v", cfg, err)
	}
	b.Manifest.Model = bytes.Replace(b.Manifest.Model, []byte(`"query_scale":0.7`), []byte(`"query_scale":3e38`), 1)
	if _, err := encoder.BundleConfig(b); err == nil || !strings.Contains(err.Error(), "layer 0: query_scale 3e+38 outside") {
		t.Errorf("BundleConfig of a query scale of 3e38: %v", err)
	}
}

func TestEncodeErrors(t *testing.T) {
	m := tinyModel(t)
	ws := encoder.NewWorkspace()
	row := func() []float32 { return make([]float32, 6) }
	if err := m.Encode(ws, [][]int32{{1, 11}}, [][]float32{row()}); err == nil || !strings.Contains(err.Error(), "id 11 outside the vocabulary") {
		t.Errorf("id out of range: %v", err)
	}
	if err := m.Encode(ws, [][]int32{{-1}}, [][]float32{row()}); err == nil {
		t.Error("negative id accepted")
	}
	if err := m.Encode(ws, [][]int32{{1}}, nil); err == nil {
		t.Error("missing output rows accepted")
	}
	if err := m.Encode(ws, [][]int32{{1}}, [][]float32{make([]float32, 5)}); err == nil {
		t.Error("short output row accepted")
	}
	if err := m.Encode(ws, nil, nil); err != nil {
		t.Errorf("empty batch: %v", err)
	}
}

// TestEncodeBatchIndependence checks that a sentence's embedding does not
// depend on its neighbours, that tokens past MaxLen are ignored, and that
// an empty sentence gets the embedding of a zero pooled vector.
func TestEncodeBatchIndependence(t *testing.T) {
	m := tinyModel(t)
	sentences := [][]int32{{1, 2, 3}, {}, {4, 5, 6, 7, 8, 9, 10}, {10}}
	embed := func(batch [][]int32) [][]float32 {
		out := make([][]float32, len(batch))
		for i := range out {
			out[i] = make([]float32, 6)
		}
		if err := m.Encode(encoder.NewWorkspace(), batch, out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	together := embed(sentences)
	for i, s := range sentences {
		alone := embed([][]int32{s})[0]
		for j := range alone {
			if math.Abs(float64(alone[j]-together[i][j])) > 1e-6 {
				t.Fatalf("sentence %d differs alone and in a batch: %v vs %v", i, alone, together[i])
			}
		}
	}
	clipped := embed([][]int32{{4, 5, 6, 7, 8}})[0]
	for j := range clipped {
		if clipped[j] != together[2][j] {
			t.Fatalf("tokens past MaxLen changed the embedding")
		}
	}
	want := append([]float32(nil), m.Weights.PoolBias...)
	var norm float64
	for j := range want {
		want[j] = float32(math.Tanh(float64(want[j])))
		norm += float64(want[j]) * float64(want[j])
	}
	for j := range want {
		if d := math.Abs(float64(want[j])/math.Sqrt(norm) - float64(together[1][j])); d > 1e-6 {
			t.Fatalf("empty sentence: %v, want normalised tanh(bias)", together[1])
		}
	}
}

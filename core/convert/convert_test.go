package convert

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"finscore/core/bundle"
	"finscore/core/encoder"
	"finscore/core/testenv"
	"finscore/core/tfjs"
)

func TestUSELiteConfig(t *testing.T) {
	c, err := LoadUSELite(filepath.Join(testenv.SharedDir(t), "models", "use-lite"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := c.Config
	// Every value below is read from the graph, not assumed.
	if cfg.VocabSize != 8002 || cfg.EmbedDim != 256 || cfg.MaxLen != 128 || cfg.OutputDim != 512 {
		t.Errorf("sizes: %+v", cfg)
	}
	if cfg.LayerNormEps != float32(1e-6) || cfg.L2Eps != float32(1e-12) {
		t.Errorf("epsilons: %v %v", cfg.LayerNormEps, cfg.L2Eps)
	}
	want := []encoder.LayerConfig{
		{InputDim: 256, ModelDim: 512, Heads: 4, FFNDim: 1536, QueryScale: 0.125},
		{InputDim: 512, ModelDim: 512, Heads: 4, FFNDim: 1536, QueryScale: float32(1 / math.Sqrt(128))},
	}
	if len(cfg.Layers) != 2 || cfg.Layers[0] != want[0] || cfg.Layers[1] != want[1] {
		t.Errorf("layers: %+v, want %+v", cfg.Layers, want)
	}
	if len(c.Tokenizer.Vocab) != 8000 {
		t.Errorf("vocabulary: %d pieces", len(c.Tokenizer.Vocab))
	}

	// The float16 bundle keeps vectors exact and rounds matrices.
	data, b, err := c.Encode(bundle.Float16)
	if err != nil {
		t.Fatal(err)
	}
	params := 0
	for _, tn := range b.Tensors() {
		params += tn.Len()
		if wantType := map[bool]bundle.DType{true: bundle.Float16, false: bundle.Float32}[len(tn.Shape) >= 2]; tn.DType != wantType {
			t.Errorf("%s %v stored as %v", tn.Name, tn.Shape, tn.DType)
		}
	}
	// 6,975,914 in the graph, less 42 shape and scalar constants folded into Config.
	if params != 6975872 {
		t.Errorf("%d parameters in the bundle", params)
	}
	if b.Manifest.License != "Apache-2.0" || !strings.Contains(b.Manifest.Source, "energetic-ai") {
		t.Errorf("manifest provenance: %q, %q", b.Manifest.Source, b.Manifest.License)
	}
	t.Logf("float16 bundle: %d bytes, %d parameters", len(data), params)
}

func TestUSELiteRejectsOtherGraphs(t *testing.T) {
	m := &tfjs.Model{Nodes: []tfjs.Node{{Name: "x", Op: "Placeholder"}}, Weights: map[string]*tfjs.Weight{}}
	if _, err := USELite(m, nil); err == nil || !strings.Contains(err.Error(), "Embeddings_en") {
		t.Errorf("graph without embeddings: %v", err)
	}
	m.Weights["module/Embeddings_en"] = &tfjs.Weight{Name: "module/Embeddings_en", Shape: []int{10, 4}, DType: "float32", Float32: make([]float32, 40)}
	_, err := USELite(m, nil)
	if err == nil || !strings.Contains(err.Error(), "ClipToMaxLength/Less") {
		t.Errorf("graph without the encoder's nodes: %v", err)
	}
}

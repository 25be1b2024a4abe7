package scorer_test

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"finscore/core/bundle"
	"finscore/core/encoder"
	"finscore/core/scorer"
	"finscore/core/testenv"
	"finscore/core/tokenize"
)

// tinyManifest is a small but complete scoring model's manifest, as JSON
// objects that a test can spoil: a two-layer encoder six wide, a vocabulary
// of 12 pieces, a sentiment head and a risk head with two categories.
func tinyManifest() map[string]any {
	return map[string]any{
		"name": "tiny",
		"model": map[string]any{
			"type": encoder.TypeUSELite, "vocab_size": 12, "embed_dim": 4, "max_len": 8, "output_dim": 6,
			"layer_norm_eps": 1e-6, "l2_eps": 1e-12,
			"layers": []any{
				map[string]any{"input_dim": 4, "model_dim": 6, "heads": 2, "ffn_dim": 8, "query_scale": 0.7},
				map[string]any{"input_dim": 6, "model_dim": 6, "heads": 3, "ffn_dim": 5, "query_scale": 0.4},
			},
		},
		"tokenizer": map[string]any{
			"type": tokenize.TypeUSE,
			"vocab": []any{
				[]any{"<unk>", 0}, []any{"<s>", 0}, []any{"</s>", 0}, []any{"r3", 0}, []any{"r4", 0}, []any{"r5", 0},
				[]any{"▁the", -2}, []any{"▁profit", -3}, []any{"▁fell", -3}, []any{"▁rose", -3}, []any{"▁", -5}, []any{".", -4},
			},
		},
		"extra": map[string]any{
			scorer.SentimentEntry: map[string]any{"labels": []any{"negative", "neutral", "positive"}, "temperature": 1.3},
			scorer.RiskEntry: map[string]any{
				"categories": []any{
					map[string]any{"id": "credit", "label": "Credit"},
					map[string]any{"id": "market", "label": "Market"},
				},
				"temperature": 0.8, "thresholds": []any{0.5, 0.4},
			},
		},
	}
}

// tinyTensors returns the tensors tinyManifest's model needs, filled with
// deterministic values.
func tinyTensors(t testing.TB) []bundle.TensorData {
	t.Helper()
	var cfg encoder.Config
	raw, _ := json.Marshal(tinyManifest()["model"])
	if err := json.Unmarshal(raw, &cfg); err != nil {
		t.Fatal(err)
	}
	w := cfg.ZeroWeights()
	tensors := cfg.BundleTensors(&w, bundle.Float32)
	// Each head: a kernel [6, width] on the 6-wide embedding, and a bias.
	for _, h := range []struct {
		kernel, bias string
		width        int
	}{{scorer.SentimentKernel, scorer.SentimentBias, 3}, {scorer.RiskKernel, scorer.RiskBias, 2}, {scorer.RiskLevelKernel, scorer.RiskLevelBias, 4}} {
		tensors = append(tensors,
			bundle.TensorData{Name: h.kernel, Shape: []int{6, h.width}, DType: bundle.Float32, Values: make([]float32, 6*h.width)},
			bundle.TensorData{Name: h.bias, Shape: []int{h.width}, DType: bundle.Float32, Values: make([]float32, h.width)})
	}
	for i, td := range tensors {
		for j := range td.Values {
			td.Values[j] = float32(math.Sin(float64(7*i+j))) / 2
		}
	}
	return tensors
}

// writeBundle writes a manifest given as JSON objects and tensors.
func writeBundle(t testing.TB, manifest map[string]any, tensors []bundle.TensorData) []byte {
	t.Helper()
	return writeManifest(t, manifestOf(t, manifest), tensors)
}

// manifestOf converts a manifest given as JSON objects.
func manifestOf(t testing.TB, manifest map[string]any) bundle.Manifest {
	t.Helper()
	raw, err := json.Marshal(manifest)
	if err != nil {
		t.Fatal(err)
	}
	var m bundle.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// writeManifest writes a bundle.
func writeManifest(t testing.TB, m bundle.Manifest, tensors []bundle.TensorData) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := bundle.Write(&buf, m, tensors); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// at returns the JSON object at a path of keys in m.
func at(m map[string]any, keys ...string) map[string]any {
	for _, k := range keys {
		m = m[k].(map[string]any)
	}
	return m
}

// TestLoadRefusesBundlesThatCannotScore spoils one thing at a time in a
// bundle that scores, and checks that Load refuses it, saying what is wrong.
func TestLoadRefusesBundlesThatCannotScore(t *testing.T) {
	sentiment := func(m map[string]any) map[string]any { return at(m, "extra", scorer.SentimentEntry) }
	risk := func(m map[string]any) map[string]any { return at(m, "extra", scorer.RiskEntry) }
	layer := func(m map[string]any, i int) map[string]any {
		return at(m, "model")["layers"].([]any)[i].(map[string]any)
	}
	reshape := func(name string, shape ...int) func([]bundle.TensorData) {
		return func(ts []bundle.TensorData) {
			for i := range ts {
				if ts[i].Name == name {
					n := 1
					for _, d := range shape {
						n *= d
					}
					ts[i].Shape, ts[i].Values = shape, make([]float32, n)
				}
			}
		}
	}
	for _, tc := range []struct {
		name    string
		spoil   func(map[string]any)
		tensors func([]bundle.TensorData)
		want    string
	}{
		{"duplicate sentiment labels", func(m map[string]any) { sentiment(m)["labels"] = []any{"negative", "neutral", "positive", "neutral"} }, nil, "empty or repeated"},
		{"sentiment labels without neutral", func(m map[string]any) { sentiment(m)["labels"] = []any{"negative", "flat", "positive"} }, nil, `lack "neutral"`},
		{"sentiment temperature 5e-324", func(m map[string]any) { sentiment(m)["temperature"] = 5e-324 }, nil, "sentiment temperature 5e-324 outside [0.01, 100]"},
		{"sentiment temperature 1e300", func(m map[string]any) { sentiment(m)["temperature"] = 1e300 }, nil, "sentiment temperature 1e+300 outside"},
		{"no sentiment temperature", func(m map[string]any) { delete(sentiment(m), "temperature") }, nil, "sentiment temperature 0 outside"},
		{"sentiment document focus", func(m map[string]any) { sentiment(m)["document_focus"] = -1 }, nil, "document_focus -1 outside [0, 8]"},
		{"sentiment kernel shape", nil, reshape(scorer.SentimentKernel, 6, 2), `"sentiment/kernel" has shape [6 2], want [6 3]`},
		{"query scale 3e38", func(m map[string]any) { layer(m, 1)["query_scale"] = 3e38 }, nil, "layer 1: query_scale 3e+38 outside (0, 1]"},
		{"layer norm eps 1e30", func(m map[string]any) { at(m, "model")["layer_norm_eps"] = 1e30 }, nil, "layer_norm_eps 1e+30"},
		{"duplicate risk category ids", func(m map[string]any) {
			risk(m)["categories"].([]any)[1].(map[string]any)["id"] = "credit"
		}, nil, `risk category id "credit" appears twice`},
		{"risk category without a label", func(m map[string]any) {
			delete(risk(m)["categories"].([]any)[0].(map[string]any), "label")
		}, nil, `risk category "credit" has no label`},
		{"risk temperature 5e-324", func(m map[string]any) { risk(m)["temperature"] = 5e-324 }, nil, "risk temperature 5e-324 outside"},
		{"risk threshold 0", func(m map[string]any) { risk(m)["thresholds"] = []any{0, 0.5} }, nil, `"credit": threshold 0 outside (0, 1)`},
		{"risk threshold 1", func(m map[string]any) { risk(m)["thresholds"] = []any{0.5, 1} }, nil, `"market": threshold 1 outside (0, 1)`},
		{"risk thresholds missing", func(m map[string]any) { risk(m)["thresholds"] = []any{0.5} }, nil, "2 categories and 1 thresholds"},
		{"level head shape", nil, reshape(scorer.RiskLevelKernel, 6, 3), `"risk_level/kernel" has shape [6 3], want [6 4]`},
		{"level bias shape", nil, reshape(scorer.RiskLevelBias, 3), `"risk_level/bias" has shape [3], want [4]`},
		{"risk kernel shape", nil, reshape(scorer.RiskKernel, 6, 3), `"risk/kernel" has shape [6 3], want [6 2]`},
		{"more pieces than embeddings", func(m map[string]any) {
			v := at(m, "tokenizer")
			v["vocab"] = append(v["vocab"].([]any), []any{"▁loss", -3})
		}, nil, "tokenizer has 13 pieces but the encoder only 12 embeddings"},
		{"no sentiment head", func(m map[string]any) { delete(at(m, "extra"), scorer.SentimentEntry) }, nil, "no sentiment head"},
		{"no risk head", func(m map[string]any) { delete(at(m, "extra"), scorer.RiskEntry) }, nil, "no risk head"},
		{"no model", func(m map[string]any) { delete(m, "model") }, nil, `no "model" entry`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, tensors := tinyManifest(), tinyTensors(t)
			if tc.spoil != nil {
				tc.spoil(m)
			}
			if tc.tensors != nil {
				tc.tensors(tensors)
			}
			s, _, err := scorer.Load(writeBundle(t, m, tensors))
			if err == nil {
				_, scoreErr := s.Score("The profit fell.", scorer.Options{})
				t.Fatalf("Load succeeded (then Score: %v), want an error containing %q", scoreErr, tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Load: %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

// hugeVocabulary returns the tiny bundle with a vocabulary of a million
// one-letter pieces: an 8 MB manifest, just under the bundle's limit.
func hugeVocabulary(t testing.TB) []byte {
	m := manifestOf(t, tinyManifest())
	const n = 1_000_000
	m.Tokenizer = []byte(`{"type":"use-sentencepiece","vocab":[` + strings.Repeat(`["x",0],`, n-1) + `["x",0]]}`)
	return writeManifest(t, m, tinyTensors(t))
}

// TestLoadRefusesHugeVocabularyCheaply checks that a vocabulary past the
// limit is refused before it is decoded: without allocating much beyond a
// copy of the manifest (building the tokenizer took about 600 MB).
func TestLoadRefusesHugeVocabularyCheaply(t *testing.T) {
	data := hugeVocabulary(t)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, _, err := scorer.Load(data)
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "vocabulary has more than 65536 pieces") {
		t.Errorf("Load: %v, want the vocabulary refused", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 32<<20 {
		t.Errorf("refusing a %d-byte bundle allocated %d bytes", len(data), alloc)
	}
}

func BenchmarkLoadRefusesHugeVocabulary(b *testing.B) {
	data := hugeVocabulary(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, _, err := scorer.Load(data); err == nil {
			b.Fatal("accepted")
		}
	}
}

// BenchmarkLoadShipped loads the shipped model from memory, as the page's
// engine does.
func BenchmarkLoadShipped(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(b), "weights", "finscore.fsb"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := scorer.Load(data); err != nil {
			b.Fatal(err)
		}
	}
}

func TestLoadAndLoadFile(t *testing.T) {
	data := writeBundle(t, tinyManifest(), tinyTensors(t))
	path := filepath.Join(t.TempDir(), "tiny.fsb")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	fromData, m, err := scorer.Load(data)
	if err != nil || m.Name != "tiny" {
		t.Fatalf("Load: %q, %v", m.Name, err)
	}
	fromFile, m, err := scorer.LoadFile(path)
	if err != nil || m.Name != "tiny" {
		t.Fatalf("LoadFile: %q, %v", m.Name, err)
	}
	const text = "The profit fell. The profit rose."
	r1, err := fromData.Score(text, scorer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r2, err := fromFile.Score(text, scorer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	j1, _ := json.Marshal(r1)
	j2, _ := json.Marshal(r2)
	if !bytes.Equal(j1, j2) || len(r1.Sentences) != 2 {
		t.Errorf("Load and LoadFile score differently:\n%s\n%s", j1, j2)
	}

	m2 := tinyManifest()
	at(m2, "extra", scorer.SentimentEntry)["temperature"] = 1000
	if err := os.WriteFile(path, writeBundle(t, m2, tinyTensors(t)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := scorer.LoadFile(path); err == nil || !strings.HasPrefix(err.Error(), path+": scorer: sentiment temperature 1000") {
		t.Errorf("LoadFile of a bundle that cannot score: %v, want an error naming the file", err)
	}
	data[40] ^= 1 // a manifest byte
	if _, _, err := scorer.Load(data); err == nil || !strings.Contains(err.Error(), "checksum mismatch") {
		t.Errorf("Load of a damaged bundle: %v", err)
	}
}

// FuzzLoad sets the tiny bundle's constants at random: whatever Load
// accepts must score a document, with finite numbers throughout.
func FuzzLoad(f *testing.F) {
	f.Add(1.3, 0.8, 0.5, 0.4, 0.0, 0.7, 0.4, 1e-6, 1e-12, 8, "negative,neutral,positive")
	f.Add(5e-324, 0.8, 0.5, 0.4, 0.0, 0.7, 3e38, 1e-6, 1e-12, 8, "negative,neutral,positive,neutral")
	f.Add(0.01, 100.0, 1e-300, 0.999, 8.0, 1.0, 1e-30, 1.0, 1.0, 1, "positive,neutral,negative,x")
	f.Add(100.0, 0.01, 0.5, 0.5, 0.0, 0.7, 0.4, 1e-45, 1e-45, 65536, "negative,neutral,positive")
	tensors := tinyTensors(f)
	f.Fuzz(func(t *testing.T, sentT, riskT, th0, th1, focus, qs0, qs1, lnEps, l2Eps float64, maxLen int, labels string) {
		m := tinyManifest()
		at(m, "extra", scorer.SentimentEntry)["temperature"] = sentT
		at(m, "extra", scorer.SentimentEntry)["document_focus"] = focus
		var ls []any
		for _, l := range strings.Split(labels, ",") {
			ls = append(ls, l)
		}
		at(m, "extra", scorer.SentimentEntry)["labels"] = ls
		at(m, "extra", scorer.RiskEntry)["temperature"] = riskT
		at(m, "extra", scorer.RiskEntry)["thresholds"] = []any{th0, th1}
		model := at(m, "model")
		model["layers"].([]any)[0].(map[string]any)["query_scale"] = qs0
		model["layers"].([]any)[1].(map[string]any)["query_scale"] = qs1
		model["layer_norm_eps"], model["l2_eps"], model["max_len"] = lnEps, l2Eps, maxLen
		for _, v := range []float64{sentT, riskT, th0, th1, focus, qs0, qs1, lnEps, l2Eps} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return // JSON cannot hold them
			}
		}
		s, _, err := scorer.Load(writeBundle(t, m, tensors))
		if err != nil {
			return
		}
		r, err := s.Score("The profit fell. The profit rose. The the the.", scorer.Options{Explain: true})
		if err != nil {
			t.Fatalf("Load accepted the bundle, but Score fails: %v", err)
		}
		finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
		for _, st := range r.Sentences {
			for _, d := range st.Drivers {
				if !finite(d.SignalShift) || !finite(d.RiskShift) {
					t.Fatalf("driver %+v", d)
				}
			}
		}
		if !finite(r.Sentiment.Signal) || !finite(r.Risk.Score) {
			t.Fatalf("report %+v", r)
		}
	})
}

// TestVocabularyLimitsAgree checks that the tokenizer accepts exactly as
// many pieces as the encoder has embedding rows at most.
func TestVocabularyLimitsAgree(t *testing.T) {
	m := manifestOf(t, tinyManifest())
	var cfg encoder.Config
	if err := json.Unmarshal(m.Model, &cfg); err != nil {
		t.Fatal(err)
	}
	cfg.VocabSize = tokenize.MaxPieces
	if err := cfg.Validate(); err != nil {
		t.Errorf("vocab_size of tokenize.MaxPieces: %v", err)
	}
	cfg.VocabSize++
	if err := cfg.Validate(); err == nil {
		t.Errorf("vocab_size of tokenize.MaxPieces + 1 accepted")
	}
}

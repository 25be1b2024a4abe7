package encoder_test

import (
	"encoding/json"
	"os"
	"testing"

	"finscore/core/encoder"
)

// benchSentences reads testdata/bench_sentences.json: 32 real headlines of
// 22 to 28 tokens with their ids. tools/bench feeds the same ids to
// TensorFlow.js, so both engines do the same work.
func benchSentences(b *testing.B) [][]int32 {
	data, err := os.ReadFile("testdata/bench_sentences.json")
	if err != nil {
		b.Fatal(err)
	}
	var f struct{ IDs [][]int32 }
	if err := json.Unmarshal(data, &f); err != nil {
		b.Fatal(err)
	}
	return f.IDs
}

func benchEncode(b *testing.B, m *encoder.Model, batch [][]int32) {
	ws := encoder.NewWorkspace()
	out := make([][]float32, len(batch))
	for i := range out {
		out[i] = make([]float32, m.Config.OutputDim)
	}
	if err := m.Encode(ws, batch, out); err != nil { // warm the workspace
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := m.Encode(ws, batch, out); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(batch))/1e6, "ms/sentence")
}

// BenchmarkEncode times one ~25-token sentence and a batch of 32, with the
// float16 bundle's weights (decoded to float32 at load, as in production).
func BenchmarkEncode(b *testing.B) {
	_, m, _ := models(b)
	sentences := benchSentences(b)
	b.Run("single", func(b *testing.B) { benchEncode(b, m, sentences[:1]) })
	b.Run("batch32", func(b *testing.B) { benchEncode(b, m, sentences) })
}

// TestEncodeAllocatesNothingWhenWarm checks the workspace reuse promise.
func TestEncodeAllocatesNothingWhenWarm(t *testing.T) {
	m, _, _ := models(t)
	data, err := os.ReadFile("testdata/bench_sentences.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct{ IDs [][]int32 }
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	ws := encoder.NewWorkspace()
	out := make([][]float32, len(f.IDs))
	for i := range out {
		out[i] = make([]float32, m.Config.OutputDim)
	}
	if err := m.Encode(ws, f.IDs, out); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(3, func() {
		if err := m.Encode(ws, f.IDs[:7], out[:7]); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Encode allocated %v times per call after warm-up", allocs)
	}
}

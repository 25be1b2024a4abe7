package train

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"finscore/core/convert"
	"finscore/core/testenv"
)

// BenchmarkStep times one forward and backward pass over the 32 benchmark
// sentences of core/encoder with the real model.
func BenchmarkStep(b *testing.B) {
	c, err := convert.LoadUSELite(filepath.Join(testenv.SharedDir(b), "models", "use-lite"))
	if err != nil {
		b.Fatal(err)
	}
	m := NewModel(c.Config, c.Weights, 3, 10)
	data, err := os.ReadFile("../encoder/testdata/bench_sentences.json")
	if err != nil {
		b.Fatal(err)
	}
	var f struct{ IDs [][]int32 }
	if err := json.Unmarshal(data, &f); err != nil {
		b.Fatal(err)
	}
	labels := make([]int, len(f.IDs))
	g := NewGrads(m)
	for b.Loop() {
		tr, err := m.Forward(f.IDs)
		if err != nil {
			b.Fatal(err)
		}
		_, d := CrossEntropy(tr.Sentiment, labels, 3, nil)
		m.Backward(tr, g, d, nil)
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N*len(f.IDs)), "ms/sentence")
}

package scorer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"finscore/core/bundle"
	"finscore/core/convert"
	"finscore/core/embed"
	"finscore/core/scorer"
	"finscore/core/testenv"
	"finscore/core/tokenize"
)

var (
	once     sync.Once
	testB    *bundle.Bundle
	buildErr error
)

// testBundle is the pretrained encoder with an untrained (random) sentiment
// head and a risk head made from the shipped taxonomy's examples (see
// prototypeRiskHead): real plumbing, meaningless sentiment.
func testBundle(t testing.TB) *bundle.Bundle {
	t.Helper()
	once.Do(func() {
		c, err := convert.LoadUSELite(filepath.Join(testenv.SharedDir(t), "models", "use-lite"))
		if err != nil {
			buildErr = err
			return
		}
		manifest, tensors, err := c.Bundle(bundle.Float16)
		if err != nil {
			buildErr = err
			return
		}
		emb := embed.New(mustTokenizer(t, c), c.Model())
		data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "weights", "risk-taxonomy.json"))
		if err != nil {
			buildErr = err
			return
		}
		tax, err := scorer.ParseTaxonomy(data)
		if err != nil {
			buildErr = err
			return
		}
		spec, riskTensors, err := prototypeRiskHead(tax, func(texts []string) ([][]float32, error) {
			_, e, err := emb.Embed(texts)
			return e, err
		})
		if err != nil {
			buildErr = err
			return
		}
		r := rand.New(rand.NewPCG(1, 2))
		kernel := make([]float32, 512*3)
		for i := range kernel {
			kernel[i] = float32(r.NormFloat64())
		}
		sent, _ := json.Marshal(scorer.SentimentSpec{Labels: []string{"negative", "neutral", "positive"}, Temperature: 1})
		manifest.Extra = map[string]json.RawMessage{scorer.SentimentEntry: sent, scorer.RiskEntry: spec}
		tensors = append(tensors, riskTensors...)
		tensors = append(tensors,
			bundle.TensorData{Name: scorer.SentimentKernel, Shape: []int{512, 3}, DType: bundle.Float32, Values: kernel},
			bundle.TensorData{Name: scorer.SentimentBias, Shape: []int{3}, DType: bundle.Float32, Values: []float32{0, 0, 0}})
		var buf bytes.Buffer
		if buildErr = bundle.Write(&buf, manifest, tensors); buildErr != nil {
			return
		}
		testB, buildErr = bundle.Read(buf.Bytes())
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return testB
}

func TestScoreBadAndEmptyInput(t *testing.T) {
	s, err := scorer.FromBundle(testBundle(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"", "  \n\t  "} {
		r, err := s.Score(text, scorer.Options{})
		if err != nil || len(r.Sentences) != 0 || r.Sentiment.Label != "neutral" || r.Risk.Level != "none" || r.Summary != "No text to score." {
			t.Errorf("%q: %+v, %v", text, r, err)
		}
	}
	if _, err := s.Score("caf\xe9", scorer.Options{}); !errors.Is(err, scorer.ErrInvalidUTF8) {
		t.Errorf("invalid UTF-8: %v", err)
	}
	if _, err := s.Score(strings.Repeat("a", scorer.MaxTextBytes+1), scorer.Options{}); !errors.Is(err, scorer.ErrTooLarge) {
		t.Errorf("huge text: %v", err)
	}
	// Binary garbage that is valid UTF-8 scores without error.
	if _, err := s.Score("\x00\x01\x02\u0007\uFFFD€€€", scorer.Options{Explain: true}); err != nil {
		t.Errorf("garbage: %v", err)
	}
}

func TestFromBundleNeedsHeads(t *testing.T) {
	b := testBundle(t)
	manifest := b.Manifest
	defer func() { b.Manifest = manifest }()
	b.Manifest.Extra = map[string]json.RawMessage{scorer.SentimentEntry: manifest.Extra[scorer.SentimentEntry]}
	if _, err := scorer.FromBundle(b); err == nil || !strings.Contains(err.Error(), "no risk head") {
		t.Errorf("bundle without risk head: %v", err)
	}
	b.Manifest.Extra = nil
	if _, err := scorer.FromBundle(b); err == nil || !strings.Contains(err.Error(), "no sentiment head") {
		t.Errorf("base encoder bundle: %v", err)
	}
}

func mustTokenizer(t testing.TB, c *convert.Converted) *tokenize.Tokenizer {
	tk, err := tokenize.FromSpec(c.Tokenizer)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// prototypeRiskHead makes a linear risk head without training: category
// c's kernel column is its taxonomy examples' normalised mean embedding
// times 20, with bias -20·0.5, so a sentence's logit is 20·(cos − 0.5)
// for the cosine to that prototype.
func prototypeRiskHead(tax *scorer.Taxonomy, embedTexts func([]string) ([][]float32, error)) (json.RawMessage, []bundle.TensorData, error) {
	const dim = 512
	n := len(tax.Categories)
	kernel, bias := make([]float32, dim*n), make([]float32, n)
	spec := scorer.RiskSpec{Temperature: 1}
	for c, cat := range tax.Categories {
		embs, err := embedTexts(cat.Examples)
		if err != nil {
			return nil, nil, err
		}
		mean := make([]float64, dim)
		for _, e := range embs {
			for i, v := range e {
				mean[i] += float64(v)
			}
		}
		var sq float64
		for _, v := range mean {
			sq += v * v
		}
		for i, v := range mean {
			kernel[i*n+c] = float32(20 * v / math.Sqrt(sq))
		}
		bias[c] = -10
		spec.Categories = append(spec.Categories, scorer.Category{ID: cat.ID, Label: cat.Label, Description: cat.Description})
		spec.Thresholds = append(spec.Thresholds, 0.5)
	}
	raw, err := json.Marshal(spec)
	// The level head rates every flagged sentence medium.
	levels := len(scorer.RiskLevels)
	return raw, []bundle.TensorData{
		{Name: scorer.RiskKernel, Shape: []int{dim, n}, DType: bundle.Float32, Values: kernel},
		{Name: scorer.RiskBias, Shape: []int{n}, DType: bundle.Float32, Values: bias},
		{Name: scorer.RiskLevelKernel, Shape: []int{dim, levels}, DType: bundle.Float32, Values: make([]float32, dim*levels)},
		{Name: scorer.RiskLevelBias, Shape: []int{levels}, DType: bundle.Float32, Values: []float32{0, 0, 1, 0}},
	}, err
}

// TestStop checks that Options.Stop stops scoring, explanations included,
// with ErrCanceled.
func TestStop(t *testing.T) {
	s, err := scorer.FromBundle(testBundle(t))
	if err != nil {
		t.Fatal(err)
	}
	text := "Moody's cut the rating to junk."
	if _, err := s.Score(text, scorer.Options{Stop: func() bool { return true }}); !errors.Is(err, scorer.ErrCanceled) || !errors.Is(err, context.Canceled) {
		t.Errorf("stopped at once: %v", err)
	}
	// The sentence is one batch; explaining it is the second.
	calls := 0
	stopAfterOne := func() bool { calls++; return calls > 1 }
	if _, err := s.Score(text, scorer.Options{Stop: stopAfterOne}); err != nil || calls != 1 {
		t.Errorf("without explain: %v after %d calls of Stop", err, calls)
	}
	calls = 0
	if _, err := s.Score(text, scorer.Options{Explain: true, Stop: stopAfterOne}); !errors.Is(err, scorer.ErrCanceled) {
		t.Errorf("stopped while explaining: %v after %d calls of Stop", err, calls)
	}
	if _, _, err := s.Classify([]string{text}); err != nil {
		t.Errorf("Classify after a stop: %v", err)
	}
}

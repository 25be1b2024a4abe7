package scorer_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
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

func TestScoreReportIsConsistent(t *testing.T) {
	s, err := scorer.FromBundle(testBundle(t))
	if err != nil {
		t.Fatal(err)
	}
	text := "Acme Corp. missed its interest payment and Moody's cut the rating to junk. " +
		"Hackers stole customer data in a ransomware attack.\nThe board meets on Tuesday."
	var progress []int
	r, err := s.Score(text, scorer.Options{Explain: true, Progress: func(done, total int) { progress = append(progress, done, total) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Sentences) != 3 || !slices.Equal(progress, []int{0, 3, 3, 3}) {
		t.Fatalf("%d sentences, progress %v", len(r.Sentences), progress)
	}
	for i, st := range r.Sentences {
		if text[st.Start:st.End] != st.Text {
			t.Errorf("sentence %d offsets [%d,%d) do not give its text", i, st.Start, st.End)
		}
		var sum float64
		for _, p := range st.Sentiment.Probs {
			sum += p
		}
		if math.Abs(sum-1) > 1e-9 || math.Abs(st.Sentiment.Signal-(st.Sentiment.Probs["positive"]-st.Sentiment.Probs["negative"])) > 1e-12 {
			t.Errorf("sentence %d sentiment %+v", i, st.Sentiment)
		}
		if len(st.Drivers) == 0 || len(st.Drivers) > 5 {
			t.Errorf("sentence %d has %d drivers", i, len(st.Drivers))
		}
		for _, d := range st.Drivers {
			if text[d.Start:d.End] != d.Word || d.Start < st.Start || d.End > st.End {
				t.Errorf("driver %+v is not in sentence %d", d, i)
			}
		}
	}
	// The pretrained encoder with the taxonomy's prototypes already tells
	// these risks apart.
	cats := map[string]bool{}
	for _, c := range r.Risk.Categories {
		cats[c.ID] = true
		for _, e := range c.Evidence {
			if e < 0 || e >= len(r.Sentences) {
				t.Errorf("category %s cites sentence %d", c.ID, e)
			}
		}
	}
	t.Logf("risk %+v\nsummary %q", r.Risk, r.Summary)
	if !cats["credit"] || !cats["operational"] || r.Risk.Level == "low" {
		t.Errorf("risk categories %v, level %s", cats, r.Risk.Level)
	}
	if !strings.Contains(r.Summary, "risk") || !strings.Contains(r.Summary, "3 sentences") {
		t.Errorf("summary %q", r.Summary)
	}
}

func TestScoreOneSentenceEqualsDocument(t *testing.T) {
	s, err := scorer.FromBundle(testBundle(t))
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Score("  Profit warning hits shares  ", scorer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Sentences) != 1 || r.Sentences[0].Sentiment.Label != r.Sentiment.Label || r.Sentences[0].Sentiment.Signal != r.Sentiment.Signal {
		t.Errorf("document %+v, sentence %+v", r.Sentiment, r.Sentences)
	}
	if r.Sentences[0].Start != 2 || r.Sentences[0].Text != "Profit warning hits shares" {
		t.Errorf("sentence %+v", r.Sentences[0])
	}
}

func TestPartsAssembleToTheWholeReport(t *testing.T) {
	s, err := scorer.FromBundle(testBundle(t))
	if err != nil {
		t.Fatal(err)
	}
	text := "Profit fell. Revenue rose 5% to $1.2 billion on strong demand in Asia. " +
		"The regulator fined the bank. Shares slipped. Net debt rose to 3.1 times EBITDA, close to the covenant. " +
		"The board approved a buyback. Moody's cut the rating."
	whole, err := s.Score(text, scorer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	wantJSON, _ := json.Marshal(whole)
	for parts := 1; parts <= 9; parts++ { // 9 > the 7 sentences: some parts are empty
		var all []scorer.SentenceScore
		for part := range parts {
			sents, err := s.ScorePart(text, part, parts, scorer.Options{})
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, sents...)
		}
		r, err := s.Assemble(all)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := json.Marshal(r); !bytes.Equal(got, wantJSON) {
			t.Errorf("%d parts assemble to\n%s\nwant\n%s", parts, got, wantJSON)
		}
	}
	for _, pp := range [][2]int{{-1, 2}, {2, 2}, {0, 0}} {
		if _, err := s.ScorePart(text, pp[0], pp[1], scorer.Options{}); err == nil {
			t.Errorf("part %d of %d: no error", pp[0], pp[1])
		}
	}
	// Assemble refuses sentences it could not have made.
	bad := whole.Sentences[0]
	bad.Sentiment.Probs = map[string]float64{"negative": math.NaN(), "neutral": 0.5, "positive": 0.5}
	if _, err := s.Assemble([]scorer.SentenceScore{bad}); err == nil {
		t.Error("NaN probability: no error")
	}
	bad = whole.Sentences[0]
	bad.Sentiment.Probs = map[string]float64{"neutral": 1}
	if _, err := s.Assemble([]scorer.SentenceScore{bad}); err == nil {
		t.Error("missing probabilities: no error")
	}
	bad = whole.Sentences[0]
	bad.Risk.Score = 7
	if _, err := s.Assemble([]scorer.SentenceScore{bad}); err == nil {
		t.Error("risk 7: no error")
	}
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

// FuzzAssemble feeds Assemble what JavaScript might hand it (sentence
// scores as JSON, in any shape): an error or a report, never a panic, and a
// report's level and summary are always filled in.
func FuzzAssemble(f *testing.F) {
	f.Add(`[{"text":"Shares fell.","start":0,"end":12,"sentiment":{"label":"negative","probs":{"negative":0.8,"neutral":0.1,"positive":0.1},"signal":-0.7},"risk":{"score":0.6,"categories":[{"id":"market","label":"Market","score":0.6}]}}]`)
	f.Add(`[]`)
	f.Add(`[{"sentiment":{"probs":{"negative":1e400}}}]`)
	f.Add(`[{"sentiment":{"probs":{"negative":0,"neutral":0,"positive":0}},"risk":{"score":0,"categories":[{"id":"","score":-0}]}}]`)
	s, err := scorer.FromBundle(testBundle(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data string) {
		var sents []scorer.SentenceScore
		if json.Unmarshal([]byte(data), &sents) != nil {
			return
		}
		r, err := s.Assemble(sents)
		if err != nil {
			return
		}
		if r.Risk.Level == "" || r.Summary == "" || r.Sentiment.Label == "" || len(r.Sentences) != len(sents) {
			t.Errorf("report %+v", r)
		}
	})
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

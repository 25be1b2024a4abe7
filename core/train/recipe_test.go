package train

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"finscore/core/bundle"
	"finscore/core/dataset"
	"finscore/core/encoder"
	"finscore/core/scorer"
	"finscore/core/testenv"
	"finscore/core/tokenize"
)

// recipeFixture is a toy run of Build: an encoder of USE-Lite's structure
// at toy widths over the real vocabulary (so that the bundles it writes
// tokenise and score), a two-category taxonomy and a few labelled
// sentences and documents. Build runs on it in well under a second.
type recipeFixture struct {
	base   bundle.Manifest
	tk     *tokenize.Tokenizer
	tax    *scorer.Taxonomy
	data   *Data
	recipe Recipe
}

func newRecipeFixture(t *testing.T) *recipeFixture {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "weights", "use-lite.fsb"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := bundle.Read(raw)
	if err != nil {
		t.Fatal(err)
	}
	var spec tokenize.Spec
	if err := json.Unmarshal(b.Manifest.Tokenizer, &spec); err != nil {
		t.Fatal(err)
	}
	tk, err := tokenize.FromSpec(spec)
	if err != nil {
		t.Fatal(err)
	}
	f := &recipeFixture{base: b.Manifest, tk: tk, tax: &scorer.Taxonomy{Version: 1, Categories: []scorer.Category{
		{ID: "credit", Label: "Credit", Description: "borrowers may not pay"},
		{ID: "legal", Label: "Legal", Description: "lawsuits and fines"},
	}}}
	sample := func(text string, label int, risk ...float32) Sample {
		ids, err := tk.Encode(text)
		if err != nil {
			t.Fatal(err)
		}
		s := Sample{IDs: ids, Label: label}
		if risk != nil {
			s.Risk = risk
			s.Level = slices.Index(dataset.Levels, "none")
			if slices.Contains(risk, 1) {
				s.Level = slices.Index(dataset.Levels, "high")
			}
		}
		return s
	}
	neg, neu, pos := slices.Index(dataset.Labels, "negative"), slices.Index(dataset.Labels, "neutral"), slices.Index(dataset.Labels, "positive")
	f.data = &Data{
		Train: []Sample{
			sample("The company defaulted on its bonds.", neg, 1, 0),
			sample("Profit rose sharply this quarter.", pos, 0, 0),
			sample("The board meets on Tuesday.", neu, 0, 0),
			sample("Regulators sued the bank for fraud.", neg, 0, 1),
			sample("Lenders cut the firm's credit line.", neg, 1, 0),
			sample("Sales beat every forecast.", pos),
			sample("Shares were unchanged.", neu),
			sample("A court fined the group.", NoLabel, 0, 1),
			sample("Revenue grew and margins widened.", pos, 0, 0),
		},
		Dev: []Sample{
			sample("The issuer missed a coupon payment.", neg, 1, 0),
			sample("Earnings climbed to a record.", pos, 0, 0),
			sample("The annual meeting is in May.", neu, 0, 0),
			sample("The firm faces a class action.", neg, 0, 1),
		},
		RiskDev: []Sample{
			sample("Its debt was downgraded to junk.", NoLabel, 1, 0),
			sample("The lawsuit was settled.", NoLabel, 0, 1),
			sample("Dividends were raised.", NoLabel, 0, 0),
		},
		TwitterTest: []Sample{sample("Stock soars on upbeat outlook", pos), sample("Shares slump after warning", neg)},
		SEntFiNTest: []Sample{sample("Bank posts steady results", neu)},
		DevDocuments: []dataset.Document{
			{ID: "d1", Text: "The company defaulted on its bonds. Lenders seized its assets.", Sentiment: "negative", RiskLevel: "high", TopCategories: []string{"credit"}},
			{ID: "d2", Text: "Profit rose sharply. Sales beat every forecast.", Sentiment: "positive", RiskLevel: "none"},
			{ID: "d3", Text: "The board meets on Tuesday.", Sentiment: "neutral", RiskLevel: "none"},
		},
		Dropped: 2,
	}
	f.recipe = Recipe{
		Fit: Options{Epochs: 2, BatchSize: 4, LR: 1e-3, HeadLR: 1e-2, RiskWeight: 2, WarmupFrac: 0.1,
			WeightDecay: 0.01, ClipNorm: 1, Patience: 2, Seed: 3, Workers: 2},
		Refit:          RefitOptions{Steps: 10, LR: 0.03, WeightDecay: 0.01, Every: 5},
		LevelHead:      RefitOptions{Steps: 10, LR: 0.03, WeightDecay: 0.01, Every: 5},
		MaxFalseAlarms: 0.5,
	}
	return f
}

// state is a fresh start: a toy encoder with random weights over the
// fixture's vocabulary, the same for every call.
func (f *recipeFixture) state() *State {
	cfg := encoder.Config{
		Type: encoder.TypeUSELite, VocabSize: f.tk.VocabSize(), EmbedDim: 4, MaxLen: 32, OutputDim: 6,
		LayerNormEps: 1e-6, L2Eps: 1e-12,
		Layers: []encoder.LayerConfig{
			{InputDim: 4, ModelDim: 6, Heads: 2, FFNDim: 8, QueryScale: 0.7},
			{InputDim: 6, ModelDim: 6, Heads: 3, FFNDim: 5, QueryScale: 0.6},
		},
	}
	m := NewModel(cfg, cfg.ZeroWeights(), len(dataset.Labels), len(f.tax.Categories))
	r := rand.New(rand.NewPCG(5, 6))
	for _, p := range m.Params(nil) {
		if p.Group == GroupEncoder {
			for i := range p.Value {
				p.Value[i] = float32(r.NormFloat64() * 0.3)
			}
		}
	}
	for i := range m.W.InvTimescales {
		m.W.InvTimescales[i] = float32(math.Pow(10, -float64(i)))
	}
	return NewState(m, f.recipe.Fit)
}

// TestBuild runs the whole recipe on the toy fixture: every stage reports
// in order, the bundle scores, its "training" entry is the report, the
// document aggregation kept is the best one tried, and the same inputs
// give the same bytes.
func TestBuild(t *testing.T) {
	f := newRecipeFixture(t)
	var stages []Stage
	r := f.recipe
	r.Stage = func(s Stage, rep *Report) { stages = append(stages, s) }
	out, rep, err := Build(f.state(), f.base, f.tax, f.data, r)
	if err != nil {
		t.Fatal(err)
	}
	want := []Stage{StageData, StageFit, StageRefit, StageChoose, StageEvaluate,
		StageLevelHead, StageLevelHead, StageLevelHead, StageFocus, StageFocus, StageFocus, StageFocus, StageFocus}
	if !slices.Equal(stages, want) {
		t.Errorf("stages %v, want %v", stages, want)
	}
	if rep.Sizes != (Sizes{Train: 9, TrainRisk: 7, Dev: 4, DevRisk: 4, Dropped: 2}) {
		t.Errorf("sizes %+v", rep.Sizes)
	}
	if len(rep.History) != 2 || rep.BestEpoch < 1 || rep.RiskRefit == nil || rep.RiskRefit.Steps != 10 ||
		rep.Dev.N != 4 || rep.TwitterTest.N != 2 || rep.SEntFiNTest.N != 1 || len(rep.LevelTrials) != 3 || len(rep.FocusTrials) != 5 {
		t.Errorf("report: %+v", rep)
	}

	b, err := bundle.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	s, err := scorer.FromBundle(b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Score("The company defaulted on its bonds.", scorer.Options{}); err != nil {
		t.Fatal(err)
	}
	saved, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Manifest.Extra["training"], saved) {
		t.Errorf("the bundle's training entry is not the report:\n%s\n%s", b.Manifest.Extra["training"], saved)
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(saved, &keys); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"best_epoch", "choices", "dev", "history", "level_head", "options", "risk_refit", "sentfin-test", "twitter-test"} {
		if _, ok := keys[k]; !ok {
			t.Errorf("training entry lacks %q", k)
		}
	}
	var spec scorer.SentimentSpec
	if err := json.Unmarshal(b.Manifest.Extra[scorer.SentimentEntry], &spec); err != nil {
		t.Fatal(err)
	}
	best := rep.FocusTrials[0]
	for _, tr := range rep.FocusTrials {
		if tr.Documents.SentimentAccuracy > best.Documents.SentimentAccuracy {
			best = tr
		}
	}
	if spec.DocumentFocus != best.Focus {
		t.Errorf("bundle has document focus %v, but the best tried was %v", spec.DocumentFocus, best.Focus)
	}

	again, _, err := Build(f.state(), f.base, f.tax, f.data, f.recipe)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, again) {
		t.Error("two builds from the same state, data and recipe differ")
	}
}

// TestBuildLimit: Limit trains on a seeded subset and says so in the
// report.
func TestBuildLimit(t *testing.T) {
	f := newRecipeFixture(t)
	r := f.recipe
	r.Limit, r.Refit.Steps = 5, 0
	_, rep, err := Build(f.state(), f.base, f.tax, f.data, r)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Sizes.Train != 5 || rep.Options.Limit != 5 || rep.RiskRefit != nil {
		t.Errorf("sizes %+v, options %+v, risk refit %+v", rep.Sizes, rep.Options, rep.RiskRefit)
	}
}

// TestBuildErrors: a recipe or data that cannot make a model is refused
// before any training.
func TestBuildErrors(t *testing.T) {
	f := newRecipeFixture(t)
	for _, tc := range []struct {
		name   string
		change func(r *Recipe, d *Data, tax *scorer.Taxonomy)
		want   string
	}{
		{"negative limit", func(r *Recipe, d *Data, tax *scorer.Taxonomy) { r.Limit = -1 }, "limit -1"},
		{"false alarms above 1", func(r *Recipe, d *Data, tax *scorer.Taxonomy) { r.MaxFalseAlarms = 1.5 }, "false alarms"},
		{"false alarms NaN", func(r *Recipe, d *Data, tax *scorer.Taxonomy) { r.MaxFalseAlarms = math.NaN() }, "false alarms"},
		{"negative refit", func(r *Recipe, d *Data, tax *scorer.Taxonomy) { r.Refit.Steps = -1 }, "refit steps"},
		{"no dev documents", func(r *Recipe, d *Data, tax *scorer.Taxonomy) { d.DevDocuments = nil }, "no dev documents"},
		{"taxonomy and head differ", func(r *Recipe, d *Data, tax *scorer.Taxonomy) { tax.Categories = tax.Categories[:1] }, "1 risk categories for a risk head of 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, d, tax := f.recipe, *f.data, *f.tax
			called := false
			r.Stage = func(Stage, *Report) { called = true }
			tc.change(&r, &d, &tax)
			_, _, err := Build(f.state(), f.base, &tax, &d, r)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one with %q", err, tc.want)
			}
			if called {
				t.Error("a stage ran before the error")
			}
		})
	}
}

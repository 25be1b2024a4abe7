package scorer

import (
	"math"
	"strings"
	"testing"
)

func validSpec() RiskSpec {
	return RiskSpec{
		Categories:  []Category{{ID: "credit", Label: "Credit"}, {ID: "market", Label: "Market"}},
		Temperature: 1, Thresholds: []float64{0.4, 0.6},
	}
}

func TestRiskSpecValidate(t *testing.T) {
	if err := (&RiskSpec{}).Validate(); err == nil {
		t.Error("empty spec: no error")
	}
	good := validSpec()
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, spoil := range map[string]func(*RiskSpec){
		"threshold count":  func(s *RiskSpec) { s.Thresholds = s.Thresholds[:1] },
		"threshold 1":      func(s *RiskSpec) { s.Thresholds[0] = 1 },
		"threshold NaN":    func(s *RiskSpec) { s.Thresholds[1] = math.NaN() },
		"duplicate id":     func(s *RiskSpec) { s.Categories[1].ID = "credit" },
		"malformed id":     func(s *RiskSpec) { s.Categories[0].ID = "Credit Risk" },
		"tiny temperature": func(s *RiskSpec) { s.Temperature = 5e-324 },
		"huge temperature": func(s *RiskSpec) { s.Temperature = 3e38 },
	} {
		s := validSpec()
		s.Categories = append([]Category(nil), s.Categories...)
		s.Thresholds = append([]float64(nil), s.Thresholds...)
		spoil(&s)
		if err := s.Validate(); err == nil {
			t.Errorf("%s: no error", name)
		} else if !strings.HasPrefix(err.Error(), "scorer: ") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestRiskProbsAndLevel(t *testing.T) {
	h := &RiskHead{Spec: validSpec(), Kernel: []float32{2, -1, 0, 3}, Bias: []float32{0, 1},
		// Level logits for embedding (x, y): none 5 (never chosen when
		// flagged), low 0, medium x, high y.
		LevelKernel: []float32{0, 0, 1, 0, 0, 0, 0, 1}, LevelBias: []float32{5, 0, 0, 0}}
	h.Spec.Temperature = 2
	p := h.Probs([]float32{1, 0.5}) // logits (2, 0.5) and (1, -1+1.5+1)/2
	if math.Abs(p[0]-sigmoid(1)) > 1e-12 || math.Abs(p[1]-sigmoid(0.75)) > 1e-12 {
		t.Errorf("probs %v", p)
	}
	for _, c := range []struct {
		emb     []float32
		flagged bool
		want    string
	}{{[]float32{3, 1}, false, "none"}, {[]float32{-1, -1}, true, "low"}, {[]float32{2, 1}, true, "medium"}, {[]float32{1, 2}, true, "high"}} {
		if got := h.Level(c.emb, c.flagged); got != c.want {
			t.Errorf("Level(%v, %v) = %s, want %s", c.emb, c.flagged, got, c.want)
		}
	}
	if LevelRank("high") != 3 || LevelRank("none") != 0 || LevelRank("severe") != -1 {
		t.Error("LevelRank")
	}
}

package scorer

import (
	"math"
	"strings"
	"testing"
)

func validSpec() RiskSpec {
	return RiskSpec{
		Categories:  []Category{{ID: "credit", Label: "Credit"}, {ID: "market", Label: "Market"}},
		Temperature: 1, Thresholds: []float64{0.4, 0.6}, Medium: 0.6, High: 0.85,
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
		"threshold count":   func(s *RiskSpec) { s.Thresholds = s.Thresholds[:1] },
		"threshold 1":       func(s *RiskSpec) { s.Thresholds[0] = 1 },
		"threshold NaN":     func(s *RiskSpec) { s.Thresholds[1] = math.NaN() },
		"duplicate id":      func(s *RiskSpec) { s.Categories[1].ID = "credit" },
		"malformed id":      func(s *RiskSpec) { s.Categories[0].ID = "Credit Risk" },
		"tiny temperature":  func(s *RiskSpec) { s.Temperature = 5e-324 },
		"huge temperature":  func(s *RiskSpec) { s.Temperature = 3e38 },
		"medium above high": func(s *RiskSpec) { s.Medium = 0.9 },
		"high 1":            func(s *RiskSpec) { s.High = 1 },
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
	h := &RiskHead{Spec: validSpec(), Kernel: []float32{2, -1, 0, 3}, Bias: []float32{0, 1}}
	h.Spec.Temperature = 2
	p := h.Probs([]float32{1, 0.5}) // logits (2, 0.5) and (1, -1+1.5+1)/2
	if math.Abs(p[0]-sigmoid(1)) > 1e-12 || math.Abs(p[1]-sigmoid(0.75)) > 1e-12 {
		t.Errorf("probs %v", p)
	}
	for _, c := range []struct {
		flagged bool
		score   float64
		want    string
	}{{false, 0.99, "none"}, {true, 0.5, "low"}, {true, 0.6, "medium"}, {true, 0.9, "high"}} {
		if got := h.Spec.Level(c.flagged, c.score); got != c.want {
			t.Errorf("Level(%v, %v) = %s, want %s", c.flagged, c.score, got, c.want)
		}
	}
	if LevelRank("high") != 3 || LevelRank("none") != 0 || LevelRank("severe") != -1 {
		t.Error("LevelRank")
	}
}

package metrics

import (
	"math"
	"strings"
	"testing"
)

func TestConfusion(t *testing.T) {
	c := NewConfusion([]string{"neg", "neu", "pos"})
	for _, p := range [][2]int{{0, 0}, {0, 0}, {0, 1}, {1, 1}, {2, 2}, {2, 1}} {
		c.Add(p[0], p[1])
	}
	if c.Total() != 6 || math.Abs(c.Accuracy()-4.0/6) > 1e-12 {
		t.Errorf("total %d accuracy %v", c.Total(), c.Accuracy())
	}
	p, r, f := c.PRF(1) // predicted neu 3 times, 1 right; 1 actual neu
	if math.Abs(p-1.0/3) > 1e-12 || r != 1 || math.Abs(f-0.5) > 1e-12 {
		t.Errorf("neu: %v %v %v", p, r, f)
	}
	want := (0.8 + 0.5 + 2.0/3) / 3
	if math.Abs(c.MacroF1()-want) > 1e-12 {
		t.Errorf("macro-F1 %v, want %v", c.MacroF1(), want)
	}
	if !strings.Contains(c.String(), "neg                2         1         0") {
		t.Errorf("table:\n%s", c)
	}
	empty := NewConfusion([]string{"a", "b"})
	if empty.Accuracy() != 0 || empty.MacroF1() != 0 {
		t.Error("empty matrix should score 0")
	}
}

func TestAveragePrecision(t *testing.T) {
	for _, tc := range []struct {
		scores []float64
		truth  []bool
		want   float64
	}{
		{[]float64{0.9, 0.8, 0.7, 0.6}, []bool{true, false, true, false}, (1 + 2.0/3) / 2},
		{[]float64{0.1, 0.9, 0.5}, []bool{false, true, true}, 1},
		{[]float64{0.5, 0.5}, []bool{true, false}, 0.5}, // ties rank the positive last
		{[]float64{0.5, 0.2}, []bool{false, false}, 0},
	} {
		if got := AveragePrecision(tc.scores, tc.truth); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("AveragePrecision(%v, %v) = %v, want %v", tc.scores, tc.truth, got, tc.want)
		}
	}
}

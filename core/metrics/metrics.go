// Package metrics scores classifiers: confusion matrix, accuracy, per-class
// precision, recall and F1, and their macro average; binary counts for
// multi-label tasks; average precision of a ranking.
package metrics

import (
	"fmt"
	"sort"
	"strings"
)

// Confusion counts predictions: Counts[truth][predicted].
type Confusion struct {
	Classes []string
	Counts  [][]int
}

// NewConfusion returns an empty matrix for the named classes.
func NewConfusion(classes []string) *Confusion {
	c := &Confusion{Classes: classes, Counts: make([][]int, len(classes))}
	for i := range c.Counts {
		c.Counts[i] = make([]int, len(classes))
	}
	return c
}

// Add records one prediction.
func (c *Confusion) Add(truth, predicted int) { c.Counts[truth][predicted]++ }

// Total is the number of predictions recorded.
func (c *Confusion) Total() int {
	n := 0
	for _, row := range c.Counts {
		for _, v := range row {
			n += v
		}
	}
	return n
}

// Accuracy is the fraction of correct predictions (0 when empty).
func (c *Confusion) Accuracy() float64 {
	right := 0
	for i := range c.Counts {
		right += c.Counts[i][i]
	}
	if n := c.Total(); n > 0 {
		return float64(right) / float64(n)
	}
	return 0
}

// PRF returns precision, recall and F1 of class k (0 where undefined).
func (c *Confusion) PRF(k int) (precision, recall, f1 float64) {
	tp := c.Counts[k][k]
	predicted, actual := 0, 0
	for i := range c.Counts {
		predicted += c.Counts[i][k]
		actual += c.Counts[k][i]
	}
	if predicted > 0 {
		precision = float64(tp) / float64(predicted)
	}
	if actual > 0 {
		recall = float64(tp) / float64(actual)
	}
	if precision+recall > 0 {
		f1 = 2 * precision * recall / (precision + recall)
	}
	return
}

// MacroF1 is the unweighted mean of the classes' F1 scores.
func (c *Confusion) MacroF1() float64 {
	var sum float64
	for k := range c.Classes {
		_, _, f1 := c.PRF(k)
		sum += f1
	}
	return sum / float64(len(c.Classes))
}

// String renders the matrix with rows as truth and columns as predictions.
func (c *Confusion) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-10s", "truth\\pred")
	for _, name := range c.Classes {
		fmt.Fprintf(&b, " %9s", name)
	}
	b.WriteByte('\n')
	for i, row := range c.Counts {
		fmt.Fprintf(&b, "%-10s", c.Classes[i])
		for _, v := range row {
			fmt.Fprintf(&b, " %9d", v)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// Binary counts one yes/no decision (for example one category of a
// multi-label classifier): true and false positives, false negatives and
// true negatives.
type Binary struct {
	TP, FP, FN, TN int
}

// Add records one decision.
func (b *Binary) Add(truth, predicted bool) {
	switch {
	case truth && predicted:
		b.TP++
	case predicted:
		b.FP++
	case truth:
		b.FN++
	default:
		b.TN++
	}
}

// Total is the number of decisions recorded.
func (b Binary) Total() int { return b.TP + b.FP + b.FN + b.TN }

// PRF returns precision, recall and F1 (0 where undefined).
func (b Binary) PRF() (precision, recall, f1 float64) {
	if b.TP+b.FP > 0 {
		precision = float64(b.TP) / float64(b.TP+b.FP)
	}
	if b.TP+b.FN > 0 {
		recall = float64(b.TP) / float64(b.TP+b.FN)
	}
	if precision+recall > 0 {
		f1 = 2 * precision * recall / (precision + recall)
	}
	return
}

// MacroF1 is the unweighted mean F1 of several binary decisions.
func MacroF1(bs []Binary) float64 {
	if len(bs) == 0 {
		return 0
	}
	var sum float64
	for _, b := range bs {
		_, _, f1 := b.PRF()
		sum += f1
	}
	return sum / float64(len(bs))
}

// MicroF1 is the F1 of all binary decisions pooled.
func MicroF1(bs []Binary) float64 {
	var all Binary
	for _, b := range bs {
		all.TP, all.FP, all.FN, all.TN = all.TP+b.TP, all.FP+b.FP, all.FN+b.FN, all.TN+b.TN
	}
	_, _, f1 := all.PRF()
	return f1
}

// AveragePrecision is the area under the precision–recall curve of a
// ranking: the mean, over the positive examples, of the precision among
// the examples scored at least as high. Tied scores are ranked with the
// positives last, so ties never flatter the ranking. It is 0 when there is
// no positive example.
func AveragePrecision(scores []float64, truth []bool) float64 {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		if scores[idx[a]] != scores[idx[b]] {
			return scores[idx[a]] > scores[idx[b]]
		}
		return !truth[idx[a]] && truth[idx[b]]
	})
	var sum float64
	tp := 0
	for rank, i := range idx {
		if truth[i] {
			tp++
			sum += float64(tp) / float64(rank+1)
		}
	}
	if tp == 0 {
		return 0
	}
	return sum / float64(tp)
}

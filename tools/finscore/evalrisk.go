package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"finscore/core/metrics"
	"finscore/core/scorer"
)

// riskExample is one row of the hand-labelled risk set.
type riskExample struct {
	text       string
	categories []string
	level      string // none, low, medium or high
}

func readRiskSet(path string) ([]riskExample, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	for _, need := range []string{"text", "categories", "level"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("%s: no %q column in %v", path, need, header)
		}
	}
	var out []riskExample
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		ex := riskExample{text: rec[col["text"]], level: rec[col["level"]]}
		if c := rec[col["categories"]]; c != "" {
			ex.categories = strings.Split(c, "|")
		}
		if !slices.Contains([]string{"none", "low", "medium", "high"}, ex.level) {
			return nil, fmt.Errorf("%s: record %d: unknown level %q", path, line, ex.level)
		}
		out = append(out, ex)
	}
}

// riskCategoryResult is one category's precision and recall.
type riskCategoryResult struct {
	ID        string  `json:"id"`
	Support   int     `json:"support"`
	Predicted int     `json:"predicted"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
}

// riskReport is the risk evaluation.
type riskReport struct {
	N          int                  `json:"n"`
	Categories []riskCategoryResult `json:"categories"`
	MacroF1    float64              `json:"macro_f1"`
	MicroF1    float64              `json:"micro_f1"`
	Level      [][]int              `json:"level_confusion"` // truth (low incl. none, medium, high) × predicted
	LevelAcc   float64              `json:"level_accuracy"`
	levelConf  *metrics.Confusion
}

// evalRisk scores every text of the set as one sentence and compares the
// categories that reach the threshold, and the level, with the labels.
func evalRisk(s *scorer.Scorer, set []riskExample) (*riskReport, error) {
	texts := make([]string, len(set))
	for i, e := range set {
		texts[i] = e.text
	}
	_, risks, err := s.Classify(texts)
	if err != nil {
		return nil, err
	}
	levels := []string{"low", "medium", "high"}
	rep := &riskReport{N: len(set), levelConf: metrics.NewConfusion(levels)}
	var tpAll, fpAll, fnAll int
	for _, cat := range s.RiskCategories() {
		var tp, fp, fn int
		for i, e := range set {
			truth := slices.Contains(e.categories, cat.ID)
			pred := slices.ContainsFunc(risks[i].Categories, func(c scorer.CategoryScore) bool { return c.ID == cat.ID })
			switch {
			case truth && pred:
				tp++
			case pred:
				fp++
			case truth:
				fn++
			}
		}
		tpAll, fpAll, fnAll = tpAll+tp, fpAll+fp, fnAll+fn
		p, r, f := prf(tp, fp, fn)
		rep.Categories = append(rep.Categories, riskCategoryResult{ID: cat.ID, Support: tp + fn, Predicted: tp + fp, Precision: p, Recall: r, F1: f})
		rep.MacroF1 += f / float64(len(s.RiskCategories()))
	}
	_, _, rep.MicroF1 = prf(tpAll, fpAll, fnAll)
	for i, e := range set {
		truth := e.level
		if truth == "none" {
			truth = "low"
		}
		rep.levelConf.Add(slices.Index(levels, truth), slices.Index(levels, scorer.RiskLevel(risks[i].Score)))
	}
	rep.Level, rep.LevelAcc = rep.levelConf.Counts, rep.levelConf.Accuracy()
	return rep, nil
}

func prf(tp, fp, fn int) (p, r, f float64) {
	if tp+fp > 0 {
		p = float64(tp) / float64(tp+fp)
	}
	if tp+fn > 0 {
		r = float64(tp) / float64(tp+fn)
	}
	if p+r > 0 {
		f = 2 * p * r / (p + r)
	}
	return
}

func printRiskReport(w io.Writer, rep *riskReport) {
	fmt.Fprintf(w, "risk categories on %d hand-labelled sentences (threshold %.2f)\n", rep.N, scorer.CategoryThreshold)
	fmt.Fprintf(w, "%-18s %8s %9s %9s %7s %7s\n", "category", "support", "predicted", "precision", "recall", "F1")
	for _, c := range rep.Categories {
		fmt.Fprintf(w, "%-18s %8d %9d %9.3f %7.3f %7.3f\n", c.ID, c.Support, c.Predicted, c.Precision, c.Recall, c.F1)
	}
	fmt.Fprintf(w, "macro-F1 %.3f, micro-F1 %.3f\n\nrisk level (labels none and low both count as low), accuracy %.3f:\n%s",
		rep.MacroF1, rep.MicroF1, rep.LevelAcc, indent(rep.levelConf.String()))
}

package main

import (
	"fmt"
	"io"
	"slices"

	"finscore/core/dataset"
	"finscore/core/metrics"
	"finscore/core/scorer"
)

// riskCategoryResult is one category's precision and recall.
type riskCategoryResult struct {
	ID        string  `json:"id"`
	Threshold float64 `json:"threshold"`
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
	// NoRisk is the number of sentences labelled with no category, and
	// FalseAlarmRate the fraction of them given some category.
	NoRisk         int                `json:"no_risk"`
	FalseAlarmRate float64            `json:"false_alarm_rate"`
	Level          [][]int            `json:"level_confusion"` // truth × predicted, none, low, medium, high
	LevelAcc       float64            `json:"level_accuracy"`
	levelConf      *metrics.Confusion `json:"-"`
}

// evalRisk scores every text of the set as one sentence and compares the
// categories that reach their thresholds, and the level, with the labels.
func evalRisk(s *scorer.Scorer, set []dataset.Labelled) (*riskReport, error) {
	texts := make([]string, len(set))
	for i, e := range set {
		texts[i] = e.Text
	}
	_, risks, err := s.Classify(texts)
	if err != nil {
		return nil, err
	}
	spec := s.RiskSpec()
	rep := &riskReport{N: len(set), levelConf: metrics.NewConfusion(scorer.RiskLevels)}
	counts := make([]metrics.Binary, len(spec.Categories))
	for c, cat := range spec.Categories {
		for i, e := range set {
			truth := slices.Contains(e.Categories, cat.ID)
			pred := slices.ContainsFunc(risks[i].Categories, func(c scorer.CategoryScore) bool { return c.ID == cat.ID })
			counts[c].Add(truth, pred)
		}
		p, r, f := counts[c].PRF()
		b := counts[c]
		rep.Categories = append(rep.Categories, riskCategoryResult{ID: cat.ID, Threshold: spec.Thresholds[c],
			Support: b.TP + b.FN, Predicted: b.TP + b.FP, Precision: p, Recall: r, F1: f})
	}
	rep.MacroF1, rep.MicroF1 = metrics.MacroF1(counts), metrics.MicroF1(counts)
	alarms := 0
	for i, e := range set {
		if len(e.Categories) == 0 {
			rep.NoRisk++
			if len(risks[i].Categories) > 0 {
				alarms++
			}
		}
		rep.levelConf.Add(scorer.LevelRank(e.Level), scorer.LevelRank(risks[i].Level))
	}
	if rep.NoRisk > 0 {
		rep.FalseAlarmRate = float64(alarms) / float64(rep.NoRisk)
	}
	rep.Level, rep.LevelAcc = rep.levelConf.Counts, rep.levelConf.Accuracy()
	return rep, nil
}

func printRiskReport(w io.Writer, name string, rep *riskReport) {
	fmt.Fprintf(w, "risk categories on %s, %d hand-labelled sentences (each at its threshold)\n", name, rep.N)
	fmt.Fprintf(w, "%-18s %9s %8s %9s %9s %7s %7s\n", "category", "threshold", "support", "predicted", "precision", "recall", "F1")
	for _, c := range rep.Categories {
		fmt.Fprintf(w, "%-18s %9.3f %8d %9d %9.3f %7.3f %7.3f\n", c.ID, c.Threshold, c.Support, c.Predicted, c.Precision, c.Recall, c.F1)
	}
	fmt.Fprintf(w, "macro-F1 %.3f, micro-F1 %.3f; sentences with no risk given a category: %.3f of %d\n\nrisk level accuracy %.3f:\n%s",
		rep.MacroF1, rep.MicroF1, rep.FalseAlarmRate, rep.NoRisk, rep.LevelAcc, indent(rep.levelConf.String()))
}

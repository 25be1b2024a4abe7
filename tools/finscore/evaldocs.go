package main

import (
	"fmt"
	"io"
	"slices"

	"finscore/core/dataset"
	"finscore/core/metrics"
	"finscore/core/scorer"
)

// documentReport is the document-level evaluation.
type documentReport struct {
	N                 int     `json:"n"`
	SentimentAccuracy float64 `json:"sentiment_accuracy"`
	SentimentMacroF1  float64 `json:"sentiment_macro_f1"`
	LevelAccuracy     float64 `json:"risk_level_accuracy"`
	// TopCategoryInTopTwo is, over the documents with a labelled top
	// category, the fraction whose first labelled category is among the
	// report's two strongest.
	TopCategoryInTopTwo float64            `json:"top_category_in_top_two"`
	WithTopCategory     int                `json:"with_top_category"`
	Sentiment           [][]int            `json:"sentiment_confusion"`
	Level               [][]int            `json:"level_confusion"`
	sentConf, levelConf *metrics.Confusion `json:"-"`
}

// evalDocuments scores each document whole and compares its sentiment, risk
// level and top categories with the labels.
func evalDocuments(s *scorer.Scorer, docs []dataset.Document) (*documentReport, error) {
	rep := &documentReport{N: len(docs), sentConf: metrics.NewConfusion(dataset.Labels), levelConf: metrics.NewConfusion(scorer.RiskLevels)}
	hits := 0
	for _, d := range docs {
		r, err := s.Score(d.Text, scorer.Options{})
		if err != nil {
			return nil, fmt.Errorf("document %s: %w", d.ID, err)
		}
		rep.sentConf.Add(slices.Index(dataset.Labels, d.Sentiment), slices.Index(dataset.Labels, r.Sentiment.Label))
		rep.levelConf.Add(scorer.LevelRank(d.RiskLevel), scorer.LevelRank(r.Risk.Level))
		if len(d.TopCategories) > 0 {
			rep.WithTopCategory++
			for _, c := range r.Risk.Categories[:min(2, len(r.Risk.Categories))] {
				if c.ID == d.TopCategories[0] {
					hits++
				}
			}
		}
	}
	rep.SentimentAccuracy, rep.SentimentMacroF1 = rep.sentConf.Accuracy(), rep.sentConf.MacroF1()
	rep.LevelAccuracy = rep.levelConf.Accuracy()
	rep.Sentiment, rep.Level = rep.sentConf.Counts, rep.levelConf.Counts
	if rep.WithTopCategory > 0 {
		rep.TopCategoryInTopTwo = float64(hits) / float64(rep.WithTopCategory)
	}
	return rep, nil
}

func printDocumentReport(w io.Writer, name string, rep *documentReport) {
	fmt.Fprintf(w, "documents %s (%d): sentiment accuracy %.3f (macro-F1 %.3f), risk level accuracy %.3f, labelled top category among the model's top two %.3f (of %d)\n",
		name, rep.N, rep.SentimentAccuracy, rep.SentimentMacroF1, rep.LevelAccuracy, rep.TopCategoryInTopTwo, rep.WithTopCategory)
	fmt.Fprintf(w, "\nsentiment:\n%s\nrisk level:\n%s", indent(rep.sentConf.String()), indent(rep.levelConf.String()))
}

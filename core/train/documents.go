package train

import (
	"fmt"
	"slices"

	"finscore/core/dataset"
	"finscore/core/metrics"
	"finscore/core/scorer"
)

// DocumentReport is a scorer measured on labelled documents, each scored
// whole: its sentiment and risk level against the labels, and whether the
// labelled top category is among the report's two strongest.
type DocumentReport struct {
	N                 int     `json:"n"`
	SentimentAccuracy float64 `json:"sentiment_accuracy"`
	SentimentMacroF1  float64 `json:"sentiment_macro_f1"`
	LevelAccuracy     float64 `json:"risk_level_accuracy"`
	// TopCategoryInTopTwo is, over the documents with a labelled top
	// category, the fraction whose first labelled category is among the
	// report's two strongest.
	TopCategoryInTopTwo float64 `json:"top_category_in_top_two"`
	WithTopCategory     int     `json:"with_top_category"`
	Sentiment           [][]int `json:"sentiment_confusion"`
	Level               [][]int `json:"level_confusion"`
	// SentimentConfusion and LevelConfusion are the confusion matrices
	// whose counts are Sentiment and Level, for printing.
	SentimentConfusion *metrics.Confusion `json:"-"`
	LevelConfusion     *metrics.Confusion `json:"-"`
}

// EvaluateDocuments scores each document whole and compares its sentiment,
// risk level and top categories with the labels.
func EvaluateDocuments(s *scorer.Scorer, docs []dataset.Document) (*DocumentReport, error) {
	rep := &DocumentReport{N: len(docs), SentimentConfusion: metrics.NewConfusion(dataset.Labels), LevelConfusion: metrics.NewConfusion(scorer.RiskLevels)}
	hits := 0
	for _, d := range docs {
		r, err := s.Score(d.Text, scorer.Options{})
		if err != nil {
			return nil, fmt.Errorf("document %s: %w", d.ID, err)
		}
		rep.SentimentConfusion.Add(slices.Index(dataset.Labels, d.Sentiment), slices.Index(dataset.Labels, r.Sentiment.Label))
		rep.LevelConfusion.Add(scorer.LevelRank(d.RiskLevel), scorer.LevelRank(r.Risk.Level))
		if len(d.TopCategories) > 0 {
			rep.WithTopCategory++
			for _, c := range r.Risk.Categories[:min(2, len(r.Risk.Categories))] {
				if c.ID == d.TopCategories[0] {
					hits++
				}
			}
		}
	}
	rep.SentimentAccuracy, rep.SentimentMacroF1 = rep.SentimentConfusion.Accuracy(), rep.SentimentConfusion.MacroF1()
	rep.LevelAccuracy = rep.LevelConfusion.Accuracy()
	rep.Sentiment, rep.Level = rep.SentimentConfusion.Counts, rep.LevelConfusion.Counts
	if rep.WithTopCategory > 0 {
		rep.TopCategoryInTopTwo = float64(hits) / float64(rep.WithTopCategory)
	}
	return rep, nil
}

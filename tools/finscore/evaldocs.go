package main

import (
	"fmt"
	"io"
	"os"

	"finscore/core/dataset"
	"finscore/core/train"
)

func readDocuments(path string, categories []string) ([]dataset.Document, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	docs, err := dataset.ReadDocuments(f, categories)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(docs) == 0 {
		return nil, fmt.Errorf("%s: no documents", path)
	}
	return docs, nil
}

func printDocumentReport(w io.Writer, name string, rep *train.DocumentReport) {
	fmt.Fprintf(w, "documents %s (%d): sentiment accuracy %.3f (macro-F1 %.3f), risk level accuracy %.3f, labelled top category among the model's top two %.3f (of %d)\n",
		name, rep.N, rep.SentimentAccuracy, rep.SentimentMacroF1, rep.LevelAccuracy, rep.TopCategoryInTopTwo, rep.WithTopCategory)
	fmt.Fprintf(w, "\nsentiment:\n%s\nrisk level:\n%s", indent(rep.SentimentConfusion.String()), indent(rep.LevelConfusion.String()))
}

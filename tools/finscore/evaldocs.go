package main

import (
	"fmt"
	"io"

	"finscore/core/train"
)

func printDocumentReport(w io.Writer, name string, rep *train.DocumentReport) {
	fmt.Fprintf(w, "documents %s (%d): sentiment accuracy %.3f (macro-F1 %.3f), risk level accuracy %.3f, labelled top category among the model's top two %.3f (of %d)\n",
		name, rep.N, rep.SentimentAccuracy, rep.SentimentMacroF1, rep.LevelAccuracy, rep.TopCategoryInTopTwo, rep.WithTopCategory)
	fmt.Fprintf(w, "\nsentiment:\n%s\nrisk level:\n%s", indent(rep.SentimentConfusion.String()), indent(rep.LevelConfusion.String()))
}

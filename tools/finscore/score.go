package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"

	"finscore/core/scorer"
)

// defaultModel is the shipped scoring bundle.
const defaultModel = "weights/finscore.fsb"

func runScore(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("score", "[--weights FILE] [--explain] < in.jsonl > out.jsonl",
		"Reads JSON Lines, one {\"text\": \"...\"} document per line, and writes one report per\n"+
			"line, in input order: overall sentiment (label, calibrated probabilities, signal in\n"+
			"[-1, 1]), risk (level, score, categories with evidence sentence indexes), every\n"+
			"sentence with its byte offsets and scores, and a one-line summary. An empty text\n"+
			"gets an empty report. Invalid JSON, a missing or non-string \"text\", invalid UTF-8 or\n"+
			"a text over 4 MiB stops the run with an error naming the line; lines before it have\n"+
			"been written.", stderr)
	weights := fs.String("weights", defaultModel, "model bundle with sentiment and risk heads (made by \"finscore train\")")
	explain := fs.Bool("explain", false, "add each sentence's driving words (occlusion: the score change when the word is left out; at most 128 windows re-read per sentence, the words left untried counted in unexplained_words)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	s, err := loadScorer(*weights)
	if err != nil {
		return err
	}
	out := bufio.NewWriter(stdout)
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	err = readTexts(stdin, func(line int, text string) error {
		r, err := s.Score(text, scorer.Options{Explain: *explain})
		if err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		if err := enc.Encode(r); err != nil {
			return err
		}
		return out.Flush()
	})
	if ferr := out.Flush(); err == nil {
		err = ferr
	}
	return err
}

// loadScorer reads a bundle file and builds its scorer.
func loadScorer(path string) (*scorer.Scorer, error) {
	s, _, err := scorer.LoadFile(path)
	return s, err
}

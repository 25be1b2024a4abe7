// Package dataset reads labelled sentiment text: CSV files with a text
// column and a label column, whatever their source names the labels, into
// one three-class form.
package dataset

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"unicode/utf8"
)

// The three sentiment classes, in the order models use.
const (
	Negative = iota
	Neutral
	Positive
)

// Labels names the classes by index.
var Labels = []string{"negative", "neutral", "positive"}

// Example is one labelled text.
type Example struct {
	Text  string
	Label int
	// Source names the file the example came from (empty when unknown) and
	// Row is its 1-based data-record number there (header not counted), so
	// that labels kept elsewhere can refer to it.
	Source string
	Row    int
}

// ErrSkip, returned by a LabelFunc, drops the row (for example SEntFiN's
// "mixed" headlines, which have no single sentiment).
var ErrSkip = errors.New("dataset: skip row")

// LabelFunc maps a source's label text to a class.
type LabelFunc func(string) (int, error)

// NamedLabel reads "negative", "neutral" and "positive" (any case) and
// skips "mixed".
func NamedLabel(s string) (int, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "mixed" {
		return 0, ErrSkip
	}
	if i := slices.Index(Labels, s); i >= 0 {
		return i, nil
	}
	return 0, fmt.Errorf("unknown label %q (want negative, neutral or positive)", s)
}

// TwitterLabel reads the Twitter Financial News labels: 0 bearish,
// 1 bullish, 2 neutral.
func TwitterLabel(s string) (int, error) {
	switch strings.TrimSpace(s) {
	case "0":
		return Negative, nil
	case "1":
		return Positive, nil
	case "2":
		return Neutral, nil
	}
	return 0, fmt.Errorf("unknown label %q (want 0 bearish, 1 bullish or 2 neutral)", s)
}

// ReadCSV reads examples from a CSV file with a header row, taking the
// named text and label columns. Errors name the row.
func ReadCSV(r io.Reader, textColumn, labelColumn string, label LabelFunc) ([]Example, error) {
	cr := csv.NewReader(r)
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("dataset: reading header: %w", err)
	}
	ti, li := slices.Index(header, textColumn), slices.Index(header, labelColumn)
	if ti < 0 || li < 0 {
		return nil, fmt.Errorf("dataset: header %q lacks column %q or %q", header, textColumn, labelColumn)
	}
	var out []Example
	for row := 2; ; row++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("dataset: %w", err)
		}
		if !utf8.ValidString(rec[ti]) {
			return nil, fmt.Errorf("dataset: row %d: text is not valid UTF-8", row)
		}
		y, err := label(rec[li])
		if errors.Is(err, ErrSkip) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("dataset: row %d: %w", row, err)
		}
		out = append(out, Example{Text: rec[ti], Label: y, Row: row - 1})
	}
}

// Split shuffles examples with a seeded generator and returns the first
// (1-fraction) and the last fraction. The input is not modified.
func Split(examples []Example, fraction float64, seed uint64) (rest, held []Example) {
	shuffled := slices.Clone(examples)
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	n := int(float64(len(shuffled)) * fraction)
	return shuffled[:len(shuffled)-n], shuffled[len(shuffled)-n:]
}

// Counts returns how many examples each class has.
func Counts(examples []Example) [3]int {
	var c [3]int
	for _, e := range examples {
		c[e.Label]++
	}
	return c
}

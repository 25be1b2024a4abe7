package dataset

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// NoSentiment is Labelled.Sentiment for text without a sentiment label.
const NoSentiment = -1

// Levels are the risk levels a labeller gives, from none to high.
var Levels = []string{"none", "low", "medium", "high"}

// Labelled is one text with the labels of weights/LABELLING.md that it
// has: a sentiment class (or NoSentiment), and, when Risk is true, its risk
// categories (possibly none) and level.
type Labelled struct {
	ID         string
	Text       string
	Sentiment  int
	Risk       bool
	Categories []string
	Level      string
	// Source and Row name the data-set record the text came from (empty
	// and 0 for team-written text).
	Source string
	Row    int
}

// ReadLabelledCSV reads a labelled CSV with a header: a text column and a
// categories and level column ("|"-separated category ids, empty for none),
// and optionally id, sentiment, source and row columns. It checks every
// category against categories and every label against the guide's.
func ReadLabelledCSV(r io.Reader, categories []string) ([]Labelled, error) {
	cr := csv.NewReader(r)
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("dataset: reading header: %w", err)
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\uFEFF")
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	for _, need := range []string{"text", "categories", "level"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("dataset: header %q lacks column %q", header, need)
		}
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok {
			return rec[i]
		}
		return ""
	}
	var out []Labelled
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("dataset: %w", err)
		}
		l := Labelled{ID: get(rec, "id"), Text: get(rec, "text"), Sentiment: NoSentiment, Risk: true, Level: get(rec, "level"), Source: get(rec, "source")}
		fmt.Sscan(get(rec, "row"), &l.Row)
		if err := l.parse(get(rec, "categories"), get(rec, "sentiment"), categories); err != nil {
			return nil, fmt.Errorf("dataset: record %d: %w", line-1, err)
		}
		out = append(out, l)
	}
}

func (l *Labelled) parse(cats, sentiment string, known []string) error {
	if !utf8.ValidString(l.Text) || strings.TrimSpace(l.Text) == "" {
		return fmt.Errorf("text %q is empty or not valid UTF-8", l.Text)
	}
	if cats != "" {
		l.Categories = strings.Split(cats, "|")
	}
	for _, c := range l.Categories {
		if !slices.Contains(known, c) {
			return fmt.Errorf("unknown risk category %q", c)
		}
	}
	level := slices.Index(Levels, l.Level)
	if level < 0 {
		return fmt.Errorf("unknown level %q (want none, low, medium or high)", l.Level)
	}
	if len(l.Categories) > 0 && level == 0 {
		return fmt.Errorf("categories %q with level none", l.Categories)
	}
	if sentiment != "" {
		y, err := NamedLabel(sentiment)
		if err != nil {
			return err
		}
		l.Sentiment = y
	}
	return nil
}

// Document is a multi-sentence text with document-level labels
// (weights/documents/*.jsonl).
type Document struct {
	ID            string   `json:"id"`
	Kind          string   `json:"kind"`
	Text          string   `json:"text"`
	Sentiment     string   `json:"sentiment"`
	RiskLevel     string   `json:"risk_level"`
	TopCategories []string `json:"top_categories"`
}

// ReadDocuments reads JSON Lines documents and checks their labels.
func ReadDocuments(r io.Reader, categories []string) ([]Document, error) {
	dec := json.NewDecoder(r)
	var out []Document
	for n := 1; ; n++ {
		var d Document
		err := dec.Decode(&d)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("dataset: document %d: %w", n, err)
		}
		l := Labelled{Text: d.Text, Level: d.RiskLevel}
		if err := l.parse(strings.Join(d.TopCategories, "|"), d.Sentiment, categories); err != nil {
			return nil, fmt.Errorf("dataset: document %d (%s): %w", n, d.ID, err)
		}
		out = append(out, d)
	}
}

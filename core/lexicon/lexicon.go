// Package lexicon is a word-counting sentiment baseline: a finance lexicon
// written by the finscore team (lexicon.json), so that evaluations show what
// the Transformer adds over counting words.
package lexicon

import (
	_ "embed"
	"encoding/json"
	"strings"
	"unicode"
)

//go:embed lexicon.json
var lexiconJSON []byte

// Lexicon holds the positive and negative cue words, lower-case.
type Lexicon struct {
	Positive map[string]bool
	Negative map[string]bool
	Negators map[string]bool
}

// Default is the team's finance lexicon.
var Default = mustParse(lexiconJSON)

func mustParse(data []byte) *Lexicon {
	var f struct{ Positive, Negative, Negators []string }
	if err := json.Unmarshal(data, &f); err != nil {
		panic("lexicon: embedded lexicon.json: " + err.Error())
	}
	set := func(words []string) map[string]bool {
		m := map[string]bool{}
		for _, w := range words {
			m[strings.ToLower(w)] = true
		}
		return m
	}
	return &Lexicon{Positive: set(f.Positive), Negative: set(f.Negative), Negators: set(f.Negators)}
}

// Score counts positive minus negative cue words; a negator ("not", "no")
// within the two words before a cue flips it.
func (l *Lexicon) Score(text string) int {
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && r != '-' && r != '\''
	})
	score := 0
	for i, w := range words {
		v := 0
		if l.Positive[w] {
			v = 1
		} else if l.Negative[w] {
			v = -1
		}
		for j := max(0, i-2); j < i && v != 0; j++ {
			if l.Negators[words[j]] {
				v = -v
				break
			}
		}
		score += v
	}
	return score
}

// Label is "positive", "negative" or "neutral" by the sign of Score.
func (l *Lexicon) Label(text string) string {
	switch s := l.Score(text); {
	case s > 0:
		return "positive"
	case s < 0:
		return "negative"
	}
	return "neutral"
}

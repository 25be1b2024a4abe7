package tokenize

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
)

// Spec is the tokenizer's entry in a bundle manifest.
type Spec struct {
	// Type names the algorithm; the only one is TypeUSE.
	Type string `json:"type"`
	// Vocab lists the pieces in id order as [text, score] pairs, the layout
	// of the reference's vocab.json.
	Vocab []Piece `json:"vocab"`
}

// TypeUSE is Spec.Type for the Universal Sentence Encoder's tokenizer.
const TypeUSE = "use-sentencepiece"

// FromSpec builds a tokenizer from a manifest entry.
func FromSpec(s Spec) (*Tokenizer, error) {
	if s.Type != TypeUSE {
		return nil, fmt.Errorf("tokenize: unknown tokenizer type %q (want %q)", s.Type, TypeUSE)
	}
	return New(s.Vocab)
}

// MarshalJSON writes a piece as the pair [text, score].
func (p Piece) MarshalJSON() ([]byte, error) {
	return json.Marshal([2]any{p.Text, p.Score})
}

// UnmarshalJSON reads a piece from the pair [text, score].
func (p *Piece) UnmarshalJSON(data []byte) error {
	var pair []json.RawMessage
	if err := json.Unmarshal(data, &pair); err != nil || len(pair) != 2 {
		return fmt.Errorf("tokenize: vocabulary entry %.40s is not a [text, score] pair", data)
	}
	if text, ok := plainJSONString(pair[0]); ok {
		p.Text = text // the common case, without reflection: loading parses thousands
	} else if err := json.Unmarshal(pair[0], &p.Text); err != nil {
		return fmt.Errorf("tokenize: vocabulary entry %.40s: text is not a string", data)
	}
	// Seven pieces of the reference vocab.json (":", "://", "▁:", ...) have
	// the score null. JavaScript adds null as 0, the best possible score,
	// so null reads as 0 here too.
	p.Score = 0
	if string(pair[1]) == "null" {
		return nil
	}
	// pair[1] is valid JSON (the decoder checked the whole entry), so a
	// number reads the same with ParseFloat; anything else fails to parse.
	var err error
	if p.Score, err = strconv.ParseFloat(string(pair[1]), 64); err != nil || math.IsNaN(p.Score) || math.IsInf(p.Score, 0) {
		return fmt.Errorf("tokenize: vocabulary entry %.40s: score is not a finite number", data)
	}
	return nil
}

// plainJSONString returns the text of a JSON string literal that has no
// escapes and is valid UTF-8, where decoding would change nothing.
func plainJSONString(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	body := raw[1 : len(raw)-1]
	if bytes.IndexByte(body, '\\') >= 0 || bytes.IndexByte(body, '"') >= 0 || !utf8.Valid(body) {
		return "", false
	}
	return string(body), true
}

// ParseVocabJSON reads a vocabulary in the reference's vocab.json layout:
// a JSON array of [text, score] pairs in id order.
func ParseVocabJSON(data []byte) ([]Piece, error) {
	var vocab []Piece
	if err := json.Unmarshal(data, &vocab); err != nil {
		return nil, fmt.Errorf("tokenize: reading vocabulary: %w", err)
	}
	return vocab, nil
}

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

// MaxPieces bounds a vocabulary. It is the most embedding rows the encoder
// accepts (its vocab_size limit); the shipped vocabulary has 8,000 pieces.
// Each piece costs a string, a trie path and a map entry or more, so
// ParseSpec and ParseVocabJSON count the pieces before decoding them and
// refuse a larger vocabulary without building anything.
const MaxPieces = 1 << 16

// FromSpec builds a tokenizer from a manifest entry.
func FromSpec(s Spec) (*Tokenizer, error) {
	if s.Type != TypeUSE {
		return nil, fmt.Errorf("tokenize: unknown tokenizer type %q (want %q)", s.Type, TypeUSE)
	}
	if len(s.Vocab) > MaxPieces {
		return nil, fmt.Errorf("tokenize: vocabulary has %d pieces, more than the limit of %d", len(s.Vocab), MaxPieces)
	}
	return New(s.Vocab)
}

// ParseSpec decodes a manifest entry. It counts the pieces before decoding
// them, which costs no allocation, and refuses more than MaxPieces.
func ParseSpec(data []byte) (Spec, error) {
	var s Spec
	if countNested(data, 2, MaxPieces+1) > MaxPieces {
		return s, fmt.Errorf("tokenize: vocabulary has more than %d pieces", MaxPieces)
	}
	err := json.Unmarshal(data, &s)
	return s, err
}

// MarshalJSON writes a piece as the pair [text, score].
func (p Piece) MarshalJSON() ([]byte, error) {
	return json.Marshal([2]any{p.Text, p.Score})
}

// UnmarshalJSON reads a piece from the pair [text, score]. It splits the
// pair itself rather than through encoding/json: loading decodes thousands.
func (p *Piece) UnmarshalJSON(data []byte) error {
	text, score, ok := splitPair(data)
	if !ok {
		return fmt.Errorf("tokenize: vocabulary entry %.40s is not a [text, score] pair", data)
	}
	if t, ok := plainJSONString(text); ok {
		p.Text = t // the common case, without reflection
	} else if err := json.Unmarshal(text, &p.Text); err != nil {
		return fmt.Errorf("tokenize: vocabulary entry %.40s: text is not a string", data)
	}
	// Seven pieces of the reference vocab.json (":", "://", "▁:", ...) have
	// the score null. JavaScript adds null as 0, the best possible score,
	// so null reads as 0 here too.
	p.Score = 0
	if string(score) == "null" {
		return nil
	}
	// The decoder checked that the entry is valid JSON, so a number reads
	// the same with ParseFloat; anything else fails to parse.
	var err error
	if p.Score, err = strconv.ParseFloat(string(score), 64); err != nil || math.IsNaN(p.Score) || math.IsInf(p.Score, 0) {
		return fmt.Errorf("tokenize: vocabulary entry %.40s: score is not a finite number", data)
	}
	return nil
}

// splitPair splits the JSON array [text, score] into its two elements,
// text being a string literal; it reports false for any other shape.
func splitPair(data []byte) (text, score []byte, ok bool) {
	data = bytes.TrimSpace(data)
	if len(data) < 2 || data[0] != '[' || data[len(data)-1] != ']' {
		return nil, nil, false
	}
	inner := bytes.TrimSpace(data[1 : len(data)-1])
	if len(inner) == 0 || inner[0] != '"' {
		return nil, nil, false
	}
	end := 1
	for end < len(inner) && inner[end] != '"' {
		if inner[end] == '\\' {
			end++ // the escaped byte cannot end the string
		}
		end++
	}
	if end >= len(inner) {
		return nil, nil, false
	}
	text, rest := inner[:end+1], bytes.TrimSpace(inner[end+1:])
	if len(rest) < 2 || rest[0] != ',' {
		return nil, nil, false
	}
	return text, bytes.TrimSpace(rest[1:]), true
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
// a JSON array of [text, score] pairs in id order, of at most MaxPieces.
func ParseVocabJSON(data []byte) ([]Piece, error) {
	if countNested(data, 1, MaxPieces+1) > MaxPieces {
		return nil, fmt.Errorf("tokenize: vocabulary has more than %d pieces", MaxPieces)
	}
	var vocab []Piece
	if err := json.Unmarshal(data, &vocab); err != nil {
		return nil, fmt.Errorf("tokenize: reading vocabulary: %w", err)
	}
	return vocab, nil
}

// countNested counts the elements of the JSON arrays (and the members of
// the objects) nested depth levels deep in data, stopping at limit: at
// depth 1, the pieces of a vocabulary; at depth 2, those of a Spec (its one
// array). It follows strings and nesting and checks nothing else: for data
// that is not valid JSON the count means nothing, and decoding will fail.
func countNested(data []byte, depth, limit int) int {
	n, d, inString, fresh := 0, 0, false, false
	for i := 0; i < len(data) && n < limit; i++ {
		c := data[i]
		if inString {
			if c == '\\' {
				i++ // the escaped byte cannot end the string
			} else if c == '"' {
				inString = false
			}
			continue
		}
		if fresh && c > ' ' { // the first byte after a container opens
			fresh = false
			if c != ']' && c != '}' {
				n++
			}
		}
		switch c {
		case '"':
			inString = true
		case '[', '{':
			d++
			fresh = d == depth
		case ']', '}':
			d--
		case ',':
			if d == depth {
				n++ // another element follows
			}
		}
	}
	return n
}

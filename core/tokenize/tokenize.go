// Package tokenize turns text into the token ids of Universal Sentence Encoder
// Lite's SentencePiece vocabulary, exactly as the reference tokenizer does.
//
// The reference is the Tokenizer class of the npm package
// @tensorflow-models/universal-sentence-encoder@1.3.3 (dist/tokenizer). Its
// steps, all reproduced here, quirks included:
//
//  1. NFKC-normalise the text. If the result is not empty, prefix U+2581 and
//     replace every ASCII space with U+2581. (Tabs, newlines and other spaces
//     are left alone.)
//  2. Split the result into UTF-16 code units, not code points: the reference
//     iterates a JavaScript string by index, so an astral character such as
//     an emoji is two symbols, and vocabulary pieces are matched code unit by
//     code unit.
//  3. Build a lattice from every vocabulary piece that starts at each
//     position (ids 0..5 are reserved and never matched). A position where no
//     piece starts gets a one-symbol unknown piece (id 0) with score 0.
//  4. Viterbi, forward, with the reference's comparison: a candidate replaces
//     the best path ending at a position when the stored best score is exactly
//     0 or when candidate >= best (ties go to the later start, i.e. the shorter
//     last piece). Scores are summed in float64, as JavaScript numbers are.
//  5. Backward, stepping back by the length in UTF-16 code units of the chosen
//     piece's vocabulary string (for the unknown id, the length of piece 0).
//  6. Merge runs of consecutive unknown ids into one.
//
// The tokenizer keeps its own piece table (the vocabulary's texts in id
// order) for id lookups, so the browser engine links no more than this
// package and golang.org/x/text. github.com/sugarme/tokenizer's unigram model
// serves the native side only: package spcheck loads the vocabulary into it
// and checks that both agree on every piece. Its own Viterbi cannot be used:
// it walks UTF-8 bytes, scores unknowns as min-score minus 10, adds a
// length bonus and caps pieces at 20 characters, so it segments differently
// from the reference. Normalisation uses golang.org/x/text's NFKC directly:
// sugarme's normalizer.NFKC leaves some sequences decomposed ("Cafe" plus
// U+0301 stays two code points), which changed the ids of 27 of the 48,217
// data-set sentences when tried.
package tokenize

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// ReservedCount is the number of leading vocabulary ids (unknown, control and
// user-defined symbols) that the reference never matches against text.
const ReservedCount = 6

// UnknownID is the id emitted for text that no vocabulary piece covers.
const UnknownID = 0

// Separator replaces ASCII spaces and starts every non-empty text.
const Separator = '\u2581'

// ErrInvalidUTF8 is returned for text that is not valid UTF-8.
var ErrInvalidUTF8 = errors.New("tokenize: text is not valid UTF-8")

// Piece is one vocabulary entry: its text and its log-probability score.
type Piece struct {
	Text  string
	Score float64
}

// Tokenizer encodes text to ids. It is safe for concurrent use.
type Tokenizer struct {
	pieces []string // each id's vocabulary text
	// units holds each piece's length in UTF-16 code units, used by the
	// backward pass exactly as the reference uses string.length.
	units []int
	trie  trie
}

// New builds a tokenizer from the vocabulary in id order.
func New(vocab []Piece) (*Tokenizer, error) {
	if len(vocab) <= ReservedCount {
		return nil, fmt.Errorf("tokenize: vocabulary has %d pieces, need more than the %d reserved ones", len(vocab), ReservedCount)
	}
	pieces := make([]string, len(vocab))
	units := make([]int, len(vocab))
	t := trie{edges: make(map[edge]int32, 4*len(vocab))}
	t.nodes = append(t.nodes, trieNode{id: -1}) // root
	var buf []uint16
	for i, p := range vocab {
		if !utf8.ValidString(p.Text) {
			return nil, fmt.Errorf("tokenize: vocabulary piece %d is not valid UTF-8", i)
		}
		pieces[i] = p.Text
		buf = buf[:0]
		for _, r := range p.Text {
			buf = utf16.AppendRune(buf, r)
		}
		units[i] = len(buf)
		if i >= ReservedCount {
			if len(buf) == 0 {
				return nil, fmt.Errorf("tokenize: vocabulary piece %d is empty", i)
			}
			t.insert(buf, int32(i), p.Score)
		}
	}
	if units[UnknownID] == 0 {
		return nil, fmt.Errorf("tokenize: the unknown piece (id %d) must not be empty", UnknownID)
	}
	return &Tokenizer{pieces: pieces, units: units, trie: t}, nil
}

// VocabSize is the number of pieces, reserved ones included.
func (t *Tokenizer) VocabSize() int { return len(t.pieces) }

// Piece returns the vocabulary text of id, or false if id is out of range.
func (t *Tokenizer) Piece(id int) (string, bool) {
	if id < 0 || id >= len(t.pieces) {
		return "", false
	}
	return t.pieces[id], true
}

// Normalize applies the reference's text preparation: NFKC, then U+2581 as a
// prefix and in place of every ASCII space (nothing for an empty result).
func Normalize(text string) string {
	n := norm.NFKC.String(text)
	if n == "" {
		return n
	}
	return string(Separator) + strings.ReplaceAll(n, " ", string(Separator))
}

// Encode returns the token ids of text. Empty text gives no ids.
func (t *Tokenizer) Encode(text string) ([]int32, error) {
	if !utf8.ValidString(text) {
		return nil, ErrInvalidUTF8
	}
	symbols := utf16.Encode([]rune(Normalize(text)))
	n := len(symbols)
	best := make([]float64, n+1)
	words := make([]int32, n+1)
	for start := 0; start < n; start++ {
		// Every update to best[start] comes from an earlier start, so it is
		// final here; visiting starts in ascending order also matches the
		// reference's order of candidates for each end position.
		matched := false
		t.trie.prefixes(symbols[start:], func(length int, id int32, score float64) {
			matched = true
			relax(best, words, start, start+length, id, score)
		})
		if !matched {
			relax(best, words, start, start+1, UnknownID, 0)
		}
	}
	var ids []int32
	for end := n; end > 0; {
		id := words[end]
		ids = append(ids, id)
		end -= t.units[id]
	}
	// Merge consecutive unknowns, then restore text order.
	merged := ids[:0]
	prevUnknown := false
	for _, id := range ids {
		if !(prevUnknown && id == UnknownID) {
			merged = append(merged, id)
		}
		prevUnknown = id == UnknownID
	}
	for i, j := 0, len(merged)-1; i < j; i, j = i+1, j-1 {
		merged[i], merged[j] = merged[j], merged[i]
	}
	return merged, nil
}

// relax offers the piece id spanning [start, end) as the last piece of the
// best path to end, with the reference's comparison quirks.
func relax(best []float64, words []int32, start, end int, id int32, score float64) {
	s := score + best[start]
	if best[end] == 0 || s >= best[end] {
		best[end] = s
		words[end] = id
	}
}

// trie is a prefix tree over UTF-16 code units.
type trie struct {
	nodes []trieNode
	edges map[edge]int32 // (parent node, code unit) -> child node
}

type trieNode struct {
	id    int32 // vocabulary id ending here, or -1
	score float64
}

type edge struct {
	node int32
	unit uint16
}

// insert adds a piece. A later duplicate replaces an earlier one, as in the
// reference.
func (t *trie) insert(units []uint16, id int32, score float64) {
	node := int32(0)
	for _, u := range units {
		child, ok := t.edges[edge{node, u}]
		if !ok {
			child = int32(len(t.nodes))
			t.nodes = append(t.nodes, trieNode{id: -1})
			t.edges[edge{node, u}] = child
		}
		node = child
	}
	t.nodes[node].id = id
	t.nodes[node].score = score
}

// prefixes calls fn for every piece that is a prefix of s, shortest first.
func (t *trie) prefixes(s []uint16, fn func(length int, id int32, score float64)) {
	node := int32(0)
	for i, u := range s {
		child, ok := t.edges[edge{node, u}]
		if !ok {
			return
		}
		node = child
		if n := t.nodes[node]; n.id >= 0 {
			fn(i+1, n.id, n.score)
		}
	}
}

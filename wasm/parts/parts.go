// Package parts carries one document's sentence scores between the
// engine's instances (the page's Web Workers): each scores a part of the
// document (scorer.ScorePart) and Encodes it; one Decodes all parts against
// the document and assembles the report (scorer.Assemble).
//
// A part travels as bytes: the JSON of its sentence scores without their
// texts (each sentence's text, and each driving word, is a span of the
// document, restored from it), behind the document's checksum. So the
// parts of a document weigh about as much as its report without the text,
// whatever the text holds, and a part cannot be assembled with another
// document or with offsets outside the document's sentences.
package parts

import (
	"encoding/json"
	"fmt"
	"hash/crc32"
	"unicode/utf8"

	"finscore/core/scorer"
)

// MaxBytes bounds the parts of one document, all together, so that a
// runaway input is refused before it is copied. A part takes about 270
// bytes per sentence (more with risk categories or driving words): 80 MB
// for 300,000 sentences. The parts of any text whose report the engine can
// hold in its memory (4 GiB at most, the report and the sentences' scores
// taking several times the parts' bytes) stay below it.
const MaxBytes = 1 << 30

// part is the layout of one part.
type part struct {
	Checksum  uint32                 `json:"checksum"` // CRC-32 (IEEE) of the document
	Sentences []scorer.SentenceScore `json:"sentences"`
}

// Encode returns one part's sentences, as scorer.ScorePart returned them
// for doc, in the form Decode reads.
func Encode(doc string, sents []scorer.SentenceScore) ([]byte, error) {
	out := make([]scorer.SentenceScore, len(sents))
	for i, s := range sents {
		s.Text = ""
		if s.Drivers != nil {
			s.Drivers = append([]scorer.Driver(nil), s.Drivers...)
			for j := range s.Drivers {
				s.Drivers[j].Word = ""
			}
		}
		out[i] = s
	}
	return json.Marshal(part{Checksum: crc32.ChecksumIEEE([]byte(doc)), Sentences: out})
}

// Decode reads the parts of doc, in order, and returns all their sentences
// with their texts restored: the sentences must be exactly doc's
// (scorer.SplitSentences), and every driving word a span of its sentence.
// It does not check the scores; scorer.Assemble does.
func Decode(doc string, parts [][]byte) ([]scorer.SentenceScore, error) {
	total := 0
	for _, p := range parts {
		total += len(p)
	}
	if total > MaxBytes {
		return nil, fmt.Errorf("the parts are %d bytes, more than the %d of any document's", total, MaxBytes)
	}
	spans := scorer.SplitSentences(doc)
	sum := crc32.ChecksumIEEE([]byte(doc))
	var all []scorer.SentenceScore
	for k, data := range parts {
		var p part
		if err := json.Unmarshal(data, &p); err != nil {
			return nil, fmt.Errorf("part %d is not a part of a document: %v", k, err)
		}
		if p.Checksum != sum {
			return nil, fmt.Errorf("part %d was scored from another text", k)
		}
		if len(all)+len(p.Sentences) > len(spans) {
			return nil, fmt.Errorf("the parts hold more sentences than the text's %d", len(spans))
		}
		for _, s := range p.Sentences {
			if err := restore(doc, spans[len(all)], len(all), &s); err != nil {
				return nil, fmt.Errorf("part %d: %w", k, err)
			}
			all = append(all, s)
		}
	}
	if len(all) != len(spans) {
		return nil, fmt.Errorf("the parts hold %d sentences, the text %d", len(all), len(spans))
	}
	return all, nil
}

// restore checks that s, the i-th sentence of the parts, is the text's
// sentence sp, and gives it and its driving words their texts.
func restore(doc string, sp scorer.Span, i int, s *scorer.SentenceScore) error {
	if s.Start != sp.Start || s.End != sp.End {
		return fmt.Errorf("sentence %d is bytes %d to %d, but the text's sentence %d is bytes %d to %d", i, s.Start, s.End, i, sp.Start, sp.End)
	}
	s.Text = doc[sp.Start:sp.End]
	for j := range s.Drivers {
		d := &s.Drivers[j]
		if d.Start < sp.Start || d.End > sp.End || d.Start >= d.End || !runeStart(doc, d.Start) || !runeStart(doc, d.End) {
			return fmt.Errorf("sentence %d's driving word %d is bytes %d to %d, not a span of the sentence's characters (bytes %d to %d)", i, j, d.Start, d.End, sp.Start, sp.End)
		}
		d.Word = doc[d.Start:d.End]
	}
	return nil
}

// runeStart reports whether offset i of doc (0 ≤ i ≤ len(doc)) is at the
// start of a character or the end of the text.
func runeStart(doc string, i int) bool {
	return i == len(doc) || utf8.RuneStart(doc[i])
}

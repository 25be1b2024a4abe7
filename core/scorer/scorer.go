// Package scorer is the product's meaning: it turns text into sentences,
// scores each for sentiment and risk, and aggregates a document report.
//
// The files follow the jobs: scorer.go loads a model and scores, parts.go
// shares one document among several scorers and assembles their parts,
// report.go holds the report and how sentences add up to a document,
// explain.go finds each sentence's driving words, sentences.go cuts text
// into sentences, and head.go, risk.go and taxonomy.go hold the heads and
// the risk categories.
package scorer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"finscore/core/bundle"
	"finscore/core/embed"
	"finscore/core/encoder"
)

// Scorer turns text into a Report with one model bundle. It reuses buffers
// between calls and is not safe for concurrent use.
type Scorer struct {
	emb       *embed.Embedder
	sentiment *SentimentHead
	risk      *RiskHead
}

// FromBundle loads both heads of a bundle, then its encoder and tokenizer:
// the small heads first, so that a bundle that cannot score is refused
// before the expensive part. See also Load and LoadFile.
func FromBundle(b *bundle.Bundle) (*Scorer, error) {
	cfg, err := encoder.BundleConfig(b)
	if err != nil {
		return nil, err
	}
	s, err := LoadSentimentHead(b, cfg.OutputDim)
	if err != nil {
		return nil, err
	}
	r, err := LoadRiskHead(b, cfg.OutputDim)
	if err != nil {
		return nil, err
	}
	e, err := embed.FromBundle(b)
	if err != nil {
		return nil, err
	}
	return &Scorer{emb: e, sentiment: s, risk: r}, nil
}

// Embedder is the tokenizer and encoder the scorer runs on; embedding with
// it shares the scorer's buffers, so it is not safe to use concurrently with
// Score.
func (s *Scorer) Embedder() *embed.Embedder { return s.emb }

// MaxTextBytes bounds one document, about 200 pages of plain text.
const MaxTextBytes = 4 << 20

// Options adjust one Score call.
type Options struct {
	// Explain adds, for each sentence, the words that most moved its scores.
	Explain bool
	// Progress, if set, is called as sentences are scored.
	Progress func(done, total int)
	// Stop, if set, is asked between two batches of the model's work
	// (at most batchSize windows, about a second natively) whether to stop;
	// when it says yes, the call returns ErrCanceled. With a context:
	// Stop: func() bool { return ctx.Err() != nil }.
	Stop func() bool
}

// ErrTooLarge is returned for a document over MaxTextBytes.
var ErrTooLarge = fmt.Errorf("scorer: text is larger than %d bytes", MaxTextBytes)

// ErrInvalidUTF8 is returned for text that is not valid UTF-8.
var ErrInvalidUTF8 = errors.New("scorer: text is not valid UTF-8")

// ErrCanceled is returned when Options.Stop asked to stop. It wraps
// context.Canceled.
var ErrCanceled = fmt.Errorf("scorer: scoring was stopped: %w", context.Canceled)

// batchSize is the number of windows (sentences, mostly) encoded together.
const batchSize = 32

// Score scores a document: each sentence, then the whole.
func (s *Scorer) Score(text string, opt Options) (*Report, error) {
	sents, err := s.ScorePart(text, 0, 1, opt)
	if err != nil {
		return nil, err
	}
	return s.Assemble(sents)
}

// scoreSentences scores the sentences doc[sp.Start:sp.End] of spans. Each
// is read in windows (windows.go); the windows of about batchSize
// sentences are embedded together, then the sentences are explained if
// asked. Progress is told the total at once, then the sentences done after
// each batch.
func (s *Scorer) scoreSentences(doc string, spans []Span, opt Options) ([]SentenceScore, error) {
	out := make([]SentenceScore, len(spans))
	if opt.Progress != nil && len(spans) > 0 {
		opt.Progress(0, len(spans))
	}
	for i := 0; i < len(spans); {
		var wins [][]window
		var texts []string
		for i+len(wins) < len(spans) && len(texts) < batchSize {
			w, err := s.windows(doc, spans[i+len(wins)])
			if err != nil {
				return nil, err
			}
			wins = append(wins, w)
			texts = append(texts, windowTexts(doc, w)...)
		}
		scores, err := s.scoreWindows(texts, opt.Stop)
		if err != nil {
			return nil, err
		}
		for _, w := range wins {
			sp := spans[i]
			st := SentenceScore{Text: doc[sp.Start:sp.End], Start: sp.Start, End: sp.End, Windows: len(w)}
			st.Sentiment, st.Risk = s.combine(scores[:len(w)])
			if opt.Explain {
				if st.Drivers, st.UnexplainedWords, err = s.explain(doc, sp, w, scores[:len(w)], opt.Stop); err != nil {
					return nil, err
				}
			}
			scores = scores[len(w):]
			out[i] = st
			i++
		}
		if opt.Progress != nil {
			opt.Progress(i, len(spans))
		}
	}
	return out, nil
}

// windows cuts the sentence doc[sp.Start:sp.End] into the windows the
// encoder reads (windowsOf).
func (s *Scorer) windows(doc string, sp Span) ([]window, error) {
	return windowsOf(doc, sp, s.emb.Model.Config.MaxLen, func(text string) (int, error) {
		ids, err := s.emb.Tokenizer.Encode(text)
		return len(ids), err
	})
}

// Classify scores each text as one sentence, without splitting it: for
// evaluation on sentence-level labels. A text longer than the model reads
// is read in windows, as in Score.
func (s *Scorer) Classify(texts []string) ([]Sentiment, []SentenceRisk, error) {
	spans := make([]Span, len(texts))
	var doc strings.Builder
	for i, t := range texts {
		if !utf8.ValidString(t) {
			return nil, nil, fmt.Errorf("text %d: %w", i, ErrInvalidUTF8)
		}
		spans[i] = Span{doc.Len(), doc.Len() + len(t)}
		doc.WriteString(t)
	}
	scored, err := s.scoreSentences(doc.String(), spans, Options{})
	if err != nil {
		return nil, nil, err
	}
	sents := make([]Sentiment, len(texts))
	risks := make([]SentenceRisk, len(texts))
	for i, st := range scored {
		sents[i], risks[i] = st.Sentiment, st.Risk
	}
	return sents, risks, nil
}

// RiskCategories lists the risk head's categories.
func (s *Scorer) RiskCategories() []Category { return s.risk.Spec.Categories }

// RiskSpec is the risk head's categories, thresholds and level cut-points.
func (s *Scorer) RiskSpec() RiskSpec { return s.risk.Spec }

// SentimentLabels lists the sentiment classes.
func (s *Scorer) SentimentLabels() []string { return s.sentiment.Spec.Labels }

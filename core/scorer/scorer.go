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
	"errors"
	"fmt"
	"unicode/utf8"

	"finscore/core/bundle"
	"finscore/core/embed"
)

// Scorer turns text into a Report with one model bundle. It reuses buffers
// between calls and is not safe for concurrent use.
type Scorer struct {
	emb       *embed.Embedder
	sentiment *SentimentHead
	risk      *RiskHead
}

// FromBundle loads the encoder, tokenizer and both heads of a bundle.
func FromBundle(b *bundle.Bundle) (*Scorer, error) {
	e, err := embed.FromBundle(b)
	if err != nil {
		return nil, err
	}
	s, err := LoadSentimentHead(b, e.Dim())
	if err != nil {
		return nil, err
	}
	r, err := LoadRiskHead(b, e.Dim())
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
}

// ErrTooLarge is returned for a document over MaxTextBytes.
var ErrTooLarge = fmt.Errorf("scorer: text is larger than %d bytes", MaxTextBytes)

// ErrInvalidUTF8 is returned for text that is not valid UTF-8.
var ErrInvalidUTF8 = errors.New("scorer: text is not valid UTF-8")

// batchSize is the number of sentences encoded together.
const batchSize = 32

// Score scores a document: each sentence, then the whole.
func (s *Scorer) Score(text string, opt Options) (*Report, error) {
	sents, err := s.ScorePart(text, 0, 1, opt)
	if err != nil {
		return nil, err
	}
	return s.Assemble(sents)
}

// scoreTexts embeds texts as one batch and applies both heads.
func (s *Scorer) scoreTexts(texts []string) ([]Sentiment, []SentenceRisk, error) {
	_, embs, err := s.emb.Embed(texts)
	if err != nil {
		return nil, nil, err
	}
	sents := make([]Sentiment, len(texts))
	risks := make([]SentenceRisk, len(texts))
	for i, e := range embs {
		sents[i] = s.sentimentOf(s.sentiment.Probs(e))
		risks[i] = s.riskOf(s.risk.Probs(e))
		risks[i].Level = s.risk.Level(e, len(risks[i].Categories) > 0)
	}
	return sents, risks, nil
}

// Classify scores each text as one sentence, without splitting it: for
// evaluation on sentence-level labels.
func (s *Scorer) Classify(texts []string) ([]Sentiment, []SentenceRisk, error) {
	sents := make([]Sentiment, 0, len(texts))
	risks := make([]SentenceRisk, 0, len(texts))
	for i := 0; i < len(texts); i += batchSize {
		chunk := texts[i:min(i+batchSize, len(texts))]
		for j, t := range chunk {
			if !utf8.ValidString(t) {
				return nil, nil, fmt.Errorf("text %d: %w", i+j, ErrInvalidUTF8)
			}
		}
		ss, rs, err := s.scoreTexts(chunk)
		if err != nil {
			return nil, nil, err
		}
		sents = append(sents, ss...)
		risks = append(risks, rs...)
	}
	return sents, risks, nil
}

// RiskCategories lists the risk head's categories.
func (s *Scorer) RiskCategories() []Category { return s.risk.Spec.Categories }

// RiskSpec is the risk head's categories, thresholds and level cut-points.
func (s *Scorer) RiskSpec() RiskSpec { return s.risk.Spec }

// SentimentLabels lists the sentiment classes.
func (s *Scorer) SentimentLabels() []string { return s.sentiment.Spec.Labels }

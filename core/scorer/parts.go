package scorer

import (
	"fmt"
	"math"
	"unicode/utf8"
)

// ScorePart scores one part of a document's sentences, so that several
// scorers (the page's Web Workers) can share one document: the sentences
// are cut into parts contiguous runs of about equal length in bytes, and
// part (0 ≤ part < parts) is scored. Assemble, given the parts' sentences
// in order, makes the same report as Score. Progress counts the part's
// sentences.
func (s *Scorer) ScorePart(text string, part, parts int, opt Options) ([]SentenceScore, error) {
	if len(text) > MaxTextBytes {
		return nil, ErrTooLarge
	}
	if !utf8.ValidString(text) {
		return nil, ErrInvalidUTF8
	}
	if parts < 1 || part < 0 || part >= parts {
		return nil, fmt.Errorf("scorer: part %d of %d does not exist", part, parts)
	}
	spans := SplitSentences(text)
	lo, hi := partRange(spans, part, parts)
	return s.scoreSentences(text, spans[lo:hi], opt)
}

// partRange returns the sentences [lo, hi) of part: the parts split where
// the sentences' bytes so far reach k/parts of all their bytes.
func partRange(spans []Span, part, parts int) (lo, hi int) {
	total := 0
	for _, sp := range spans {
		total += sp.End - sp.Start
	}
	bound := func(k int) int {
		if k >= parts {
			return len(spans)
		}
		target, sum := total*k/parts, 0
		for i, sp := range spans {
			if sum >= target {
				return i
			}
			sum += sp.End - sp.Start
		}
		return len(spans)
	}
	return bound(part), bound(part + 1)
}

// Assemble makes the document's report from all its sentences, in order
// (what ScorePart returned for each part). It checks what it is given, since
// the parts may come back through JavaScript.
func (s *Scorer) Assemble(sents []SentenceScore) (*Report, error) {
	threshold := map[string]float64{}
	for i, c := range s.risk.Spec.Categories {
		threshold[c.ID] = s.risk.Spec.Thresholds[i]
	}
	labels := s.sentiment.Spec.Labels
	probs := make([]float64, len(labels))
	for i, st := range sents {
		sum := 0.0
		for j, l := range labels {
			p, ok := st.Sentiment.Probs[l]
			if !ok || !(p >= 0 && p <= 1) {
				return nil, fmt.Errorf("scorer: sentence %d has no valid probability for %q", i, l)
			}
			probs[j] = p
			sum += p
		}
		if math.Abs(sum-1) > 1e-6 || len(st.Sentiment.Probs) != len(labels) {
			return nil, fmt.Errorf("scorer: sentence %d's probabilities %v are not a distribution over %v", i, st.Sentiment.Probs, labels)
		}
		// The label and signal follow from the probabilities; made again,
		// they cannot disagree with them.
		sents[i].Sentiment = s.sentimentOf(probs)
		if !(st.Risk.Score >= 0 && st.Risk.Score <= 1) {
			return nil, fmt.Errorf("scorer: sentence %d has risk score %v, outside [0, 1]", i, st.Risk.Score)
		}
		for _, c := range st.Risk.Categories {
			t, known := threshold[c.ID]
			if !known || !(c.Score >= t && c.Score <= st.Risk.Score) {
				return nil, fmt.Errorf("scorer: sentence %d has category %q with score %v: not a category of this model, or not between its threshold and the sentence's risk score", i, c.ID, c.Score)
			}
		}
		if st.Windows < 1 || st.UnexplainedWords < 0 {
			return nil, fmt.Errorf("scorer: sentence %d was read in %d windows with %d words unexplained (want at least 1 window and no negative count)", i, st.Windows, st.UnexplainedWords)
		}
		// The level needs the embedding, so it cannot be made again here;
		// it must at least agree with the categories.
		if flagged, rank := len(st.Risk.Categories) > 0, LevelRank(st.Risk.Level); flagged != (rank > 0) || rank < 0 {
			return nil, fmt.Errorf("scorer: sentence %d has risk level %q with %d categories (want none exactly when no category is flagged, else low, medium or high)", i, st.Risk.Level, len(st.Risk.Categories))
		}
	}
	if sents == nil {
		sents = []SentenceScore{}
	}
	r := &Report{Sentences: sents}
	r.Sentiment = s.documentSentiment(r.Sentences)
	r.Risk = documentRisk(r.Sentences, s.risk.Spec.Categories)
	r.Summary = summary(r)
	return r, nil
}

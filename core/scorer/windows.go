package scorer

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Long sentences. The encoder reads at most MaxLen (128) tokens of a text
// and drops the rest, and filings are full of sentences longer than that.
// So a sentence is read in windows: the whole sentence when it fits, else
// overlapping windows of at most MaxLen tokens, cut between words, each
// scored as a text of its own. The heads' outputs are then combined:
//
//   - sentiment: the windows' class probabilities averaged, each weighted
//     by its number of tokens and by how far it is from neutral, as the
//     document weights its sentences (documentSentiment): a long sentence
//     reads like a short document of its windows;
//   - risk: each category's probability is its highest over the windows,
//     since a risk stated anywhere in a sentence is a risk of the sentence;
//     the level is the highest level of the windows (a window with no
//     category above its threshold has level none).
//
// A sentence that fits gets exactly the numbers of one pass over it.

// windowOverlap is the most tokens two consecutive windows share: about
// 20 words, so that a clause cut by the end of one window is read whole at
// the start of the next (the clause "warned it may default on its bonds and
// file for bankruptcy" is 13 tokens). A quarter of a 128-token window: a
// long sentence costs at most about 4/3 of its tokens. (A model that reads
// fewer than 128 tokens gets a quarter of what it reads.)
const windowOverlap = 32

// window is one window of a sentence: doc[Start:End] and its length in
// tokens.
type window struct {
	Span
	tokens int
}

// countTokens returns the number of tokens of a text, as the model reads it.
type countTokens func(text string) (int, error)

// windowsOf cuts the sentence doc[sp.Start:sp.End] into the windows the
// model reads: the whole sentence when it has at most maxLen tokens, else
// windows of at most maxLen tokens, cut at white space, each sharing up to
// windowOverlap tokens with the next. A word longer than that (a long URL,
// text without spaces) is cut between characters. Only a single character
// whose normalisation is longer than maxLen tokens, or a text of nothing
// but white space, makes a window over maxLen; the encoder reads its first
// maxLen tokens.
func windowsOf(doc string, sp Span, maxLen int, count countTokens) ([]window, error) {
	n, err := count(doc[sp.Start:sp.End])
	if err != nil || n <= maxLen {
		return []window{{sp, n}}, err
	}
	overlap := min(windowOverlap, maxLen/4)
	pieces, err := piecesOf(doc, sp, max(overlap, 1), count)
	if err != nil || len(pieces) == 0 { // only white space, which the encoder clips
		return []window{{sp, n}}, err
	}
	var out []window
	for a := 0; ; {
		// As many pieces as fit; their counts add up to about the window's.
		b, sum := a, 0
		for b < len(pieces) && sum+pieces[b].tokens <= maxLen {
			sum += pieces[b].tokens
			b++
		}
		b = max(b, a+1)
		// The window's own count decides: pieces joined can tokenize
		// differently from pieces alone.
		w := pieces[a]
		for ; b > a+1; b-- {
			n, err := count(doc[pieces[a].Start:pieces[b-1].End])
			if err != nil {
				return nil, err
			}
			if n <= maxLen {
				w = window{Span{pieces[a].Start, pieces[b-1].End}, n}
				break
			}
		}
		out = append(out, w)
		if b == len(pieces) {
			return out, nil
		}
		// The next window starts up to windowOverlap tokens back, and
		// always after this one's start.
		next, shared := b, 0
		for next-1 > a && shared+pieces[next-1].tokens <= overlap {
			next--
			shared += pieces[next].tokens
		}
		a = next
	}
}

// piecesOf cuts doc[sp.Start:sp.End] at white space into words, and each
// word of more than most tokens in halves, at character boundaries, until
// every piece has at most most tokens or is one character. Each piece
// carries its own token count.
func piecesOf(doc string, sp Span, most int, count countTokens) ([]window, error) {
	var out []window
	var cut func(start, end int) error
	cut = func(start, end int) error {
		n, err := count(doc[start:end])
		if err != nil {
			return err
		}
		mid := start + (end-start)/2
		for mid > start && !utf8.RuneStart(doc[mid]) {
			mid--
		}
		if mid == start { // the first character is half or more
			_, size := utf8.DecodeRuneInString(doc[start:end])
			mid = start + size
		}
		if n <= most || mid == end {
			out = append(out, window{Span{start, end}, n})
			return nil
		}
		if err := cut(start, mid); err != nil {
			return err
		}
		return cut(mid, end)
	}
	for start := sp.Start; start < sp.End; {
		end := strings.IndexFunc(doc[start:sp.End], unicode.IsSpace)
		if end < 0 {
			end = sp.End
		} else {
			end += start
		}
		if end > start {
			if err := cut(start, end); err != nil {
				return nil, err
			}
		}
		_, size := utf8.DecodeRuneInString(doc[end:])
		start = end + size
	}
	return out, nil
}

// windowScore is what the heads make of one window.
type windowScore struct {
	tokens    int       // the window's length in tokens
	sentiment []float64 // class probabilities
	risk      []float64 // category probabilities
	level     string    // the window's risk level: none when no category is flagged
}

// scoreWindows embeds texts (windows of at most MaxLen tokens), batchSize
// at a time, and applies the heads. stop, if set, is asked before each
// batch.
func (s *Scorer) scoreWindows(texts []string, stop func() bool) ([]windowScore, error) {
	out := make([]windowScore, 0, len(texts))
	for i := 0; i < len(texts); i += batchSize {
		if stop != nil && stop() {
			return nil, ErrCanceled
		}
		ids, embs, err := s.emb.Embed(texts[i:min(i+batchSize, len(texts))])
		if err != nil {
			return nil, err
		}
		for j, e := range embs {
			w := windowScore{tokens: len(ids[j]), sentiment: s.sentiment.Probs(e), risk: s.risk.Probs(e)}
			w.level = s.risk.Level(e, s.flagged(w.risk))
			out = append(out, w)
		}
	}
	return out, nil
}

// flagged reports whether any category reaches its threshold.
func (s *Scorer) flagged(probs []float64) bool {
	for c, p := range probs {
		if p >= s.risk.Spec.Thresholds[c] {
			return true
		}
	}
	return false
}

// combine makes a sentence's scores from its windows' (see the top of this
// file). One window gives its own scores unchanged.
func (s *Scorer) combine(wins []windowScore) (Sentiment, SentenceRisk) {
	if len(wins) == 1 {
		r := s.riskOf(wins[0].risk)
		r.Level = wins[0].level
		return s.sentimentOf(wins[0].sentiment), r
	}
	probs := make([]float64, len(s.sentiment.Spec.Labels))
	risk := make([]float64, len(s.risk.Spec.Categories))
	var total float64
	level := "none"
	neutral := slices.Index(s.sentiment.Spec.Labels, "neutral")
	for _, w := range wins {
		pNeutral := 0.0
		if neutral >= 0 {
			pNeutral = w.sentiment[neutral]
		}
		weight := float64(w.tokens) * s.focus(pNeutral)
		total += weight
		for i, p := range w.sentiment {
			probs[i] += weight * p
		}
		for c, p := range w.risk {
			risk[c] = max(risk[c], p)
		}
		if LevelRank(w.level) > LevelRank(level) {
			level = w.level
		}
	}
	for i := range probs {
		probs[i] /= total
	}
	r := s.riskOf(risk)
	r.Level = level
	return s.sentimentOf(probs), r
}

// windowTexts returns the texts of windows.
func windowTexts(doc string, wins []window) []string {
	out := make([]string, len(wins))
	for i, w := range wins {
		out[i] = doc[w.Start:w.End]
	}
	return out
}

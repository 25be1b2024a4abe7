package scorer

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode"
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
}

// Report is the result of scoring one document.
type Report struct {
	Sentiment Sentiment       `json:"sentiment"`
	Risk      DocumentRisk    `json:"risk"`
	Sentences []SentenceScore `json:"sentences"`
	Summary   string          `json:"summary"`
}

// Sentiment is a label, its calibrated class probabilities, and the signal
// P(positive) − P(negative) in [-1, 1].
type Sentiment struct {
	Label  string             `json:"label"`
	Probs  map[string]float64 `json:"probs"`
	Signal float64            `json:"signal"`
}

// DocumentRisk summarises risk over the document.
type DocumentRisk struct {
	Level      string          `json:"level"` // none, low, medium or high: the riskiest sentence's
	Score      float64         `json:"score"` // the riskiest sentence's score
	Categories []CategoryScore `json:"categories"`
}

// CategoryScore is one risk category's score and, in a document report,
// the indexes of the sentences that support it, strongest first.
type CategoryScore struct {
	ID       string  `json:"id"`
	Label    string  `json:"label"`
	Score    float64 `json:"score"`
	Evidence []int   `json:"evidence,omitempty"`
}

// SentenceRisk is one sentence's risk score (its strongest category's
// probability), its level (RiskSpec.Level) and the categories that reach
// their thresholds, strongest first.
type SentenceRisk struct {
	Score      float64         `json:"score"`
	Level      string          `json:"level"`
	Categories []CategoryScore `json:"categories"`
}

// SentenceScore is one sentence with its place in the document (byte
// offsets) and its scores.
type SentenceScore struct {
	Text      string       `json:"text"`
	Start     int          `json:"start"`
	End       int          `json:"end"`
	Sentiment Sentiment    `json:"sentiment"`
	Risk      SentenceRisk `json:"risk"`
	Drivers   []Driver     `json:"drivers,omitempty"`
}

// Driver is a word whose removal moves the sentence's scores: positive
// SignalShift means the word pushed the signal up (more bullish).
type Driver struct {
	Word        string  `json:"word"`
	Start       int     `json:"start"` // byte offsets in the document
	End         int     `json:"end"`
	SignalShift float64 `json:"signal_shift"`
	RiskShift   float64 `json:"risk_shift"`
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

// ScorePart scores one part of a document's sentences, so that several
// scorers (the page's Web Workers) can share one document: the sentences
// are cut into parts contiguous runs of about equal length in bytes, and
// part (0 ≤ part < parts) is scored. Assemble, given the parts' sentences
// in order, makes the same report as Score. Progress counts the part's
// sentences: first (0, total), then after each batch.
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
	spans = spans[lo:hi]
	out := make([]SentenceScore, len(spans))
	if opt.Progress != nil && len(spans) > 0 {
		opt.Progress(0, len(spans)) // the total, at once
	}
	for i := 0; i < len(spans); i += batchSize {
		chunk := spans[i:min(i+batchSize, len(spans))]
		texts := make([]string, len(chunk))
		for j, sp := range chunk {
			texts[j] = text[sp.Start:sp.End]
		}
		sents, risks, err := s.scoreTexts(texts)
		if err != nil {
			return nil, err
		}
		for j, sp := range chunk {
			out[i+j] = SentenceScore{Text: texts[j], Start: sp.Start, End: sp.End, Sentiment: sents[j], Risk: risks[j]}
			if opt.Explain {
				if out[i+j].Drivers, err = s.explain(text, sp, sents[j], risks[j]); err != nil {
					return nil, err
				}
			}
		}
		if opt.Progress != nil {
			opt.Progress(i+len(chunk), len(spans))
		}
	}
	return out, nil
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

func (s *Scorer) sentimentOf(probs []float64) Sentiment {
	out := Sentiment{Probs: map[string]float64{}}
	best := 0
	for i, p := range probs {
		out.Probs[s.sentiment.Spec.Labels[i]] = p
		if p > probs[best] {
			best = i
		}
	}
	out.Label = s.sentiment.Spec.Labels[best]
	out.Signal = out.Probs["positive"] - out.Probs["negative"]
	return out
}

func (s *Scorer) riskOf(probs []float64) SentenceRisk {
	r := SentenceRisk{Categories: []CategoryScore{}}
	for c, p := range probs {
		r.Score = max(r.Score, p)
		if p >= s.risk.Spec.Thresholds[c] {
			cat := s.risk.Spec.Categories[c]
			r.Categories = append(r.Categories, CategoryScore{ID: cat.ID, Label: cat.Label, Score: p})
		}
	}
	sort.SliceStable(r.Categories, func(i, j int) bool { return r.Categories[i].Score > r.Categories[j].Score })
	return r
}

// documentSentiment averages the sentences' probabilities, each weighted by
// how far it is from neutral, (1 − P(neutral))^DocumentFocus (plus a small
// floor, so that an all-neutral document is still an average): greetings
// and logistics in an e-mail do not dilute the sentences that carry a view.
// A one-sentence document has exactly its sentence's sentiment.
func (s *Scorer) documentSentiment(sents []SentenceScore) Sentiment {
	labels := s.sentiment.Spec.Labels
	probs := make([]float64, len(labels))
	if len(sents) == 0 {
		for i := range probs {
			probs[i] = 1 / float64(len(probs))
		}
		out := s.sentimentOf(probs)
		out.Label = "neutral"
		return out
	}
	if len(sents) == 1 {
		return sents[0].Sentiment
	}
	var total float64
	for _, st := range sents {
		w := 1e-3 + math.Pow(1-st.Sentiment.Probs["neutral"], s.sentiment.Spec.DocumentFocus)
		total += w
		for i, l := range labels {
			probs[i] += w * st.Sentiment.Probs[l]
		}
	}
	for i := range probs {
		probs[i] /= total
	}
	return s.sentimentOf(probs)
}

func documentRisk(sents []SentenceScore, cats []Category) DocumentRisk {
	d := DocumentRisk{Level: "none", Categories: []CategoryScore{}}
	byID := map[string]*CategoryScore{}
	for i, st := range sents {
		d.Score = max(d.Score, st.Risk.Score)
		if LevelRank(st.Risk.Level) > LevelRank(d.Level) {
			d.Level = st.Risk.Level
		}
		for _, c := range st.Risk.Categories {
			cs, ok := byID[c.ID]
			if !ok {
				cs = &CategoryScore{ID: c.ID, Label: c.Label}
				byID[c.ID] = cs
			}
			cs.Score = max(cs.Score, c.Score)
			cs.Evidence = append(cs.Evidence, i)
		}
	}
	for _, c := range cats {
		if cs, ok := byID[c.ID]; ok {
			sort.SliceStable(cs.Evidence, func(i, j int) bool {
				return categoryProb(sents[cs.Evidence[i]], c.ID) > categoryProb(sents[cs.Evidence[j]], c.ID)
			})
			d.Categories = append(d.Categories, *cs)
		}
	}
	sort.SliceStable(d.Categories, func(i, j int) bool { return d.Categories[i].Score > d.Categories[j].Score })
	return d
}

func categoryProb(s SentenceScore, id string) float64 {
	for _, c := range s.Risk.Categories {
		if c.ID == id {
			return c.Score
		}
	}
	return 0
}

// summary writes the one-line plain-language summary.
func summary(r *Report) string {
	if len(r.Sentences) == 0 {
		return "No text to score."
	}
	mood := map[string]string{"negative": "Bearish", "neutral": "Neutral", "positive": "Bullish"}[r.Sentiment.Label]
	if mood == "" {
		mood = r.Sentiment.Label
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s (signal %+.2f over %d %s); %s risk", mood, r.Sentiment.Signal, len(r.Sentences), plural(len(r.Sentences), "sentence"), r.Risk.Level)
	if len(r.Risk.Categories) == 0 {
		b.WriteString(": no risk category is supported by any sentence.")
		return b.String()
	}
	b.WriteString(": ")
	for i, c := range r.Risk.Categories {
		if i == 3 {
			fmt.Fprintf(&b, " and %d more", len(r.Risk.Categories)-3)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s (%d %s)", c.Label, len(c.Evidence), plural(len(c.Evidence), "sentence"))
	}
	b.WriteString(".")
	return b.String()
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// maxDrivers is the number of words reported per sentence.
const maxDrivers = 5

// explain scores the sentence again with each word left out (occlusion)
// and reports the words whose removal moved the signal or the risk most.
func (s *Scorer) explain(doc string, sp Span, base Sentiment, baseRisk SentenceRisk) ([]Driver, error) {
	words := wordSpans(doc, sp)
	if len(words) < 2 {
		return nil, nil
	}
	var drivers []Driver
	for i := 0; i < len(words); i += batchSize {
		chunk := words[i:min(i+batchSize, len(words))]
		texts := make([]string, len(chunk))
		for j, w := range chunk {
			texts[j] = doc[sp.Start:w.Start] + doc[w.End:sp.End]
		}
		sents, risks, err := s.scoreTexts(texts)
		if err != nil {
			return nil, err
		}
		for j, w := range chunk {
			drivers = append(drivers, Driver{
				Word: doc[w.Start:w.End], Start: w.Start, End: w.End,
				SignalShift: base.Signal - sents[j].Signal,
				RiskShift:   baseRisk.Score - risks[j].Score,
			})
		}
	}
	sort.SliceStable(drivers, func(i, j int) bool { return influence(drivers[i]) > influence(drivers[j]) })
	return drivers[:min(maxDrivers, len(drivers))], nil
}

func influence(d Driver) float64 { return max(abs(d.SignalShift), abs(d.RiskShift)) }

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// wordSpans returns the words of doc[sp.Start:sp.End] (runs of letters,
// digits and the symbols that belong to them, such as "$AAPL" or "3.5%"),
// as document byte offsets.
func wordSpans(doc string, sp Span) []Span {
	var out []Span
	start := -1
	for i := sp.Start; i < sp.End; {
		r, size := utf8.DecodeRuneInString(doc[i:])
		inWord := unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("$%'’-.,&@#", r)
		if inWord && start < 0 {
			start = i
		}
		if !inWord && start >= 0 {
			out = appendWord(out, doc, start, i)
			start = -1
		}
		i += size
	}
	if start >= 0 {
		out = appendWord(out, doc, start, sp.End)
	}
	return out
}

// appendWord adds doc[start:end] without trailing punctuation ("cut," →
// "cut", but "3.5%" stays), if a letter or digit is left.
func appendWord(out []Span, doc string, start, end int) []Span {
	for end > start && strings.ContainsRune(".,'-", rune(doc[end-1])) {
		end--
	}
	if strings.IndexFunc(doc[start:end], func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) < 0 {
		return out
	}
	return append(out, Span{start, end})
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

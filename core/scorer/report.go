package scorer

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

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
	// Windows is how many windows of at most the model's MaxLen tokens the
	// sentence was read in: 1 for all but very long sentences.
	Windows int `json:"windows"`
	// Drivers, with Options.Explain, are the words that most moved the
	// sentence's scores, strongest first.
	Drivers []Driver `json:"drivers,omitempty"`
	// UnexplainedWords, with Options.Explain, counts the sentence's words
	// that were not tried because explaining a sentence is capped in cost
	// (at most 128 windows read again, every word of a sentence of up to
	// 128 tokens); 0 when every word was tried.
	UnexplainedWords int `json:"unexplained_words,omitempty"`
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
		w := s.focus(st.Sentiment.Probs["neutral"])
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

// focus is the weight in an average of a sentence (or a window) whose
// P(neutral) is pNeutral: 1e-3 + (1 − pNeutral)^DocumentFocus.
func (s *Scorer) focus(pNeutral float64) float64 {
	return 1e-3 + math.Pow(1-pNeutral, s.sentiment.Spec.DocumentFocus)
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

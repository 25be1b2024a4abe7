package scorer_test

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"

	"finscore/core/scorer"
)

func TestPartsAssembleToTheWholeReport(t *testing.T) {
	s, err := scorer.FromBundle(testBundle(t))
	if err != nil {
		t.Fatal(err)
	}
	text := "Profit fell. Revenue rose 5% to $1.2 billion on strong demand in Asia. " +
		"The regulator fined the bank. Shares slipped. Net debt rose to 3.1 times EBITDA, close to the covenant. " +
		"The board approved a buyback. Moody's cut the rating. " + longSentence + bankruptcy + "."
	whole, err := s.Score(text, scorer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	wantJSON, _ := json.Marshal(whole)
	for parts := 1; parts <= 9; parts++ { // 9 > the 8 sentences: some parts are empty
		var all []scorer.SentenceScore
		for part := range parts {
			sents, err := s.ScorePart(text, part, parts, scorer.Options{})
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, sents...)
		}
		// Through JSON, as the parts come back from the page's workers.
		data, _ := json.Marshal(all)
		all = nil
		if err := json.Unmarshal(data, &all); err != nil {
			t.Fatal(err)
		}
		r, err := s.Assemble(all)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := json.Marshal(r); !bytes.Equal(got, wantJSON) {
			t.Errorf("%d parts assemble to\n%s\nwant\n%s", parts, got, wantJSON)
		}
	}
	for _, pp := range [][2]int{{-1, 2}, {2, 2}, {0, 0}} {
		if _, err := s.ScorePart(text, pp[0], pp[1], scorer.Options{}); err == nil {
			t.Errorf("part %d of %d: no error", pp[0], pp[1])
		}
	}
	// Assemble refuses sentences it could not have made.
	bad := whole.Sentences[0]
	bad.Sentiment.Probs = map[string]float64{"negative": math.NaN(), "neutral": 0.5, "positive": 0.5}
	if _, err := s.Assemble([]scorer.SentenceScore{bad}); err == nil {
		t.Error("NaN probability: no error")
	}
	bad = whole.Sentences[0]
	bad.Sentiment.Probs = map[string]float64{"neutral": 1}
	if _, err := s.Assemble([]scorer.SentenceScore{bad}); err == nil {
		t.Error("missing probabilities: no error")
	}
	if last := whole.Sentences[len(whole.Sentences)-1]; last.Windows != 2 {
		t.Errorf("the long sentence was read in %d windows, want 2", last.Windows)
	}
	bad = whole.Sentences[0]
	bad.Windows = 0
	if _, err := s.Assemble([]scorer.SentenceScore{bad}); err == nil {
		t.Error("no windows: no error")
	}
	bad = whole.Sentences[0]
	bad.Risk.Score = 7
	if _, err := s.Assemble([]scorer.SentenceScore{bad}); err == nil {
		t.Error("risk 7: no error")
	}
}

// FuzzAssemble feeds Assemble what JavaScript might hand it (sentence
// scores as JSON, in any shape): an error or a report, never a panic, and a
// report's level and summary are always filled in.
func FuzzAssemble(f *testing.F) {
	f.Add(`[{"text":"Shares fell.","start":0,"end":12,"sentiment":{"label":"negative","probs":{"negative":0.8,"neutral":0.1,"positive":0.1},"signal":-0.7},"risk":{"score":0.6,"level":"medium","categories":[{"id":"market","label":"Market","score":0.6}]},"windows":1}]`)
	f.Add(`[]`)
	f.Add(`[{"sentiment":{"probs":{"negative":1e400}}}]`)
	f.Add(`[{"sentiment":{"probs":{"negative":0,"neutral":0,"positive":0}},"risk":{"score":0,"categories":[{"id":"","score":-0}]}}]`)
	s, err := scorer.FromBundle(testBundle(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data string) {
		var sents []scorer.SentenceScore
		if json.Unmarshal([]byte(data), &sents) != nil {
			return
		}
		r, err := s.Assemble(sents)
		if err != nil {
			return
		}
		if r.Risk.Level == "" || r.Summary == "" || r.Sentiment.Label == "" || len(r.Sentences) != len(sents) {
			t.Errorf("report %+v", r)
		}
	})
}

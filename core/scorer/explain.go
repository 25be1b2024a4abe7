package scorer

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Driver is a word whose removal moves the sentence's scores: positive
// SignalShift means the word pushed the signal up (more bullish).
type Driver struct {
	Word        string  `json:"word"`
	Start       int     `json:"start"` // byte offsets in the document
	End         int     `json:"end"`
	SignalShift float64 `json:"signal_shift"`
	RiskShift   float64 `json:"risk_shift"`
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

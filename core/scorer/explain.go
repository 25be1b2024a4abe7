package scorer

import (
	"slices"
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

// maxExplainPasses caps what explaining one sentence costs: at most this
// many windows are scored again with a word left out. At 128, every word
// of a sentence that fits in one window is tried, since each word is at
// least one token and a window at most MaxLen = 128; natively that is
// about 4 s at worst, and a sentence of 4,000 words costs no more. The
// words left over are not tried, and SentenceScore.UnexplainedWords counts
// them.
const maxExplainPasses = 128

// explain scores the sentence doc[sp.Start:sp.End] again with each word
// left out (occlusion) and reports the words whose removal moved the
// signal or the risk most, and how many words were not tried. wins are the
// sentence's windows and scores what the heads made of them. Leaving a
// word out re-reads only the windows that hold it; the others keep their
// scores. stop, if set, is asked before each batch.
func (s *Scorer) explain(doc string, sp Span, wins []window, scores []windowScore, stop func() bool) (drivers []Driver, unexplained int, err error) {
	words := wordSpans(doc, sp)
	if len(words) < 2 {
		return nil, 0, nil
	}
	base, baseRisk := s.combine(scores)
	occ, tried := planOcclusions(words, wins, s.salienceOrder(scores), maxExplainPasses)
	texts := make([]string, len(occ))
	for i, o := range occ {
		w, win := words[o.word], wins[o.window]
		texts[i] = doc[win.Start:max(w.Start, win.Start)] + doc[min(w.End, win.End):win.End]
	}
	occluded, err := s.scoreWindows(texts, stop)
	if err != nil {
		return nil, 0, err
	}
	// A word's windows read again without it stand in for the same
	// windows read with it.
	without := make([][]windowScore, len(words))
	for i, o := range occ {
		if without[o.word] == nil {
			without[o.word] = slices.Clone(scores)
		}
		without[o.word][o.window] = occluded[i]
	}
	for i, w := range words {
		if without[i] == nil {
			continue
		}
		sent, risk := s.combine(without[i])
		drivers = append(drivers, Driver{
			Word: doc[w.Start:w.End], Start: w.Start, End: w.End,
			SignalShift: base.Signal - sent.Signal,
			RiskShift:   baseRisk.Score - risk.Score,
		})
	}
	sort.SliceStable(drivers, func(i, j int) bool { return influence(drivers[i]) > influence(drivers[j]) })
	return drivers[:min(maxDrivers, len(drivers))], len(words) - tried, nil
}

// occlusion is one window of a sentence, to be read again without one
// word: indexes in the sentence's words and windows.
type occlusion struct {
	word, window int
}

// planOcclusions chooses which words to leave out, within maxPasses
// windows read again: the words of the windows in order (their indexes,
// most telling first), in text order within a window; a word is left out
// of every window that holds any of it. It stops at the first word that
// would go over maxPasses, and returns the occlusions, each word's
// together, and the number of words tried.
func planOcclusions(words []Span, wins []window, order []int, maxPasses int) (occ []occlusion, tried int) {
	planned := make([]bool, len(words))
	for _, k := range order {
		first := sort.Search(len(words), func(i int) bool { return words[i].End > wins[k].Start })
		for i := first; i < len(words) && words[i].Start < wins[k].End; i++ {
			if planned[i] {
				continue
			}
			var holding []int
			for j, win := range wins {
				if words[i].Start < win.End && words[i].End > win.Start {
					holding = append(holding, j)
				}
			}
			if len(occ)+len(holding) > maxPasses {
				return occ, tried
			}
			for _, j := range holding {
				occ = append(occ, occlusion{i, j})
			}
			planned[i] = true
			tried++
		}
	}
	return occ, tried
}

// salienceOrder returns the indexes of windows, the most telling first:
// by the larger of the window's risk score and the size of its signal.
// One window's order is just itself.
func (s *Scorer) salienceOrder(scores []windowScore) []int {
	salience := make([]float64, len(scores))
	for i, w := range scores {
		sent, risk := s.combine([]windowScore{w})
		salience[i] = max(risk.Score, abs(sent.Signal))
	}
	order := make([]int, len(scores))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return salience[order[a]] > salience[order[b]] })
	return order
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

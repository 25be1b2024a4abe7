package scorer

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Span is a sentence's place in the document: text[Start:End], in bytes,
// with surrounding white space trimmed.
type Span struct {
	Start, End int
}

// abbreviations end with a period that does not end a sentence. Lower-cased,
// without the final period.
var abbreviations = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "prof": true, "sr": true, "jr": true, "st": true,
	"inc": true, "corp": true, "co": true, "ltd": true, "plc": true, "llc": true, "bros": true, "no": true,
	"vs": true, "etc": true, "approx": true, "est": true, "e.g": true, "i.e": true, "u.s": true, "u.k": true,
	"jan": true, "feb": true, "mar": true, "apr": true, "jun": true, "jul": true, "aug": true, "sep": true,
	"sept": true, "oct": true, "nov": true, "dec": true, "fig": true, "ref": true, "dept": true, "gov": true,
	"mln": true, "bln": true, "mn": true, "bn": true, "pct": true, "yr": true, "q": true,
}

// SplitSentences cuts text into sentences. A sentence ends at ".", "!" or
// "?" (with any closing quotes or brackets) followed by white space, unless
// the period ends a known abbreviation or a single initial; and at every
// line break, since pasted headlines, bullet points and e-mail lines seldom
// end with punctuation. Empty sentences are dropped.
func SplitSentences(text string) []Span {
	var spans []Span
	start := 0
	emit := func(end int) {
		s, e := trimSpan(text, start, end)
		if s < e {
			spans = append(spans, Span{s, e})
		}
		start = end
	}
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029':
			emit(i)
		case r == '.' || r == '!' || r == '?' || r == '…':
			end := i + size
			for end < len(text) { // closing quotes and brackets belong to the sentence
				q, qs := utf8.DecodeRuneInString(text[end:])
				if !strings.ContainsRune("\"'”’)]»", q) {
					break
				}
				end += qs
			}
			next, _ := utf8.DecodeRuneInString(text[end:])
			if end < len(text) && !unicode.IsSpace(next) {
				break // "3.5", "U.S.", "Yahoo!Finance"
			}
			if r == '.' && isAbbreviation(text[start:i]) {
				break
			}
			if following := strings.TrimLeftFunc(text[end:], unicode.IsSpace); following != "" {
				if f, _ := utf8.DecodeRuneInString(following); unicode.IsLower(f) {
					break // "Yes… maybe", "approx. ten"
				}
			}
			emit(end)
			i = end
			continue
		}
		i += size
	}
	emit(len(text))
	return spans
}

// isAbbreviation reports whether the word before a period is one that does
// not end a sentence: a known abbreviation or a single letter (an initial).
func isAbbreviation(before string) bool {
	word := before[strings.LastIndexFunc(before, unicode.IsSpace)+1:]
	word = strings.TrimLeft(word, "(\"'“‘")
	if word == "" {
		return false
	}
	if utf8.RuneCountInString(word) == 1 && unicode.IsLetter([]rune(word)[0]) {
		return true
	}
	return abbreviations[strings.ToLower(word)]
}

func trimSpan(text string, start, end int) (int, int) {
	for start < end {
		r, size := utf8.DecodeRuneInString(text[start:end])
		if !unicode.IsSpace(r) {
			break
		}
		start += size
	}
	for end > start {
		r, size := utf8.DecodeLastRuneInString(text[start:end])
		if !unicode.IsSpace(r) {
			break
		}
		end -= size
	}
	return start, end
}

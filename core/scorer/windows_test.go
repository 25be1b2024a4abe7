package scorer

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// fakeCount counts a token per started 4 bytes of each word, as a stand-in
// tokenizer: "revenue" is 2 tokens, "a" 1.
func fakeCount(text string) (int, error) {
	n := 0
	for _, w := range strings.Fields(text) {
		n += (len(w) + 3) / 4
	}
	return n, nil
}

func TestWindowsOf(t *testing.T) {
	words := func(n int) string {
		w := make([]string, n)
		for i := range w {
			w[i] = fmt.Sprintf("w%d", i%1000) // 1 or 2 tokens
		}
		return strings.Join(w, " ")
	}
	for _, tc := range []struct {
		name    string
		text    string
		maxLen  int
		windows int // 0: more than one, not checked exactly
	}{
		{"empty", "", 128, 1},
		{"short", "Profit fell sharply", 128, 1},
		{"exactly maxLen", strings.Repeat("abc ", 128), 128, 1},
		{"one token over", strings.Repeat("abc ", 129), 128, 2},
		{"long", words(1000), 128, 0},
		{"spaces of all kinds", strings.ReplaceAll(words(300), " ", " \t\u00a0 "), 128, 0},
		{"one long word", strings.Repeat("x", 3000), 128, 0},
		{"long words among short", strings.Repeat("ab "+strings.Repeat("é", 400)+" cd ", 5), 128, 0},
		{"tiny model", words(50), 5, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := "  " + tc.text + " \n"
			var sp Span
			sp.Start, sp.End = trimSpan(doc, 0, len(doc)) // as sentences are
			wins, err := windowsOf(doc, sp, tc.maxLen, fakeCount)
			if err != nil {
				t.Fatal(err)
			}
			if tc.windows > 0 && len(wins) != tc.windows {
				t.Fatalf("%d windows, want %d", len(wins), tc.windows)
			}
			if tc.windows == 0 && len(wins) < 2 {
				t.Fatalf("%d windows for %d tokens", len(wins), must(fakeCount(tc.text)))
			}
			checkWindows(t, doc, sp, tc.maxLen, wins)
			if strings.Contains(tc.text, " w") {
				// Words of one token or two: every window but the last is
				// nearly full, and the next starts windowOverlap back.
				for i, w := range wins[:len(wins)-1] {
					if w.tokens < tc.maxLen-1 {
						t.Errorf("window %d has %d tokens, want about %d", i, w.tokens, tc.maxLen)
					}
					if shared := must(fakeCount(doc[wins[i+1].Start:w.End])); tc.maxLen > 2*windowOverlap && shared < windowOverlap-1 {
						t.Errorf("windows %d and %d share %d tokens, want about %d", i, i+1, shared, windowOverlap)
					}
				}
			}
		})
	}
}

// checkWindows checks what every cut into windows must give: windows from
// the sentence's start to its end, each of 1 to maxLen tokens (fakeCount),
// cut at white space or between characters, each moving on from the last,
// leaving only white space unread, sharing at most windowOverlap tokens.
func checkWindows(t *testing.T, doc string, sp Span, maxLen int, wins []window) {
	t.Helper()
	if len(wins) == 1 {
		if wins[0].Span != sp {
			t.Errorf("one window %v, want the whole sentence %v", wins[0].Span, sp)
		}
		return
	}
	if wins[0].Start != sp.Start || wins[len(wins)-1].End != sp.End {
		t.Errorf("windows run from %d to %d, want the sentence's %v", wins[0].Start, wins[len(wins)-1].End, sp)
	}
	for i, w := range wins {
		text := doc[w.Start:w.End]
		n := must(fakeCount(text))
		if n != w.tokens || n > maxLen || n == 0 {
			t.Errorf("window %d %q: %d tokens (says %d), want 1 to %d", i, text, n, w.tokens, maxLen)
		}
		if !utf8.ValidString(text) || strings.TrimSpace(text) != text {
			t.Errorf("window %d %q is not cut cleanly", i, text)
		}
		if i == 0 {
			continue
		}
		prev := wins[i-1]
		if w.Start <= prev.Start || w.End <= prev.End {
			t.Errorf("window %d %v does not move on from %v", i, w.Span, prev.Span)
		}
		if w.Start > prev.End && strings.TrimSpace(doc[prev.End:w.Start]) != "" {
			t.Errorf("windows %d and %d leave %q unread", i-1, i, doc[prev.End:w.Start])
		}
		if w.Start < prev.End {
			if shared := must(fakeCount(doc[w.Start:prev.End])); shared > windowOverlap {
				t.Errorf("windows %d and %d share %d tokens, want at most %d", i-1, i, shared, windowOverlap)
			}
		}
	}
}

// FuzzWindowsOf cuts any text, with any model length, into windows.
func FuzzWindowsOf(f *testing.F) {
	f.Add(strings.Repeat("Revenue rose 5% to $1.2 billion. ", 40), uint8(128))
	f.Add(strings.Repeat("x", 700)+" y", uint8(3))
	f.Add("é\u00a0\t e", uint8(1))
	f.Fuzz(func(t *testing.T, text string, maxLen uint8) {
		if !utf8.ValidString(text) || maxLen == 0 {
			return
		}
		var sp Span
		sp.Start, sp.End = trimSpan(text, 0, len(text))
		wins, err := windowsOf(text, sp, int(maxLen), fakeCount)
		if err != nil {
			t.Fatal(err)
		}
		checkWindows(t, text, sp, int(maxLen), wins)
	})
}

func must(n int, err error) int {
	if err != nil {
		panic(err)
	}
	return n
}

func TestWindowsOfOddTexts(t *testing.T) {
	byBytes := func(text string) (int, error) { return len(text), nil }
	for _, tc := range []struct {
		text   string
		maxLen int
		want   []Span
	}{
		{"\t\t\t\t\t\t", 4, []Span{{0, 6}}},                 // white space only: one window
		{"éx", 2, []Span{{0, 2}, {2, 3}}},                   // a word cut after its first character
		{"ab cd ef", 5, []Span{{0, 5}, {4, 8}}},             // words cut to 1 token (5/4): "d" is shared
		{"\U0001F600\U0001F600", 3, []Span{{0, 4}, {4, 8}}}, // a character over maxLen alone
	} {
		wins, err := windowsOf(tc.text, Span{0, len(tc.text)}, tc.maxLen, byBytes)
		var got []Span
		for _, w := range wins {
			got = append(got, w.Span)
		}
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("%q, maxLen %d: %v, %v; want %v", tc.text, tc.maxLen, got, err, tc.want)
		}
	}
}

func TestWindowsOfReportsCountErrors(t *testing.T) {
	calls := 0
	failSecond := func(text string) (int, error) {
		if calls++; calls == 2 {
			return 0, fmt.Errorf("no")
		}
		return fakeCount(text)
	}
	if _, err := windowsOf(strings.Repeat("abc ", 200), Span{0, 800}, 128, failSecond); err == nil {
		t.Error("no error")
	}
}

package scorer

import (
	"slices"
	"testing"
)

func TestSplitSentences(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"", nil},
		{"   \n\t ", nil},
		{"Shares rose 3.5% to $12.40. Analysts cheered!", []string{"Shares rose 3.5% to $12.40.", "Analysts cheered!"}},
		{"Acme Inc. beat estimates. Mr. Smith, the CEO, resigned.", []string{"Acme Inc. beat estimates.", "Mr. Smith, the CEO, resigned."}},
		{"The U.S. economy grew. J. P. Morgan agreed.", []string{"The U.S. economy grew.", "J. P. Morgan agreed."}},
		{"Headline one\nHeadline two\r\n\r\nThird", []string{"Headline one", "Headline two", "Third"}},
		{"He said \"sell now.\" Then he left.", []string{"He said \"sell now.\"", "Then he left."}},
		{"Is it over? Yes… maybe. “Buy.” Done", []string{"Is it over?", "Yes… maybe.", "“Buy.”", "Done"}},
		{"No punctuation at all", []string{"No punctuation at all"}},
		{"Revenue rose (see Fig. 3). Costs fell.", []string{"Revenue rose (see Fig. 3).", "Costs fell."}},
		{"Price target cut to $50 vs. $60 est. by analysts.", []string{"Price target cut to $50 vs. $60 est. by analysts."}},
		{"株価が上昇。次の文", []string{"株価が上昇。次の文"}},
	} {
		var got []string
		for _, s := range SplitSentences(tc.text) {
			got = append(got, tc.text[s.Start:s.End])
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("SplitSentences(%q)\n got %q\nwant %q", tc.text, got, tc.want)
		}
	}
}

func FuzzSplitSentences(f *testing.F) {
	for _, s := range []string{"A. B.", "x\ny", "“q.” r", "\xff. a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		prev := 0
		for _, s := range SplitSentences(text) {
			if s.Start < prev || s.End <= s.Start || s.End > len(text) {
				t.Fatalf("bad span %v after %d in %q", s, prev, text)
			}
			prev = s.End
		}
	})
}

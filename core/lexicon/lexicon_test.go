package lexicon

import "testing"

func TestLabel(t *testing.T) {
	for text, want := range map[string]string{
		"Shares jumped 8% after earnings beat estimates": "positive",
		"The bank cut guidance and warned of losses":     "negative",
		"The board meets on Tuesday":                     "neutral",
		"Profit did not fall":                            "positive",
		"":                                               "neutral",
	} {
		if got := Default.Label(text); got != want {
			t.Errorf("Label(%q) = %s (score %d), want %s", text, got, Default.Score(text), want)
		}
	}
}

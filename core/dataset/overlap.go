package dataset

import "strings"

// NGrams returns the distinct n-word sequences of a text, its words being
// those of NormalizeText, each sequence joined by single spaces.
func NGrams(text string, n int) []string {
	words := strings.Fields(NormalizeText(text))
	seen := map[string]bool{}
	var out []string
	for i := 0; i+n <= len(words); i++ {
		g := strings.Join(words[i:i+n], " ")
		if !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	return out
}

// NGramIndex finds which texts of a collection share an n-word sequence
// with a query text.
type NGramIndex struct {
	n     int
	texts []string
	where map[string][]int
}

// NewNGramIndex indexes texts by their n-word sequences.
func NewNGramIndex(texts []string, n int) *NGramIndex {
	ix := &NGramIndex{n: n, texts: texts, where: map[string][]int{}}
	for i, t := range texts {
		for _, g := range NGrams(t, n) {
			ix.where[g] = append(ix.where[g], i)
		}
	}
	return ix
}

// Shared returns the first n-word sequence that text shares with an
// indexed text, and that text's index; ok is false when there is none.
func (ix *NGramIndex) Shared(text string) (gram string, index int, ok bool) {
	for _, g := range NGrams(text, ix.n) {
		if at := ix.where[g]; len(at) > 0 {
			return g, at[0], true
		}
	}
	return "", -1, false
}

package scorer

import (
	"slices"
	"testing"
)

func TestWordSpans(t *testing.T) {
	doc := "xx Shares fell 3.5%, to $12.40 (U.S. close); “bad” — S&P's cut... yy"
	sp := Span{3, len(doc) - 3}
	var got []string
	for _, w := range wordSpans(doc, sp) {
		got = append(got, doc[w.Start:w.End])
	}
	want := []string{"Shares", "fell", "3.5%", "to", "$12.40", "U.S", "close", "bad", "S&P's", "cut"}
	if !slices.Equal(got, want) {
		t.Errorf("words %q, want %q", got, want)
	}
}

func TestPlanOcclusions(t *testing.T) {
	// Ten words of one byte, "a b c ...", in three windows; words 3 and 6
	// are in two windows each.
	words := make([]Span, 10)
	for i := range words {
		words[i] = Span{2 * i, 2*i + 1}
	}
	wins := []window{{Span{0, 7}, 4}, {Span{6, 13}, 4}, {Span{12, 19}, 4}}
	for _, tc := range []struct {
		name      string
		wins      []window
		order     []int
		maxPasses int
		want      []occlusion
		tried     int
	}{
		{"one window, all words", []window{{Span{0, 19}, 10}}, []int{0}, 128, []occlusion{
			{0, 0}, {1, 0}, {2, 0}, {3, 0}, {4, 0}, {5, 0}, {6, 0}, {7, 0}, {8, 0}, {9, 0}}, 10},
		{"one window, capped", []window{{Span{0, 19}, 10}}, []int{0}, 4, []occlusion{{0, 0}, {1, 0}, {2, 0}, {3, 0}}, 4},
		{"shared words cost two", wins, []int{0, 1, 2}, 128, []occlusion{
			{0, 0}, {1, 0}, {2, 0}, {3, 0}, {3, 1}, {4, 1}, {5, 1}, {6, 1}, {6, 2}, {7, 2}, {8, 2}, {9, 2}}, 10},
		{"most telling window first", wins, []int{2, 0, 1}, 6, []occlusion{{6, 1}, {6, 2}, {7, 2}, {8, 2}, {9, 2}, {0, 0}}, 5},
		{"stops before going over", wins, []int{1, 0, 2}, 3, []occlusion{{3, 0}, {3, 1}, {4, 1}}, 2},
		{"no passes", wins, []int{0, 1, 2}, 0, nil, 0},
	} {
		occ, tried := planOcclusions(words, tc.wins, tc.order, tc.maxPasses)
		if !slices.Equal(occ, tc.want) || tried != tc.tried {
			t.Errorf("%s: %v, %d tried; want %v, %d", tc.name, occ, tried, tc.want, tc.tried)
		}
		if len(occ) > tc.maxPasses {
			t.Errorf("%s: %d passes, over the cap %d", tc.name, len(occ), tc.maxPasses)
		}
	}
}

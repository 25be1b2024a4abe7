package spcheck

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sugarme/tokenizer/model/unigram"

	"finscore/core/testenv"
	"finscore/core/tokenize"
)

// TestUSEVocabulary checks the pretrained model's vocab.json: the
// tokenizer's piece table gives every id the piece SentencePiece gives it.
func TestUSEVocabulary(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(testenv.SharedDir(t), "models", "use-lite", "vocab.json"))
	if err != nil {
		t.Fatal(err)
	}
	vocab, err := tokenize.ParseVocabJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(vocab); err != nil {
		t.Fatal(err)
	}
}

func vocab(pieces ...string) []tokenize.Piece {
	v := []tokenize.Piece{{Text: "<unk>"}, {Text: "<s>"}, {Text: "</s>"}, {Text: "r3"}, {Text: "r4"}, {Text: "r5"}}
	for i, p := range pieces {
		v = append(v, tokenize.Piece{Text: p, Score: -float64(i + 1)})
	}
	return v
}

func model(t *testing.T, v []tokenize.Piece) *unigram.Unigram {
	items := make([]unigram.TokenScore, len(v))
	for i, p := range v {
		items[i] = unigram.TokenScore{Token: p.Text, Score: p.Score}
	}
	m, err := unigram.NewUnigramBuilder().Vocab(items).UnkID(0).Build()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestAgreeFindsDifferences checks that a tokenizer and a model of
// different vocabularies are told apart, with the id that differs.
func TestAgreeFindsDifferences(t *testing.T) {
	tk, err := tokenize.New(vocab("▁a", "b"))
	if err != nil {
		t.Fatal(err)
	}
	if err := agree(model(t, vocab("▁a", "b")), tk); err != nil {
		t.Errorf("same vocabulary: %v", err)
	}
	for _, tc := range []struct {
		other []tokenize.Piece
		want  string
	}{
		{vocab("▁a", "c"), `id 7 is "c" in the SentencePiece model but "b"`},
		{vocab("▁a"), "has 7 pieces, the tokenizer 8"},
	} {
		if err := agree(model(t, tc.other), tk); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("err = %v, want %q", err, tc.want)
		}
	}
	if err := Check(vocab()); err == nil {
		t.Error("Check accepted a vocabulary of reserved pieces only")
	}
}

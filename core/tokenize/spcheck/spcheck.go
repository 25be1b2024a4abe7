// Package spcheck checks a vocabulary against github.com/sugarme/tokenizer's
// SentencePiece unigram model, natively: finscore convert runs it before it
// writes a bundle. It is kept out of package tokenize so that the browser
// engine, which only needs the tokenizer's own piece table, does not link
// that module (and with it net/http, crypto/tls, a progress bar and YAML).
package spcheck

import (
	"fmt"

	"github.com/sugarme/tokenizer/model/unigram"

	"finscore/core/tokenize"
)

// Check loads vocab, in id order, into a SentencePiece unigram model and
// into a tokenize.Tokenizer, and checks that the two agree on the number of
// pieces and on the piece of every id.
func Check(vocab []tokenize.Piece) error {
	tk, err := tokenize.New(vocab)
	if err != nil {
		return err
	}
	items := make([]unigram.TokenScore, len(vocab))
	for i, p := range vocab {
		items[i] = unigram.TokenScore{Token: p.Text, Score: p.Score}
	}
	model, err := unigram.NewUnigramBuilder().Vocab(items).UnkID(tokenize.UnknownID).Build()
	if err != nil {
		return fmt.Errorf("spcheck: the SentencePiece model does not load the vocabulary: %w", err)
	}
	return agree(model, tk)
}

// agree checks that the unigram model and the tokenizer hold the same
// pieces under the same ids.
func agree(model *unigram.Unigram, tk *tokenize.Tokenizer) error {
	if model.GetVocabSize() != tk.VocabSize() {
		return fmt.Errorf("spcheck: the SentencePiece model has %d pieces, the tokenizer %d", model.GetVocabSize(), tk.VocabSize())
	}
	for id := range tk.VocabSize() {
		want, _ := model.IdToToken(id)
		if got, ok := tk.Piece(id); !ok || got != want {
			return fmt.Errorf("spcheck: id %d is %q in the SentencePiece model but %q in the tokenizer", id, want, got)
		}
	}
	return nil
}

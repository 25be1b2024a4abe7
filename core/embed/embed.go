// Package embed turns text into sentence embeddings: the tokenizer and the
// encoder of one bundle, run together.
package embed

import (
	"errors"
	"fmt"

	"finscore/core/bundle"
	"finscore/core/encoder"
	"finscore/core/tokenize"
)

// Embedder embeds text with one model. It reuses its buffers between calls
// and is not safe for concurrent use; make one per goroutine (they may share
// a Model and Tokenizer).
type Embedder struct {
	Tokenizer *tokenize.Tokenizer
	Model     *encoder.Model
	ws        *encoder.Workspace
}

// New returns an embedder for a tokenizer and a model.
func New(tk *tokenize.Tokenizer, m *encoder.Model) *Embedder {
	return &Embedder{Tokenizer: tk, Model: m, ws: encoder.NewWorkspace()}
}

// FromBundle loads the tokenizer and encoder stored in a bundle. It checks
// the encoder's configuration and counts the tokenizer's pieces against it
// before it builds either.
func FromBundle(b *bundle.Bundle) (*Embedder, error) {
	if len(b.Manifest.Tokenizer) == 0 {
		return nil, errors.New("embed: bundle manifest has no \"tokenizer\" entry")
	}
	cfg, err := encoder.BundleConfig(b)
	if err != nil {
		return nil, err
	}
	spec, err := tokenize.ParseSpec(b.Manifest.Tokenizer)
	if err != nil {
		return nil, fmt.Errorf("embed: bundle manifest \"tokenizer\": %w", err)
	}
	if len(spec.Vocab) > cfg.VocabSize {
		return nil, fmt.Errorf("embed: tokenizer has %d pieces but the encoder only %d embeddings", len(spec.Vocab), cfg.VocabSize)
	}
	tk, err := tokenize.FromSpec(spec)
	if err != nil {
		return nil, err
	}
	m, err := encoder.Load(cfg, b)
	if err != nil {
		return nil, err
	}
	return New(tk, m), nil
}

// Dim is the width of an embedding.
func (e *Embedder) Dim() int { return e.Model.Config.OutputDim }

// MaxBatchTokens bounds the tokens encoded together. The encoder's
// workspace grows with the tokens of a batch (about 22 KB per token for
// USE-Lite, 90 MB at this bound) and is kept for the next call, so Embed
// encodes texts in runs of at most this many tokens: its memory does not
// grow with the number of texts. It is the scorer's largest batch, 32
// sentences of 128 tokens.
const MaxBatchTokens = 4096

// Embed tokenizes and encodes texts, in batches of at most MaxBatchTokens
// tokens (a longer text is a batch of its own). It returns each text's
// token ids and its L2-normalised embedding.
func (e *Embedder) Embed(texts []string) (ids [][]int32, embeddings [][]float32, err error) {
	ids = make([][]int32, len(texts))
	for i, t := range texts {
		if ids[i], err = e.Tokenizer.Encode(t); err != nil {
			return nil, nil, fmt.Errorf("embed: text %d: %w", i, err)
		}
		if ids[i] == nil {
			ids[i] = []int32{} // an empty text has no ids, not missing ones
		}
	}
	flat := make([]float32, len(texts)*e.Dim())
	embeddings = make([][]float32, len(texts))
	for i := range embeddings {
		embeddings[i] = flat[i*e.Dim() : (i+1)*e.Dim() : (i+1)*e.Dim()]
	}
	for lo := 0; lo < len(texts); {
		hi := lo + batchLen(ids[lo:], e.Model.Config.MaxLen)
		if err := e.Model.Encode(e.ws, ids[lo:hi], embeddings[lo:hi]); err != nil {
			return nil, nil, fmt.Errorf("embed: the batch from text %d: %w", lo, err)
		}
		lo = hi
	}
	return ids, embeddings, nil
}

// batchLen is how many of ids, from the first, fit in one batch: as many as
// stay within MaxBatchTokens once clipped to maxLen, and at least one.
func batchLen(ids [][]int32, maxLen int) int {
	tokens := 0
	for n, row := range ids {
		tokens += min(len(row), maxLen)
		if tokens > MaxBatchTokens && n > 0 {
			return n
		}
	}
	return len(ids)
}

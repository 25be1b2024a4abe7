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

// Embed tokenizes and encodes texts as one batch. It returns each text's
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
	if err := e.Model.Encode(e.ws, ids, embeddings); err != nil {
		return nil, nil, err
	}
	return ids, embeddings, nil
}

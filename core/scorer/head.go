package scorer

import (
	"encoding/json"
	"errors"
	"fmt"

	"finscore/core/bundle"
	"finscore/core/tensor"
)

// Tensor names and the manifest entry of the sentiment head.
const (
	SentimentKernel = "sentiment/kernel" // [OutputDim, len(Labels)]
	SentimentBias   = "sentiment/bias"   // [len(Labels)]
	SentimentEntry  = "sentiment"        // key in Manifest.Extra
)

// SentimentSpec is the sentiment head's manifest entry.
type SentimentSpec struct {
	// Labels names the classes in logit order.
	Labels []string `json:"labels"`
	// Temperature divides the logits before the softmax (calibration).
	Temperature float64 `json:"temperature"`
	// DocumentFocus weights each sentence's probabilities in the document's
	// sentiment by (1 − P(neutral))^DocumentFocus; 0 is a plain mean.
	DocumentFocus float64 `json:"document_focus,omitempty"`
}

// SentimentHead is a linear classifier on the sentence embedding.
type SentimentHead struct {
	Spec   SentimentSpec
	Kernel []float32 // [dim, classes]
	Bias   []float32 // [classes]
}

// LoadSentimentHead reads the head from a bundle whose embeddings are dim wide.
func LoadSentimentHead(b *bundle.Bundle, dim int) (*SentimentHead, error) {
	raw, ok := b.Manifest.Extra[SentimentEntry]
	if !ok {
		return nil, errors.New("scorer: bundle has no sentiment head (manifest extra \"sentiment\"); is it the base encoder?")
	}
	var spec SentimentSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		return nil, fmt.Errorf("scorer: manifest \"sentiment\": %w", err)
	}
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	k, err := b.Float32s(SentimentKernel, dim, len(spec.Labels))
	if err != nil {
		return nil, fmt.Errorf("scorer: %w", err)
	}
	bias, err := b.Float32s(SentimentBias, len(spec.Labels))
	if err != nil {
		return nil, fmt.Errorf("scorer: %w", err)
	}
	return &SentimentHead{Spec: spec, Kernel: k, Bias: bias}, nil
}

// Probs returns calibrated class probabilities for one embedding:
// softmax(logits / Temperature), logits = embedding · kernel + bias.
func (h *SentimentHead) Probs(embedding []float32) []float64 {
	logits := linear(embedding, h.Kernel, h.Bias)
	for j := range logits {
		logits[j] /= h.Spec.Temperature
	}
	tensor.Softmax(logits)
	return logits
}

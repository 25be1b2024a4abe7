// Package scorer is the product's meaning: it turns text into sentences,
// scores each for sentiment and for risk (a probability per category and a
// level) and aggregates them into a document report.
package scorer

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"

	"finscore/core/bundle"
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
	if len(spec.Labels) < 2 || len(spec.Labels) > 16 {
		return nil, fmt.Errorf("scorer: sentiment head has %d labels, want 2..16", len(spec.Labels))
	}
	if !(spec.Temperature >= 0.01 && spec.Temperature <= 100) {
		return nil, fmt.Errorf("scorer: sentiment temperature %v outside [0.01, 100]", spec.Temperature)
	}
	if !(spec.DocumentFocus >= 0 && spec.DocumentFocus <= 8) {
		return nil, fmt.Errorf("scorer: sentiment document_focus %v outside [0, 8]", spec.DocumentFocus)
	}
	seen := map[string]bool{}
	for _, l := range spec.Labels {
		if l == "" || seen[l] {
			return nil, fmt.Errorf("scorer: sentiment labels %q are empty or repeated", spec.Labels)
		}
		seen[l] = true
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

// Probs returns calibrated class probabilities for one embedding.
func (h *SentimentHead) Probs(embedding []float32) []float64 {
	n := len(h.Spec.Labels)
	logits := make([]float64, n)
	for j := range logits {
		logits[j] = float64(h.Bias[j])
	}
	for i, x := range embedding {
		row := h.Kernel[i*n : (i+1)*n]
		for j, w := range row {
			logits[j] += float64(x) * float64(w)
		}
	}
	mx := math.Inf(-1)
	for j := range logits {
		logits[j] /= h.Spec.Temperature
		mx = math.Max(mx, logits[j])
	}
	var z float64
	for j := range logits {
		logits[j] = math.Exp(logits[j] - mx)
		z += logits[j]
	}
	for j := range logits {
		logits[j] /= z
	}
	return logits
}

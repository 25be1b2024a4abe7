package scorer

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"

	"finscore/core/bundle"
)

// Tensor names and the manifest entry of the risk head.
const (
	RiskKernel      = "risk/kernel"       // [dim, len(Categories)]
	RiskBias        = "risk/bias"         // [len(Categories)]
	RiskLevelKernel = "risk_level/kernel" // [dim, len(RiskLevels)]
	RiskLevelBias   = "risk_level/bias"   // [len(RiskLevels)]
	RiskEntry       = "risk"              // key in Manifest.Extra
)

// The risk levels, from none to high.
var RiskLevels = []string{"none", "low", "medium", "high"}

// RiskSpec is the risk head's manifest entry. The head is a multi-label
// classifier trained with the encoder: each category's probability is
// sigmoid(logit / Temperature), with logits = embedding · kernel + bias. A
// category counts for a sentence when its probability reaches the
// category's threshold. Beside it, a level head (a linear layer over the
// same embedding, one logit per level of RiskLevels) rates how severe a
// sentence's risk is: a sentence with no category has level none; one with
// a category has the level among low, medium and high with the highest
// logit.
type RiskSpec struct {
	Categories  []Category `json:"categories"` // without examples
	Temperature float64    `json:"temperature"`
	Thresholds  []float64  `json:"thresholds"`
}

// RiskHead scores sentences against the risk categories and rates their
// level.
type RiskHead struct {
	Spec        RiskSpec
	Kernel      []float32 // [dim, categories]
	Bias        []float32 // [categories]
	LevelKernel []float32 // [dim, len(RiskLevels)]
	LevelBias   []float32 // [len(RiskLevels)]
}

// LoadRiskHead reads the risk head from a bundle whose embeddings are dim
// wide.
func LoadRiskHead(b *bundle.Bundle, dim int) (*RiskHead, error) {
	raw, ok := b.Manifest.Extra[RiskEntry]
	if !ok {
		return nil, errors.New("scorer: bundle has no risk head (manifest extra \"risk\")")
	}
	var spec RiskSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		return nil, fmt.Errorf("scorer: manifest \"risk\": %w", err)
	}
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	n := len(spec.Categories)
	k, err := b.Float32s(RiskKernel, dim, n)
	if err != nil {
		return nil, fmt.Errorf("scorer: %w", err)
	}
	bias, err := b.Float32s(RiskBias, n)
	if err != nil {
		return nil, fmt.Errorf("scorer: %w", err)
	}
	lk, err := b.Float32s(RiskLevelKernel, dim, len(RiskLevels))
	if err != nil {
		return nil, fmt.Errorf("scorer: %w", err)
	}
	lb, err := b.Float32s(RiskLevelBias, len(RiskLevels))
	if err != nil {
		return nil, fmt.Errorf("scorer: %w", err)
	}
	return &RiskHead{Spec: spec, Kernel: k, Bias: bias, LevelKernel: lk, LevelBias: lb}, nil
}

// Probs returns, for one embedding, each category's probability that the
// sentence gives evidence of that risk.
func (h *RiskHead) Probs(embedding []float32) []float64 {
	out := linear(embedding, h.Kernel, h.Bias)
	for c := range out {
		out[c] = sigmoid(out[c] / h.Spec.Temperature)
	}
	return out
}

// Level rates the risk level of a sentence from its embedding, given
// whether any category reached its threshold: none when none did, else the
// strongest of low, medium and high on the level head.
func (h *RiskHead) Level(embedding []float32, flagged bool) string {
	if !flagged {
		return "none"
	}
	logits := linear(embedding, h.LevelKernel, h.LevelBias)
	best := 1
	for l := 2; l < len(logits); l++ {
		if logits[l] > logits[best] {
			best = l
		}
	}
	return RiskLevels[best]
}

// linear returns x · kernel + bias, kernel [len(x), len(bias)].
func linear(x, kernel, bias []float32) []float64 {
	n := len(bias)
	out := make([]float64, n)
	for c := range out {
		out[c] = float64(bias[c])
	}
	for i, v := range x {
		row := kernel[i*n : (i+1)*n]
		for c, w := range row {
			out[c] += float64(v) * float64(w)
		}
	}
	return out
}

// LevelRank orders levels: none 0, low 1, medium 2, high 3 (-1 if unknown).
func LevelRank(level string) int { return slices.Index(RiskLevels, level) }

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

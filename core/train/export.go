package train

import (
	"encoding/json"
	"fmt"

	"finscore/core/bundle"
	"finscore/core/scorer"
)

// Export lays out a fine-tuned model as a bundle: the base bundle's
// tokenizer and provenance, the encoder (matrices as matrixType), the
// sentiment head with its spec (labels, calibration) and the risk head with
// its spec (categories, calibration, thresholds) and the level head. about is stored
// in the manifest's extra "training" entry.
func Export(m *Model, base bundle.Manifest, sentiment scorer.SentimentSpec, risk scorer.RiskSpec, matrixType bundle.DType, about any) (bundle.Manifest, []bundle.TensorData, error) {
	cfg, err := json.Marshal(m.Config)
	if err != nil {
		return bundle.Manifest{}, nil, err
	}
	if len(sentiment.Labels) != m.Sentiment.Outputs || len(risk.Categories) != m.Risk.Outputs {
		return bundle.Manifest{}, nil, fmt.Errorf("train: %d sentiment labels and %d risk categories for heads of %d and %d outputs",
			len(sentiment.Labels), len(risk.Categories), m.Sentiment.Outputs, m.Risk.Outputs)
	}
	if m.Level.Outputs != len(scorer.RiskLevels) {
		return bundle.Manifest{}, nil, fmt.Errorf("train: the risk level head has %d outputs, want %d (fit it with FitLevelHead)", m.Level.Outputs, len(scorer.RiskLevels))
	}
	if err := risk.Validate(); err != nil {
		return bundle.Manifest{}, nil, err
	}
	head, err := json.Marshal(sentiment)
	if err != nil {
		return bundle.Manifest{}, nil, err
	}
	riskSpec, err := json.Marshal(risk)
	if err != nil {
		return bundle.Manifest{}, nil, err
	}
	training, err := json.Marshal(about)
	if err != nil {
		return bundle.Manifest{}, nil, err
	}
	manifest := bundle.Manifest{
		Name:      "finscore",
		Source:    "fine-tuned by finscore train from " + base.Source,
		License:   base.License,
		Model:     cfg,
		Tokenizer: base.Tokenizer,
		Extra:     map[string]json.RawMessage{scorer.SentimentEntry: head, scorer.RiskEntry: riskSpec, "training": training},
	}
	tensors := m.Config.BundleTensors(&m.W, matrixType)
	// The heads' tensors, named as Params names them ("sentiment/kernel" is
	// scorer.SentimentKernel, "risk/kernel" scorer.RiskKernel), in float32.
	for _, p := range m.Params(nil) {
		if p.Group == GroupHeads {
			tensors = append(tensors, bundle.TensorData{Name: p.Name, Shape: p.Shape, DType: bundle.Float32, Values: p.Value})
		}
	}
	tensors = append(tensors,
		bundle.TensorData{Name: scorer.RiskLevelKernel, Shape: []int{m.Config.OutputDim, m.Level.Outputs}, DType: bundle.Float32, Values: m.Level.W},
		bundle.TensorData{Name: scorer.RiskLevelBias, Shape: []int{m.Level.Outputs}, DType: bundle.Float32, Values: m.Level.B})
	return manifest, tensors, nil
}

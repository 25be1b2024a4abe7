package train

import (
	"encoding/json"

	"finscore/core/bundle"
	"finscore/core/scorer"
)

// Export lays out a fine-tuned model as a bundle: the base bundle's
// tokenizer and provenance, the encoder (matrices as matrixType), and the
// sentiment head with its labels and calibration temperature. about is
// stored in the manifest's extra "training" entry.
func Export(m *Model, base bundle.Manifest, labels []string, temperature float64, matrixType bundle.DType, about any) (bundle.Manifest, []bundle.TensorData, error) {
	cfg, err := json.Marshal(m.Config)
	if err != nil {
		return bundle.Manifest{}, nil, err
	}
	head, err := json.Marshal(scorer.SentimentSpec{Labels: labels, Temperature: temperature})
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
		Extra:     map[string]json.RawMessage{scorer.SentimentEntry: head, "training": training},
	}
	tensors := append(m.Config.BundleTensors(&m.W, matrixType),
		bundle.TensorData{Name: scorer.SentimentKernel, Shape: []int{m.Config.OutputDim, m.Classes}, DType: bundle.Float32, Values: m.HeadW},
		bundle.TensorData{Name: scorer.SentimentBias, Shape: []int{m.Classes}, DType: bundle.Float32, Values: m.HeadB},
	)
	return manifest, tensors, nil
}

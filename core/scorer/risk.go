package scorer

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"

	"finscore/core/bundle"
)

// Tensor name and manifest entry of the risk head.
const (
	RiskPrototypes = "risk/prototypes" // [len(Categories), dim]
	RiskEntry      = "risk"            // key in Manifest.Extra
)

// RiskSpec is the risk head's manifest entry. Each category has a
// prototype (the normalised mean embedding of its example phrases) and a
// logistic calibration of the cosine similarity to it:
// p = sigmoid(Scale·cos + Offset).
type RiskSpec struct {
	Categories []Category `json:"categories"` // without examples
	Scale      []float64  `json:"scale"`
	Offset     []float64  `json:"offset"`
}

// RiskHead scores sentences against the risk categories.
type RiskHead struct {
	Spec       RiskSpec
	Prototypes []float32 // [len(Categories), dim], unit rows
	dim        int
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
	n := len(spec.Categories)
	if n == 0 || n > 32 || len(spec.Scale) != n || len(spec.Offset) != n {
		return nil, fmt.Errorf("scorer: risk head has %d categories, %d scales and %d offsets", n, len(spec.Scale), len(spec.Offset))
	}
	for i := range spec.Scale {
		if math.IsNaN(spec.Scale[i]) || math.IsInf(spec.Scale[i], 0) || math.IsNaN(spec.Offset[i]) || math.IsInf(spec.Offset[i], 0) {
			return nil, fmt.Errorf("scorer: risk category %q has a non-finite calibration", spec.Categories[i].ID)
		}
	}
	p, err := b.Float32s(RiskPrototypes, n, dim)
	if err != nil {
		return nil, fmt.Errorf("scorer: %w", err)
	}
	return &RiskHead{Spec: spec, Prototypes: p, dim: dim}, nil
}

// Probs returns, for one L2-normalised embedding, each category's
// probability that the sentence gives evidence of that risk.
func (h *RiskHead) Probs(embedding []float32) []float64 {
	out := make([]float64, len(h.Spec.Categories))
	for c := range out {
		proto := h.Prototypes[c*h.dim : (c+1)*h.dim]
		var cos float64
		for i, x := range embedding {
			cos += float64(x) * float64(proto[i])
		}
		out[c] = sigmoid(h.Spec.Scale[c]*cos + h.Spec.Offset[c])
	}
	return out
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// BuildRiskHead makes a risk head from a taxonomy. embed returns unit-norm
// embeddings of texts. Each category's prototype is the normalised mean of
// its examples' embeddings. Its calibration is a logistic regression of
// "is an example of this category" on the cosine to the prototype, fitted
// on: the category's own examples (each against the prototype of the
// others, leave-one-out, so an example never vouches for itself), the other
// categories' examples, and background sentences presumed free of risk.
// Positives and negatives are weighted to count equally.
func BuildRiskHead(tax *Taxonomy, background []string, embed func([]string) ([][]float32, error)) (*RiskHead, error) {
	if len(background) == 0 {
		return nil, errors.New("scorer: risk head needs background sentences")
	}
	examples := make([][][]float32, len(tax.Categories))
	for c, cat := range tax.Categories {
		e, err := embed(cat.Examples)
		if err != nil {
			return nil, err
		}
		examples[c] = e
	}
	bg, err := embed(background)
	if err != nil {
		return nil, err
	}
	dim := len(bg[0])
	h := &RiskHead{dim: dim, Prototypes: make([]float32, len(tax.Categories)*dim)}
	for c, cat := range tax.Categories {
		h.Spec.Categories = append(h.Spec.Categories, Category{ID: cat.ID, Label: cat.Label, Description: cat.Description})
		sum := make([]float64, dim)
		for _, e := range examples[c] {
			for i, v := range e {
				sum[i] += float64(v)
			}
		}
		copy(h.Prototypes[c*dim:(c+1)*dim], normalized(sum))

		var xs []float64
		var ys []bool
		for _, e := range examples[c] { // leave-one-out positives
			loo := make([]float64, dim)
			for i := range loo {
				loo[i] = sum[i] - float64(e[i])
			}
			xs = append(xs, dot(e, normalized(loo)))
			ys = append(ys, true)
		}
		proto := h.Prototypes[c*dim : (c+1)*dim]
		for o := range tax.Categories {
			if o == c {
				continue
			}
			for _, e := range examples[o] {
				xs = append(xs, dot(e, proto))
				ys = append(ys, false)
			}
		}
		for _, e := range bg {
			xs = append(xs, dot(e, proto))
			ys = append(ys, false)
		}
		a, b := fitLogistic(xs, ys)
		h.Spec.Scale = append(h.Spec.Scale, a)
		h.Spec.Offset = append(h.Spec.Offset, b)
	}
	return h, nil
}

func normalized(v []float64) []float32 {
	var sq float64
	for _, x := range v {
		sq += x * x
	}
	out := make([]float32, len(v))
	if sq == 0 {
		return out
	}
	for i, x := range v {
		out[i] = float32(x / math.Sqrt(sq))
	}
	return out
}

func dot(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

// fitLogistic fits p(y) = sigmoid(a·x + b) by Newton's method, weighting
// the positive and negative classes equally, with a small ridge penalty so
// that separable data still gives finite weights.
func fitLogistic(xs []float64, ys []bool) (a, b float64) {
	var npos, nneg float64
	for _, y := range ys {
		if y {
			npos++
		} else {
			nneg++
		}
	}
	wPos, wNeg := 0.5/math.Max(npos, 1), 0.5/math.Max(nneg, 1)
	const ridge = 1e-3
	for iter := 0; iter < 100; iter++ {
		var ga, gb, haa, hab, hbb float64
		for i, x := range xs {
			p := sigmoid(a*x + b)
			w, y := wNeg, 0.0
			if ys[i] {
				w, y = wPos, 1
			}
			g := w * (p - y)
			ga += g * x
			gb += g
			h := w * p * (1 - p)
			haa += h * x * x
			hab += h * x
			hbb += h
		}
		ga += ridge * a
		haa += ridge
		hbb += 1e-9
		det := haa*hbb - hab*hab
		if det <= 0 {
			break
		}
		da := (hbb*ga - hab*gb) / det
		db := (haa*gb - hab*ga) / det
		a -= da
		b -= db
		if math.Abs(da)+math.Abs(db) < 1e-10 {
			break
		}
	}
	return a, b
}

// Bundle returns the head's manifest entry and tensor for writing.
func (h *RiskHead) Bundle() (json.RawMessage, bundle.TensorData, error) {
	spec, err := json.Marshal(h.Spec)
	if err != nil {
		return nil, bundle.TensorData{}, err
	}
	t := bundle.TensorData{Name: RiskPrototypes, Shape: []int{len(h.Spec.Categories), h.dim}, DType: bundle.Float32, Values: h.Prototypes}
	return spec, t, nil
}

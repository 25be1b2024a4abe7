package train

import "math"

// AdamW is Adam with decoupled weight decay (Loshchilov & Hutter, 2019).
type AdamW struct {
	Beta1, Beta2, Eps float64
	// WeightDecay is applied to tensors for which Decay returns true (by
	// convention matrices, not biases or layer-norm parameters).
	WeightDecay float64
	Step        int         // updates taken so far
	M, V        [][]float32 // first and second moments, one per parameter tensor
}

// NewAdamW returns an optimizer with the usual betas for the given
// parameters.
func NewAdamW(params []Param, weightDecay float64) *AdamW {
	o := &AdamW{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: weightDecay}
	for _, p := range params {
		o.M = append(o.M, make([]float32, len(p.Value)))
		o.V = append(o.V, make([]float32, len(p.Value)))
	}
	return o
}

// Update takes one step: each parameter moves along its gradient with the
// learning rate of its group, lr(p.Group), and is decayed when p.Decay.
func (o *AdamW) Update(params []Param, lr func(group string) float64) {
	o.Step++
	c1 := 1 - math.Pow(o.Beta1, float64(o.Step))
	c2 := 1 - math.Pow(o.Beta2, float64(o.Step))
	b1, b2 := float32(o.Beta1), float32(o.Beta2)
	for i, prm := range params {
		p, g, m, v, lr := prm.Value, prm.Grad, o.M[i], o.V[i], lr(prm.Group)
		shrink := float32(1)
		if prm.Decay {
			shrink = float32(1 - lr*o.WeightDecay)
		}
		for j := range p {
			m[j] = b1*m[j] + (1-b1)*g[j]
			v[j] = b2*v[j] + (1-b2)*g[j]*g[j]
			mHat := float64(m[j]) / c1
			vHat := float64(v[j]) / c2
			p[j] = p[j]*shrink - float32(lr*mHat/(math.Sqrt(vHat)+o.Eps))
		}
	}
}

// ClipGradients scales all gradients down so that their global L2 norm is
// at most maxNorm, and returns the norm before clipping.
func ClipGradients(params []Param, maxNorm float64) float64 {
	var sq float64
	for _, p := range params {
		for _, v := range p.Grad {
			sq += float64(v) * float64(v)
		}
	}
	norm := math.Sqrt(sq)
	if maxNorm > 0 && norm > maxNorm {
		s := float32(maxNorm / norm)
		for _, p := range params {
			for j := range p.Grad {
				p.Grad[j] *= s
			}
		}
	}
	return norm
}

// Schedule is linear warmup to Peak over Warmup steps, then linear decay to
// zero at Total steps.
type Schedule struct {
	Peak          float64
	Warmup, Total int
}

// At returns the learning rate for step (counting from 0).
func (s Schedule) At(step int) float64 {
	if step < s.Warmup {
		return s.Peak * float64(step+1) / float64(s.Warmup)
	}
	if s.Total <= s.Warmup {
		return s.Peak
	}
	return s.Peak * math.Max(0, float64(s.Total-step)/float64(s.Total-s.Warmup))
}

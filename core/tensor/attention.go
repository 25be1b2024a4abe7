package tensor

import "fmt"

// Attention computes multi-head scaled dot-product attention over one
// sequence of n tokens. qkv holds n rows of 3·width floats, a token's
// query, key and value side by side; each of the heads attends with its own
// width/heads-wide slice of them. ctx gets n rows of width floats:
//
//	ctx[i, head] = Σ_j softmax_j(scale · q[i, head]·k[j, head]) · v[j, head]
//
// scores is scratch for n floats. Every token attends to every token of
// the sequence: a batch of sentences is one call per sentence.
func Attention(ctx, qkv, scores []float32, n, width, heads int, scale float32) {
	if heads <= 0 || width%heads != 0 {
		panic(fmt.Sprintf("tensor: Attention with width %d and %d heads", width, heads))
	}
	ctx, qkv, scores = ctx[:n*width], qkv[:n*3*width], scores[:n]
	if useKernels() && n > 0 && width > 0 {
		attentionKernel(ctx, qkv, scores, n, width, heads, scale)
		return
	}
	attentionGo(ctx, qkv, scores, n, width, heads, scale)
}

// AttentionWeights is Attention that also keeps the attention weights, for
// the training backward pass: probs gets heads·n·n floats, head h's
// softmax row for query i at probs[(h·n+i)·n:][:n]. It runs in pure Go.
func AttentionWeights(ctx, qkv, probs []float32, n, width, heads int, scale float32) {
	if heads <= 0 || width%heads != 0 {
		panic(fmt.Sprintf("tensor: AttentionWeights with width %d and %d heads", width, heads))
	}
	attend(ctx[:n*width], qkv[:n*3*width], probs[:heads*n*n], true, n, width, heads, scale)
}

// attentionGo is Attention in pure Go, its arguments sliced to size.
func attentionGo(ctx, qkv, scores []float32, n, width, heads int, scale float32) {
	attend(ctx, qkv, scores, false, n, width, heads, scale)
}

// attend computes attention with each softmax row in scores: the same n
// floats reused for every row, or, when keep, its own row of scores
// (heads·n·n floats).
func attend(ctx, qkv, scores []float32, keep bool, n, width, heads int, scale float32) {
	hd, stride := width/heads, 3*width
	clear(ctx)
	for h := 0; h < heads; h++ {
		for i := 0; i < n; i++ {
			row := scores[:n]
			if keep {
				row = scores[(h*n+i)*n : (h*n+i+1)*n]
			}
			q := qkv[i*stride+h*hd : i*stride+(h+1)*hd]
			for j := 0; j < n; j++ {
				k := qkv[j*stride+width+h*hd : j*stride+width+(h+1)*hd]
				row[j] = scale * Dot(q, k)
			}
			Softmax(row)
			o := ctx[i*width+h*hd : i*width+(h+1)*hd]
			for j := 0; j < n; j++ {
				Axpy(o, row[j], qkv[j*stride+2*width+h*hd:j*stride+2*width+(h+1)*hd])
			}
		}
	}
}

package train

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"time"

	"finscore/core/metrics"
	"finscore/core/tensor"
)

// Sample is one tokenised training example with the labels it has: a
// sentiment class (or NoLabel), and a 0/1 target per risk category (nil
// when the example has no risk labels).
type Sample struct {
	IDs   []int32
	Label int
	Risk  []float32
	// Level is the labelled risk level (0 none … 3 high) of a sample with
	// risk labels: not fine-tuned on, but the target of the level head
	// fitted afterwards on the fixed embeddings (FitLevelHead).
	Level int
}

// Options configures Fit. The zero value is not useful; start from
// DefaultOptions.
type Options struct {
	Epochs    int     // passes over the training set
	BatchSize int     // sentences per update
	LR        float64 // peak learning rate of the encoder
	HeadLR    float64 // peak learning rate of the heads
	// RiskWeight scales the risk head's loss against the sentiment
	// head's (each is a mean over the batch's examples labelled for it).
	RiskWeight  float64
	WarmupFrac  float64 // fraction of all steps spent warming up
	WeightDecay float64 // AdamW decay of matrices (not biases or norms)
	ClipNorm    float64 // global gradient-norm limit; 0 means none
	Patience    int     // epochs without a better dev macro-F1 before stopping
	Seed        uint64  // shuffling; the same seed gives the same model
	Workers     int     // goroutines sharing each batch
	// ClassWeights scales each class's loss (nil: all 1).
	ClassWeights []float32
	// Progress, if set, is called after every update.
	Progress func(Progress)
	// Checkpoint, if set, is called after every epoch with the state to save.
	Checkpoint func(*State) error
}

// DefaultOptions are the settings the shipped model is trained with.
func DefaultOptions() Options {
	return Options{
		Epochs: 6, BatchSize: 32, LR: 5e-5, HeadLR: 1e-2, RiskWeight: 2, WarmupFrac: 0.06,
		WeightDecay: 0.01, ClipNorm: 1, Patience: 2, Seed: 1, Workers: 2,
	}
}

// Progress reports training as it runs.
type Progress struct {
	Epoch, Epochs   int
	Step, Steps     int     // updates done and planned, over all epochs
	Loss            float64 // running mean loss of this epoch
	SentencesPerSec float64
	ETA             time.Duration
}

// State is everything a run needs to resume: the model, the optimizer, and
// where it stopped.
type State struct {
	Model     *Model
	Opt       *AdamW
	Epoch     int     // epochs completed
	BestF1    float64 // best dev score so far (see EpochResult.DevScore)
	BestEpoch int     // epoch that reached it (1-based; 0 = none)
	// Best holds the parameters of the best epoch, for early stopping.
	Best [][]float32
	// History has one line per completed epoch.
	History []EpochResult
}

// EpochResult is one epoch's summary.
type EpochResult struct {
	Epoch  int
	Loss   float64
	DevAcc float64 // sentiment accuracy on dev
	DevF1  float64 // sentiment macro-F1 on dev
	// DevRiskF1 is the risk head's macro-F1 over categories on the dev
	// examples with risk labels, each category counted at probability 0.5.
	DevRiskF1 float64
	// DevScore chooses the epoch: the sentiment macro-F1, averaged with
	// DevRiskF1 when dev has risk labels.
	DevScore float64
	// Duration is wall-clock time; it is not saved, so that the same
	// training gives a byte-identical bundle.
	Duration time.Duration `json:"-"`
}

// NewState starts training from a model.
func NewState(m *Model, opt Options) *State {
	return &State{Model: m, Opt: NewAdamW(m.Params(nil), opt.WeightDecay)}
}

// Fit trains st.Model on the training samples, evaluating on dev after each
// epoch, and stops early when the dev score has not improved for Patience
// epochs. It leaves the best epoch's parameters in the model.
func Fit(st *State, trainSet, dev []Sample, opt Options) error {
	if len(trainSet) == 0 || len(dev) == 0 {
		return errors.New("train: empty training or dev set")
	}
	if opt.BatchSize < 1 || opt.Epochs < 1 || opt.Workers < 1 {
		return fmt.Errorf("train: batch size %d, epochs %d, workers %d must be positive", opt.BatchSize, opt.Epochs, opt.Workers)
	}
	m := st.Model
	params := m.Params(nil)
	workers := make([]*Grads, opt.Workers)
	for i := range workers {
		workers[i] = NewGrads(m)
	}
	sum := m.Params(workers[0]) // the batch gradient ends up in workers[0]
	stepsPerEpoch := (len(trainSet) + opt.BatchSize - 1) / opt.BatchSize
	sched := Schedule{Peak: 1, Warmup: max(1, int(opt.WarmupFrac*float64(stepsPerEpoch*opt.Epochs))), Total: stepsPerEpoch * opt.Epochs}

	for epoch := st.Epoch; epoch < opt.Epochs; epoch++ {
		start := time.Now()
		order := rand.New(rand.NewPCG(opt.Seed, uint64(epoch))).Perm(len(trainSet))
		var lossSum float64
		for b := 0; b < stepsPerEpoch; b++ {
			idx := order[b*opt.BatchSize : min((b+1)*opt.BatchSize, len(order))]
			loss, err := accumulate(m, workers, trainSet, idx, opt)
			if err != nil {
				return err
			}
			lossSum += loss
			if opt.ClipNorm > 0 {
				ClipGradients(sum, opt.ClipNorm)
			}
			step := epoch*stepsPerEpoch + b
			// The schedule's shape scales both groups: encoder and heads.
			frac := sched.At(step)
			st.Opt.Update(sum, func(group string) float64 {
				if group == GroupHeads {
					return frac * opt.HeadLR
				}
				return frac * opt.LR
			})
			if opt.Progress != nil {
				done := b + 1
				elapsed := time.Since(start)
				rate := float64(done*opt.BatchSize) / elapsed.Seconds()
				remaining := (opt.Epochs-epoch)*stepsPerEpoch - done
				opt.Progress(Progress{
					Epoch: epoch + 1, Epochs: opt.Epochs, Step: step + 1, Steps: sched.Total,
					Loss: lossSum / float64(done), SentencesPerSec: rate,
					ETA: time.Duration(float64(remaining*opt.BatchSize) / rate * float64(time.Second)),
				})
			}
		}
		res, err := evaluateEpoch(m, dev, opt.Workers)
		if err != nil {
			return err
		}
		res.Epoch, res.Loss, res.Duration = epoch+1, lossSum/float64(stepsPerEpoch), time.Since(start)
		st.History = append(st.History, res)
		st.Epoch = epoch + 1
		if res.DevScore > st.BestF1 {
			st.BestF1, st.BestEpoch = res.DevScore, epoch+1
			st.Best = values(params)
		}
		if opt.Checkpoint != nil {
			if err := opt.Checkpoint(st); err != nil {
				return fmt.Errorf("train: checkpoint: %w", err)
			}
		}
		if st.Epoch-st.BestEpoch >= opt.Patience && st.Epoch < opt.Epochs {
			break
		}
	}
	if st.Best != nil {
		for i, p := range params {
			copy(p.Value, st.Best[i])
		}
	}
	return nil
}

// evaluateEpoch measures the model on dev: sentiment accuracy and macro-F1
// on the examples with a sentiment label, risk macro-F1 on those with risk
// labels, and the score that chooses the epoch.
func evaluateEpoch(m *Model, dev []Sample, workers int) (EpochResult, error) {
	sent, risk, err := Predict(m, dev, workers)
	if err != nil {
		return EpochResult{}, err
	}
	conf := metrics.NewConfusion(classNames(m.Sentiment.Outputs))
	var riskCounts []metrics.Binary
	if m.Risk.Outputs > 0 {
		riskCounts = make([]metrics.Binary, m.Risk.Outputs)
	}
	for i, s := range dev {
		if s.Label >= 0 {
			conf.Add(s.Label, argmax(sent[i]))
		}
		if s.Risk != nil && riskCounts != nil {
			for c, y := range s.Risk {
				riskCounts[c].Add(y >= 0.5, risk[i][c] >= 0)
			}
		}
	}
	res := EpochResult{DevAcc: conf.Accuracy(), DevF1: conf.MacroF1()}
	res.DevScore = res.DevF1
	if riskCounts != nil && riskCounts[0].Total() > 0 {
		res.DevRiskF1 = metrics.MacroF1(riskCounts)
		res.DevScore = (res.DevF1 + res.DevRiskF1) / 2
	}
	return res, nil
}

func classNames(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprint(i)
	}
	return out
}

// values copies every parameter's values.
func values(ps []Param) [][]float32 {
	out := make([][]float32, len(ps))
	for i, p := range ps {
		out[i] = append([]float32(nil), p.Value...)
	}
	return out
}

// accumulate computes the batch's loss and leaves its gradient in
// workers[0], sharding the batch across the workers' goroutines. The loss is
// the (class-weighted) mean sentiment cross-entropy over the batch's
// examples with a sentiment label, plus RiskWeight times the mean risk
// cross-entropy over those with risk labels.
func accumulate(m *Model, workers []*Grads, set []Sample, idx []int, opt Options) (float64, error) {
	shards := min(len(workers), len(idx))
	losses := make([]float64, shards)
	errs := make([]error, shards)
	var wg sync.WaitGroup
	var sentWeight, riskCount float64
	for _, i := range idx {
		if set[i].Label >= 0 {
			sentWeight += float64(weightOf(opt.ClassWeights, set[i].Label))
		}
		if set[i].Risk != nil {
			riskCount++
		}
	}
	for w := 0; w < shards; w++ {
		part := idx[w*len(idx)/shards : (w+1)*len(idx)/shards]
		wg.Add(1)
		go func(w int, part []int) {
			defer wg.Done()
			g := workers[w]
			g.Zero(m)
			batch := make([][]int32, len(part))
			labels := make([]int, len(part))
			weights := make([]float32, len(part))
			targets := make([][]float32, len(part))
			var partWeight float64
			for j, i := range part {
				batch[j], labels[j], targets[j] = set[i].IDs, set[i].Label, set[i].Risk
				if labels[j] >= 0 {
					weights[j] = weightOf(opt.ClassWeights, labels[j])
					partWeight += float64(weights[j])
				}
			}
			tr, err := m.Forward(batch)
			if err != nil {
				errs[w] = err
				return
			}
			// Scale this shard's means to their share of the batch means.
			var dSent, dRisk []float32
			if partWeight > 0 {
				loss, d := CrossEntropy(tr.Sentiment, labels, m.Sentiment.Outputs, weights)
				share := partWeight / sentWeight
				tensor.Scale(d, float32(share))
				losses[w] += loss * share
				dSent = d
			}
			if m.Risk.Outputs > 0 && riskCount > 0 {
				loss, d, n := BinaryCrossEntropy(tr.Risk, targets, m.Risk.Outputs)
				if n > 0 {
					share := float64(n) / riskCount * opt.RiskWeight
					tensor.Scale(d, float32(share))
					losses[w] += loss * share
					dRisk = d
				}
			}
			m.Backward(tr, g, dSent, dRisk)
		}(w, part)
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return 0, err
	}
	sum := m.Params(workers[0])
	for w := 1; w < shards; w++ {
		for i, p := range m.Params(workers[w]) {
			tensor.Add(sum[i].Grad, p.Grad)
		}
	}
	var loss float64
	for _, l := range losses {
		loss += l
	}
	return loss, nil
}

func weightOf(classWeights []float32, label int) float32 {
	if classWeights == nil {
		return 1
	}
	return classWeights[label]
}

// Predict returns the sentiment logits [len(samples), Sentiment.Outputs]
// and the risk logits [len(samples), Risk.Outputs], computed in batches
// across workers goroutines. It returns the first error any batch met.
func Predict(m *Model, samples []Sample, workers int) (sentiment, risk [][]float32, err error) {
	sentiment = make([][]float32, len(samples))
	risk = make([][]float32, len(samples))
	err = forwardBatches(m, samples, workers, func(start int, tr *Trace) {
		s, r := m.Sentiment.Outputs, m.Risk.Outputs
		for i := range tr.batch {
			sentiment[start+i] = tr.Sentiment[i*s : (i+1)*s]
			risk[start+i] = tr.Risk[i*r : (i+1)*r]
		}
	})
	if err != nil {
		return nil, nil, err
	}
	return sentiment, risk, nil
}

// Embed returns the L2-normalised sentence embedding of every sample, the
// input of both heads.
func Embed(m *Model, samples []Sample, workers int) ([][]float32, error) {
	emb := make([][]float32, len(samples))
	D := m.Config.OutputDim
	err := forwardBatches(m, samples, workers, func(start int, tr *Trace) {
		for i := range tr.batch {
			emb[start+i] = tr.Emb[i*D : (i+1)*D]
		}
	})
	if err != nil {
		return nil, err
	}
	return emb, nil
}

// forwardBatches runs the model on samples in batches of 64 across workers
// goroutines and hands each batch's trace, with the index of its first
// sample, to use (which may run concurrently for different batches). It
// returns the first error any batch met.
func forwardBatches(m *Model, samples []Sample, workers int, use func(start int, tr *Trace)) error {
	const batch = 64
	var mu sync.Mutex
	var err error
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < max(workers, 1); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for start := range next {
				end := min(start+batch, len(samples))
				ids := make([][]int32, end-start)
				for i := range ids {
					ids[i] = samples[start+i].IDs
				}
				tr, ferr := m.Forward(ids)
				if ferr != nil {
					mu.Lock()
					if err == nil {
						err = ferr
					}
					mu.Unlock()
					continue
				}
				use(start, tr)
			}
		}()
	}
	for start := 0; start < len(samples); start += batch {
		next <- start
	}
	close(next)
	wg.Wait()
	return err
}

// Evaluate returns the confusion matrix of the model's sentiment
// predictions on the samples with a sentiment label.
func Evaluate(m *Model, samples []Sample, workers int) (*metrics.Confusion, error) {
	sent, _, err := Predict(m, samples, workers)
	if err != nil {
		return nil, err
	}
	conf := metrics.NewConfusion(classNames(m.Sentiment.Outputs))
	for i, l := range sent {
		if samples[i].Label >= 0 {
			conf.Add(samples[i].Label, argmax(l))
		}
	}
	return conf, nil
}

func argmax(v []float32) int {
	best := 0
	for i, x := range v {
		if x > v[best] || math.IsNaN(float64(v[best])) {
			best = i
		}
	}
	return best
}

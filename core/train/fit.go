package train

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"time"

	"finscore/core/metrics"
)

// Sample is one tokenised training example.
type Sample struct {
	IDs   []int32
	Label int
}

// Options configures Fit. The zero value is not useful; start from
// DefaultOptions.
type Options struct {
	Epochs      int     // passes over the training set
	BatchSize   int     // sentences per update
	LR          float64 // peak learning rate of the encoder
	HeadLR      float64 // peak learning rate of the classifier head
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
		Epochs: 3, BatchSize: 32, LR: 5e-5, HeadLR: 5e-3, WarmupFrac: 0.06,
		WeightDecay: 0.01, ClipNorm: 1, Patience: 1, Seed: 1, Workers: 2,
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
	BestF1    float64 // best dev macro-F1 so far
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
	DevAcc float64
	DevF1  float64
	// Duration is wall-clock time; it is not saved, so that the same
	// training gives a byte-identical bundle.
	Duration time.Duration `json:"-"`
}

// NewState starts training from a model.
func NewState(m *Model, opt Options) *State {
	_, params, _ := Params(m, NewGrads(m))
	return &State{Model: m, Opt: NewAdamW(params, opt.WeightDecay)}
}

// decayMask marks matrices (rank ≥ 2) for weight decay, except the
// embedding table, whose rows are updated only when their token appears.
func decayMask(m *Model) []bool {
	var mask []bool
	for _, s := range m.Config.TensorSpecs() {
		mask = append(mask, len(s.Shape) >= 2 && s.Name != "embeddings")
	}
	return append(mask, true, false) // head kernel, head bias
}

// Fit trains st.Model on the training samples, evaluating on dev after each
// epoch, and stops early when dev macro-F1 has not improved for Patience
// epochs. It leaves the best epoch's parameters in the model.
func Fit(st *State, trainSet, dev []Sample, opt Options) error {
	if len(trainSet) == 0 || len(dev) == 0 {
		return errors.New("train: empty training or dev set")
	}
	if opt.BatchSize < 1 || opt.Epochs < 1 || opt.Workers < 1 {
		return fmt.Errorf("train: batch size %d, epochs %d, workers %d must be positive", opt.BatchSize, opt.Epochs, opt.Workers)
	}
	m := st.Model
	names, params, _ := Params(m, NewGrads(m))
	decay := decayMask(m)
	workers := make([]*Grads, opt.Workers)
	for i := range workers {
		workers[i] = NewGrads(m)
	}
	_, _, grads := Params(m, workers[0])
	stepsPerEpoch := (len(trainSet) + opt.BatchSize - 1) / opt.BatchSize
	lrs := make([]float64, len(params))
	sched := Schedule{Peak: 1, Warmup: max(1, int(opt.WarmupFrac*float64(stepsPerEpoch*opt.Epochs))), Total: stepsPerEpoch * opt.Epochs}
	headFrom := len(names) - 2 // the head's two tensors are last

	for epoch := st.Epoch; epoch < opt.Epochs; epoch++ {
		start := time.Now()
		order := rand.New(rand.NewPCG(opt.Seed, uint64(epoch))).Perm(len(trainSet))
		var lossSum float64
		for b := 0; b < stepsPerEpoch; b++ {
			idx := order[b*opt.BatchSize : min((b+1)*opt.BatchSize, len(order))]
			loss, err := accumulate(m, workers, trainSet, idx, opt.ClassWeights)
			if err != nil {
				return err
			}
			lossSum += loss
			if opt.ClipNorm > 0 {
				ClipGradients(grads, opt.ClipNorm)
			}
			step := epoch*stepsPerEpoch + b
			// The schedule's shape scales both groups: encoder and head.
			frac := sched.At(step)
			for i := range lrs {
				lrs[i] = frac * opt.LR
				if i >= headFrom {
					lrs[i] = frac * opt.HeadLR
				}
			}
			st.Opt.Update(params, grads, decay, lrs)
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
		conf, err := Evaluate(m, dev, opt.Workers)
		if err != nil {
			return err
		}
		res := EpochResult{Epoch: epoch + 1, Loss: lossSum / float64(stepsPerEpoch), DevAcc: conf.Accuracy(), DevF1: conf.MacroF1(), Duration: time.Since(start)}
		st.History = append(st.History, res)
		st.Epoch = epoch + 1
		if res.DevF1 > st.BestF1 {
			st.BestF1, st.BestEpoch = res.DevF1, epoch+1
			st.Best = cloneAll(params)
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
			copy(p, st.Best[i])
		}
	}
	return nil
}

func cloneAll(ts [][]float32) [][]float32 {
	out := make([][]float32, len(ts))
	for i, t := range ts {
		out[i] = append([]float32(nil), t...)
	}
	return out
}

// accumulate computes the batch's mean loss and leaves its gradient in
// workers[0], sharding the batch across the workers' goroutines.
func accumulate(m *Model, workers []*Grads, set []Sample, idx []int, classWeights []float32) (float64, error) {
	shards := min(len(workers), len(idx))
	losses := make([]float64, shards)
	errs := make([]error, shards)
	var wg sync.WaitGroup
	var totalWeight float64
	for _, i := range idx {
		totalWeight += float64(weightOf(classWeights, set[i].Label))
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
			var partWeight float64
			for j, i := range part {
				batch[j], labels[j] = set[i].IDs, set[i].Label
				weights[j] = weightOf(classWeights, labels[j])
				partWeight += float64(weights[j])
			}
			tr, err := m.Forward(batch)
			if err != nil {
				errs[w] = err
				return
			}
			loss, d := CrossEntropy(tr.Logits, labels, m.Classes, weights)
			// Scale this shard's mean to its share of the batch mean.
			share := partWeight / totalWeight
			for j := range d {
				d[j] *= float32(share)
			}
			losses[w] = loss * share
			m.Backward(tr, g, d)
		}(w, part)
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return 0, err
	}
	_, _, sum := Params(m, workers[0])
	for w := 1; w < shards; w++ {
		_, _, other := Params(m, workers[w])
		for i := range sum {
			for j, v := range other[i] {
				sum[i][j] += v
			}
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

// Predict returns the logits [len(samples), Classes], computed in batches
// across workers goroutines.
func Predict(m *Model, samples []Sample, workers int) ([][]float32, error) {
	const batch = 64
	out := make([][]float32, len(samples))
	errs := make(chan error, workers)
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
				tr, err := m.Forward(ids)
				if err != nil {
					errs <- err
					continue
				}
				for i := range ids {
					out[start+i] = tr.Logits[i*m.Classes : (i+1)*m.Classes]
				}
			}
		}()
	}
	for start := 0; start < len(samples); start += batch {
		next <- start
	}
	close(next)
	wg.Wait()
	close(errs)
	for err := range errs {
		return nil, err
	}
	return out, nil
}

// Evaluate returns the confusion matrix of the model's predictions on
// samples.
func Evaluate(m *Model, samples []Sample, workers int) (*metrics.Confusion, error) {
	logits, err := Predict(m, samples, workers)
	if err != nil {
		return nil, err
	}
	labels := make([]string, m.Classes)
	for i := range labels {
		labels[i] = fmt.Sprint(i)
	}
	conf := metrics.NewConfusion(labels)
	for i, l := range logits {
		conf.Add(samples[i].Label, argmax(l))
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

package train

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"
)

// toyTask labels a sentence by which of the tokens 1, 2, 3 it contains;
// the other tokens are noise.
func toyTask(n int, seed uint64) []Sample {
	r := rand.New(rand.NewPCG(seed, 1))
	out := make([]Sample, n)
	for i := range out {
		label := r.IntN(3)
		ids := []int32{int32(1 + label)}
		for j := r.IntN(4); j > 0; j-- {
			ids = append(ids, int32(4+r.IntN(9)))
		}
		r.Shuffle(len(ids), func(a, b int) { ids[a], ids[b] = ids[b], ids[a] })
		out[i] = Sample{IDs: ids, Label: label}
		if i%2 == 0 { // risk: category 0 for token 1 or 2, category 1 for token 3
			out[i].Risk = []float32{b2f(label < 2), b2f(label == 2)}
		}
	}
	return out
}

func b2f(b bool) float32 {
	if b {
		return 1
	}
	return 0
}

func toyOptions() Options {
	o := DefaultOptions()
	o.Epochs, o.BatchSize, o.LR, o.HeadLR, o.Patience = 6, 16, 3e-3, 3e-2, 6
	return o
}

func TestFitLearnsAToyTask(t *testing.T) {
	m := tinyModel(5)
	clear(m.Sentiment.W)
	clear(m.Risk.W)
	trainSet, dev := toyTask(480, 1), toyTask(120, 2)
	before, err := Evaluate(m, dev, 2)
	if err != nil {
		t.Fatal(err)
	}
	st := NewState(m, toyOptions())
	var calls, checkpoints int
	opt := toyOptions()
	opt.Progress = func(p Progress) {
		calls++
		if p.Step != calls || p.Steps != 6*30 || p.Loss <= 0 {
			t.Fatalf("progress %+v at call %d", p, calls)
		}
	}
	opt.Checkpoint = func(*State) error { checkpoints++; return nil }
	if err := Fit(st, trainSet, dev, opt); err != nil {
		t.Fatal(err)
	}
	after, err := Evaluate(m, dev, 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("dev accuracy %.3f before, %.3f after; history %+v", before.Accuracy(), after.Accuracy(), st.History)
	if after.Accuracy() < 0.95 || checkpoints != len(st.History) || st.History[0].Loss <= st.History[len(st.History)-1].Loss {
		t.Errorf("did not learn: accuracy %.3f, %d checkpoints, history %+v", after.Accuracy(), checkpoints, st.History)
	}
	best := st.History[st.BestEpoch-1]
	if best.DevF1 != after.MacroF1() || best.DevRiskF1 < 0.9 || best.DevScore != st.BestF1 {
		t.Errorf("model left with macro-F1 %v, best epoch had %+v (best score %v)", after.MacroF1(), best, st.BestF1)
	}
}

// TestFitIsDeterministicAndResumable trains twice with one seed, and once
// resumed from the checkpoint written after the first epoch, and requires
// the same parameters each time.
func TestFitIsDeterministicAndResumable(t *testing.T) {
	trainSet, dev := toyTask(96, 3), toyTask(30, 4)
	opt := toyOptions()
	opt.Epochs, opt.Patience = 3, 3
	var saved []byte
	run := func() [][]float32 {
		m := tinyModel(6)
		st := NewState(m, opt)
		o := opt
		o.Checkpoint = func(st *State) error {
			if st.Epoch == 1 {
				var buf bytes.Buffer
				err := WriteCheckpoint(&buf, st)
				saved = buf.Bytes()
				return err
			}
			return nil
		}
		if err := Fit(st, trainSet, dev, o); err != nil {
			t.Fatal(err)
		}
		return values(m.Params(nil))
	}
	a, b := run(), run()
	st, err := ReadCheckpoint(saved, opt)
	if err != nil {
		t.Fatal(err)
	}
	if st.Epoch != 1 || len(st.History) != 1 || st.Opt.Step != 6 {
		t.Fatalf("checkpoint state: epoch %d, history %v, step %d", st.Epoch, st.History, st.Opt.Step)
	}
	if err := Fit(st, trainSet, dev, opt); err != nil {
		t.Fatal(err)
	}
	resumed := values(st.Model.Params(nil))
	for i := range a {
		if !slices.Equal(a[i], b[i]) {
			t.Fatalf("tensor %d differs between two runs with the same seed", i)
		}
		if !slices.Equal(a[i], resumed[i]) {
			t.Fatalf("tensor %d differs after resuming", i)
		}
	}
}

func TestReadCheckpointRejectsGarbage(t *testing.T) {
	if _, err := ReadCheckpoint([]byte("not a checkpoint"), toyOptions()); err == nil {
		t.Error("garbage accepted")
	}
}

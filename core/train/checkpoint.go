package train

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"finscore/core/bundle"
	"finscore/core/encoder"
)

// A checkpoint is a bundle of float32 tensors: the parameters ("param/…"),
// AdamW's moments ("adam_m/…", "adam_v/…"), the best epoch's parameters
// ("best/…", once there is one), and the loop's position in the manifest's
// extra "train_state".

type checkpointState struct {
	Classes   int           `json:"classes"`
	Epoch     int           `json:"epoch"`
	Step      int           `json:"optimizer_step"`
	BestF1    float64       `json:"best_f1"`
	BestEpoch int           `json:"best_epoch"`
	History   []EpochResult `json:"history"`
}

// WriteCheckpoint saves st so that ReadCheckpoint and Fit can resume it.
func WriteCheckpoint(w io.Writer, st *State) error {
	m := st.Model
	cfg, err := json.Marshal(m.Config)
	if err != nil {
		return err
	}
	state, err := json.Marshal(checkpointState{m.Classes, st.Epoch, st.Opt.Step, st.BestF1, st.BestEpoch, st.History})
	if err != nil {
		return err
	}
	names, params, _ := Params(m, &Grads{W: m.Config.ZeroWeights()})
	shapes := tensorShapes(m)
	var tensors []bundle.TensorData
	add := func(prefix string, values [][]float32) {
		for i, v := range values {
			tensors = append(tensors, bundle.TensorData{Name: prefix + names[i], Shape: shapes[i], DType: bundle.Float32, Values: v})
		}
	}
	add("param/", params)
	add("adam_m/", st.Opt.M)
	add("adam_v/", st.Opt.V)
	if st.Best != nil {
		add("best/", st.Best)
	}
	manifest := bundle.Manifest{Name: "finscore-checkpoint", Model: cfg, Extra: map[string]json.RawMessage{"train_state": state}}
	return bundle.Write(w, manifest, tensors)
}

// tensorShapes lists the shapes of the tensors Params returns.
func tensorShapes(m *Model) [][]int {
	var shapes [][]int
	for _, s := range m.Config.TensorSpecs() {
		shapes = append(shapes, s.Shape)
	}
	return append(shapes, []int{m.Config.OutputDim, m.Classes}, []int{m.Classes})
}

// ReadCheckpoint restores a State written by WriteCheckpoint, with the
// optimizer's weight decay taken from opt.
func ReadCheckpoint(data []byte, opt Options) (*State, error) {
	b, err := bundle.Read(data)
	if err != nil {
		return nil, fmt.Errorf("train: checkpoint: %w", err)
	}
	var cs checkpointState
	if err := json.Unmarshal(b.Manifest.Extra["train_state"], &cs); err != nil {
		return nil, fmt.Errorf("train: checkpoint has no readable train_state: %w", err)
	}
	var cfg encoder.Config
	if err := json.Unmarshal(b.Manifest.Model, &cfg); err != nil {
		return nil, fmt.Errorf("train: checkpoint model config: %w", err)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cs.Classes < 2 || cs.Classes > 1000 {
		return nil, fmt.Errorf("train: checkpoint has %d classes", cs.Classes)
	}
	m := &Model{Config: cfg, W: cfg.ZeroWeights(), Classes: cs.Classes,
		HeadW: make([]float32, cfg.OutputDim*cs.Classes), HeadB: make([]float32, cs.Classes)}
	st := NewState(m, opt)
	st.Epoch, st.Opt.Step, st.BestF1, st.BestEpoch, st.History = cs.Epoch, cs.Step, cs.BestF1, cs.BestEpoch, cs.History
	names, params, _ := Params(m, &Grads{W: cfg.ZeroWeights()})
	shapes := tensorShapes(m)
	read := func(prefix string, dst [][]float32) error {
		for i := range dst {
			v, err := b.Float32s(prefix+names[i], shapes[i]...)
			if err != nil {
				return err
			}
			copy(dst[i], v)
		}
		return nil
	}
	if err := read("param/", params); err != nil {
		return nil, err
	}
	if err := read("adam_m/", st.Opt.M); err != nil {
		return nil, err
	}
	if err := read("adam_v/", st.Opt.V); err != nil {
		return nil, err
	}
	if _, ok := b.Tensor("best/" + names[0]); ok {
		st.Best = cloneAll(params)
		if err := read("best/", st.Best); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// checkpointBytes is WriteCheckpoint into memory.
func checkpointBytes(st *State) ([]byte, error) {
	var buf bytes.Buffer
	err := WriteCheckpoint(&buf, st)
	return buf.Bytes(), err
}

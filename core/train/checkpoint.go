package train

import (
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
	RiskCats  int           `json:"risk_categories"`
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
	state, err := json.Marshal(checkpointState{m.Sentiment.Outputs, m.Risk.Outputs, st.Epoch, st.Opt.Step, st.BestF1, st.BestEpoch, st.History})
	if err != nil {
		return err
	}
	params := m.Params(nil)
	var tensors []bundle.TensorData
	add := func(prefix string, values [][]float32) {
		for i, v := range values {
			tensors = append(tensors, bundle.TensorData{Name: prefix + params[i].Name, Shape: params[i].Shape, DType: bundle.Float32, Values: v})
		}
	}
	add("param/", values(params))
	add("adam_m/", st.Opt.M)
	add("adam_v/", st.Opt.V)
	if st.Best != nil {
		add("best/", st.Best)
	}
	manifest := bundle.Manifest{Name: "finscore-checkpoint", Model: cfg, Extra: map[string]json.RawMessage{"train_state": state}}
	return bundle.Write(w, manifest, tensors)
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
	if cs.Classes < 2 || cs.Classes > 1000 || cs.RiskCats < 0 || cs.RiskCats > 1000 {
		return nil, fmt.Errorf("train: checkpoint has %d sentiment classes and %d risk categories", cs.Classes, cs.RiskCats)
	}
	m := NewModel(cfg, cfg.ZeroWeights(), cs.Classes, cs.RiskCats)
	st := NewState(m, opt)
	st.Epoch, st.Opt.Step, st.BestF1, st.BestEpoch, st.History = cs.Epoch, cs.Step, cs.BestF1, cs.BestEpoch, cs.History
	ps := m.Params(nil)
	params := make([][]float32, len(ps))
	for i, p := range ps {
		params[i] = p.Value
	}
	read := func(prefix string, dst [][]float32) error {
		for i := range dst {
			v, err := b.Float32s(prefix+ps[i].Name, ps[i].Shape...)
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
	if _, ok := b.Tensor("best/" + ps[0].Name); ok {
		st.Best = values(ps)
		if err := read("best/", st.Best); err != nil {
			return nil, err
		}
	}
	return st, nil
}

package train

import (
	"slices"
	"testing"

	"finscore/core/tensor"
)

func TestRefitRiskHeadLearnsAndKeepsTheBestOnDev(t *testing.T) {
	m := tinyModel(5)
	clear(m.Risk.W) // a head that knows nothing: dev AP at chance
	clear(m.Risk.B)
	encoderBefore := slices.Clone(m.W.Embeddings)
	res, err := RefitRiskHead(m, toyTask(400, 1), toyTask(200, 2), RefitOptions{Steps: 300, LR: 0.05, Every: 10}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if res.Step == 0 || res.Dev <= res.StartDev || res.Dev < 0.8 {
		t.Errorf("refit did not learn the toy risk task: %+v", res)
	}
	x, tg, _, err := riskFeatures(m, toyTask(200, 2), 2)
	if err != nil {
		t.Fatal(err)
	}
	logits := make([]float32, len(tg)*m.Risk.Outputs)
	tensor.MatMul(logits, x, m.Risk.W, m.Risk.B, len(tg), m.Config.OutputDim, m.Risk.Outputs)
	if got := meanAP(logits, tg, m.Risk.Outputs); got != res.Dev {
		t.Errorf("the head kept scores dev AP %.4f, the report says %.4f", got, res.Dev)
	}
	if !slices.Equal(encoderBefore, m.W.Embeddings) {
		t.Error("refitting the risk head changed the encoder")
	}

	// Given a head already better than anything the refit reaches in one
	// step, it keeps that head.
	before := slices.Clone(m.Risk.W)
	res, err = RefitRiskHead(m, toyTask(400, 1), toyTask(200, 2), RefitOptions{Steps: 1, LR: 10, Every: 1}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if res.Step != 0 && res.Dev <= res.StartDev {
		t.Errorf("refit kept a head no better on dev: %+v", res)
	}
	if res.Step == 0 && !slices.Equal(before, m.Risk.W) {
		t.Error("refit reported keeping the starting head but changed it")
	}
}

func TestRefitRiskHeadErrors(t *testing.T) {
	m := tinyModel(5)
	noRisk := toyTask(20, 1)
	for i := range noRisk {
		noRisk[i].Risk = nil
	}
	for name, call := range map[string]func() error{
		"no risk labels": func() error { _, err := RefitRiskHead(m, noRisk, toyTask(20, 2), DefaultRefitOptions(), 1); return err },
		"bad options": func() error {
			_, err := RefitRiskHead(m, toyTask(20, 1), toyTask(20, 2), RefitOptions{Steps: 10}, 1)
			return err
		},
		"no risk head": func() error {
			_, err := RefitRiskHead(NewModel(m.Config, m.W, 3, 0), toyTask(20, 1), toyTask(20, 2), DefaultRefitOptions(), 1)
			return err
		},
	} {
		if call() == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestFitLevelHeadLearnsLevels(t *testing.T) {
	m := tinyModel(5)
	level := func(s []Sample) []Sample { // level: 1 for token 1, 2 for token 2, 3 for token 3
		for i := range s {
			if s[i].Risk != nil {
				s[i].Level = 1 + s[i].Label
			}
		}
		return s
	}
	res, err := FitLevelHead(m, level(toyTask(400, 1)), level(toyTask(200, 2)), 1, RefitOptions{Steps: 300, LR: 0.05, Every: 10}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if m.Level.Outputs != LevelOutputs || res.Dev < 0.5 || res.Dev <= res.StartDev {
		t.Errorf("level head did not learn the toy levels: %+v", res)
	}
	bad := level(toyTask(20, 1))
	bad[0].Level = 7
	if _, err := FitLevelHead(m, bad, toyTask(20, 2), 1, DefaultRefitOptions(), 1); err == nil {
		t.Error("level 7: no error")
	}
}

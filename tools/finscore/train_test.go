package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"finscore/core/tensor"
	"finscore/core/testenv"
)

// tinyModelSHA256 is the sha256 of the bundle TestTrainScoreEval trains,
// as finscore train wrote it before its recipe moved into train.Build
// (core/train/recipe.go): the move changed no byte. The bytes follow the
// float arithmetic, which is the same on every linux/amd64-like machine
// whose MatMul runs on the AVX2+FMA kernels, built for GOAMD64=v1 (Go's
// default); elsewhere the check is skipped. When a change to the recipe,
// the encoder, the scorer or the bundle format changes the model on
// purpose, record the new sum here.
const tinyModelSHA256 = "56830859d8859a9c8c1919678491773bb792c7e1c396fce9ce8be24deaffc21e"

// checkModelBytes compares the bundle at path with tinyModelSHA256 where
// the arithmetic is the one it was recorded with.
func checkModelBytes(t *testing.T, path string) {
	t.Helper()
	goamd64 := "v1"
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "GOAMD64" {
				goamd64 = s.Value
			}
		}
	}
	if runtime.GOARCH != "amd64" || goamd64 != "v1" || !tensor.Accelerated() {
		t.Logf("not checking the model's bytes: recorded on amd64 (GOAMD64=v1) with the AVX2 kernels, this is %s (GOAMD64=%s), AVX2 kernels %v",
			runtime.GOARCH, goamd64, tensor.Accelerated())
		return
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != tinyModelSHA256 {
		t.Errorf("%s has sha256 %s, want %s: the training recipe's output changed (record the new sum if that was meant)", path, got, tinyModelSHA256)
	}
}

// TestTrainScoreEval trains on a tiny corpus end to end, then scores and
// evaluates with the bundle it wrote: the plumbing of make model, score and
// eval, not the quality of the model.
func TestTrainScoreEval(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "tiny.fsb")
	ckpt := filepath.Join(dir, "train.ckpt")
	base := filepath.Join(testenv.RepoRoot(t), "weights", "use-lite.fsb")
	taxonomy := filepath.Join(testenv.RepoRoot(t), "weights", "risk-taxonomy.json")
	code, stdout, stderr := runCLI(t, "", "train", "--base", base, "--taxonomy", taxonomy, "--data", "testdata/tiny-weights",
		"--out", model, "--checkpoint", ckpt, "--epochs", "1", "--batch", "8", "--workers", "2")
	if code != 0 {
		t.Fatalf("train: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{"epoch 1: loss", "twitter-test", "sentfin-test", "calibration on dev", "wrote " + model} {
		if !strings.Contains(stdout+stderr, want) {
			t.Errorf("train output lacks %q:\n%s\n%s", want, stdout, stderr)
		}
	}
	if _, err := os.Stat(ckpt); err != nil {
		t.Errorf("no checkpoint written: %v", err)
	}
	checkModelBytes(t, model)
	// A finished checkpoint resumes straight to the end.
	code, _, stderr = runCLI(t, "", "train", "--base", base, "--taxonomy", taxonomy, "--data", "testdata/tiny-weights",
		"--out", model, "--checkpoint", ckpt, "--epochs", "1", "--batch", "8")
	if code != 0 || !strings.Contains(stderr, "resuming from") {
		t.Errorf("resume: exit %d\n%s", code, stderr)
	}
	checkModelBytes(t, model) // the same model from the finished checkpoint

	docs := `{"text": "Acme missed a bond payment and its rating was cut to junk. Shares fell 20%."}` + "\n" +
		`{"text": "Profit warning hits shares"}` + "\n" + `{"text": ""}` + "\n"
	code, stdout, stderr = runCLI(t, docs, "score", "--weights", model, "--explain")
	if code != 0 {
		t.Fatalf("score: exit %d\n%s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 3 {
		t.Fatalf("score wrote %d lines for 3 documents", len(lines))
	}
	var first struct {
		Sentiment struct {
			Label  string
			Probs  map[string]float64
			Signal float64
		}
		Risk struct {
			Level      string
			Categories []struct{ ID string }
		}
		Sentences []struct {
			Start, End int
			Drivers    []struct{ Word string }
		}
		Summary string
	}
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if len(first.Sentences) != 2 || len(first.Sentiment.Probs) != 3 || first.Summary == "" || len(first.Sentences[0].Drivers) == 0 {
		t.Errorf("report: %s", lines[0])
	}

	code, stdout, stderr = runCLI(t, "", "eval", "--weights", model, "--split", "twitter-test", "--data", "testdata/tiny-weights")
	if code != 0 || !strings.Contains(stdout, "twitter-test") || !strings.Contains(stdout, "lexicon baseline") || !strings.Contains(stdout, "truth\\pred") {
		t.Errorf("eval: exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, stdout, stderr = runCLI(t, "", "eval", "--weights", model, "--risk", filepath.Join(testenv.RepoRoot(t), "weights", "risk-dev", "risk_dev.csv"))
	if code != 0 || !strings.Contains(stdout, "macro-F1") || !strings.Contains(stdout, "fraud_governance") {
		t.Errorf("eval --risk: exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, _, stderr = runCLI(t, "", "eval", "--weights", model, "--risk", "testdata/tiny-weights/training-data/sentfin/sentfin_headline_level.csv")
	if code != 1 || !strings.Contains(stderr, `lacks column "text"`) {
		t.Errorf("eval --risk on a sentiment file: exit %d, stderr %q; want exit 1 and a missing-column error", code, stderr)
	}
	csvPath := filepath.Join(dir, "labelled.csv")
	os.WriteFile(csvPath, []byte("text,label\nShares soared on record profit,positive\nThe firm went bankrupt,negative\n"), 0o644)
	code, stdout, stderr = runCLI(t, "", "eval", "--weights", model, "--csv", csvPath, "--json")
	var results []struct {
		Model string
		N     int
	}
	if code != 0 || json.Unmarshal([]byte(stdout), &results) != nil || len(results) != 2 || results[0].N != 2 {
		t.Errorf("eval --csv --json: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

func TestScoreAndEvalErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "none.fsb")
	base := filepath.Join(testenv.RepoRoot(t), "weights", "use-lite.fsb")
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"score missing model", []string{"score", "--weights", missing}, 1, "no such file"},
		{"score base encoder", []string{"score", "--weights", base}, 1, "no sentiment head"},
		{"eval nothing chosen", []string{"eval"}, 2, "exactly one of"},
		{"eval two chosen", []string{"eval", "--phrasebank", "--split", "dev"}, 2, "exactly one of"},
		{"eval bad split", []string{"eval", "--split", "test", "--data", "testdata/tiny-weights"}, 2, `unknown --split "test"`},
		{"eval missing csv", []string{"eval", "--csv", missing}, 1, "no such file"},
		{"train bad lr", []string{"train", "--lr", "0"}, 2, "--lr and --head-lr must be positive"},
		{"train bad epochs", []string{"train", "--epochs", "0"}, 2, "must be positive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, "", tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, tc.code, tc.want)
			}
		})
	}
}

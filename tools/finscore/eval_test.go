package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"finscore/core/testenv"
)

// TestEvalReportsWriteErrors: every output of eval, table or JSON, fails
// with exit 1 and the write error when stdout stops taking bytes (a full
// disk), at the first byte or part way through.
func TestEvalReportsWriteErrors(t *testing.T) {
	model := filepath.Join(testenv.RepoRoot(t), "weights", "finscore.fsb")
	csvPath := filepath.Join(t.TempDir(), "labelled.csv")
	if err := os.WriteFile(csvPath, []byte("text,label\nShares soared on record profit,positive\nThe firm went bankrupt,negative\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tiny := filepath.Join("testdata", "tiny-weights")
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"csv table", []string{"--csv", csvPath}},
		{"csv json", []string{"--csv", csvPath, "--json"}},
		{"split table", []string{"--split", "twitter-test", "--data", tiny}},
		{"risk table", []string{"--risk", filepath.Join(tiny, "risk-dev", "risk_dev.csv")}},
		{"risk json", []string{"--risk", filepath.Join(tiny, "risk-dev", "risk_dev.csv"), "--json"}},
		{"documents table", []string{"--documents", filepath.Join(tiny, "documents", "dev.jsonl")}},
		{"checks table", []string{"--checks"}},
	} {
		for _, after := range []int{0, 100} {
			if tc.name == "checks table" && after > 0 {
				continue // one run of the behaviour tests is enough
			}
			var stderr bytes.Buffer
			args := append([]string{"eval", "--weights", model}, tc.args...)
			code := run(args, nil, &failingWriter{n: after}, &stderr)
			if code != 1 || !strings.Contains(stderr.String(), errDiskFull.Error()) {
				t.Errorf("%s, disk full after %d bytes: exit %d, stderr %q; want exit 1 and the write error", tc.name, after, code, stderr.String())
			}
		}
	}
}

// TestInputsWithBOM: a byte-order mark at the start of an eval CSV, of
// labelled documents or of the JSON Lines that score reads is not part of
// the data.
func TestInputsWithBOM(t *testing.T) {
	model := filepath.Join(testenv.RepoRoot(t), "weights", "finscore.fsb")
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "excel.csv")
	os.WriteFile(csvPath, []byte(bom+"text,label\r\nShares soared on record profit,positive\r\nThe firm went bankrupt,negative\r\n"), 0o644)
	if code, stdout, stderr := runCLI(t, "", "eval", "--weights", model, "--csv", csvPath); code != 0 || !strings.Contains(stdout, "excel.csv") {
		t.Errorf("eval --csv with a mark: exit %d\n%s%s", code, stdout, stderr)
	}
	docs, err := os.ReadFile(filepath.Join("testdata", "tiny-weights", "documents", "dev.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	docsPath := filepath.Join(dir, "docs.jsonl")
	os.WriteFile(docsPath, append([]byte(bom), docs...), 0o644)
	if code, stdout, stderr := runCLI(t, "", "eval", "--weights", model, "--documents", docsPath); code != 0 || !strings.Contains(stdout, "documents docs.jsonl (2)") {
		t.Errorf("eval --documents with a mark: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr := runCLI(t, bom+`{"text": "Acme defaulted on its bonds."}`+"\n", "score", "--weights", model)
	if code != 0 || strings.Count(stdout, "\n") != 1 || !strings.Contains(stdout, `"text":"Acme defaulted on its bonds."`) {
		t.Errorf("score with a mark: exit %d\n%s%s", code, stdout, stderr)
	}
}

package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"finscore/core/testenv"
)

// runCLI runs a command line and returns its exit code, stdout and stderr.
func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

var (
	bundleOnce sync.Once
	bundlePath string
	bundleErr  string
)

// testBundle converts the pretrained model once into a temporary bundle.
func testBundle(t *testing.T) string {
	t.Helper()
	bundleOnce.Do(func() {
		dir, err := os.MkdirTemp("", "finscore-cli")
		if err != nil {
			bundleErr = err.Error()
			return
		}
		bundlePath = filepath.Join(dir, "use-lite.fsb")
		model := filepath.Join(testenv.SharedDir(t), "models", "use-lite")
		var out, errOut bytes.Buffer
		if code := run([]string{"convert", "--tfjs", model, "--out", bundlePath}, nil, &out, &errOut); code != 0 {
			bundleErr = errOut.String()
		}
	})
	if bundleErr != "" {
		t.Fatal(bundleErr)
	}
	return bundlePath
}

// mainArgsEnv, when set, makes the test binary run the command line it
// holds (JSON) instead of the tests, so that a test can run the command as
// a process and signal it.
const mainArgsEnv = "FINSCORE_TEST_MAIN_ARGS"

func TestMain(m *testing.M) {
	if args, ok := os.LookupEnv(mainArgsEnv); ok {
		var argv []string
		if err := json.Unmarshal([]byte(args), &argv); err != nil {
			panic(err)
		}
		os.Exit(run(argv, os.Stdin, os.Stdout, os.Stderr))
	}
	code := m.Run()
	if bundlePath != "" {
		os.RemoveAll(filepath.Dir(bundlePath))
	}
	os.Exit(code)
}

func TestConvertBundleSize(t *testing.T) {
	info, err := os.Stat(testBundle(t))
	if err != nil {
		t.Fatal(err)
	}
	const limit = 14.5e6
	t.Logf("float16 bundle: %d bytes", info.Size())
	if info.Size() > limit {
		t.Errorf("bundle is %d bytes, over the %v-byte budget", info.Size(), limit)
	}
}

func TestUsageErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope")
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string // in stderr
	}{
		{"no command", nil, 2, "Commands:"},
		{"unknown command", []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"help", []string{"--help"}, 0, "convert"},
		{"embed help", []string{"embed", "--help"}, 0, "-weights"},
		{"embed help lists batch", []string{"embed", "-h"}, 0, "-batch"},
		{"convert help", []string{"convert", "--help"}, 0, "-dtype"},
		{"unknown flag", []string{"embed", "--bogus"}, 2, "flag provided but not defined: -bogus"},
		{"batch zero", []string{"embed", "--batch", "0"}, 2, "--batch 0 is out of range"},
		{"batch not a number", []string{"embed", "--batch", "many"}, 2, "invalid value"},
		{"stray argument", []string{"embed", "extra"}, 2, `unexpected argument "extra"`},
		{"convert without flags", []string{"convert"}, 2, "--tfjs and --out are required"},
		{"convert bad dtype", []string{"convert", "--tfjs", "x", "--out", "y", "--dtype", "int8"}, 2, "--dtype"},
		{"convert missing dir", []string{"convert", "--tfjs", missing, "--out", missing + ".fsb"}, 1, "no such file"},
		{"embed missing weights", []string{"embed", "--weights", missing}, 1, "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, "", tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, tc.code, tc.want)
			}
		})
	}
}

func TestEmbedCorruptBundle(t *testing.T) {
	data, err := os.ReadFile(testBundle(t))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"truncated", data[:len(data)/2], "truncated"},
		{"flipped payload byte", flip(data, len(data)-100), "checksum"},
		{"not a bundle", []byte("{\"text\": \"hello\"}\n"), "not a finscore bundle"},
		{"empty file", nil, "truncated"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".fsb")
			if err := os.WriteFile(path, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr := runCLI(t, `{"text":"x"}`, "embed", "--weights", path)
			if code != 1 || stdout != "" || !strings.Contains(stderr, tc.want) || !strings.Contains(stderr, path) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 and an error naming the file and %q", code, stdout, stderr, tc.want)
			}
		})
	}
}

func flip(data []byte, i int) []byte {
	c := bytes.Clone(data)
	c[i] ^= 0x40
	return c
}

type embedLine struct {
	IDs       []int32   `json:"ids"`
	Embedding []float32 `json:"embedding"`
}

func parseEmbedOutput(t *testing.T, out string) []embedLine {
	t.Helper()
	var lines []embedLine
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l embedLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("output line %d: %v", len(lines)+1, err)
		}
		lines = append(lines, l)
	}
	return lines
}

func TestEmbed(t *testing.T) {
	weights := testBundle(t)
	input := strings.Join([]string{
		`{"text": "Shares of Acme rose 8% after earnings beat estimates."}`,
		``,
		`{"text": ""}`,
		`{"id": 7, "text": "Guidance cut; the stock fell."}`,
		`   `,
		`{"text": "` + strings.Repeat("long text ", 300) + `"}`,
	}, "\n")
	code, stdout, stderr := runCLI(t, input, "embed", "--weights", weights, "--batch", "2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := parseEmbedOutput(t, stdout)
	if len(lines) != 4 {
		t.Fatalf("%d output lines for 4 texts (blank lines skipped)", len(lines))
	}
	if len(lines[1].IDs) != 0 {
		t.Errorf("empty text gave ids %v", lines[1].IDs)
	}
	if len(lines[3].IDs) != 601 {
		t.Errorf("long text: %d ids, want all 601 (the encoder reads the first 128)", len(lines[3].IDs))
	}
	for i, l := range lines {
		var norm float64
		for _, v := range l.Embedding {
			norm += float64(v) * float64(v)
		}
		if len(l.Embedding) != 512 || math.Abs(norm-1) > 1e-5 {
			t.Errorf("line %d: %d numbers with squared norm %v, want 512 with norm 1", i+1, len(l.Embedding), norm)
		}
	}
	// Batching must not change results: one at a time gives the same lines.
	code, single, stderr := runCLI(t, input, "embed", "--weights", weights, "--batch", "1")
	if code != 0 || single != stdout {
		t.Errorf("--batch 1 output differs from --batch 2 (exit %d, %s)", code, stderr)
	}
}

func TestEmbedBadInput(t *testing.T) {
	weights := testBundle(t)
	good := `{"text": "fine"}` + "\n"
	for _, tc := range []struct {
		name  string
		input string
		want  string
	}{
		{"invalid JSON", good + good + `{"text": "unterminated}` + "\n", "line 3: invalid JSON"},
		{"not an object", good + `["text"]` + "\n", "line 2: invalid JSON object"},
		{"missing text", good + `{"body": "x"}` + "\n", `line 2: missing "text"`},
		{"number text", `{"text": 42}` + "\n", `line 1: "text" must be a string, got a number`},
		{"null text", good + good + good + `{"text": null}`, `line 4: "text" must be a string, got null`},
		{"invalid UTF-8", good + "{\"text\": \"caf\xe9\"}\n", "line 2: not valid UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tc.input, "embed", "--weights", weights)
			if code != 1 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit 1 and %q", code, stderr, tc.want)
			}
			// Lines before the bad one are still written.
			if got, want := len(parseEmbedOutput(t, stdout)), strings.Count(tc.input, good); got != want {
				t.Errorf("%d lines written before the error, want %d", got, want)
			}
		})
	}
}

//go:build !js

package main_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"finscore/core/testenv"
)

// engineCore lists the finscore packages the browser engine may link: what
// scoring needs, and nothing used only for conversion, training, data sets,
// metrics or baselines (those are native-only, see ARCHITECTURE.md).
var engineCore = map[string]bool{
	"finscore/core/bundle":   true,
	"finscore/core/tensor":   true,
	"finscore/core/encoder":  true,
	"finscore/core/tokenize": true,
	"finscore/core/embed":    true,
	"finscore/core/scorer":   true,
}

// notInEngine reports why the engine must not link pkg, or "" if it may.
func notInEngine(pkg string) string {
	switch {
	case pkg == "net" || strings.HasPrefix(pkg, "net/") || strings.HasPrefix(pkg, "crypto/tls"):
		return "networking code"
	case strings.HasPrefix(pkg, "github.com/sugarme/"):
		return "github.com/sugarme/tokenizer serves the native side only (core/tokenize/spcheck)"
	case pkg == "finscore/wasm" || strings.HasPrefix(pkg, "finscore/wasm/"):
		return ""
	case strings.HasPrefix(pkg, "finscore/") && !engineCore[pkg]:
		return "a native-only finscore package"
	}
	return ""
}

// TestEngineDependencies lists what GOOS=js GOARCH=wasm go build ./wasm
// links, and fails on networking code, the native-only SentencePiece
// module, or a finscore package the engine does not score with.
func TestEngineDependencies(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "./wasm")
	cmd.Dir = testenv.RepoRoot(t)
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps ./wasm: %v", err)
	}
	pkgs := strings.Fields(string(out))
	if len(pkgs) < 10 {
		t.Fatalf("go list -deps ./wasm listed only %q", pkgs)
	}
	for _, pkg := range pkgs {
		if why := notInEngine(pkg); why != "" {
			t.Errorf("the engine links %s: %s", pkg, why)
		}
	}
}

// TestNotInEngine pins the rule on known names, so that the dependency test
// cannot pass by accepting everything.
func TestNotInEngine(t *testing.T) {
	for pkg, banned := range map[string]bool{
		"net/http":   true,
		"crypto/tls": true,
		"net":        true,
		"github.com/sugarme/tokenizer/model/unigram": true,
		"finscore/core/train":                        true,
		"finscore/core/convert":                      true,
		"finscore/core/tfjs":                         true,
		"finscore/core/dataset":                      true,
		"finscore/core/metrics":                      true,
		"finscore/core/checks":                       true,
		"finscore/core/tokenize/spcheck":             true,
		"finscore/core/scorer":                       false,
		"finscore/wasm":                              false,
		"encoding/json":                              false,
		"crypto/sha256":                              false,
		"github.com/hack-pad/safejs":                 false,
	} {
		if got := notInEngine(pkg) != ""; got != banned {
			t.Errorf("notInEngine(%q) = %v, want %v", pkg, got, banned)
		}
	}
}

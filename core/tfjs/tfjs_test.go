package tfjs

import (
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const tinyModel = `{"modelTopology": {"node": [
  {"name": "x", "op": "Placeholder"},
  {"name": "w", "op": "Const"},
  {"name": "y", "op": "MatMul", "input": ["x", "w"]}]},
 "weightsManifest": [{"paths": ["shard1", "shard2"], "weights": [
  {"name": "w", "shape": [2, 2], "dtype": "float32"},
  {"name": "k", "shape": [], "dtype": "int32"}]}]}`

func le32(vals ...uint32) []byte {
	b := make([]byte, 4*len(vals))
	for i, v := range vals {
		binary.LittleEndian.PutUint32(b[4*i:], v)
	}
	return b
}

func shards(files map[string][]byte) func(string) ([]byte, error) {
	return func(p string) ([]byte, error) {
		if b, ok := files[p]; ok {
			return b, nil
		}
		return nil, os.ErrNotExist
	}
}

func TestParse(t *testing.T) {
	f := math.Float32bits
	data := append(le32(f(1), f(2)), le32(f(3), f(-4), 7)...)
	m, err := Parse([]byte(tinyModel), shards(map[string][]byte{"shard1": data[:8], "shard2": data[8:]}))
	if err != nil {
		t.Fatal(err)
	}
	if w := m.Weights["w"]; w.Len() != 4 || w.Float32[3] != -4 {
		t.Errorf("w = %+v", w)
	}
	if k := m.Weights["k"]; k.Len() != 1 || k.Int32[0] != 7 {
		t.Errorf("k = %+v", k)
	}
	if n, ok := m.Node("y"); !ok || n.Op != "MatMul" || n.Input[1] != "w" {
		t.Errorf("node y = %+v", n)
	}
}

func TestParseErrors(t *testing.T) {
	full := le32(1, 2, 3, 4, 5)
	for _, tc := range []struct {
		name   string
		model  string
		shards map[string][]byte
		want   string
	}{
		{"not JSON", "{", nil, "model.json"},
		{"no nodes", `{"modelTopology": {"node": []}}`, nil, "no graph nodes"},
		{"missing shard", tinyModel, map[string][]byte{"shard1": full}, "shard2"},
		{"short shards", tinyModel, map[string][]byte{"shard1": full[:8], "shard2": full[8:16]}, `weight "k" needs bytes 16..20`},
		{"extra bytes", tinyModel, map[string][]byte{"shard1": full, "shard2": le32(9)}, "covers 20 bytes but shards hold 24"},
		{"quantised", strings.Replace(tinyModel, `"dtype": "int32"}`, `"dtype": "int32", "quantization": {"dtype": "uint8"}}`, 1), map[string][]byte{"shard1": full, "shard2": nil}, "quantised"},
		{"bad dtype", strings.Replace(tinyModel, `"int32"`, `"string"`, 1), map[string][]byte{"shard1": full, "shard2": nil}, `unsupported dtype "string"`},
		{"negative dim", strings.Replace(tinyModel, `[2, 2]`, `[2, -2]`, 1), map[string][]byte{"shard1": full, "shard2": nil}, "bad shape"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.model), shards(tc.shards))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestLoadRefusesPathsOutsideTheDirectory(t *testing.T) {
	dir := t.TempDir()
	model := strings.Replace(tinyModel, `"shard1"`, `"../secret"`, 1)
	if err := os.WriteFile(filepath.Join(dir, "model.json"), []byte(model), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "leaves the model directory") {
		t.Errorf("err = %v", err)
	}
	if _, err := Load(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing dir: err = %v", err)
	}
}

// Package tfjs reads a TensorFlow.js graph model from disk: the node list of
// model.json and the weights its weightsManifest stores in binary shards.
//
// It reads what the converter needs and no more: float32 and int32 weights,
// unquantised, and each node's name, op, inputs and attributes as raw JSON.
package tfjs

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
)

// Model is a loaded graph model.
type Model struct {
	Nodes   []Node
	Weights map[string]*Weight
}

// Node is one operation of the graph.
type Node struct {
	Name  string                     `json:"name"`
	Op    string                     `json:"op"`
	Input []string                   `json:"input"`
	Attr  map[string]json.RawMessage `json:"attr"`
}

// Weight is one tensor of the weights manifest. Exactly one of Float32 and
// Int32 is set, according to DType.
type Weight struct {
	Name    string
	Shape   []int
	DType   string // "float32" or "int32"
	Float32 []float32
	Int32   []int32
}

// Len is the number of elements.
func (w *Weight) Len() int {
	n := 1
	for _, d := range w.Shape {
		n *= d
	}
	return n
}

type modelJSON struct {
	ModelTopology struct {
		Node []Node `json:"node"`
	} `json:"modelTopology"`
	WeightsManifest []struct {
		Paths   []string `json:"paths"`
		Weights []struct {
			Name         string          `json:"name"`
			Shape        []int           `json:"shape"`
			DType        string          `json:"dtype"`
			Quantization json.RawMessage `json:"quantization"`
		} `json:"weights"`
	} `json:"weightsManifest"`
}

// Load reads dir/model.json and the shards it names.
func Load(dir string) (*Model, error) {
	data, err := os.ReadFile(filepath.Join(dir, "model.json"))
	if err != nil {
		return nil, fmt.Errorf("tfjs: %w", err)
	}
	return Parse(data, func(path string) ([]byte, error) {
		if filepath.IsAbs(path) || !filepath.IsLocal(path) {
			return nil, fmt.Errorf("shard path %q leaves the model directory", path)
		}
		return os.ReadFile(filepath.Join(dir, path))
	})
}

// Parse decodes model.json, reading shards with readShard.
func Parse(data []byte, readShard func(path string) ([]byte, error)) (*Model, error) {
	var mj modelJSON
	if err := json.Unmarshal(data, &mj); err != nil {
		return nil, fmt.Errorf("tfjs: model.json: %w", err)
	}
	if len(mj.ModelTopology.Node) == 0 {
		return nil, fmt.Errorf("tfjs: model.json has no graph nodes (is it a graph model?)")
	}
	m := &Model{Nodes: mj.ModelTopology.Node, Weights: map[string]*Weight{}}
	for g, group := range mj.WeightsManifest {
		var buf []byte
		for _, p := range group.Paths {
			shard, err := readShard(p)
			if err != nil {
				return nil, fmt.Errorf("tfjs: weights group %d, shard %q: %w", g, p, err)
			}
			buf = append(buf, shard...)
		}
		off := 0
		for _, spec := range group.Weights {
			if len(spec.Quantization) > 0 && string(spec.Quantization) != "null" {
				return nil, fmt.Errorf("tfjs: weight %q is quantised; only float32 and int32 weights are supported", spec.Name)
			}
			w := &Weight{Name: spec.Name, Shape: spec.Shape, DType: spec.DType}
			n := 1
			for _, d := range spec.Shape {
				if d < 0 || (d > 0 && n > math.MaxInt32/d) {
					return nil, fmt.Errorf("tfjs: weight %q has bad shape %v", spec.Name, spec.Shape)
				}
				n *= d
			}
			if spec.DType != "float32" && spec.DType != "int32" {
				return nil, fmt.Errorf("tfjs: weight %q has unsupported dtype %q", spec.Name, spec.DType)
			}
			if off+4*n > len(buf) {
				return nil, fmt.Errorf("tfjs: weight %q needs bytes %d..%d but weights group %d has %d", spec.Name, off, off+4*n, g, len(buf))
			}
			raw := buf[off : off+4*n]
			off += 4 * n
			if spec.DType == "float32" {
				w.Float32 = make([]float32, n)
				for i := range w.Float32 {
					w.Float32[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
				}
			} else {
				w.Int32 = make([]int32, n)
				for i := range w.Int32 {
					w.Int32[i] = int32(binary.LittleEndian.Uint32(raw[4*i:]))
				}
			}
			if _, dup := m.Weights[w.Name]; dup {
				return nil, fmt.Errorf("tfjs: weight %q listed twice", w.Name)
			}
			m.Weights[w.Name] = w
		}
		if off != len(buf) {
			return nil, fmt.Errorf("tfjs: weights group %d: manifest covers %d bytes but shards hold %d", g, off, len(buf))
		}
	}
	return m, nil
}

// Node returns the node with the given name.
func (m *Model) Node(name string) (*Node, bool) {
	for i := range m.Nodes {
		if m.Nodes[i].Name == name {
			return &m.Nodes[i], true
		}
	}
	return nil, false
}

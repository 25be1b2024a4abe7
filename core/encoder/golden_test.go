package encoder_test

import (
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"finscore/core/bundle"
	"finscore/core/convert"
	"finscore/core/encoder"
	"finscore/core/testenv"
	"finscore/core/tokenize"
)

// golden is one line of testdata/reference_embeddings.jsonl.gz, written by
// tools/golden from the original TensorFlow.js graph.
type golden struct {
	Name      string `json:"name"`
	Text      string `json:"text"`
	IDs       []int32
	Embedding []float32 `json:"embedding"`
	Error     string    `json:"error"`
	// Batch cases: several texts embedded in one call.
	Texts      []string    `json:"texts"`
	BatchIDs   [][]int32   `json:"-"`
	Embeddings [][]float32 `json:"embeddings"`
}

func (g *golden) UnmarshalJSON(data []byte) error {
	type plain golden
	var aux struct {
		plain
		IDs json.RawMessage `json:"ids"`
	}
	if err := json.Unmarshal(data, &aux); err != nil {
		return err
	}
	*g = golden(aux.plain)
	if aux.Texts != nil {
		return json.Unmarshal(aux.IDs, &g.BatchIDs)
	}
	return json.Unmarshal(aux.IDs, &g.IDs)
}

func readGoldens(t *testing.T) []golden {
	var out []golden
	for _, line := range testenv.GzipLines(t, "testdata/reference_embeddings.jsonl.gz") {
		var g golden
		if err := json.Unmarshal([]byte(line), &g); err != nil {
			t.Fatalf("golden line %d: %v", len(out)+1, err)
		}
		out = append(out, g)
	}
	if len(out) < 300 {
		t.Fatalf("only %d golden cases", len(out))
	}
	return out
}

var (
	loadOnce  sync.Once
	converted *convert.Converted
	fp16Model *encoder.Model
	loadErr   error
)

// models returns the encoder with the original float32 weights and the one
// read back from a float16 bundle.
func models(t testing.TB) (f32, f16 *encoder.Model, tk *tokenize.Tokenizer) {
	t.Helper()
	loadOnce.Do(func() {
		converted, loadErr = convert.LoadUSELite(filepath.Join(testenv.SharedDir(t), "models", "use-lite"))
		if loadErr != nil {
			return
		}
		_, b, err := converted.Encode(bundle.Float16)
		if err != nil {
			loadErr = err
			return
		}
		fp16Model, loadErr = encoder.FromBundle(b)
	})
	if loadErr != nil {
		t.Fatal(loadErr)
	}
	tk, err := tokenize.FromSpec(converted.Tokenizer)
	if err != nil {
		t.Fatal(err)
	}
	return converted.Model(), fp16Model, tk
}

func cosine(a, b []float32) float64 {
	var ab, aa, bb float64
	for i := range a {
		ab += float64(a[i]) * float64(b[i])
		aa += float64(a[i]) * float64(a[i])
		bb += float64(b[i]) * float64(b[i])
	}
	return ab / math.Sqrt(aa*bb)
}

// case_ is one sentence with its reference ids and embedding.
type case_ struct {
	name string
	text string
	ids  []int32
	want []float32
}

// flatten lists every sentence of the goldens. The reference sizes its
// output by the last row that has a token, so a batch ending in empty texts
// returns fewer rows than texts; finscore returns a row for every text, and
// for an empty one that row is what the reference gives an empty text
// alone or inside a batch ("hard/empty").
func flatten(t *testing.T, gs []golden) []case_ {
	var empty []float32
	for _, g := range gs {
		if g.Texts == nil && g.Text == "" && len(g.IDs) == 0 {
			empty = g.Embedding
		}
	}
	if len(empty) == 0 {
		t.Fatal("goldens have no embedding for the empty text")
	}
	var cs []case_
	for _, g := range gs {
		switch {
		case g.Error != "":
			t.Fatalf("%s: the reference failed (%s)", g.Name, g.Error)
		case g.Texts != nil:
			for i := range g.Texts {
				want := empty
				if i < len(g.Embeddings) {
					want = g.Embeddings[i]
				} else if len(g.BatchIDs[i]) > 0 {
					t.Fatalf("%s: no reference row for non-empty text %d", g.Name, i)
				}
				cs = append(cs, case_{fmt.Sprintf("%s[%d]", g.Name, i), g.Texts[i], g.BatchIDs[i], want})
			}
		default:
			cs = append(cs, case_{g.Name, g.Text, g.IDs, g.Embedding})
		}
	}
	return cs
}

// TestReferenceEmbeddings compares every golden sentence, one at a time and
// in mixed-length batches, with float32 and float16 weights.
func TestReferenceEmbeddings(t *testing.T) {
	f32, f16, tk := models(t)
	cases := flatten(t, readGoldens(t))
	for _, c := range cases {
		got, err := tk.Encode(c.text)
		if err != nil || !slices.Equal(got, c.ids) {
			t.Errorf("%s: ids %v (err %v), reference %v", c.name, got, err, c.ids)
		}
	}
	// Float32 weights one sentence at a time, float16 in mixed-length
	// batches of 32: each sentence is checked both ways without doubling
	// the run (TestEncodeBatchIndependence covers batching on its own).
	checkCosines(t, "float32", f32, cases, 1, 0.99999)
	checkCosines(t, "float16", f16, cases, 32, 0.9995)
}

// checkCosines embeds the cases in batches and requires every embedding's
// cosine to the reference to be at least minCos.
func checkCosines(t *testing.T, name string, m *encoder.Model, cases []case_, batchSize int, minCos float64) {
	ws := encoder.NewWorkspace()
	worstCos, sum, worst := 1.0, 0.0, ""
	for i := 0; i < len(cases); i += batchSize {
		chunk := cases[i:min(i+batchSize, len(cases))]
		batch := make([][]int32, len(chunk))
		out := make([][]float32, len(chunk))
		for j, c := range chunk {
			batch[j] = c.ids
			out[j] = make([]float32, m.Config.OutputDim)
		}
		if err := m.Encode(ws, batch, out); err != nil {
			t.Fatal(err)
		}
		for j, c := range chunk {
			cos := cosine(out[j], c.want)
			sum += cos
			if cos < worstCos {
				worstCos, worst = cos, c.name
			}
			if !(cos >= minCos) {
				t.Errorf("%s weights, batches of %d, %s: cosine %.9f < %v", name, batchSize, c.name, cos, minCos)
			}
		}
	}
	t.Logf("%s weights, batches of %d: %d sentences, min cosine %.9f (1-cos %.2g, %s), mean %.9f",
		name, batchSize, len(cases), worstCos, 1-worstCos, worst, sum/float64(len(cases)))
}

package weights

import (
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"

	"finscore/core/bundle"
	"finscore/core/dataset"
	"finscore/core/embed"
	"finscore/core/scorer"
	"finscore/core/tensor"
	"finscore/core/testenv"
)

// frozen pins the frozen test sets: they were labelled before any model saw
// the new training data and are never used to choose anything. An edit
// changes the hash and fails here; a deliberate relabelling must say so in
// the commit and the model card.
var frozen = map[string]string{
	"risk-test/candidates.csv": "a957d13ee06ea511df352b517fec27845c9d96845253de44d53a66e86d4be904",
	"risk-test/labels.txt":     "e5d92ec80ad0e4ba61718badcd2533e54f68838645d7c95b6447beff23d731f5",
	"risk-test/risk_test.csv":  "c81a39d6ee57aa8e5f53d022e6b689ea4990f078cd9548f0572950b36f3f4ca6",
	"documents/test.jsonl":     "128a32c6c24152067ceccd37de267885d21944e36b5a8d536655cab0ab7dc941",
}

func TestFrozenSetsAreUnchanged(t *testing.T) {
	for path, want := range frozen {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		if got := hex.EncodeToString(sum[:]); got != want {
			t.Errorf("%s: sha256 %s, pinned %s: a frozen test set was edited", path, got, want)
		}
	}
}

// texts read the given column of a CSV file.
func texts(t *testing.T, path, column string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	col := -1
	for i, h := range recs[0] {
		if strings.TrimPrefix(h, "\uFEFF") == column {
			col = i
		}
	}
	if col < 0 {
		t.Fatalf("%s: no column %q", path, column)
	}
	var out []string
	for _, r := range recs[1:] {
		out = append(out, r[col])
	}
	return out
}

// trainingTexts are the sentences the team wrote or newly labelled for
// training, named by where they come from.
func trainingTexts(t *testing.T) (names, out []string) {
	paths, _ := filepath.Glob("team-written/*.csv")
	paths = append(paths, "risk-train/risk_train.csv")
	sort.Strings(paths)
	for _, p := range paths {
		for i, s := range texts(t, p, "text") {
			names = append(names, p+" row "+itoa(i+1))
			out = append(out, s)
		}
	}
	if len(out) < 1000 {
		t.Fatalf("only %d training texts found", len(out))
	}
	return names, out
}

// evaluationTexts are every sentence the model is measured on: Financial
// PhraseBank (read from the shared folder, never stored here), the risk dev
// set, the frozen risk test set and the documents.
func evaluationTexts(t *testing.T) (names, out []string) {
	add := func(name string, ts []string) {
		for i, s := range ts {
			names = append(names, name+" row "+itoa(i+1))
			out = append(out, s)
		}
	}
	pb := filepath.Join(testenv.SharedDir(t), "data", "sentiment", "eval", "financial-phrasebank", "fpb_50agree.csv")
	add("Financial PhraseBank", texts(t, pb, "sentence"))
	add("risk-dev", texts(t, "risk-dev/risk_dev.csv", "text"))
	add("risk-test", texts(t, "risk-test/risk_test.csv", "text"))
	taxonomy, err := os.ReadFile("risk-taxonomy.json")
	if err != nil {
		t.Fatal(err)
	}
	tax, err := scorer.ParseTaxonomy(taxonomy)
	if err != nil {
		t.Fatal(err)
	}
	var categories []string
	for _, c := range tax.Categories {
		categories = append(categories, c.ID)
	}
	for _, name := range []string{"documents/test.jsonl", "documents/dev.jsonl"} {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		docs, err := dataset.ReadDocuments(f, categories)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range docs {
			add(name+" "+d.ID, sentencesOf(d.Text))
		}
	}
	return names, out
}

// sentencesOf splits a document at sentence ends and line breaks.
func sentencesOf(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		for _, s := range strings.SplitAfter(line, ". ") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// TestNoEightWordOverlapWithEvaluationSets: no training sentence shares an
// 8-word sequence with an evaluation sentence.
func TestNoEightWordOverlapWithEvaluationSets(t *testing.T) {
	evalNames, evalTexts := evaluationTexts(t)
	ix := dataset.NewNGramIndex(evalTexts, 8)
	names, train := trainingTexts(t)
	bad := 0
	for i, s := range train {
		if g, j, ok := ix.Shared(s); ok {
			bad++
			if bad <= 20 {
				t.Errorf("%s shares %q with %s", names[i], g, evalNames[j])
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d training sentences share an 8-word sequence with an evaluation set", bad)
	}
}

// nearDuplicate is the embedding cosine, on the pretrained encoder, from
// which two sentences count as the same.
const nearDuplicate = 0.95

// TestNoNearDuplicateOfEvaluationSets: no training sentence is a near
// duplicate (cosine ≥ 0.95 on the base encoder) of an evaluation sentence.
func TestNoNearDuplicateOfEvaluationSets(t *testing.T) {
	data, err := os.ReadFile("use-lite.fsb")
	if err != nil {
		t.Fatal(err)
	}
	b, err := bundle.Read(data)
	if err != nil {
		t.Fatal(err)
	}
	evalNames, evalTexts := evaluationTexts(t)
	names, train := trainingTexts(t)
	ev := embedAll(t, b, evalTexts)
	tr := embedAll(t, b, train)
	D := len(ev[0])
	// Cosines in blocks: [training block] × [all evaluation] by one MatMul.
	evalT := make([]float32, D*len(ev)) // [D, len(ev)]
	for j, e := range ev {
		for d, v := range e {
			evalT[d*len(ev)+j] = v
		}
	}
	const block = 256
	bad := 0
	row := make([]float32, block*D)
	cos := make([]float32, block*len(ev))
	for start := 0; start < len(tr); start += block {
		n := min(block, len(tr)-start)
		for i := 0; i < n; i++ {
			copy(row[i*D:(i+1)*D], tr[start+i])
		}
		tensor.MatMul(cos[:n*len(ev)], row[:n*D], evalT, nil, n, D, len(ev))
		for i := 0; i < n; i++ {
			for j, c := range cos[i*len(ev) : (i+1)*len(ev)] {
				if c >= nearDuplicate {
					bad++
					if bad <= 20 {
						t.Errorf("%s %q is a near duplicate (cosine %.3f) of %s %q", names[start+i], train[start+i], c, evalNames[j], evalTexts[j])
					}
				}
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d training/evaluation pairs at cosine ≥ %.2f", bad, nearDuplicate)
	}
}

// embedAll embeds texts on the pretrained encoder, on all cores.
func embedAll(t *testing.T, b *bundle.Bundle, texts []string) [][]float32 {
	out := make([][]float32, len(texts))
	workers := runtime.NumCPU()
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := 0; w < workers; w++ {
		e, err := embed.FromBundle(b)
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for start := w * 64; start < len(texts); start += workers * 64 {
				end := min(start+64, len(texts))
				_, embs, err := e.Embed(texts[start:end])
				if err != nil {
					errs[w] = err
					return
				}
				copy(out[start:end], embs)
			}
		}(w)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

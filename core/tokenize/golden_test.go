package tokenize

import (
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"finscore/core/testenv"
)

// loadUSEVocab builds the tokenizer from the pretrained model's vocab.json.
func loadUSEVocab(t testing.TB) *Tokenizer {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testenv.SharedDir(t), "models", "use-lite", "vocab.json"))
	if err != nil {
		t.Fatal(err)
	}
	vocab, err := ParseVocabJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	tk, err := New(vocab)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// readReferenceIDs reads testdata/reference_ids.txt.gz, written by
// tools/golden from the reference tokenizer: "<sha256 prefix>\t<ids>" lines.
func readReferenceIDs(t *testing.T) map[string][]int32 {
	ref := map[string][]int32{}
	for _, line := range testenv.GzipLines(t, "testdata/reference_ids.txt.gz") {
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		hash, list, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("bad golden line %q", line)
		}
		var ids []int32
		if list != "" {
			for _, s := range strings.Split(list, ",") {
				v, err := strconv.Atoi(s)
				if err != nil {
					t.Fatalf("bad id in golden line %q", line)
				}
				ids = append(ids, int32(v))
			}
		}
		ref[hash] = ids
	}
	return ref
}

// textColumns names the text column of each data set's CSV files.
var textColumns = map[string]string{
	"train/twitter-financial-news/sent_train.csv": "text",
	"train/twitter-financial-news/sent_valid.csv": "text",
	"train/sentfin/SEntFiN.csv":                   "Title",
	"train/sentfin/sentfin_headline_level.csv":    "title",
	"eval/financial-phrasebank/fpb_50agree.csv":   "sentence",
	"eval/financial-phrasebank/fpb_66agree.csv":   "sentence",
	"eval/financial-phrasebank/fpb_75agree.csv":   "sentence",
	"eval/financial-phrasebank/fpb_allagree.csv":  "sentence",
}

// readColumn returns one column of a CSV file with a header row.
func readColumn(t *testing.T, path, column string) []string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	col := slices.Index(header, column)
	if col < 0 {
		t.Fatalf("%s: no column %q in %v", path, column, header)
	}
	var out []string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, rec[col])
	}
}

// TestReferenceIDs tokenizes every sentence of every data set (PhraseBank
// included; its text is read from the shared folder, never committed) and
// requires the reference's ids for all of them.
func TestReferenceIDs(t *testing.T) {
	tk := loadUSEVocab(t)
	ref := readReferenceIDs(t)
	sets := filepath.Join(testenv.SharedDir(t), "data", "sentiment")
	total, mismatched := 0, 0
	for file, column := range textColumns {
		for row, text := range readColumn(t, filepath.Join(sets, file), column) {
			sum := sha256.Sum256([]byte(text))
			want, ok := ref[hex.EncodeToString(sum[:8])]
			if !ok {
				t.Fatalf("%s row %d: no reference ids for this text; regenerate the goldens with tools/golden", file, row+1)
			}
			got, err := tk.Encode(text)
			if err != nil {
				t.Fatalf("%s row %d: %v", file, row+1, err)
			}
			total++
			if !slices.Equal(got, want) {
				mismatched++
				if mismatched <= 10 {
					t.Errorf("%s row %d %q:\n got %v\nwant %v", file, row+1, text, got, want)
				}
			}
		}
	}
	t.Logf("%d of %d sentences match the reference ids (%.4f%%)", total-mismatched, total, 100*float64(total-mismatched)/float64(total))
	if mismatched > 0 {
		t.Errorf("%d sentences differ from the reference", mismatched)
	}
}

package embed_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"finscore/core/bundle"
	"finscore/core/convert"
	"finscore/core/embed"
	"finscore/core/testenv"
	"finscore/core/tokenize"
)

func useLiteBundle(t *testing.T) *bundle.Bundle {
	c, err := convert.LoadUSELite(filepath.Join(testenv.SharedDir(t), "models", "use-lite"))
	if err != nil {
		t.Fatal(err)
	}
	_, b, err := c.Encode(bundle.Float16)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestEmbed(t *testing.T) {
	b := useLiteBundle(t)
	e, err := embed.FromBundle(b)
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{"Profit warning hits shares", "", "Dividend raised"}
	ids, embs, err := e.Embed(texts)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 3 || len(embs) != 3 || len(ids[1]) != 0 || e.Dim() != 512 {
		t.Fatalf("ids %v, %d embeddings", ids, len(embs))
	}
	// Each row is the text's own embedding: the same text alone agrees.
	_, alone, err := e.Embed(texts[2:])
	if err != nil {
		t.Fatal(err)
	}
	for i := range alone[0] {
		if d := alone[0][i] - embs[2][i]; d > 1e-6 || d < -1e-6 {
			t.Fatalf("row 2 differs from the text embedded alone at %d", i)
		}
	}
	if _, _, err := e.Embed([]string{"ok", "caf\xe9"}); !errors.Is(err, tokenize.ErrInvalidUTF8) || !strings.Contains(err.Error(), "text 1") {
		t.Errorf("invalid UTF-8: %v", err)
	}

	b.Manifest.Tokenizer = nil
	if _, err := embed.FromBundle(b); err == nil || !strings.Contains(err.Error(), `no "tokenizer" entry`) {
		t.Errorf("bundle without tokenizer: %v", err)
	}
	b.Manifest.Tokenizer = []byte(`{"type":"use-sentencepiece","vocab":[["a",1]]}`)
	if _, err := embed.FromBundle(b); err == nil || !strings.Contains(err.Error(), "reserved") {
		t.Errorf("tiny vocabulary: %v", err)
	}
}

package embed_test

import (
	"errors"
	"path/filepath"
	"runtime"
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

// TestEmbedMemoryIsBounded embeds two batches' worth of tokens after a
// call that already grew the workspace to one batch: the second call must
// allocate only its results and the tokenizer's scratch, not a workspace
// for all its tokens (about 22 KB per token), so that memory does not grow
// with the number of texts.
func TestEmbedMemoryIsBounded(t *testing.T) {
	e, err := embed.FromBundle(useLiteBundle(t))
	if err != nil {
		t.Fatal(err)
	}
	sentence := strings.Repeat("Quarterly revenue rose while the bank cut its guidance on loan defaults. ", 6)
	ids, _, err := e.Embed([]string{sentence})
	if err != nil {
		t.Fatal(err)
	}
	perText := min(len(ids[0]), e.Model.Config.MaxLen)
	texts := make([]string, 2*embed.MaxBatchTokens/perText)
	for i := range texts {
		texts[i] = sentence
	}
	if _, _, err := e.Embed(texts[:embed.MaxBatchTokens/perText]); err != nil { // one full batch: the workspace's size
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, embs, err := e.Embed(texts)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	tokens := len(texts) * perText
	perToken := (after.TotalAlloc - before.TotalAlloc) / uint64(tokens)
	t.Logf("%d texts, %d tokens: %d bytes allocated per token", len(texts), tokens, perToken)
	if perToken > 2048 {
		t.Errorf("embedding %d texts (%d tokens) allocated %d bytes per token; want the workspace of one batch, reused", len(texts), tokens, perToken)
	}
	for i := range embs[0] {
		if embs[0][i] != embs[len(embs)-1][i] {
			t.Fatalf("the first and the last of %d copies of a text differ at %d", len(embs), i)
		}
	}
}

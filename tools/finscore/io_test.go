package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"finscore/core/dataset"
)

const bom = "\ufeff"

func TestNewInputReaderSkipsOneBOM(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"x", "x"},
		{bom, ""},
		{bom + "text", "text"},
		{bom + bom + "x", bom + "x"}, // one mark, then text that starts with U+FEFF
		{"\xef\xbb", "\xef\xbb"},     // too short to be a mark
		{"a" + bom, "a" + bom},       // only at the start
	} {
		got, err := io.ReadAll(newInputReader(strings.NewReader(tc.in)))
		if err != nil || string(got) != tc.want {
			t.Errorf("%q: read %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestReadTextsAcceptsBOM(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{"one line", bom + `{"text": "first"}`, []string{"first"}},
		{"several lines, CRLF", bom + "{\"text\": \"a\"}\r\n\r\n{\"text\": \"b\"}\r\n", []string{"a", "b"}},
		{"blank first line", bom + "\n{\"text\": \"a\"}\n", []string{"a"}},
		{"mark only", bom, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			err := readTexts(strings.NewReader(tc.in), func(_ int, text string) error {
				got = append(got, text)
				return nil
			})
			if err != nil || !slices.Equal(got, tc.want) {
				t.Errorf("texts %q, error %v; want %q", got, err, tc.want)
			}
		})
	}
	// A mark later in the input is an error, on its line.
	err := readTexts(strings.NewReader("{\"text\": \"a\"}\n"+bom+"{\"text\": \"b\"}\n"), func(int, string) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "line 2: invalid JSON") {
		t.Errorf("mark on line 2: %v", err)
	}
}

func TestReadFilesAcceptBOM(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ex, err := readExamples(write("sentiment.csv", bom+"text,label\nShares soared,positive\nThe firm failed,negative\n"),
		"text", "label", dataset.NamedLabel)
	if err != nil || len(ex) != 2 || ex[0].Text != "Shares soared" {
		t.Errorf("sentiment CSV with a mark: %v, %v", ex, err)
	}
	rows, err := readRiskSet(write("risk.csv", bom+"text,categories,level\nAcme defaulted.,credit,high\n"), []string{"credit"})
	if err != nil || len(rows) != 1 || rows[0].Categories[0] != "credit" {
		t.Errorf("risk CSV with a mark: %v, %v", rows, err)
	}
	docs, err := readDocuments(write("docs.jsonl", bom+`{"id": "d1", "text": "Acme defaulted.", "sentiment": "negative", "risk_level": "high", "top_categories": ["credit"]}`+"\n"),
		[]string{"credit"})
	if err != nil || len(docs) != 1 || docs[0].ID != "d1" {
		t.Errorf("documents with a mark: %v, %v", docs, err)
	}
	// Errors name the file; a file with only a header says so.
	empty := write("empty.csv", bom+"text,label\n")
	if _, err := readExamples(empty, "text", "label", dataset.NamedLabel); err == nil || err.Error() != empty+": no labelled rows" {
		t.Errorf("header only: %v", err)
	}
	if _, err := readDocuments(write("none.jsonl", bom), nil); err == nil || !strings.HasSuffix(err.Error(), "none.jsonl: no documents") {
		t.Errorf("no documents: %v", err)
	}
}

// failingWriter accepts n bytes, then fails every write, as a full disk does.
type failingWriter struct{ n int }

var errDiskFull = errors.New("no space left on device")

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) <= w.n {
		w.n -= len(p)
		return len(p), nil
	}
	n := w.n
	w.n = 0
	return n, errDiskFull
}

// shortWriter takes at most n bytes of each write without saying why.
type shortWriter struct{ n int }

func (w shortWriter) Write(p []byte) (int, error) { return min(len(p), w.n), nil }

func TestErrWriterKeepsTheFirstError(t *testing.T) {
	w := &errWriter{w: &failingWriter{n: 5}}
	if n, err := w.Write([]byte("abc")); n != 3 || err != nil {
		t.Fatalf("first write: %d, %v", n, err)
	}
	if n, err := w.Write([]byte("defg")); n != 2 || !errors.Is(err, errDiskFull) {
		t.Errorf("write past the limit: %d, %v", n, err)
	}
	if n, err := w.Write([]byte("h")); n != 0 || !errors.Is(err, errDiskFull) || !errors.Is(w.err, errDiskFull) {
		t.Errorf("write after the error: %d, %v (kept %v)", n, err, w.err)
	}
	short := &errWriter{w: shortWriter{n: 2}}
	if n, err := short.Write([]byte("abc")); n != 2 || !errors.Is(err, io.ErrShortWrite) || !errors.Is(short.err, io.ErrShortWrite) {
		t.Errorf("short write: %d, %v", n, err)
	}
}

package main

// The commands' input and output: JSON Lines texts, labelled files, a
// byte-order mark at the start of any of them, files written whole or not
// at all, and output whose write errors are never lost.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"finscore/core/dataset"
)

// maxLineBytes bounds one input line, so a runaway input fails clearly
// instead of exhausting memory.
const maxLineBytes = 16 << 20

// utf8BOM is the byte-order mark some editors (Excel, Notepad) put at the
// start of UTF-8 files. It is not part of the text.
var utf8BOM = []byte("\xef\xbb\xbf")

// newInputReader buffers r and skips a UTF-8 byte-order mark at its start.
func newInputReader(r io.Reader) *bufio.Reader {
	br := bufio.NewReaderSize(r, 64<<10)
	if b, err := br.Peek(len(utf8BOM)); err == nil && bytes.Equal(b, utf8BOM) {
		br.Discard(len(utf8BOM))
	}
	return br
}

// readTexts calls fn with the line number and "text" of each JSON Lines
// record. Blank lines are skipped.
func readTexts(r io.Reader, fn func(line int, text string) error) error {
	br := newInputReader(r)
	for n := 1; ; n++ {
		line, err := readLine(br)
		if err == io.EOF && line == nil {
			return nil
		}
		if err != nil && err != io.EOF {
			return fmt.Errorf("line %d: %w", n, err)
		}
		if len(bytes.TrimSpace(line)) > 0 {
			text, perr := parseTextRecord(line)
			if perr != nil {
				return fmt.Errorf("line %d: %w", n, perr)
			}
			if ferr := fn(n, text); ferr != nil {
				return ferr
			}
		}
		if err == io.EOF {
			return nil
		}
	}
}

// readLine returns the next line without its newline, at most maxLineBytes.
func readLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > maxLineBytes {
			return nil, fmt.Errorf("line longer than %d bytes", maxLineBytes)
		}
		switch err {
		case bufio.ErrBufferFull:
			continue
		case nil:
			return bytes.TrimRight(line, "\r\n"), nil
		default:
			if len(line) == 0 {
				return nil, err
			}
			return line, err
		}
	}
}

// parseTextRecord extracts the "text" string of one JSON object.
func parseTextRecord(line []byte) (string, error) {
	if !utf8.Valid(line) {
		return "", errors.New("not valid UTF-8")
	}
	var rec map[string]json.RawMessage
	if err := json.Unmarshal(line, &rec); err != nil {
		return "", fmt.Errorf("invalid JSON object: %v", err)
	}
	raw, ok := rec["text"]
	if !ok {
		return "", errors.New(`missing "text"`)
	}
	var text string
	if raw[0] != '"' || json.Unmarshal(raw, &text) != nil {
		return "", fmt.Errorf(`"text" must be a string, got %s`, jsonKind(raw))
	}
	return text, nil
}

// jsonKind names the JSON type of a raw value, for error messages.
func jsonKind(raw json.RawMessage) string {
	switch raw[0] {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	default:
		return "a number"
	}
}

// readLabelledFile reads the labelled file at path with read, after any
// byte-order mark. Errors name the file; a file with nothing in it is an
// error that says what was missing.
func readLabelledFile[T any](path, what string, read func(io.Reader) ([]T, error)) ([]T, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	items, err := read(newInputReader(f))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("%s: no %s", path, what)
	}
	return items, nil
}

// readExamples reads a sentiment CSV with a header row.
func readExamples(path, textCol, labelCol string, label dataset.LabelFunc) ([]dataset.Example, error) {
	return readLabelledFile(path, "labelled rows", func(r io.Reader) ([]dataset.Example, error) {
		return dataset.ReadCSV(r, textCol, labelCol, label)
	})
}

// readRiskSet reads a hand-labelled risk CSV (text, categories, level).
func readRiskSet(path string, categories []string) ([]dataset.Labelled, error) {
	return readLabelledFile(path, "labelled rows", func(r io.Reader) ([]dataset.Labelled, error) {
		return dataset.ReadLabelledCSV(r, categories)
	})
}

// readDocuments reads labelled JSON Lines documents.
func readDocuments(path string, categories []string) ([]dataset.Document, error) {
	return readLabelledFile(path, "documents", func(r io.Reader) ([]dataset.Document, error) {
		return dataset.ReadDocuments(r, categories)
	})
}

// writeFileAtomic writes through a temporary file, so a crash never leaves
// half a file under the final name.
func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// errWriter remembers the first error of its writer; later writes do
// nothing and return it. A report printed with many Fprintf calls is then
// checked once, with err, and a full disk never passes unnoticed.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	e.err = err
	return n, err
}

package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"unicode/utf8"

	"finscore/core/bundle"
	"finscore/core/embed"
)

// defaultWeights is the bundle commands use when --weights is not given.
const defaultWeights = "weights/use-lite.fsb"

// maxLineBytes bounds one input line, so a runaway input fails clearly
// instead of exhausting memory.
const maxLineBytes = 16 << 20

func runEmbed(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("embed", "[--weights FILE] [--batch N] < in.jsonl > out.jsonl",
		"Reads JSON Lines, one {\"text\": \"...\"} object per line, from standard input and writes\n"+
			"one line per input, in input order: {\"ids\": [token ids], \"embedding\": [numbers]}.\n"+
			"An empty text is valid. Blank lines are skipped. Invalid JSON, a missing or non-string\n"+
			"\"text\", or invalid UTF-8 stops the run with an error naming the line; lines before it\n"+
			"have already been written.", stderr)
	weights := fs.String("weights", defaultWeights, "weight bundle (.fsb) made by \"finscore convert\"")
	batchSize := fs.Int("batch", 32, "texts encoded together (1..4096); larger batches use more memory")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *batchSize < 1 || *batchSize > 4096 {
		fmt.Fprintf(stderr, "finscore embed: --batch %d is out of range 1..4096\n", *batchSize)
		return errUsage
	}
	e, err := loadEmbedder(*weights)
	if err != nil {
		return err
	}
	out := bufio.NewWriter(stdout)
	var texts []string
	flush := func() error {
		if len(texts) == 0 {
			return nil
		}
		ids, embs, err := e.Embed(texts)
		if err != nil {
			return err
		}
		var line []byte
		for i := range texts {
			line = appendEmbedLine(line[:0], ids[i], embs[i])
			if _, err := out.Write(line); err != nil {
				return err
			}
		}
		texts = texts[:0]
		return out.Flush()
	}
	err = readTexts(stdin, func(_ int, text string) error {
		texts = append(texts, text)
		if len(texts) == *batchSize {
			return flush()
		}
		return nil
	})
	// Write what was read before any bad line, then report it.
	if ferr := flush(); err == nil {
		err = ferr
	}
	return err
}

// loadEmbedder reads a bundle file and builds its embedder.
func loadEmbedder(path string) (*embed.Embedder, error) {
	b, err := bundle.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) && path == defaultWeights {
			return nil, fmt.Errorf("%w (build it with \"make weights\", or pass --weights)", err)
		}
		return nil, err
	}
	return embed.FromBundle(b)
}

// readTexts calls fn with the line number and "text" of each JSON Lines
// record.
func readTexts(r io.Reader, fn func(line int, text string) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
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

// appendEmbedLine writes {"ids":[...],"embedding":[...]} and a newline,
// with each float in the shortest form that reads back to the same float32.
func appendEmbedLine(b []byte, ids []int32, emb []float32) []byte {
	b = append(b, `{"ids":[`...)
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(id), 10)
	}
	b = append(b, `],"embedding":[`...)
	for i, v := range emb {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendFloat(b, float64(v), 'g', -1, 32)
	}
	return append(b, "]}\n"...)
}

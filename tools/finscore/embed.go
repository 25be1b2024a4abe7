package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"finscore/core/bundle"
	"finscore/core/embed"
)

// defaultWeights is the bundle commands use when --weights is not given.
const defaultWeights = "weights/use-lite.fsb"

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

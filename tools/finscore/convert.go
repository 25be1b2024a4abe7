package main

import (
	"fmt"
	"io"

	"finscore/core/bundle"
	"finscore/core/convert"
)

func runConvert(args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("convert", "--tfjs DIR --out FILE [--dtype float16|float32]",
		"Converts Universal Sentence Encoder Lite from its TensorFlow.js graph (model.json,\n"+
			"its weight shards and vocab.json in DIR) into a finscore weight bundle.", stderr)
	dir := fs.String("tfjs", "", "directory with model.json, its shards and vocab.json (required)")
	out := fs.String("out", "", "bundle file to write, e.g. weights/use-lite.fsb (required)")
	dtypeName := fs.String("dtype", "float16", "storage type of matrices: float16 or float32 (vectors stay float32)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *dir == "" || *out == "" {
		fmt.Fprintln(stderr, "finscore convert: --tfjs and --out are required")
		fs.Usage()
		return errUsage
	}
	dtype, err := bundle.ParseDType(*dtypeName)
	if err != nil {
		fmt.Fprintf(stderr, "finscore convert: --dtype: %v\n", err)
		return errUsage
	}
	c, err := convert.LoadUSELite(*dir)
	if err != nil {
		return err
	}
	data, b, err := c.Encode(dtype) // read back: a bundle we cannot load is never saved
	if err != nil {
		return err
	}
	if err := writeFileAtomic(*out, data); err != nil {
		return err
	}
	params := 0
	for _, t := range b.Tensors() {
		params += t.Len()
	}
	fmt.Fprintf(stdout, "wrote %s: %d tensors, %d parameters, matrices %s, %d bytes (%.2f MB)\n",
		*out, len(b.Tensors()), params, dtype, len(data), float64(len(data))/1e6)
	return nil
}

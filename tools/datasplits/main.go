// Command datasplits writes which split of dataset.LoadCorpus every example
// of the MIT training files falls in, as CSV "source,row,split", so that the
// Python selection scripts under weights/ can draw sentences from one split
// without reimplementing Go's seeded shuffle.
//
// source is tw_train, tw_valid or sentfin (the names risk-dev uses); row is
// the 1-based data-record number as Python's csv module counts it (header
// not counted); split is train, dev, twitter-test or sentfin-test. Records
// no split holds (SEntFiN's mixed headlines and repeated titles) are left
// out.
//
//	go run ./tools/datasplits > weights/training-data/splits.csv
package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"

	"finscore/core/dataset"
)

func main() {
	if err := run("weights/training-data", os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "datasplits:", err)
		os.Exit(1)
	}
}

func run(dir string, out io.Writer) error {
	c, err := dataset.LoadCorpus(dir)
	if err != nil {
		return err
	}
	w := csv.NewWriter(out)
	w.Write([]string{"source", "row", "split"})
	for _, part := range []struct {
		name string
		ex   []dataset.Example
	}{{"train", c.Train}, {"dev", c.Dev}, {"twitter-test", c.TwitterTest}, {"sentfin-test", c.SEntFiNTest}} {
		for _, e := range part.ex {
			w.Write([]string{e.Source, fmt.Sprint(e.Row), part.name})
		}
	}
	w.Flush()
	return w.Error()
}

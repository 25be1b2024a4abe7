package main

import (
	"fmt"
	"io"

	"finscore/core/checks"
	"finscore/core/scorer"
)

// runChecks runs the behaviour tests on the scorer: all of them, or every
// k-th case of each test when k > 1.
func runChecks(s *scorer.Scorer, k int) (*checks.Report, error) {
	cases := checks.Generate()
	if k > 1 {
		cases = checks.Subset(cases, k)
	}
	return checks.Run(s, cases)
}

func printChecks(w io.Writer, rep *checks.Report) {
	fmt.Fprintf(w, "behaviour tests: %d of %d cases pass (%.3f)\n", rep.Passed, rep.Cases, rep.PassRate)
	fmt.Fprintf(w, "%-4s %-44s %6s %7s\n", "kind", "test", "cases", "pass")
	for _, t := range rep.Tests {
		fmt.Fprintf(w, "%-4s %-44s %6d %7.3f\n", t.Kind, t.Test, t.Cases, t.PassRate)
	}
	for _, t := range rep.Tests {
		for _, f := range t.Failures {
			fmt.Fprintf(w, "  fails %s: %s\n", t.Test, f)
		}
	}
}

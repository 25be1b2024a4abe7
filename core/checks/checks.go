// Package checks tests the scorer's behaviour the way CheckList does
// (Ribeiro et al., 2020, "Beyond Accuracy: Behavioral Testing of NLP Models
// with CheckList"): instead of one accuracy over a data set, many small
// tests, each probing one capability, each reporting its own pass rate.
//
// There are three kinds of test:
//
//  1. MFT, minimum functionality: one text and what the model must say about
//     it, a sentiment label, risk categories that must be flagged, or no risk
//     at all. "Net sales rose to EUR 80.2m from EUR 71.5m" must be positive;
//     "the court dismissed the claim" must flag no risk.
//  2. INV, invariance: a perturbation that changes nothing a holder cares
//     about (another company name, currency, number in the same direction,
//     period, or a "Reuters reported" attribution) must keep the sentiment
//     label and the strongest flagged risk category (or none on both sides).
//  3. DIR, directional: a perturbation with a known direction must move a
//     score that way: an intensifier ("fell" → "fell sharply") moves the
//     signal, P(positive) − P(negative); a negated risk lowers the strongest
//     risk probability and clears the negated categories; an added risk
//     clause raises it.
//
// Cases are generated, not collected. Each test is a small table of
// templates written by the finscore team (templates.go) whose slots, such as
// {co}, {amt} or {period}, are filled from lists of fictional companies,
// currencies, amounts, percentages, periods, dates, people and cities. The
// n-th filling takes the n-th entry of each list, modulo its length, so the
// cases are the same on every run. MFT tests fill each template twice; INV
// tests take the MFT templates that have the slot they perturb (for the
// attribution, that start with the company), one from each MFT test in
// turn, and fill them once before and once after the perturbation; DIR
// tests fill hand-written pairs of texts twice. An intensifier passes when
// the signal does not move the wrong way (margin 0); a negated or added
// risk must move the strongest risk probability by at least 0.1.
//
// The expected labels follow weights/LABELLING.md, and no template is taken
// or paraphrased from a training or evaluation set.
package checks

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"finscore/core/scorer"
)

// Kinds of test.
const (
	MFT = "MFT" // minimum functionality: one text, an expected label
	INV = "INV" // invariance: a perturbation must not change the label
	DIR = "DIR" // directional: a perturbation must move a score the stated way
)

// Directions of a DIR case.
const (
	SignalDown = "signal-down"
	SignalUp   = "signal-up"
	RiskDown   = "risk-down"
	RiskUp     = "risk-up"
)

// Case is one generated test case.
type Case struct {
	Test string // the test's name, e.g. "MFT positive results", "INV swap company", "DIR intensifier negative"
	Kind string
	Text string
	// MFT: the expected sentiment label ("" = not checked); categories that must all be flagged;
	// NoRisk: no category may be flagged.
	Sentiment  string
	Categories []string
	NoRisk     bool
	// INV and DIR: the perturbed text.
	Other string
	// DIR: Direction is one of "signal-down" (Other's signal lower than Text's by at least Margin),
	// "signal-up", "risk-down" (Other's strongest risk probability lower by at least Margin, AND for
	// negated risks, Other must flag none of the categories in Categories), "risk-up".
	Direction string
	Margin    float64
}

// Scorer is what the checks need from a model (scorer.Scorer has this method).
type Scorer interface {
	Classify(texts []string) ([]scorer.Sentiment, []scorer.SentenceRisk, error)
}

// TestResult is one test's outcome.
type TestResult struct {
	Test     string   `json:"test"`
	Kind     string   `json:"kind"`
	Cases    int      `json:"cases"`
	Passed   int      `json:"passed"`
	PassRate float64  `json:"pass_rate"`
	Failures []string `json:"failures,omitempty"` // up to 5 examples, each "text → what happened"
}

// Report is a run's outcome: per test, and overall.
type Report struct {
	Tests    []TestResult `json:"tests"`
	Cases    int          `json:"cases"`
	Passed   int          `json:"passed"`
	PassRate float64      `json:"pass_rate"`
}

// maxFailures is the number of failing examples kept per test.
const maxFailures = 5

// classifyChunk is the number of texts passed to one Classify call.
const classifyChunk = 256

// sentimentLabels are the labels an MFT case may expect.
var sentimentLabels = []string{"negative", "neutral", "positive"}

// Run scores the cases (each distinct text once, in chunks) and checks
// each. Tests are reported in the order their first case appears. A
// malformed case, a Classify error or a Classify answer of the wrong length
// is an error.
func Run(s Scorer, cases []Case) (*Report, error) {
	index := map[string]int{}
	var texts []string
	add := func(t string) {
		if _, ok := index[t]; !ok {
			index[t] = len(texts)
			texts = append(texts, t)
		}
	}
	for i, c := range cases {
		if err := c.validate(); err != nil {
			return nil, fmt.Errorf("checks: case %d of %q: %w", i, c.Test, err)
		}
		add(c.Text)
		if c.Kind != MFT {
			add(c.Other)
		}
	}

	scores := make([]outcome, 0, len(texts))
	for lo := 0; lo < len(texts); lo += classifyChunk {
		chunk := texts[lo:min(lo+classifyChunk, len(texts))]
		sents, risks, err := s.Classify(chunk)
		if err != nil {
			return nil, fmt.Errorf("checks: scoring texts %d to %d: %w", lo, lo+len(chunk)-1, err)
		}
		if len(sents) != len(chunk) || len(risks) != len(chunk) {
			return nil, fmt.Errorf("checks: scoring %d texts gave %d sentiments and %d risks", len(chunk), len(sents), len(risks))
		}
		for i := range chunk {
			scores = append(scores, outcome{sents[i], risks[i]})
		}
	}

	r := &Report{Tests: []TestResult{}}
	where := map[string]int{} // test name → index in r.Tests
	for _, c := range cases {
		k, ok := where[c.Test]
		if !ok {
			k = len(r.Tests)
			where[c.Test] = k
			r.Tests = append(r.Tests, TestResult{Test: c.Test, Kind: c.Kind})
		}
		t := &r.Tests[k]
		var other outcome
		if c.Kind != MFT {
			other = scores[index[c.Other]]
		}
		failure := c.check(scores[index[c.Text]], other)
		t.Cases++
		r.Cases++
		if failure == "" {
			t.Passed++
			r.Passed++
		} else if len(t.Failures) < maxFailures {
			t.Failures = append(t.Failures, failure)
		}
	}
	for i := range r.Tests {
		r.Tests[i].PassRate = rate(r.Tests[i].Passed, r.Tests[i].Cases)
	}
	r.PassRate = rate(r.Passed, r.Cases)
	return r, nil
}

func rate(passed, cases int) float64 {
	if cases == 0 {
		return 0
	}
	return float64(passed) / float64(cases)
}

// Subset returns every k-th case of each test (at least one per test), for a fast run.
// The cases keep their order; k ≤ 1 keeps them all.
func Subset(cases []Case, k int) []Case {
	if k <= 1 {
		return slices.Clone(cases)
	}
	seen := map[string]int{}
	var out []Case
	for _, c := range cases {
		if seen[c.Test]%k == 0 {
			out = append(out, c)
		}
		seen[c.Test]++
	}
	return out
}

// validate checks that a case can be checked at all.
func (c *Case) validate() error {
	if c.Test == "" {
		return errors.New("the case has no test name")
	}
	if strings.TrimSpace(c.Text) == "" {
		return errors.New("the case has no text")
	}
	switch c.Kind {
	case MFT:
		if c.Sentiment != "" && !slices.Contains(sentimentLabels, c.Sentiment) {
			return fmt.Errorf("expected sentiment %q is not one of %v", c.Sentiment, sentimentLabels)
		}
		if c.NoRisk && len(c.Categories) > 0 {
			return errors.New("the case expects both no risk and the categories " + strings.Join(c.Categories, ", "))
		}
		if c.Sentiment == "" && len(c.Categories) == 0 && !c.NoRisk {
			return errors.New("the MFT case expects nothing")
		}
	case INV, DIR:
		if strings.TrimSpace(c.Other) == "" {
			return fmt.Errorf("the %s case has no perturbed text", c.Kind)
		}
		if c.Kind == INV {
			break
		}
		if !slices.Contains([]string{SignalDown, SignalUp, RiskDown, RiskUp}, c.Direction) {
			return fmt.Errorf("direction %q is not one of %s, %s, %s, %s", c.Direction, SignalDown, SignalUp, RiskDown, RiskUp)
		}
		if !(c.Margin >= 0 && c.Margin < 2) {
			return fmt.Errorf("margin %v is outside [0, 2)", c.Margin)
		}
	default:
		return fmt.Errorf("kind %q is not one of %s, %s, %s", c.Kind, MFT, INV, DIR)
	}
	return nil
}

// outcome is what the model said about one text.
type outcome struct {
	sentiment scorer.Sentiment
	risk      scorer.SentenceRisk
}

// flagged reports whether category id is among the flagged categories.
func (o outcome) flagged(id string) bool {
	return slices.ContainsFunc(o.risk.Categories, func(c scorer.CategoryScore) bool { return c.ID == id })
}

// strongest is the id of the flagged category with the highest score, or
// "" when none is flagged.
func (o outcome) strongest() string {
	id, best := "", math.Inf(-1)
	for _, c := range o.risk.Categories {
		if c.Score > best {
			id, best = c.ID, c.Score
		}
	}
	return id
}

// String prints an outcome for a failure message, e.g.
// "negative (signal -0.62), risk 0.81 [credit liquidity]".
func (o outcome) String() string {
	ids := make([]string, len(o.risk.Categories))
	for i, c := range o.risk.Categories {
		ids[i] = c.ID
	}
	flagged := "no category"
	if len(ids) > 0 {
		flagged = "[" + strings.Join(ids, " ") + "]"
	}
	return fmt.Sprintf("%s (signal %+.2f), risk %.2f %s", o.sentiment.Label, o.sentiment.Signal, o.risk.Score, flagged)
}

// check returns "" when the case passes, and otherwise what happened.
// text is the model's outcome on c.Text, other on c.Other (INV and DIR).
func (c *Case) check(text, other outcome) string {
	switch c.Kind {
	case MFT:
		var want []string
		if c.Sentiment != "" && text.sentiment.Label != c.Sentiment {
			want = append(want, c.Sentiment)
		}
		for _, id := range c.Categories {
			if !text.flagged(id) {
				want = append(want, id+" flagged")
			}
		}
		if c.NoRisk && len(text.risk.Categories) > 0 {
			want = append(want, "no risk category")
		}
		if len(want) == 0 {
			return ""
		}
		return fmt.Sprintf("%q → %s; want %s", c.Text, text, strings.Join(want, ", "))

	case INV:
		if text.sentiment.Label == other.sentiment.Label && text.strongest() == other.strongest() {
			return ""
		}
		return fmt.Sprintf("%q → %s, but %q → %s; want the same label and strongest category", c.Text, text, c.Other, other)

	default: // DIR
		var ok bool
		var want string
		switch c.Direction {
		case SignalDown:
			ok = other.sentiment.Signal <= text.sentiment.Signal-c.Margin
			want = fmt.Sprintf("signal down by at least %.2f", c.Margin)
		case SignalUp:
			ok = other.sentiment.Signal >= text.sentiment.Signal+c.Margin
			want = fmt.Sprintf("signal up by at least %.2f", c.Margin)
		case RiskDown:
			ok = other.risk.Score <= text.risk.Score-c.Margin &&
				!slices.ContainsFunc(c.Categories, other.flagged)
			want = fmt.Sprintf("risk down by at least %.2f", c.Margin)
			if len(c.Categories) > 0 {
				want += " and no " + strings.Join(c.Categories, ", ")
			}
		case RiskUp:
			ok = other.risk.Score >= text.risk.Score+c.Margin
			want = fmt.Sprintf("risk up by at least %.2f", c.Margin)
		}
		if ok {
			return ""
		}
		return fmt.Sprintf("%q → %s, but %q → %s; want %s", c.Text, text, c.Other, other, want)
	}
}

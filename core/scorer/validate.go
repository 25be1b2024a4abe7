package scorer

import (
	"fmt"
	"slices"
)

// Bounds on the heads' calibration. The temperatures chosen on held-out
// data (core/train's FitTemperature and FitRiskTemperature) lie in
// [1/50, 50]; these bounds leave a factor of two beyond that, and keep
// logit/T finite and meaningful. A temperature such as 5e-324 turns every
// logit into ±Inf and every probability into NaN.
const (
	minTemperature = 0.01
	maxTemperature = 100
	// maxDocumentFocus bounds SentimentSpec.DocumentFocus: (1 − P(neutral))
	// to the 8th power already all but ignores a sentence that is 50%
	// neutral.
	maxDocumentFocus = 8
	// maxSentimentLabels and maxRiskCategories bound the heads' widths;
	// the shipped model has 3 and 10.
	maxSentimentLabels = 16
	maxRiskCategories  = 32
)

// requiredLabels are the sentiment labels the report reads by name: the
// signal is P(positive) − P(negative), and a document weighs each sentence
// by 1 − P(neutral).
var requiredLabels = []string{"negative", "neutral", "positive"}

// Validate checks that the spec can score: its labels are unique, non-empty
// and include the three the report reads, and its constants are in range.
func (s *SentimentSpec) Validate() error {
	if n := len(s.Labels); n < len(requiredLabels) || n > maxSentimentLabels {
		return fmt.Errorf("scorer: sentiment head has %d labels, want %d..%d", n, len(requiredLabels), maxSentimentLabels)
	}
	seen := map[string]bool{}
	for _, l := range s.Labels {
		if l == "" || seen[l] {
			return fmt.Errorf("scorer: sentiment labels %q are empty or repeated", s.Labels)
		}
		seen[l] = true
	}
	for _, l := range requiredLabels {
		if !seen[l] {
			return fmt.Errorf("scorer: sentiment labels %q lack %q (want %q among them)", s.Labels, l, requiredLabels)
		}
	}
	if err := checkTemperature("sentiment", s.Temperature); err != nil {
		return err
	}
	if !(s.DocumentFocus >= 0 && s.DocumentFocus <= maxDocumentFocus) {
		return fmt.Errorf("scorer: sentiment document_focus %v outside [0, %d]", s.DocumentFocus, maxDocumentFocus)
	}
	return nil
}

// Validate checks that the spec can score: one threshold in (0, 1) for each
// of its categories, whose ids are well-formed and unique and which have
// labels, and a temperature in range.
func (s *RiskSpec) Validate() error {
	n := len(s.Categories)
	if n == 0 || n > maxRiskCategories || len(s.Thresholds) != n {
		return fmt.Errorf("scorer: risk head has %d categories and %d thresholds, want 1..%d of each", n, len(s.Thresholds), maxRiskCategories)
	}
	for i, c := range s.Categories {
		switch {
		case !categoryID.MatchString(c.ID):
			return fmt.Errorf("scorer: risk category %d: id %q must match %s", i, c.ID, categoryID)
		case slices.ContainsFunc(s.Categories[:i], func(d Category) bool { return d.ID == c.ID }):
			return fmt.Errorf("scorer: risk category id %q appears twice", c.ID)
		case c.Label == "":
			return fmt.Errorf("scorer: risk category %q has no label", c.ID)
		}
		if t := s.Thresholds[i]; !(t > 0 && t < 1) {
			return fmt.Errorf("scorer: risk category %q: threshold %v outside (0, 1)", c.ID, t)
		}
	}
	return checkTemperature("risk", s.Temperature)
}

// checkTemperature checks a head's temperature against the bounds.
func checkTemperature(head string, t float64) error {
	if !(t >= minTemperature && t <= maxTemperature) {
		return fmt.Errorf("scorer: %s temperature %v outside [%v, %v]", head, t, minTemperature, maxTemperature)
	}
	return nil
}

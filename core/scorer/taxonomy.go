package scorer

import (
	"encoding/json"
	"fmt"
	"regexp"
)

// Taxonomy is the team-written list of risk categories
// (weights/risk-taxonomy.json), from which the risk prototypes are built.
type Taxonomy struct {
	Version    int        `json:"version"`
	About      string     `json:"about"`
	Categories []Category `json:"categories"`
}

// Category is one kind of risk an advisor recognises.
type Category struct {
	ID          string   `json:"id"`
	Label       string   `json:"label"`
	Description string   `json:"description"`
	Examples    []string `json:"examples,omitempty"`
}

var categoryID = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// ParseTaxonomy reads and checks a taxonomy: 1 to 32 categories with unique
// lower-case ids, labels, descriptions and at least two examples each.
func ParseTaxonomy(data []byte) (*Taxonomy, error) {
	var t Taxonomy
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, fmt.Errorf("scorer: risk taxonomy: %w", err)
	}
	if len(t.Categories) == 0 || len(t.Categories) > 32 {
		return nil, fmt.Errorf("scorer: risk taxonomy has %d categories, want 1..32", len(t.Categories))
	}
	seen := map[string]bool{}
	for i, c := range t.Categories {
		switch {
		case !categoryID.MatchString(c.ID):
			return nil, fmt.Errorf("scorer: risk category %d: id %q must match %s", i, c.ID, categoryID)
		case seen[c.ID]:
			return nil, fmt.Errorf("scorer: risk category id %q appears twice", c.ID)
		case c.Label == "" || c.Description == "":
			return nil, fmt.Errorf("scorer: risk category %q needs a label and a description", c.ID)
		case len(c.Examples) < 2:
			return nil, fmt.Errorf("scorer: risk category %q needs at least two examples", c.ID)
		}
		seen[c.ID] = true
	}
	return &t, nil
}

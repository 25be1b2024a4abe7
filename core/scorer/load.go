package scorer

import (
	"fmt"

	"finscore/core/bundle"
)

// Load reads a bundle from data (bundle.Read) and builds its scorer
// (FromBundle), refusing, before the expensive work, a bundle that is
// damaged, too large or cannot score. It returns the bundle's manifest for
// its name, source and licence. The scorer keeps no reference to data.
func Load(data []byte) (*Scorer, bundle.Manifest, error) {
	b, err := bundle.Read(data)
	if err != nil {
		return nil, bundle.Manifest{}, err
	}
	s, err := FromBundle(b)
	if err != nil {
		return nil, bundle.Manifest{}, err
	}
	return s, b.Manifest, nil
}

// LoadFile reads the bundle file at path (bundle.ReadFile, which checks the
// header before reading the rest) and builds its scorer, as Load does.
// Errors name the file.
func LoadFile(path string) (*Scorer, bundle.Manifest, error) {
	b, err := bundle.ReadFile(path)
	if err != nil {
		return nil, bundle.Manifest{}, err
	}
	s, err := FromBundle(b)
	if err != nil {
		return nil, bundle.Manifest{}, fmt.Errorf("%s: %w", path, err)
	}
	return s, b.Manifest, nil
}

package tls

import (
	"math/rand/v2"
	"testing"
)

// The engines are told to run deterministically only when the caller said
// so and gave a Rand to be deterministic with; a Rand alone never implies
// it. (TestCustomRandIsNotDeterministicMode checks the effect end to end.)
func TestDeterministicOnlyWhenAsked(t *testing.T) {
	seeded := rand.NewChaCha8([32]byte{1})
	for _, tt := range []struct {
		name string
		cfg  *Config
		want bool
	}{
		{"default", &Config{}, false},
		{"custom Rand only", &Config{Rand: seeded}, false},
		{"option without Rand", &Config{DeterministicForTesting: true}, false},
		{"option and Rand", &Config{Rand: seeded, DeterministicForTesting: true}, true},
		{"option and Rand, cloned", (&Config{Rand: seeded, DeterministicForTesting: true}).Clone(), true},
	} {
		if got := tt.cfg.deterministic(); got != tt.want {
			t.Errorf("%s: deterministic() = %v, want %v", tt.name, got, tt.want)
		}
	}
}

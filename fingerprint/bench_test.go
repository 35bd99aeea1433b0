package fingerprint_test

import (
	"testing"

	"lucid/fingerprint"
)

// BenchmarkFingerprints is what a server pays to fingerprint a
// Chrome-like hello both ways, which the https server does for every
// connection whose state is asked for.
func BenchmarkFingerprints(b *testing.B) {
	ch := parse(b, specHello(specSigAlgs...))
	b.ReportAllocs()
	for b.Loop() {
		fingerprint.JA3(ch)
		fingerprint.JA4(ch, 't')
	}
}

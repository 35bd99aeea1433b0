package handshake

import (
	"bytes"
	"crypto/x509"
	"runtime"
	"testing"

	"lucid/internal/alert"
	"lucid/internal/testpki"
)

// The parse cache hands out one certificate for the same bytes, refuses
// bytes that do not parse, and never stands in for the verifier: checkChain
// calls it on every chain, cached or not.
func TestCertCacheSharesParseNotChecks(t *testing.T) {
	ca, err := testpki.NewCA("Cache CA", testpki.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Issue(testpki.LeafOptions{Names: []string{"cache.test"}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := parsedCertificate(leaf.Chain[0])
	if err != nil {
		t.Fatal(err)
	}
	// A copy of the bytes, as the next connection's message would be.
	b, err := parsedCertificate(bytes.Clone(leaf.Chain[0]))
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Error("the same certificate bytes were parsed twice")
	}
	if !bytes.Equal(a.Raw, leaf.Chain[0]) {
		t.Error("the cached certificate is not the one asked for")
	}

	bad := bytes.Clone(leaf.Chain[0])
	bad[len(bad)/2] ^= 0xff
	if c, err := parsedCertificate(bad); err == nil && bytes.Equal(c.Raw, leaf.Chain[0]) {
		t.Fatal("altered bytes got the original certificate")
	}
	if _, err := parseChainCached([][]byte{leaf.Chain[0], {0x30, 0x03, 0x01, 0x01, 0x00}}); err == nil {
		t.Fatal("an unparseable certificate passed")
	} else if alert.Of(err) != alert.DecodeError {
		t.Fatalf("an unparseable certificate gave %v, want decode_error", err)
	}

	calls := 0
	verify := func(chain [][]byte, parsed []*x509.Certificate) (*Verification, error) {
		calls++
		if len(parsed) != len(chain) || !bytes.Equal(parsed[0].Raw, chain[0]) {
			t.Errorf("verifier handed %d parsed certificates for %d", len(parsed), len(chain))
		}
		return &Verification{Certs: parsed}, nil
	}
	for range 3 {
		if _, err := checkChain([][]byte{bytes.Clone(leaf.Chain[0])}, nil, verify); err != nil {
			t.Fatal(err)
		}
	}
	if calls != 3 {
		t.Errorf("the verifier ran %d times for 3 chains, want 3", calls)
	}
}

// An entry whose certificate nobody holds leaves the cache once the
// collector has taken the certificate.
func TestCertCacheForgetsCollected(t *testing.T) {
	ca, err := testpki.NewCA("Cache CA 2", testpki.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Issue(testpki.LeafOptions{Names: []string{"forget.test"}})
	if err != nil {
		t.Fatal(err)
	}
	key := string(leaf.Chain[0])
	if _, err := parsedCertificate(leaf.Chain[0]); err != nil {
		t.Fatal(err)
	}
	present := func() bool {
		certCache.mu.Lock()
		defer certCache.mu.Unlock()
		_, ok := certCache.m[key]
		return ok
	}
	if !present() {
		t.Fatal("a parsed certificate was not cached")
	}
	// Cleanups run on their own goroutine after a collection: collect
	// until the entry is gone, with a bound on tries rather than on time.
	for i := 0; present(); i++ {
		if i == 1000 {
			t.Fatal("the entry of a collected certificate stayed")
		}
		runtime.GC()
		runtime.Gosched()
	}
}

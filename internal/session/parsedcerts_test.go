package session

import (
	"bytes"
	"runtime"
	"testing"

	"lucid/internal/testpki"
)

// TestParseCertificateShared: the same bytes, even in another buffer, get
// the same parse, which owns its bytes; other bytes get their own, and
// garbage is an error, never cached.
func TestParseCertificateShared(t *testing.T) {
	a, b := twoLeaves(t)
	buf := bytes.Clone(a.Chain[0])
	first, err := ParseCertificate(buf)
	if err != nil {
		t.Fatal(err)
	}
	if &first.Raw[0] == &buf[0] {
		t.Error("the parse refers to the caller's buffer")
	}
	// The caller reuses its buffer: the parse must not change.
	for i := range buf {
		buf[i] = 0
	}
	if !bytes.Equal(first.Raw, a.Chain[0]) || first.DNSNames[0] != "a.example" {
		t.Fatal("the parse changed with the caller's buffer")
	}
	again, err := ParseCertificate(bytes.Clone(a.Chain[0]))
	if err != nil || again != first {
		t.Errorf("the same certificate was parsed again: %p vs %p, %v", again, first, err)
	}
	other, err := ParseCertificate(b.Chain[0])
	if err != nil || other == first || other.DNSNames[0] != "b.example" {
		t.Errorf("another certificate: %v, %v", other, err)
	}
	if _, err := ParseCertificate([]byte{0x30, 0x01, 0x02}); err == nil {
		t.Error("a garbage certificate parsed")
	}
	runtime.KeepAlive(first)
}

// TestParseCertificateBounded: the cache never holds more entries than
// its bound, however many certificates pass through it while in use.
func TestParseCertificateBounded(t *testing.T) {
	ca, err := testpki.NewCA("Parse Cache Bound", testpki.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Issue(testpki.LeafOptions{Names: []string{"x.example"}})
	if err != nil {
		t.Fatal(err)
	}
	// Every parse is kept alive, so eviction has to drop entries in use.
	var held []any
	for i := 0; i < maxParsedCerts+50; i++ {
		l, err := ca.Issue(testpki.LeafOptions{Names: []string{"x.example"}})
		if err != nil {
			t.Fatal(err)
		}
		c, err := ParseCertificate(l.Chain[0])
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	parsedCerts.Lock()
	n := len(parsedCerts.m)
	parsedCerts.Unlock()
	if n > maxParsedCerts {
		t.Errorf("the cache holds %d entries, more than its bound of %d", n, maxParsedCerts)
	}
	if c, err := ParseCertificate(leaf.Chain[0]); err != nil || c.DNSNames[0] != "x.example" {
		t.Errorf("a parse after eviction: %v", err)
	}
	runtime.KeepAlive(held)
}

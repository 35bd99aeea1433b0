package suites

import (
	"bytes"
	"testing"
)

func TestSuites(t *testing.T) {
	for _, s := range TLS13 {
		if Lookup13(s.ID) != s {
			t.Fatalf("%s not found by its ID", s.Name)
		}
		aead, err := s.NewAEAD(make([]byte, s.KeyLen))
		if err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		// RFC 8446 §5.3 builds 12-byte nonces; every suite must take them.
		if aead.NonceSize() != 12 || aead.Overhead() != 16 {
			t.Fatalf("%s: nonce %d overhead %d", s.Name, aead.NonceSize(), aead.Overhead())
		}
		nonce := make([]byte, 12)
		ct := aead.Seal(nil, nonce, []byte("seed"), nil)
		pt, err := aead.Open(nil, nonce, ct, nil)
		if err != nil || !bytes.Equal(pt, []byte("seed")) {
			t.Fatalf("%s: round trip failed", s.Name)
		}
		if _, err := s.NewAEAD(make([]byte, s.KeyLen-1)); err == nil {
			t.Fatalf("%s accepted a short key", s.Name)
		}
	}
	if Lookup13(0xc02f) != nil {
		t.Fatal("a TLS 1.2 suite resolved as TLS 1.3")
	}
}

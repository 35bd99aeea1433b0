package kex

import (
	"bytes"
	"crypto/rand"
	"errors"
	mrand "math/rand/v2"
	"testing"

	"lucid/internal/alert"
)

var groups = []uint16{P256, P384, P521, X25519, X25519MLKEM768}

func TestAgreement(t *testing.T) {
	for _, g := range groups {
		for _, det := range []bool{false, true} {
			p, err := Generate(g, rand.Reader)
			if err != nil {
				t.Fatalf("%s: %v", Name(g), err)
			}
			share, secret, err := Respond(g, rand.Reader, p.Share(), det)
			if err != nil {
				t.Fatalf("%s respond: %v", Name(g), err)
			}
			got, err := p.Shared(share)
			if err != nil {
				t.Fatalf("%s shared: %v", Name(g), err)
			}
			if !bytes.Equal(got, secret) || len(secret) == 0 {
				t.Fatalf("%s: client and server secrets differ", Name(g))
			}
			if g == X25519MLKEM768 && len(secret) != 64 {
				t.Fatalf("hybrid secret is %d bytes, want 64 (ML-KEM then X25519)", len(secret))
			}
		}
	}
}

// With a fixed random source both halves are reproducible, which is what
// lets a whole handshake be replayed byte for byte.
func TestDeterministic(t *testing.T) {
	for _, g := range groups {
		run := func() ([]byte, []byte) {
			r := mrand.NewChaCha8([32]byte{1})
			p, err := Generate(g, r)
			if err != nil {
				t.Fatal(err)
			}
			share, _, err := Respond(g, r, p.Share(), true)
			if err != nil {
				t.Fatal(err)
			}
			return p.Share(), share
		}
		a1, b1 := run()
		a2, b2 := run()
		if !bytes.Equal(a1, a2) || !bytes.Equal(b1, b2) {
			t.Fatalf("%s: same random source gave different shares", Name(g))
		}
	}
}

// Without deterministic, ML-KEM encapsulation takes its randomness from
// crypto/mlkem, not from r: the same r gives different ciphertexts, while
// the X25519 half, which r does decide, repeats.
func TestRespondNotDeterministic(t *testing.T) {
	run := func() []byte {
		r := mrand.NewChaCha8([32]byte{2})
		p, err := Generate(X25519MLKEM768, r)
		if err != nil {
			t.Fatal(err)
		}
		share, _, err := Respond(X25519MLKEM768, r, p.Share(), false)
		if err != nil {
			t.Fatal(err)
		}
		return share
	}
	a, b := run(), run()
	split := len(a) - 32
	if bytes.Equal(a[:split], b[:split]) {
		t.Error("ML-KEM ciphertext repeated with deterministic=false: encapsulation drew from r")
	}
	if !bytes.Equal(a[split:], b[split:]) {
		t.Error("X25519 half of the share differs for the same r")
	}
}

func TestBadShares(t *testing.T) {
	for _, g := range groups {
		p, err := Generate(g, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		bads := [][]byte{nil, {4}, make([]byte, len(p.Share())+1)}
		if g != X25519 {
			// Every 32-byte string is an X25519 public key; for the
			// others, all-ones is off the curve or not a valid key.
			bads = append(bads, bytes.Repeat([]byte{0xff}, len(p.Share())))
		}
		for _, bad := range bads {
			if _, err := p.Shared(bad); alert.Of(err) != alert.IllegalParameter {
				t.Errorf("%s: Shared(%d bytes) = %v, want illegal_parameter", Name(g), len(bad), err)
			}
			if _, _, err := Respond(g, rand.Reader, bad, false); alert.Of(err) != alert.IllegalParameter {
				t.Errorf("%s: Respond(%d bytes) = %v, want illegal_parameter", Name(g), len(bad), err)
			}
		}
	}
	// RFC 7748 §6.1: a low-order X25519 point gives an all-zero secret.
	p, _ := Generate(X25519, rand.Reader)
	if _, err := p.Shared(make([]byte, 32)); alert.Of(err) != alert.IllegalParameter {
		t.Fatalf("all-zero X25519 share: %v", err)
	}
	if _, err := Generate(0x9999, rand.Reader); err == nil {
		t.Fatal("unknown group accepted")
	}
	var ae *alert.Error
	if _, _, err := Respond(0x9999, rand.Reader, []byte{1}, false); !errors.As(err, &ae) {
		t.Fatal("unknown group in Respond is not an alert")
	}
}

func TestShortRandom(t *testing.T) {
	if _, err := Generate(X25519MLKEM768, bytes.NewReader(make([]byte, 10))); err == nil {
		t.Fatal("short random source accepted")
	}
}

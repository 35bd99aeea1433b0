package tls_test

import (
	"bytes"
	"testing"

	"lucid/internal/wire"
	"lucid/tls"
)

// mlkemServerHello runs one X25519MLKEM768 handshake in which each side
// draws from the same fixed stream as in every other run, and returns the
// server's ServerHello: its random and its key share, the ML-KEM ciphertext
// followed by the X25519 public key.
func mlkemServerHello(t *testing.T, deterministic bool) *wire.ServerHello {
	t.Helper()
	c, s := pair(t)
	rs := &recorder{Conn: s}
	groups := []tls.CurveID{tls.X25519MLKEM768}
	server := tls.Server(rs, &tls.Config{Certificates: []tls.Certificate{fuzzCert(t)}, CurvePreferences: groups,
		Rand: fixedRand(), DeterministicForTesting: deterministic})
	client := tls.Client(c, &tls.Config{InsecureSkipVerify: true, ServerName: "localhost", CurvePreferences: groups,
		Rand: fixedRand(), DeterministicForTesting: deterministic})
	done := make(chan error, 1)
	go func() { done <- server.Handshake() }()
	if err := client.Handshake(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// The server's first record is its ServerHello, in the clear.
	out := rs.out.Bytes()
	if len(out) < 5+wire.HeaderLen || out[0] != 22 {
		t.Fatalf("server's first record is not a handshake record: % x", out[:min(len(out), 16)])
	}
	n := int(out[3])<<8 | int(out[4])
	body := out[5 : 5+n]
	if body[0] != wire.TypeServerHello {
		t.Fatalf("server's first message is type %d, want ServerHello", body[0])
	}
	sh, err := wire.ParseServerHello(body[wire.HeaderLen:])
	if err != nil {
		t.Fatal(err)
	}
	if sh.KeyShare.Group != uint16(tls.X25519MLKEM768) || len(sh.KeyShare.Data) <= 32 {
		t.Fatalf("ServerHello key share is group 0x%04x, %d bytes; want X25519MLKEM768", sh.KeyShare.Group, len(sh.KeyShare.Data))
	}
	return sh
}

// A custom Rand without DeterministicForTesting keeps ML-KEM on the standard
// library's normal path: two handshakes drawing the same bytes from Rand
// agree on everything Rand decides (the server random, the X25519 half of
// the share) and differ in the ML-KEM ciphertext, whose randomness Rand did
// not supply. With the option, the ciphertext repeats as well.
func TestCustomRandIsNotDeterministicMode(t *testing.T) {
	for _, deterministic := range []bool{false, true} {
		a := mlkemServerHello(t, deterministic)
		b := mlkemServerHello(t, deterministic)
		if a.Random != b.Random {
			t.Fatalf("deterministic=%v: the same Rand gave different server randoms", deterministic)
		}
		ka, kb := a.KeyShare.Data, b.KeyShare.Data
		split := len(ka) - 32
		if !bytes.Equal(ka[split:], kb[split:]) {
			t.Fatalf("deterministic=%v: the same Rand gave different X25519 shares", deterministic)
		}
		same := bytes.Equal(ka[:split], kb[:split])
		if deterministic && !same {
			t.Error("DeterministicForTesting with a fixed Rand: the ML-KEM ciphertext differs between runs")
		}
		if !deterministic && same {
			t.Error("a custom Rand alone made the ML-KEM ciphertext repeat: the test-only deterministic encapsulation ran")
		}
	}
}

package handshake

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"testing"

	"lucid/internal/wire"
)

// A Finished is built in the transcript's scratch only when no observer
// is handed the message: an observer that keeps the sent Finished must
// still see the verify_data that went out once the handshake is over.
func TestObservedFinishedKeepsItsVerifyData(t *testing.T) {
	ccfg, scfg := pumpConfigs(t)
	var kept []*wire.Finished
	obs := func(e Event) {
		if f, ok := e.Message.(*wire.Finished); ok && e.Kind == MessageSent {
			kept = append(kept, f)
		}
	}
	ccfg.Observe, scfg.Observe = obs, obs
	var sent [][]byte
	c, s := NewClient(ccfg), NewServer(scfg)
	if err := pump(t, c, s, func(_ *Engine, msg []byte) {
		if msg[0] == wire.TypeFinished {
			sent = append(sent, bytes.Clone(msg[wire.HeaderLen:]))
		}
	}); err != nil {
		t.Fatal(err)
	}
	if len(kept) != 2 || len(sent) != 2 {
		t.Fatalf("observed %d sent Finished, delivered %d, want 2 and 2", len(kept), len(sent))
	}
	for i := range kept {
		if !bytes.Equal(kept[i].VerifyData, sent[i]) {
			t.Errorf("observed Finished %d holds %x after the handshake, but %x was sent", i, kept[i].VerifyData, sent[i])
		}
	}
}

// TestKeyKind: the TLS 1.2 client's key mismatch error names the key's
// algorithm, and says so plainly when x509 could not parse the key at all
// (it once printed "<nil>").
func TestKeyKind(t *testing.T) {
	for _, tc := range []struct {
		cert *x509.Certificate
		want string
	}{
		{&x509.Certificate{PublicKeyAlgorithm: x509.ECDSA, PublicKey: &ecdsa.PublicKey{}}, "ECDSA key"},
		{&x509.Certificate{PublicKeyAlgorithm: x509.RSA, PublicKey: &rsa.PublicKey{}}, "RSA key"},
		{&x509.Certificate{}, "key, of an algorithm Go's x509 does not parse,"},
	} {
		if got := keyKind(tc.cert); got != tc.want {
			t.Errorf("keyKind = %q, want %q", got, tc.want)
		}
	}
}

package session

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// keyA and keyB are fixed ticket keys; a real server draws them at random.
var (
	keyA = TicketKey{0: 0xaa, 31: 0x01}
	keyB = TicketKey{0: 0xbb, 31: 0x02}
)

// counter is a deterministic stand-in for a random source: each byte it
// returns is one more than the last.
type counter struct{ next byte }

func (c *counter) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = c.next
		c.next++
	}
	return len(p), nil
}

func mustSealer(t testing.TB, keys ...TicketKey) *Sealer {
	t.Helper()
	s, err := NewSealer(keys)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSealerRoundTrip(t *testing.T) {
	s := mustSealer(t, keyA)
	rnd := &counter{}
	for _, pt := range [][]byte{nil, {}, []byte("state"), fullState().Marshal(), make([]byte, MaxPlaintextLen)} {
		tk, err := s.Seal(rnd, pt)
		if err != nil {
			t.Fatal(err)
		}
		if len(tk) != len(pt)+Overhead {
			t.Errorf("ticket of %d bytes for %d of state", len(tk), len(pt))
		}
		got, err := s.Open(tk)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, pt) {
			t.Errorf("Open returned %x, want %x", got, pt)
		}
	}
	// Same key, same name; fresh nonces, different tickets.
	t1, _ := s.Seal(rnd, []byte("x"))
	t2, _ := s.Seal(rnd, []byte("x"))
	if !bytes.Equal(t1[:NameLen], t2[:NameLen]) || bytes.Equal(t1, t2) {
		t.Error("expected equal names and different tickets")
	}
	if bytes.Contains(t1, keyA[:4]) {
		t.Error("ticket contains key material")
	}
}

// TestSealerVector pins the derivation and layout: servers of different
// builds that share keys must keep opening each other's tickets.
func TestSealerVector(t *testing.T) {
	s := mustSealer(t, keyA)
	tk, err := s.Seal(&counter{}, []byte("lucid"))
	if err != nil {
		t.Fatal(err)
	}
	// Cross-checked against an independent HKDF (Python hmac) and
	// AES-GCM (pyca/cryptography): name || nonce || ciphertext || tag.
	const want = "ce4f05bb664b35021e0567fc93bd66b1" + "000102030405060708090a0b" +
		"1663bdd75c" + "29d863e7e5d0b412397898face1d7265"
	if got := hexString(tk); got != want {
		t.Errorf("ticket\n got %s\nwant %s", got, want)
	}
}

func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

func TestSealerRotation(t *testing.T) {
	old := mustSealer(t, keyA)
	rotated := mustSealer(t, keyB, keyA)
	onlyNew := mustSealer(t, keyB)

	tkA, err := old.Seal(&counter{}, []byte("sealed under A"))
	if err != nil {
		t.Fatal(err)
	}
	if pt, err := rotated.Open(tkA); err != nil || string(pt) != "sealed under A" {
		t.Errorf("[B, A] failed to open A's ticket: %q, %v", pt, err)
	}
	if _, err := onlyNew.Open(tkA); err == nil {
		t.Error("[B] opened A's ticket")
	}
	// The rotated sealer seals with its first key, B.
	tkB, _ := rotated.Seal(&counter{}, []byte("new"))
	if !bytes.Equal(tkB[:NameLen], mustSeal(t, onlyNew)[:NameLen]) {
		t.Error("rotated sealer did not seal with its first key")
	}
	if _, err := old.Open(tkB); err == nil {
		t.Error("[A] opened B's ticket")
	}
	if _, err := onlyNew.Open(tkB); err != nil {
		t.Error(err)
	}
	// A repeated key is harmless.
	if _, err := mustSealer(t, keyA, keyA).Open(tkA); err != nil {
		t.Error(err)
	}
}

func mustSeal(t *testing.T, s *Sealer) []byte {
	t.Helper()
	tk, err := s.Seal(&counter{}, []byte("m"))
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func TestSealerRejects(t *testing.T) {
	s := mustSealer(t, keyA, keyB)
	tk, err := s.Seal(&counter{}, []byte("some session state"))
	if err != nil {
		t.Fatal(err)
	}
	// Every single-bit change, in name, nonce, ciphertext or tag, fails.
	for i := range tk {
		bad := bytes.Clone(tk)
		bad[i] ^= 0x01
		if _, err := s.Open(bad); err == nil {
			t.Errorf("opened ticket with byte %d flipped", i)
		}
	}
	// The name of key B on a ticket sealed by key A: right name for a
	// known key, wrong key, so authentication (with the name as
	// additional data) fails.
	tkB, _ := mustSealer(t, keyB).Seal(&counter{}, nil)
	relabelled := append(bytes.Clone(tkB[:NameLen]), tk[NameLen:]...)
	if _, err := s.Open(relabelled); err == nil {
		t.Error("opened a relabelled ticket")
	}
	for n := range Overhead {
		if _, err := s.Open(tk[:n]); err == nil {
			t.Errorf("opened a %d-byte ticket", n)
		}
	}
	for n := Overhead; n < len(tk); n++ {
		if _, err := s.Open(tk[:n]); err == nil {
			t.Errorf("opened ticket truncated to %d bytes", n)
		}
	}
	if _, err := s.Open(append(bytes.Clone(tk), 0)); err == nil {
		t.Error("opened ticket with a trailing byte")
	}
	if _, err := s.Open(make([]byte, MaxTicketLen+1)); err == nil {
		t.Error("opened an over-long ticket")
	}
	var nilSealer *Sealer
	if _, err := nilSealer.Open(tk); err == nil {
		t.Error("nil Sealer opened a ticket")
	}
	if _, err := nilSealer.Seal(&counter{}, nil); err == nil {
		t.Error("nil Sealer sealed")
	}
	var zero Sealer
	if _, err := zero.Seal(&counter{}, nil); err == nil {
		t.Error("zero Sealer sealed")
	}
	if _, err := zero.Open(tk); err == nil {
		t.Error("zero Sealer opened a ticket")
	}
}

func TestSealErrors(t *testing.T) {
	if _, err := NewSealer(nil); err == nil {
		t.Error("NewSealer accepted no keys")
	}
	s := mustSealer(t, keyA)
	if _, err := s.Seal(&counter{}, make([]byte, MaxPlaintextLen+1)); err == nil {
		t.Error("sealed a state too large for NewSessionTicket")
	}
	boom := errors.New("no entropy")
	if _, err := s.Seal(errReader{boom}, []byte("x")); !errors.Is(err, boom) {
		t.Errorf("Seal with a failing reader: %v", err)
	}
	if _, err := s.Seal(nil, []byte("x")); err == nil {
		t.Error("Seal accepted a nil reader")
	}
	if _, err := s.Seal(bytes.NewReader(make([]byte, NonceLen-1)), []byte("x")); err == nil {
		t.Error("Seal accepted a short nonce")
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

var _ io.Reader = errReader{}

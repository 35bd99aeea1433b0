package keys

import (
	"bytes"
	"crypto"
	"encoding/hex"
	"os/exec"
	"testing"

	"lucid/internal/testtool"
)

// Known answers for the TLS 1.2 PRF. The SHA-256 vector is the one that
// circulated on the IETF TLS list for RFC 5246 implementers; both were
// reproduced with `openssl kdf ... TLS1-PRF`, an implementation
// independent of this one (TestPRFAgainstOpenSSL redoes that live).
var prfVectors = []struct {
	hash               crypto.Hash
	secret, seed, want string
}{
	{crypto.SHA256, "9bbe436ba940f017b17652849a71db35", "a0ba9f936cda311827a6f796ffd5198c",
		"e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66"},
	{crypto.SHA384, "b80b733d6ceefcdc71566ea48e5567df", "cd665cf6a8447dd6ff8b27555edb7465",
		"7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cde9ca0faa60be9fe34f82b1233c9146a0e534cb400fed2700884f9dc236f80edd8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad05d9184259b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee691c8f3a26854308d5eaa3be85e0990703d73e56f"},
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPRF(t *testing.T) {
	for _, v := range prfVectors {
		want := unhex(t, v.want)
		got := PRF(v.hash, unhex(t, v.secret), "test label", unhex(t, v.seed), len(want))
		if !bytes.Equal(got, want) {
			t.Errorf("%v: PRF = %x, want %x", v.hash, got, want)
		}
		// A shorter output is a prefix of the longer one.
		if short := PRF(v.hash, unhex(t, v.secret), "test label", unhex(t, v.seed), 12); !bytes.Equal(short, want[:12]) {
			t.Errorf("%v: 12-byte PRF is not a prefix", v.hash)
		}
	}
}

func TestPRFAgainstOpenSSL(t *testing.T) {
	testtool.Path(t, "openssl", "openssl", "the PRF check against OpenSSL")
	secret, seed := "0123456789abcdef0011223344556677", "fedcba98765432100f0e0d0c0b0a0908"
	for _, h := range []crypto.Hash{crypto.SHA256, crypto.SHA384} {
		name := map[crypto.Hash]string{crypto.SHA256: "SHA256", crypto.SHA384: "SHA384"}[h]
		out, err := exec.Command("openssl", "kdf", "-keylen", "77", "-kdfopt", "digest:"+name,
			"-kdfopt", "hexsecret:"+secret, "-kdfopt", "seed:key expansion", "-kdfopt", "hexseed:"+seed, "TLS1-PRF").Output()
		if err != nil {
			t.Fatalf("openssl kdf: %v", err)
		}
		want := unhex(t, string(bytes.ToLower(bytes.ReplaceAll(bytes.TrimSpace(out), []byte(":"), nil))))
		if got := PRF(h, unhex(t, secret), "key expansion", unhex(t, seed), 77); !bytes.Equal(got, want) {
			t.Errorf("%s: PRF disagrees with openssl", name)
		}
	}
}

func TestMasterSecretShapes(t *testing.T) {
	pms := bytes.Repeat([]byte{3}, 48)
	h1, h2 := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	ms := ExtendedMasterSecret(crypto.SHA256, pms, h1)
	if len(ms) != MasterSecretLen || bytes.Equal(ms, ExtendedMasterSecret(crypto.SHA256, pms, h2)) {
		t.Fatal("master secret must be 48 bytes and depend on the session hash")
	}
	if bytes.Equal(ms, ExtendedMasterSecret(crypto.SHA384, pms, h1)[:MasterSecretLen]) {
		t.Fatal("master secret must depend on the PRF hash")
	}
	if vd := FinishedVerifyData12(crypto.SHA256, ms, true, h1); len(vd) != 12 || bytes.Equal(vd, FinishedVerifyData12(crypto.SHA256, ms, false, h1)) {
		t.Fatal("client and server Finished must differ and be 12 bytes")
	}
}

// MasterPRF keeps one HMAC for a master secret across calls; what it
// derives must be what the one-shot functions derive, in any order and
// after a Release.
func TestMasterPRFMatchesPRF(t *testing.T) {
	master := bytes.Repeat([]byte{0x5a}, MasterSecretLen)
	cr, sr := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	th := bytes.Repeat([]byte{3}, 32)
	for _, h := range []crypto.Hash{crypto.SHA256, crypto.SHA384} {
		var p MasterPRF
		for round := range 2 {
			if got, want := p.FinishedVerifyData(h, master, true, th), FinishedVerifyData12(h, master, true, th); !bytes.Equal(got, want) {
				t.Errorf("%v round %d: client Finished %x, want %x", h, round, got, want)
			}
			if got, want := p.KeyBlock(h, master, cr, sr, 72), KeyBlock(h, master, cr, sr, 72); !bytes.Equal(got, want) {
				t.Errorf("%v round %d: key block %x, want %x", h, round, got, want)
			}
			if got, want := p.FinishedVerifyData(h, master, false, th), FinishedVerifyData12(h, master, false, th); !bytes.Equal(got, want) {
				t.Errorf("%v round %d: server Finished %x, want %x", h, round, got, want)
			}
			p.Release()
		}
	}
	var p MasterPRF
	a := p.FinishedVerifyData(crypto.SHA256, master, true, th)
	if b := p.FinishedVerifyData(crypto.SHA256, bytes.Repeat([]byte{0x5b}, MasterSecretLen), true, th); bytes.Equal(a, b) {
		t.Error("another master secret gave the same Finished: the kept HMAC was reused for a different key")
	}
	p.Release()
}

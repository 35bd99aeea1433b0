package signature

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"io"
	"math/big"
	"slices"
	"strings"
	"sync"
	"testing"

	"lucid/internal/alert"
	"lucid/internal/version"
)

// Keys are made once per test binary: RSA-2048 generation is slow.
var (
	keysOnce sync.Once
	keyP256  *ecdsa.PrivateKey
	keyP384  *ecdsa.PrivateKey
	keyP521  *ecdsa.PrivateKey
	keyRSA   *rsa.PrivateKey
	keyEd    ed25519.PrivateKey
	keysErr  error
)

func keys(t *testing.T) {
	t.Helper()
	keysOnce.Do(func() {
		var errs [5]error
		keyP256, errs[0] = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		keyP384, errs[1] = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		keyP521, errs[2] = ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
		keyRSA, errs[3] = rsa.GenerateKey(rand.Reader, 2048)
		_, keyEd, errs[4] = ed25519.GenerateKey(rand.Reader)
		keysErr = errors.Join(errs[:]...)
	})
	if keysErr != nil {
		t.Fatalf("generate keys: %v", keysErr)
	}
}

func wantAlert(t *testing.T, err error, d alert.Description) {
	t.Helper()
	var ae *alert.Error
	if !errors.As(err, &ae) {
		t.Fatalf("error %v does not carry an alert, want %v", err, d)
	}
	if ae.Desc != d {
		t.Fatalf("alert %v (%v), want %v", ae.Desc, err, d)
	}
}

func TestRoundTrip(t *testing.T) {
	keys(t)
	msg := Content13(ServerContext13, bytes.Repeat([]byte{0xab}, 32))
	cases := []struct {
		name string
		key  crypto.Signer
		s    Scheme
	}{
		{"P-256", keyP256, ECDSAWithP256AndSHA256},
		{"P-384", keyP384, ECDSAWithP384AndSHA384},
		{"P-521", keyP521, ECDSAWithP521AndSHA512},
		{"P-256 with SHA-384 (TLS 1.2 only)", keyP256, ECDSAWithP384AndSHA384},
		{"RSA PSS SHA-256", keyRSA, PSSWithSHA256},
		{"RSA PSS SHA-384", keyRSA, PSSWithSHA384},
		{"RSA PSS SHA-512", keyRSA, PSSWithSHA512},
		{"RSA PKCS1 SHA-256", keyRSA, PKCS1WithSHA256},
		{"RSA PKCS1 SHA-384", keyRSA, PKCS1WithSHA384},
		{"RSA PKCS1 SHA-512", keyRSA, PKCS1WithSHA512},
		{"Ed25519", keyEd, Ed25519},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sig, err := Sign(rand.Reader, c.key, c.s, msg)
			if err != nil {
				t.Fatalf("Sign: %v", err)
			}
			pub := c.key.Public()
			if err := Verify(pub, c.s, msg, sig); err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if err := VerifyFor(pub, version.TLS12, c.s, msg, sig); err != nil {
				t.Fatalf("VerifyFor TLS 1.2: %v", err)
			}
			// Flip one bit of the signature and one of the message.
			bad := bytes.Clone(sig)
			bad[len(bad)/2] ^= 0x01
			wantAlert(t, Verify(pub, c.s, msg, bad), alert.DecryptError)
			badMsg := bytes.Clone(msg)
			badMsg[70] ^= 0x80
			wantAlert(t, Verify(pub, c.s, badMsg, sig), alert.DecryptError)
			// Truncated and empty signatures are bad signatures, not crashes.
			wantAlert(t, Verify(pub, c.s, msg, sig[:len(sig)-1]), alert.DecryptError)
			wantAlert(t, Verify(pub, c.s, msg, nil), alert.DecryptError)
		})
	}
}

func TestDecryptErrorMessage(t *testing.T) {
	keys(t)
	err := Verify(keyEd.Public(), Ed25519, []byte("m"), make([]byte, 64))
	wantAlert(t, err, alert.DecryptError)
	if want := "the CertificateVerify signature does not verify with the certificate's key"; !bytes.Contains([]byte(err.Error()), []byte(want)) {
		t.Errorf("error %q does not say %q", err, want)
	}
}

func TestPSSSaltIsHashLength(t *testing.T) {
	keys(t)
	msg := []byte("salt length")
	// RFC 8446 §4.2.3: the salt MUST be as long as the digest. A signature
	// with a longer salt must be refused even though it is otherwise valid.
	d := digest(mustInfo(t, PSSWithSHA256), msg)
	sig, err := rsa.SignPSS(rand.Reader, keyRSA, crypto.SHA256, d, &rsa.PSSOptions{SaltLength: 48})
	if err != nil {
		t.Fatal(err)
	}
	wantAlert(t, Verify(&keyRSA.PublicKey, PSSWithSHA256, msg, sig), alert.DecryptError)
	// And ours must carry exactly that salt length.
	sig, err = Sign(rand.Reader, keyRSA, PSSWithSHA256, msg)
	if err != nil {
		t.Fatal(err)
	}
	if err := rsa.VerifyPSS(&keyRSA.PublicKey, crypto.SHA256, d, sig, &rsa.PSSOptions{SaltLength: 32}); err != nil {
		t.Fatalf("our PSS signature does not have a 32-byte salt: %v", err)
	}
}

func mustInfo(t *testing.T, s Scheme) info {
	t.Helper()
	in, ok := lookup(s)
	if !ok {
		t.Fatalf("no info for %v", s)
	}
	return in
}

func TestMismatchedKeyType(t *testing.T) {
	keys(t)
	msg := []byte("mismatch")
	ecSig, err := Sign(rand.Reader, keyP256, ECDSAWithP256AndSHA256, msg)
	if err != nil {
		t.Fatal(err)
	}
	// ECDSA scheme with an RSA key, RSA scheme with an ECDSA key, etc.
	wantAlert(t, Verify(&keyRSA.PublicKey, ECDSAWithP256AndSHA256, msg, ecSig), alert.IllegalParameter)
	wantAlert(t, Verify(&keyP256.PublicKey, PSSWithSHA256, msg, ecSig), alert.IllegalParameter)
	wantAlert(t, Verify(keyEd.Public(), ECDSAWithP256AndSHA256, msg, ecSig), alert.IllegalParameter)
	wantAlert(t, Verify(&keyP256.PublicKey, Ed25519, msg, ecSig), alert.IllegalParameter)

	// A key x509 did not parse (RSASSA-PSS, ML-DSA) is left nil: refused
	// as a certificate Lucid cannot use, and said so.
	err = Verify(nil, PSSWithSHA256, msg, ecSig)
	wantAlert(t, err, alert.UnsupportedCertificate)
	if err == nil || !strings.Contains(err.Error(), "does not parse") {
		t.Errorf("a nil key's error does not say x509 could not parse it: %v", err)
	}

	// Signing with a scheme that does not fit our own key is our bug.
	_, err = Sign(rand.Reader, keyP256, PSSWithSHA256, msg)
	wantAlert(t, err, alert.InternalError)
	_, err = Sign(rand.Reader, keyRSA, Ed25519, msg)
	wantAlert(t, err, alert.InternalError)
	_, err = Sign(rand.Reader, nil, Ed25519, msg)
	wantAlert(t, err, alert.InternalError)
}

func TestSHA1Refused(t *testing.T) {
	keys(t)
	msg := []byte("sha1")
	for _, s := range []Scheme{PKCS1WithSHA1, ECDSAWithSHA1, 0x0202, 0x0101, 0x0809, 0x0808, 0xffff} {
		wantAlert(t, Verify(&keyRSA.PublicKey, s, msg, []byte{1}), alert.IllegalParameter)
		wantAlert(t, Verify(&keyP256.PublicKey, s, msg, []byte{1}), alert.IllegalParameter)
		if _, err := Sign(rand.Reader, keyRSA, s, msg); err == nil {
			t.Errorf("Sign accepted %v", s)
		}
		for _, list := range [][]Scheme{Default13, DefaultCert, Default12} {
			if slices.Contains(list, s) {
				t.Errorf("%v is in a default list", s)
			}
		}
	}
}

func TestTLS13CurveBinding(t *testing.T) {
	keys(t)
	msg := []byte("binding")
	sig, err := Sign(rand.Reader, keyP256, ECDSAWithP384AndSHA384, msg)
	if err != nil {
		t.Fatal(err)
	}
	// Fine in TLS 1.2, refused in TLS 1.3 (RFC 8446 §4.2.3).
	if err := VerifyFor(&keyP256.PublicKey, version.TLS12, ECDSAWithP384AndSHA384, msg, sig); err != nil {
		t.Fatalf("TLS 1.2: %v", err)
	}
	wantAlert(t, VerifyFor(&keyP256.PublicKey, version.TLS13, ECDSAWithP384AndSHA384, msg, sig), alert.IllegalParameter)

	// PKCS#1 v1.5 is refused in TLS 1.3 CertificateVerify.
	sig, err = Sign(rand.Reader, keyRSA, PKCS1WithSHA256, msg)
	if err != nil {
		t.Fatal(err)
	}
	wantAlert(t, VerifyFor(&keyRSA.PublicKey, version.TLS13, PKCS1WithSHA256, msg, sig), alert.IllegalParameter)
	if err := VerifyFor(&keyRSA.PublicKey, version.TLS12, PKCS1WithSHA256, msg, sig); err != nil {
		t.Fatalf("TLS 1.2 PKCS1: %v", err)
	}
}

func TestForKey(t *testing.T) {
	keys(t)
	cases := []struct {
		name    string
		pub     crypto.PublicKey
		version uint16
		want    []Scheme
	}{
		{"P-256 1.3", &keyP256.PublicKey, version.TLS13, []Scheme{ECDSAWithP256AndSHA256}},
		{"P-384 1.3", &keyP384.PublicKey, version.TLS13, []Scheme{ECDSAWithP384AndSHA384}},
		{"P-521 1.3", &keyP521.PublicKey, version.TLS13, []Scheme{ECDSAWithP521AndSHA512}},
		{"P-256 1.2", &keyP256.PublicKey, version.TLS12, []Scheme{ECDSAWithP521AndSHA512, ECDSAWithP384AndSHA384, ECDSAWithP256AndSHA256}},
		{"RSA 1.3", &keyRSA.PublicKey, version.TLS13, []Scheme{PSSWithSHA512, PSSWithSHA384, PSSWithSHA256}},
		{"RSA 1.2", &keyRSA.PublicKey, version.TLS12, []Scheme{PSSWithSHA512, PSSWithSHA384, PSSWithSHA256, PKCS1WithSHA512, PKCS1WithSHA384, PKCS1WithSHA256}},
		{"Ed25519 1.3", keyEd.Public(), version.TLS13, []Scheme{Ed25519}},
		{"Ed25519 1.2", keyEd.Public(), version.TLS12, []Scheme{Ed25519}},
		{"TLS 1.1", &keyP256.PublicKey, 0x0302, nil},
		{"nil key", nil, version.TLS13, nil},
		{"private key by mistake", keyP256, version.TLS13, nil},
		{"short Ed25519", ed25519.PublicKey{1, 2, 3}, version.TLS13, nil},
		{"P-224", &ecdsa.PublicKey{Curve: elliptic.P224()}, version.TLS13, nil},
		{"nil ECDSA", (*ecdsa.PublicKey)(nil), version.TLS13, nil},
		{"nil RSA", (*rsa.PublicKey)(nil), version.TLS12, nil},
	}
	for _, c := range cases {
		if got := ForKey(c.pub, c.version); !slices.Equal(got, c.want) {
			t.Errorf("%s: ForKey = %v, want %v", c.name, got, c.want)
		}
	}
	// The ForKey result must never alias package state a caller could corrupt.
	got := ForKey(&keyRSA.PublicKey, version.TLS12)
	got[0] = 0
	if pssByStrength[0] != PSSWithSHA512 {
		t.Fatal("ForKey result aliases package state")
	}
}

func TestChoose(t *testing.T) {
	keys(t)
	cases := []struct {
		name    string
		pub     crypto.PublicKey
		version uint16
		ours    []Scheme
		peer    []Scheme
		want    Scheme
		ok      bool
	}{
		{"P-256 common", &keyP256.PublicKey, version.TLS13, Default13, []Scheme{Ed25519, ECDSAWithP256AndSHA256}, ECDSAWithP256AndSHA256, true},
		{"P-256 peer lacks it", &keyP256.PublicKey, version.TLS13, Default13, []Scheme{ECDSAWithP384AndSHA384, PSSWithSHA256}, 0, false},
		{"RSA our order wins", &keyRSA.PublicKey, version.TLS13, Default13, []Scheme{PSSWithSHA512, PSSWithSHA256}, PSSWithSHA256, true},
		{"RSA 1.3 PKCS1 only", &keyRSA.PublicKey, version.TLS13, DefaultCert, []Scheme{PKCS1WithSHA256}, 0, false},
		{"RSA 1.2 PKCS1 only", &keyRSA.PublicKey, version.TLS12, Default12, []Scheme{PKCS1WithSHA384}, PKCS1WithSHA384, true},
		{"P-256 1.2 any hash", &keyP256.PublicKey, version.TLS12, Default12, []Scheme{ECDSAWithP521AndSHA512}, ECDSAWithP521AndSHA512, true},
		{"Ed25519", keyEd.Public(), version.TLS13, Default13, Default13, Ed25519, true},
		{"peer offers SHA-1 only", &keyRSA.PublicKey, version.TLS12, Default12, []Scheme{PKCS1WithSHA1}, 0, false},
		{"P-521 in Default13", &keyP521.PublicKey, version.TLS13, Default13, DefaultCert, ECDSAWithP521AndSHA512, true},
		{"P-521 key, peer lacks it", &keyP521.PublicKey, version.TLS13, Default13, []Scheme{ECDSAWithP256AndSHA256}, 0, false},
		{"empty", &keyP256.PublicKey, version.TLS13, nil, nil, 0, false},
	}
	for _, c := range cases {
		got, ok := Choose(c.pub, c.version, c.ours, c.peer)
		if got != c.want || ok != c.ok {
			t.Errorf("%s: Choose = %v, %v; want %v, %v", c.name, got, ok, c.want, c.ok)
		}
	}
}

func TestContent13Layout(t *testing.T) {
	hash := []byte{0xde, 0xad, 0xbe, 0xef}
	got := Content13(ServerContext13, hash)
	// 64 spaces, 33 context bytes, one zero byte, then the hash.
	var want []byte
	for range 64 {
		want = append(want, 0x20)
	}
	want = append(want, []byte{
		0x54, 0x4c, 0x53, 0x20, 0x31, 0x2e, 0x33, 0x2c, 0x20, 0x73, 0x65, 0x72, // "TLS 1.3, ser"
		0x76, 0x65, 0x72, 0x20, 0x43, 0x65, 0x72, 0x74, 0x69, 0x66, 0x69, 0x63, // "ver Certific"
		0x61, 0x74, 0x65, 0x56, 0x65, 0x72, 0x69, 0x66, 0x79, // "ateVerify"
		0x00,
		0xde, 0xad, 0xbe, 0xef,
	}...)
	if !bytes.Equal(got, want) {
		t.Fatalf("Content13 =\n%x\nwant\n%x", got, want)
	}
	if len(got) != 64+33+1+4 {
		t.Fatalf("length %d", len(got))
	}
	client := Content13(ClientContext13, nil)
	if len(client) != 64+33+1 || client[64+33] != 0 || string(client[64:64+33]) != "TLS 1.3, client CertificateVerify" {
		t.Fatalf("client content wrong: %q", client)
	}
}

func TestString(t *testing.T) {
	cases := map[Scheme]string{
		ECDSAWithP256AndSHA256: "ecdsa_secp256r1_sha256",
		ECDSAWithP384AndSHA384: "ecdsa_secp384r1_sha384",
		ECDSAWithP521AndSHA512: "ecdsa_secp521r1_sha512",
		PSSWithSHA256:          "rsa_pss_rsae_sha256",
		PSSWithSHA384:          "rsa_pss_rsae_sha384",
		PSSWithSHA512:          "rsa_pss_rsae_sha512",
		PKCS1WithSHA256:        "rsa_pkcs1_sha256",
		PKCS1WithSHA384:        "rsa_pkcs1_sha384",
		PKCS1WithSHA512:        "rsa_pkcs1_sha512",
		Ed25519:                "ed25519",
		PKCS1WithSHA1:          "rsa_pkcs1_sha1",
		ECDSAWithSHA1:          "ecdsa_sha1",
		0x0904:                 "mldsa44",
		0x0905:                 "mldsa65",
		0x0906:                 "mldsa87",
		0x1234:                 "0x1234",
		0x0a0a:                 "0x0a0a",
	}
	for s, want := range cases {
		if got := s.String(); got != want {
			t.Errorf("%#04x.String() = %q, want %q", uint16(s), got, want)
		}
	}
}

func TestDefaults(t *testing.T) {
	want13 := []Scheme{ECDSAWithP256AndSHA256, ECDSAWithP384AndSHA384, ECDSAWithP521AndSHA512, PSSWithSHA256, PSSWithSHA384, PSSWithSHA512, Ed25519}
	if !slices.Equal(Default13, want13) {
		t.Errorf("Default13 = %v", Default13)
	}
	for _, s := range Default13 {
		if !slices.Contains(DefaultCert, s) {
			t.Errorf("DefaultCert lacks %v", s)
		}
		if mustInfo(t, s).fam == famPKCS1 {
			t.Errorf("Default13 has PKCS#1 v1.5 scheme %v", s)
		}
	}
	for _, s := range []Scheme{PKCS1WithSHA256, PKCS1WithSHA384, PKCS1WithSHA512, ECDSAWithP521AndSHA512} {
		if !slices.Contains(DefaultCert, s) {
			t.Errorf("DefaultCert lacks %v", s)
		}
	}
	if len(Default12) != 10 {
		t.Errorf("Default12 = %v", Default12)
	}
	for _, s := range Default12 {
		if _, ok := lookup(s); !ok {
			t.Errorf("Default12 has refused scheme %v", s)
		}
	}
}

// panicSigner is a crypto.Signer whose Sign panics, as a broken hardware
// token driver might.
type panicSigner struct{ pub crypto.PublicKey }

func (p panicSigner) Public() crypto.PublicKey { return p.pub }
func (p panicSigner) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	panic("token unplugged")
}

func TestNoPanics(t *testing.T) {
	keys(t)
	msg := []byte("robust")
	pubs := []crypto.PublicKey{
		nil,
		(*ecdsa.PublicKey)(nil),
		&ecdsa.PublicKey{},
		&ecdsa.PublicKey{Curve: elliptic.P256()},
		&ecdsa.PublicKey{Curve: elliptic.P256(), X: big.NewInt(1), Y: big.NewInt(2)},
		(*rsa.PublicKey)(nil),
		&rsa.PublicKey{},
		&rsa.PublicKey{N: big.NewInt(0), E: 3},
		&rsa.PublicKey{N: big.NewInt(-77), E: 65537},
		&rsa.PublicKey{N: new(big.Int).Lsh(big.NewInt(1), 2047), E: 65537},
		&rsa.PublicKey{N: keyRSA.N, E: -1},
		ed25519.PublicKey(nil),
		ed25519.PublicKey(make([]byte, 33)),
		ed25519.PublicKey(make([]byte, 32)),
		"not a key",
	}
	sigs := [][]byte{nil, {}, {0}, make([]byte, 64), make([]byte, 256), bytes.Repeat([]byte{0xff}, 513)}
	for _, pub := range pubs {
		for s := range Scheme(0x0900) {
			for _, sig := range sigs {
				if err := Verify(pub, s, msg, sig); err == nil {
					t.Fatalf("Verify(%T, %v) accepted a junk signature", pub, s)
				}
				_ = VerifyFor(pub, version.TLS13, s, msg, sig)
			}
			ForKey(pub, version.TLS12)
			Choose(pub, version.TLS13, Default13, []Scheme{s})
		}
	}
	_, err := Sign(rand.Reader, panicSigner{&keyP256.PublicKey}, ECDSAWithP256AndSHA256, msg)
	wantAlert(t, err, alert.InternalError)
	_, err = Sign(rand.Reader, panicSigner{nil}, ECDSAWithP256AndSHA256, msg)
	wantAlert(t, err, alert.InternalError)
	_, err = Sign(rand.Reader, (*ecdsa.PrivateKey)(nil), ECDSAWithP256AndSHA256, msg)
	wantAlert(t, err, alert.InternalError)
}

func TestHash(t *testing.T) {
	if PSSWithSHA384.Hash() != crypto.SHA384 || Ed25519.Hash() != 0 || PKCS1WithSHA1.Hash() != 0 {
		t.Fatal("Hash() wrong")
	}
}

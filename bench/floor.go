package bench

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/mlkem"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"testing"

	"golang.org/x/crypto/chacha20poly1305"

	"lucid/internal/keys"
	"lucid/tls"
)

// Floor returns a benchmark of the primitive work one handshake of kind s
// cannot avoid, with the primitives called directly and nothing else: the
// key exchange of both ends, the signatures made and checked (each
// CertificateVerify or ServerKeyExchange, and the issuer's signature on
// each certificate verified), the key schedule of both ends (HKDF for TLS
// 1.3, the PRF for TLS 1.2), the transcript hashed once per end, and the
// AEAD seals and opens of the encrypted handshake messages, one byte of
// application data and any session ticket. A stack's figure over this
// floor is its overhead.
func Floor(s Setup) func(*testing.B) {
	return func(b *testing.B) {
		steps, err := floorSteps(s)
		if err != nil {
			fail(b, err)
		}
		b.ReportAllocs()
		clock := startCPU(b)
		for range b.N {
			for _, step := range steps {
				if err := step(); err != nil {
					fail(b, err)
				}
			}
		}
		clock.report(b)
	}
}

type step func() error

func floorSteps(s Setup) ([]step, error) {
	p, err := certs()
	if err != nil {
		return nil, err
	}
	var steps []step
	full := s.Resume == NoResumption
	// TLS 1.3 resumes with psk_dhe_ke, a fresh exchange; TLS 1.2 resumes
	// without one.
	if full || s.Version == tls.VersionTLS13 {
		kx, err := keyExchange(s.Group)
		if err != nil {
			return nil, err
		}
		steps = append(steps, kx)
	}
	if full {
		leaf := p.ecdsa
		if s.RSALeaf {
			leaf = p.rsa
		}
		steps = append(steps, signAndVerify(leaf.Key), chainSignature(leaf.Cert, p.ca.Cert))
		if s.ClientAuth {
			steps = append(steps, signAndVerify(p.client.Key), chainSignature(p.client.Cert, p.ca.Cert))
		}
	}
	transcript := make([]byte, 2048)
	if s.Group == tls.X25519MLKEM768 {
		transcript = make([]byte, 2048+mlkem.EncapsulationKeySize768+mlkem.CiphertextSize768)
	}
	steps = append(steps, func() error {
		// Each end hashes the transcript once.
		sha256.Sum256(transcript)
		sha256.Sum256(transcript)
		return nil
	})
	if s.Version == tls.VersionTLS13 {
		steps = append(steps, func() error { return schedule13(s.Resume != NoResumption) })
	} else {
		steps = append(steps, func() error { schedule12(full); return nil })
	}
	aead, err := newAEAD(s.Suite)
	if err != nil {
		return nil, err
	}
	// The encrypted handshake flight (TLS 1.3: EncryptedExtensions to
	// Finished, about 1.2 KB; TLS 1.2: Finished), the client's Finished
	// and one byte of application data, each sealed and opened.
	sizes := []int{1200, 36, 1}
	if s.Version == tls.VersionTLS12 {
		sizes = []int{16, 16, 1}
	}
	switch {
	case s.Resume == Ticket && s.Version == tls.VersionTLS13:
		// The server opens the offered ticket and seals a new one.
		sizes = append(sizes, 200, 200)
	case s.Resume == Ticket:
		sizes = append(sizes, 200)
	}
	steps = append(steps, sealOpen(aead, sizes))
	return steps, nil
}

// keyExchange is both ends' key generation and shared secrets for group.
func keyExchange(group tls.CurveID) (step, error) {
	x25519 := func() error {
		a, err := ecdh.X25519().GenerateKey(rand.Reader)
		if err != nil {
			return err
		}
		c, err := ecdh.X25519().GenerateKey(rand.Reader)
		if err != nil {
			return err
		}
		if _, err := a.ECDH(c.PublicKey()); err != nil {
			return err
		}
		_, err = c.ECDH(a.PublicKey())
		return err
	}
	switch group {
	case tls.X25519:
		return x25519, nil
	case tls.X25519MLKEM768:
		return func() error {
			dk, err := mlkem.GenerateKey768()
			if err != nil {
				return err
			}
			ek, err := mlkem.NewEncapsulationKey768(dk.EncapsulationKey().Bytes())
			if err != nil {
				return err
			}
			_, ct := ek.Encapsulate()
			if _, err := dk.Decapsulate(ct); err != nil {
				return err
			}
			return x25519()
		}, nil
	}
	return nil, fmt.Errorf("bench: no floor for group %d", group)
}

// signAndVerify signs a handshake digest with key and verifies it, as a
// CertificateVerify or ServerKeyExchange does: RSA-PSS for RSA keys, as
// TLS 1.3 requires.
func signAndVerify(key crypto.Signer) step {
	digest := sha256.Sum256([]byte("the transcript hash a CertificateVerify covers"))
	switch k := key.(type) {
	case *ecdsa.PrivateKey:
		return func() error {
			sig, err := ecdsa.SignASN1(rand.Reader, k, digest[:])
			if err != nil {
				return err
			}
			if !ecdsa.VerifyASN1(&k.PublicKey, digest[:], sig) {
				return errors.New("bench: ECDSA signature did not verify")
			}
			return nil
		}
	case *rsa.PrivateKey:
		opts := &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: crypto.SHA256}
		return func() error {
			sig, err := rsa.SignPSS(rand.Reader, k, crypto.SHA256, digest[:], opts)
			if err != nil {
				return err
			}
			return rsa.VerifyPSS(&k.PublicKey, crypto.SHA256, digest[:], sig, opts)
		}
	}
	return func() error { return fmt.Errorf("bench: no floor for a %T key", key) }
}

// chainSignature checks the issuer's signature on a certificate, the one
// public-key operation that verifying a one-link chain needs.
func chainSignature(cert, issuer *x509.Certificate) step {
	return func() error { return cert.CheckSignatureFrom(issuer) }
}

// schedule13 is both ends' TLS 1.3 key schedule with SHA-256 (RFC 8446
// §7.1): the three extractions, the secrets derived from them, the traffic
// keys and IVs for the handshake and application secrets, and both
// Finished MACs; with a PSK also the binder and the resumption secret.
func schedule13(psk bool) error {
	zeros := make([]byte, sha256.Size)
	th := sha256.Sum256([]byte("transcript"))
	for range 2 {
		early, err := hkdf.Extract(sha256.New, zeros, zeros)
		if err != nil {
			return err
		}
		labels := []string{"derived", "c hs traffic", "s hs traffic", "derived", "c ap traffic", "s ap traffic", "exp master"}
		if psk {
			labels = append(labels, "res binder", "finished", "res master", "resumption")
		}
		secret := early
		for i, l := range labels {
			out, err := hkdf.Expand(sha256.New, secret, hkdfLabel(l, th[:], sha256.Size), sha256.Size)
			if err != nil {
				return err
			}
			if i == 0 || i == 3 {
				if secret, err = hkdf.Extract(sha256.New, zeros, out); err != nil {
					return err
				}
			}
		}
		// Key and IV for four traffic secrets, and two Finished keys
		// with their MACs.
		for range 4 {
			if _, err := hkdf.Expand(sha256.New, secret, hkdfLabel("key", nil, 16), 16); err != nil {
				return err
			}
			if _, err := hkdf.Expand(sha256.New, secret, hkdfLabel("iv", nil, 12), 12); err != nil {
				return err
			}
		}
		for range 2 {
			fk, err := hkdf.Expand(sha256.New, secret, hkdfLabel("finished", nil, sha256.Size), sha256.Size)
			if err != nil {
				return err
			}
			m := hmac.New(sha256.New, fk)
			m.Write(th[:])
			m.Sum(nil)
		}
	}
	return nil
}

// hkdfLabel is RFC 8446 §7.1's HkdfLabel, the info of HKDF-Expand-Label.
func hkdfLabel(label string, context []byte, length int) string {
	b := []byte{byte(length >> 8), byte(length), byte(6 + len(label))}
	b = append(b, "tls13 "...)
	b = append(b, label...)
	b = append(b, byte(len(context)))
	b = append(b, context...)
	return string(b)
}

// schedule12 is both ends' TLS 1.2 PRF work with SHA-256 (RFC 5246 §5,
// RFC 7627): the extended master secret on a full handshake, the key block
// and both Finished messages' verify_data.
func schedule12(full bool) {
	secret := make([]byte, 48)
	random := make([]byte, 32)
	th := sha256.Sum256([]byte("transcript"))
	for range 2 {
		if full {
			secret = keys.ExtendedMasterSecret(crypto.SHA256, secret[:32], th[:])
		}
		keys.KeyBlock(crypto.SHA256, secret, random, random, 40)
		keys.FinishedVerifyData12(crypto.SHA256, secret, true, th[:])
		keys.FinishedVerifyData12(crypto.SHA256, secret, false, th[:])
	}
}

func newAEAD(suite uint16) (cipher.AEAD, error) {
	key := make([]byte, 32)
	switch suite {
	case tls.TLS_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:
		blk, err := aes.NewCipher(key[:16])
		if err != nil {
			return nil, err
		}
		return cipher.NewGCM(blk)
	case tls.TLS_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256:
		return chacha20poly1305.New(key)
	}
	return nil, fmt.Errorf("bench: no floor for cipher suite %#04x", suite)
}

// sealOpen seals and opens one record of each size.
func sealOpen(aead cipher.AEAD, sizes []int) step {
	nonce := make([]byte, aead.NonceSize())
	ad := make([]byte, 13)
	largest := 0
	for _, n := range sizes {
		largest = max(largest, n)
	}
	buf := make([]byte, largest+aead.Overhead())
	return func() error {
		for _, n := range sizes {
			sealed := aead.Seal(buf[:0], nonce, buf[:n], ad)
			if _, err := aead.Open(sealed[:0], nonce, sealed, ad); err != nil {
				return err
			}
		}
		return nil
	}
}

// BulkFloor returns a benchmark of the AEAD work of one Bulk operation with
// suite: BulkChunk bytes sealed and opened in full 16 KiB records.
func BulkFloor(suite uint16) func(*testing.B) {
	return func(b *testing.B) {
		aead, err := newAEAD(suite)
		if err != nil {
			fail(b, err)
		}
		records := make([]int, BulkChunk/fullRecord)
		for i := range records {
			records[i] = fullRecord
		}
		step := sealOpen(aead, records)
		b.SetBytes(BulkChunk)
		b.ReportAllocs()
		clock := startCPU(b)
		for range b.N {
			if err := step(); err != nil {
				fail(b, err)
			}
		}
		clock.report(b)
	}
}

package signature

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"io"

	"lucid/internal/alert"
)

// digest hashes msg for schemes that sign a hash. Ed25519 signs the whole
// message, so it gets msg back unchanged.
func digest(in info, msg []byte) []byte {
	// The hashes TLS signature schemes use are summed into an array: one
	// allocation where a hash.Hash takes several.
	switch in.hash {
	case 0:
		return msg
	case crypto.SHA256:
		d := sha256.Sum256(msg)
		return d[:]
	case crypto.SHA384:
		d := sha512.Sum384(msg)
		return d[:]
	case crypto.SHA512:
		d := sha512.Sum512(msg)
		return d[:]
	}
	h := in.hash.New()
	h.Write(msg)
	return h.Sum(nil)
}

// keyMatches reports whether scheme in can be used with pub at all,
// whatever the version. The TLS 1.3 curve binding is left to ForKey and
// VerifyFor because TLS 1.2 allows any ECDSA hash with any curve.
func keyMatches(pub crypto.PublicKey, in info) bool {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		return in.fam == famECDSA && k != nil && knownCurve(k.Curve)
	case *rsa.PublicKey:
		return (in.fam == famPSS || in.fam == famPKCS1) && rsaFits(k, in)
	case ed25519.PublicKey:
		return in.fam == famEd25519 && len(k) == ed25519.PublicKeySize
	}
	return false
}

// Sign signs msg (the full content, not a hash) with key under scheme s.
// rand is passed to the key's Sign (Go may ignore it for ECDSA and RSA).
// RSA-PSS uses a salt as long as the hash, as RFC 8446 §4.2.3 requires.
//
// Failures are ours, not the peer's, so they carry internal_error.
func Sign(rand io.Reader, key crypto.Signer, s Scheme, msg []byte) (sig []byte, err error) {
	// A crypto.Signer may be a hardware token or any other caller code; a
	// panic there must not take the connection's goroutine down.
	defer func() {
		if r := recover(); r != nil {
			sig, err = nil, alert.New(alert.InternalError, "signature: signing with %v panicked: %v", s, r)
		}
	}()
	if key == nil {
		return nil, alert.New(alert.InternalError, "signature: no private key to sign with")
	}
	in, ok := lookup(s)
	if !ok {
		return nil, alert.New(alert.InternalError, "signature: refusing to sign with scheme %v", s)
	}
	pub := key.Public()
	if !keyMatches(pub, in) {
		return nil, alert.New(alert.InternalError, "signature: a %s key cannot sign with %v", keyKind(pub), s)
	}
	var opts crypto.SignerOpts = in.hash
	switch in.fam {
	case famPSS:
		// Salt length equal to the hash length: RFC 8446 §4.2.3.
		opts = &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: in.hash}
	case famEd25519:
		// Pure Ed25519 (RFC 8032), not Ed25519ph: no pre-hash.
		opts = crypto.Hash(0)
	}
	sig, err = key.Sign(rand, digest(in, msg), opts)
	if err != nil {
		return nil, alert.New(alert.InternalError, "signature: signing with %v failed: %v", s, err)
	}
	return sig, nil
}

// keyKind names a public key's type for error messages.
func keyKind(pub crypto.PublicKey) string {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		if k != nil && k.Curve != nil && k.Params() != nil {
			return "ECDSA " + k.Params().Name
		}
		return "ECDSA"
	case *rsa.PublicKey:
		if k != nil && k.N != nil {
			return fmt.Sprintf("RSA-%d", k.N.BitLen())
		}
		return "RSA"
	case ed25519.PublicKey:
		return "Ed25519"
	case nil:
		return "missing"
	}
	return fmt.Sprintf("%T", pub)
}

// Verify checks sig over msg under scheme s with pub.
//
// A signature that does not verify is decrypt_error (RFC 8446 §4.4.3: the
// receiver MUST abort with a "decrypt_error" alert). A scheme that Lucid
// refuses (SHA-1 among them, RFC 8446 §4.2.3) or that does not fit the key
// is illegal_parameter. A key Lucid cannot use at all is
// unsupported_certificate, since it came from the peer's certificate.
//
// Verify applies no version rule; in TLS 1.3 use VerifyFor, which also
// enforces the ECDSA curve binding.
func Verify(pub crypto.PublicKey, s Scheme, msg, sig []byte) error {
	in, ok := lookup(s)
	if !ok {
		return alert.New(alert.IllegalParameter, "the peer signed with %v, which Lucid does not accept", s)
	}
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		if k == nil || !knownCurve(k.Curve) || k.X == nil || k.Y == nil {
			return alert.New(alert.UnsupportedCertificate, "the certificate's ECDSA key is not on a supported curve")
		}
	case *rsa.PublicKey:
		if k == nil || k.N == nil || k.N.Sign() <= 0 || k.E <= 1 {
			return alert.New(alert.UnsupportedCertificate, "the certificate's RSA key is malformed")
		}
	case ed25519.PublicKey:
		// ed25519.Verify panics on a key of the wrong length.
		if len(k) != ed25519.PublicKeySize {
			return alert.New(alert.UnsupportedCertificate, "the certificate's Ed25519 key is %d bytes, not %d", len(k), ed25519.PublicKeySize)
		}
	case nil:
		// x509 leaves PublicKey nil for an algorithm it does not parse.
		return alert.New(alert.UnsupportedCertificate, "the certificate's key is of an algorithm Go's x509 does not parse (RSASSA-PSS or ML-DSA keys, for example), which Lucid cannot verify signatures with")
	default:
		return alert.New(alert.UnsupportedCertificate, "the certificate has a %s key, which Lucid cannot verify signatures with", keyKind(pub))
	}
	if !keyMatches(pub, in) {
		return alert.New(alert.IllegalParameter, "the peer signed with %v, which does not fit the certificate's %s key", s, keyKind(pub))
	}
	if !verifyRaw(pub, in, msg, sig) {
		return alert.New(alert.DecryptError, "the CertificateVerify signature does not verify with the certificate's key (scheme %v)", s)
	}
	return nil
}

// verifyRaw runs the algorithm; pub and in have already been checked to fit.
func verifyRaw(pub crypto.PublicKey, in info, msg, sig []byte) bool {
	d := digest(in, msg)
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		return ecdsa.VerifyASN1(k, d, sig)
	case *rsa.PublicKey:
		if in.fam == famPSS {
			// PSSSaltLengthEqualsHash makes the check insist on the salt
			// length RFC 8446 §4.2.3 requires.
			opts := &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: in.hash}
			return rsa.VerifyPSS(k, in.hash, d, sig, opts) == nil
		}
		return rsa.VerifyPKCS1v15(k, in.hash, d, sig) == nil
	case ed25519.PublicKey:
		return ed25519.Verify(k, msg, sig)
	}
	return false
}

// VerifyFor is Verify plus the per-version rules of ForKey: in TLS 1.3 an
// ECDSA signature must use the scheme of the key's curve and PKCS#1 v1.5 is
// refused (RFC 8446 §4.2.3). A scheme that breaks them is illegal_parameter.
// Checking that s was one we offered is still the caller's job.
func VerifyFor(pub crypto.PublicKey, version uint16, s Scheme, msg, sig []byte) error {
	if in, ok := lookup(s); ok && keyMatches(pub, in) && !Allowed(pub, version, s) {
		return alert.New(alert.IllegalParameter, "the peer signed with %v, which a %s key may not use in this TLS version", s, keyKind(pub))
	}
	return Verify(pub, s, msg, sig)
}

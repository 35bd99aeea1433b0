// Package signature chooses, makes and checks the handshake signatures of
// TLS 1.3 and TLS 1.2: the SignatureScheme registry of RFC 8446 §4.2.3, the
// rules that bind a scheme to a key, and the CertificateVerify input of
// RFC 8446 §4.4.3.
//
// Every failure that the peer caused carries the alert to send
// (lucid/internal/alert), so the engines never have to guess.
package signature

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"fmt"
	"slices"

	// The hash implementations register themselves with crypto.Hash on
	// import; without them crypto.SHA384.New would panic.
	_ "crypto/sha256"
	_ "crypto/sha512"

	"lucid/internal/version"
)

// Scheme is a TLS SignatureScheme (RFC 8446 §4.2.3). Values equal crypto/tls's.
type Scheme uint16

// The signature schemes Lucid knows. Values are the IANA code points of
// RFC 8446 §4.2.3. The SHA-1 ones exist only so that they can be named in
// logs and refused: RFC 8446 §4.2.3 says they MUST NOT be used in
// CertificateVerify, and Lucid does not offer them in TLS 1.2 either.
const (
	PKCS1WithSHA256        Scheme = 0x0401
	PKCS1WithSHA384        Scheme = 0x0501
	PKCS1WithSHA512        Scheme = 0x0601
	PSSWithSHA256          Scheme = 0x0804
	PSSWithSHA384          Scheme = 0x0805
	PSSWithSHA512          Scheme = 0x0806
	ECDSAWithP256AndSHA256 Scheme = 0x0403
	ECDSAWithP384AndSHA384 Scheme = 0x0503
	ECDSAWithP521AndSHA512 Scheme = 0x0603
	Ed25519                Scheme = 0x0807
	PKCS1WithSHA1          Scheme = 0x0201
	ECDSAWithSHA1          Scheme = 0x0203
)

// String returns the RFC 8446 name of s, such as "ecdsa_secp256r1_sha256",
// or its code point as "0x%04x" when the name is not known. Names of the
// schemes Lucid implements are built from what the scheme means, so the name
// and the behaviour cannot disagree.
func (s Scheme) String() string {
	hashName := map[crypto.Hash]string{crypto.SHA256: "sha256", crypto.SHA384: "sha384", crypto.SHA512: "sha512"}
	if in, ok := lookup(s); ok {
		switch in.fam {
		case famECDSA:
			return "ecdsa_" + curveNames[in.curve.Params().Name] + "_" + hashName[in.hash]
		case famPSS:
			return "rsa_pss_rsae_" + hashName[in.hash]
		case famPKCS1:
			return "rsa_pkcs1_" + hashName[in.hash]
		case famEd25519:
			return "ed25519"
		}
	}
	// Code points Lucid never uses, named so that a peer's offer reads
	// well in a log.
	switch s {
	case 0x0808:
		return "ed448"
	case 0x0809, 0x080a, 0x080b:
		return "rsa_pss_pss_sha" + [...]string{"256", "384", "512"}[s-0x0809]
	case 0x0904, 0x0905, 0x0906: // ML-DSA, as IANA names them (draft-ietf-tls-mldsa)
		return "mldsa" + [...]string{"44", "65", "87"}[s-0x0904]
	case PKCS1WithSHA1:
		return "rsa_pkcs1_sha1"
	case ECDSAWithSHA1:
		return "ecdsa_sha1"
	}
	return fmt.Sprintf("0x%04x", uint16(s))
}

var curveNames = map[string]string{"P-256": "secp256r1", "P-384": "secp384r1", "P-521": "secp521r1"}

// Default13 is what Lucid offers and accepts in TLS 1.3 handshake signatures,
// in preference order. RFC 8446 §4.2.3 forbids PKCS#1 v1.5 in
// CertificateVerify, so only ECDSA, RSA-PSS (rsae) and Ed25519 appear.
var Default13 = []Scheme{
	ECDSAWithP256AndSHA256,
	ECDSAWithP384AndSHA384,
	ECDSAWithP521AndSHA512,
	PSSWithSHA256,
	PSSWithSHA384,
	PSSWithSHA512,
	Ed25519,
}

// DefaultCert lists schemes accepted inside certificates
// (signature_algorithms_cert, RFC 8446 §4.2.3): Default13 plus PKCS#1 v1.5,
// which CAs still use to sign certificates and which RFC 8446 permits there.
var DefaultCert = []Scheme{
	ECDSAWithP256AndSHA256,
	ECDSAWithP384AndSHA384,
	ECDSAWithP521AndSHA512,
	PSSWithSHA256,
	PSSWithSHA384,
	PSSWithSHA512,
	Ed25519,
	PKCS1WithSHA256,
	PKCS1WithSHA384,
	PKCS1WithSHA512,
}

// Default12 is what Lucid offers and accepts in TLS 1.2 signatures
// (RFC 5246 §7.4.1.4.1, RFC 8422 for Ed25519): ECDSA, RSA-PSS and RSA-PKCS1
// with SHA-256/384/512, and Ed25519. No SHA-1, no MD5: both are broken for
// signatures.
var Default12 = []Scheme{
	ECDSAWithP256AndSHA256,
	ECDSAWithP384AndSHA384,
	ECDSAWithP521AndSHA512,
	PSSWithSHA256,
	PSSWithSHA384,
	PSSWithSHA512,
	PKCS1WithSHA256,
	PKCS1WithSHA384,
	PKCS1WithSHA512,
	Ed25519,
}

// ServerContext13 and ClientContext13 are the context strings that
// RFC 8446 §4.4.3 puts into the CertificateVerify input, so a server's
// signature can never be replayed as a client's and vice versa.
const (
	ServerContext13 = "TLS 1.3, server CertificateVerify"
	ClientContext13 = "TLS 1.3, client CertificateVerify"
)

// Content13 builds the TLS 1.3 CertificateVerify input: 64 bytes 0x20, the
// context string, a 0 byte, then transcriptHash (RFC 8446 §4.4.3).
func Content13(context string, transcriptHash []byte) []byte {
	return AppendContent13(make([]byte, 0, 64+len(context)+1+len(transcriptHash)), context, transcriptHash)
}

// AppendContent13 is Content13 appended to dst, for a caller that keeps
// room for it in an allocation it makes anyway.
func AppendContent13(dst []byte, context string, transcriptHash []byte) []byte {
	// The 64 spaces defeat attacks that would make a TLS 1.2 signature over
	// a chosen prefix double as a TLS 1.3 one (RFC 8446 §4.4.3).
	out := dst
	for range 64 {
		out = append(out, 0x20)
	}
	out = append(out, context...)
	out = append(out, 0)
	return append(out, transcriptHash...)
}

// family says which algorithm a scheme uses.
type family int

const (
	famNone family = iota
	famECDSA
	famPSS
	famPKCS1
	famEd25519
)

// info is what a scheme means: its algorithm, its hash, and for ECDSA the
// curve that TLS 1.3 binds to it.
type info struct {
	fam   family
	hash  crypto.Hash
	curve elliptic.Curve
}

// lookup describes s. ok is false for schemes Lucid refuses, which include
// SHA-1 ones: RFC 8446 §4.2.3 says they MUST NOT be used in CertificateVerify.
func lookup(s Scheme) (info, bool) {
	switch s {
	case ECDSAWithP256AndSHA256:
		return info{famECDSA, crypto.SHA256, elliptic.P256()}, true
	case ECDSAWithP384AndSHA384:
		return info{famECDSA, crypto.SHA384, elliptic.P384()}, true
	case ECDSAWithP521AndSHA512:
		return info{famECDSA, crypto.SHA512, elliptic.P521()}, true
	case PSSWithSHA256:
		return info{famPSS, crypto.SHA256, nil}, true
	case PSSWithSHA384:
		return info{famPSS, crypto.SHA384, nil}, true
	case PSSWithSHA512:
		return info{famPSS, crypto.SHA512, nil}, true
	case PKCS1WithSHA256:
		return info{famPKCS1, crypto.SHA256, nil}, true
	case PKCS1WithSHA384:
		return info{famPKCS1, crypto.SHA384, nil}, true
	case PKCS1WithSHA512:
		return info{famPKCS1, crypto.SHA512, nil}, true
	case Ed25519:
		return info{famEd25519, 0, nil}, true
	}
	return info{}, false
}

// Hash returns the hash s applies to the message before signing, or 0 for
// Ed25519 (which hashes internally) and for schemes Lucid refuses. TLS 1.2
// code needs it to know what the signature covers.
func (s Scheme) Hash() crypto.Hash {
	in, _ := lookup(s)
	return in.hash
}

// Strongest first, so ForKey can list them in that order by filtering.
var (
	ecdsaByStrength = []Scheme{ECDSAWithP521AndSHA512, ECDSAWithP384AndSHA384, ECDSAWithP256AndSHA256}
	pssByStrength   = []Scheme{PSSWithSHA512, PSSWithSHA384, PSSWithSHA256}
	pkcs1ByStrength = []Scheme{PKCS1WithSHA512, PKCS1WithSHA384, PKCS1WithSHA256}
)

// knownCurve reports whether c is one of the NIST curves that have a TLS
// signature scheme. Curves are compared by name because a curve parsed from
// a certificate is the same value as elliptic.P256() but a caller's custom
// implementation might not be.
func knownCurve(c elliptic.Curve) bool {
	if c == nil || c.Params() == nil {
		return false
	}
	switch c.Params().Name {
	case "P-256", "P-384", "P-521":
		return true
	}
	return false
}

// sameCurve compares curves by name, see knownCurve.
func sameCurve(a, b elliptic.Curve) bool {
	if a == nil || b == nil || a.Params() == nil || b.Params() == nil {
		return false
	}
	return a.Params().Name == b.Params().Name
}

// rsaFits reports whether an RSA key of this size can carry scheme in.
// RSA-PSS with salt = hash length needs the encoded message to hold two
// hashes and two more bytes (RFC 8017 §9.1.1 step 3); a 1024-bit key is too
// small for rsa_pss_rsae_sha512. PKCS#1 v1.5 needs the 19-byte DigestInfo
// prefix, the hash and 11 bytes of padding (RFC 8017 §9.2 step 5).
func rsaFits(pub *rsa.PublicKey, in info) bool {
	if pub == nil || pub.N == nil || pub.N.Sign() <= 0 {
		return false
	}
	switch in.fam {
	case famPSS:
		emLen := (pub.N.BitLen() - 1 + 7) / 8
		return emLen >= 2*in.hash.Size()+2
	case famPKCS1:
		k := (pub.N.BitLen() + 7) / 8
		return k >= 19+in.hash.Size()+11
	}
	return false
}

// ForKey lists the schemes that can sign with this public key, for the given
// TLS version (version.TLS13 or version.TLS12), strongest first.
//
// TLS 1.3 (RFC 8446 §4.2.3): no PKCS#1 v1.5, and an ECDSA scheme is bound to
// its curve (a P-256 key only with ecdsa_secp256r1_sha256, and so on).
// TLS 1.2: an ECDSA key may use any ECDSA hash; RSA keys PSS and PKCS#1.
// Unknown key types, unsupported curves and other versions give nil.
func ForKey(pub crypto.PublicKey, v uint16) []Scheme {
	return appendForKey(nil, pub, v)
}

// forKeyRoom holds what ForKey lists for any key, so that Choose and
// Allowed build the list on their stacks.
type forKeyRoom [16]Scheme

// appendForKey appends what ForKey lists to dst.
func appendForKey(dst []Scheme, pub crypto.PublicKey, v uint16) []Scheme {
	if v != version.TLS13 && v != version.TLS12 {
		return nil
	}
	out := dst
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		if k == nil || !knownCurve(k.Curve) {
			return nil
		}
		for _, s := range ecdsaByStrength {
			in, _ := lookup(s)
			if v == version.TLS13 && !sameCurve(in.curve, k.Curve) {
				continue
			}
			out = append(out, s)
		}
	case *rsa.PublicKey:
		for _, s := range pssByStrength {
			if in, _ := lookup(s); rsaFits(k, in) {
				out = append(out, s)
			}
		}
		if v == version.TLS12 {
			for _, s := range pkcs1ByStrength {
				if in, _ := lookup(s); rsaFits(k, in) {
					out = append(out, s)
				}
			}
		}
	case ed25519.PublicKey:
		if len(k) == ed25519.PublicKeySize {
			out = append(out, Ed25519)
		}
	}
	return out
}

// Allowed reports whether scheme s may be used with pub in the given
// version, that is whether ForKey(pub, version) lists it.
func Allowed(pub crypto.PublicKey, version uint16, s Scheme) bool {
	var room forKeyRoom
	return slices.Contains(appendForKey(room[:0], pub, version), s)
}

// Choose picks the first of our preference list ours that the peer offered
// in peer and that ForKey(pub, version) allows. ok is false if none: the
// caller then has no signature it may send and should fail with
// handshake_failure.
func Choose(pub crypto.PublicKey, version uint16, ours, peer []Scheme) (Scheme, bool) {
	var room forKeyRoom
	usable := appendForKey(room[:0], pub, version)
	for _, s := range ours {
		if slices.Contains(peer, s) && slices.Contains(usable, s) {
			return s, true
		}
	}
	return 0, false
}

// AllowedIn13 reports whether s may sign a TLS 1.3 handshake: RFC 8446
// §4.2.3 rules out PKCS#1 v1.5 and SHA-1 there.
func (s Scheme) AllowedIn13() bool {
	in, ok := lookup(s)
	return ok && in.fam != famPKCS1
}

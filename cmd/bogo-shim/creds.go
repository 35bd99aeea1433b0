package main

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sync/atomic"

	"lucid/tls"
)

// noCredential is what -expect-selected-credential calls the default
// credential, or none at all.
const noCredential = -1

// loadedCred is a credential read from its files, with its number for
// -expect-selected-credential.
type loadedCred struct {
	index           int
	cert            tls.Certificate
	mustMatchIssuer bool
}

// loadCredentials reads the settings' credentials in BoringSSL's order of
// preference: those -new-x509-credential added, in order, then the default
// one, if it names a certificate.
func loadCredentials(s *settings) ([]loadedCred, error) {
	var out []loadedCred
	for i := range s.creds {
		c, err := loadCredential(&s.creds[i], i)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if d := &s.defaultCred; d.certFile != "" || d.keyFile != "" {
		c, err := loadCredential(d, noCredential)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func loadCredential(c *credential, index int) (loadedCred, error) {
	cert, err := tls.LoadX509KeyPair(c.certFile, c.keyFile)
	if err != nil {
		if alg, ok := foreignKeyAlgorithm(c.keyFile); ok {
			return loadedCred{}, unimplemented("-key-file: a PKCS #8 key of algorithm %v, which Lucid cannot sign with", alg)
		}
		return loadedCred{}, err
	}
	cert.OCSPStaple = c.ocspResponse
	if len(c.sctList) > 0 {
		scts, err := parseSCTList(c.sctList)
		if err != nil {
			return loadedCred{}, err
		}
		cert.SignedCertificateTimestamps = scts
	}
	// Schemes Lucid lacks pass through: BoringSSL, too, skips signing
	// preferences it will not use (the runner's NoSign tests), and Lucid
	// signs only with listed schemes it has.
	for _, p := range c.signingPrefs {
		cert.SupportedSignatureAlgorithms = append(cert.SupportedSignatureAlgorithms, tls.SignatureScheme(p))
	}
	return loadedCred{index: index, cert: cert, mustMatchIssuer: c.mustMatchIssuer}, nil
}

// foreignKeyAlgorithm reports the algorithm of a PKCS #8 private key in
// the PEM file at path when it is none that Lucid signs with (RSA, ECDSA,
// Ed25519): the runner's ML-DSA credentials, for one. A test that needs
// such a key is one the shim cannot run, not one Lucid failed.
func foreignKeyAlgorithm(path string) (asn1.ObjectIdentifier, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, false
	}
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			return nil, false
		}
		if block.Type != "PRIVATE KEY" {
			continue
		}
		var k struct {
			Version    int
			Algorithm  pkix.AlgorithmIdentifier
			PrivateKey []byte
		}
		if _, err := asn1.Unmarshal(block.Bytes, &k); err != nil {
			return nil, false
		}
		for _, known := range signingKeyAlgorithms {
			if k.Algorithm.Algorithm.Equal(known) {
				return nil, false
			}
		}
		return k.Algorithm.Algorithm, true
	}
}

// signingKeyAlgorithms are the PKCS #8 algorithms of the keys Lucid signs
// with: rsaEncryption, id-ecPublicKey and id-Ed25519.
var signingKeyAlgorithms = []asn1.ObjectIdentifier{
	{1, 2, 840, 113549, 1, 1, 1},
	{1, 2, 840, 10045, 2, 1},
	{1, 3, 101, 112},
}

// parseSCTList splits a SignedCertificateTimestampList (RFC 6962 §3.3),
// which the runner passes whole, into the SCTs Lucid's Certificate holds.
// The list and each SCT must be non-empty, as BoringSSL insists
// (INVALID_SCT_LIST).
func parseSCTList(b []byte) ([][]byte, error) {
	malformed := errors.New(":INVALID_SCT_LIST: -signed-cert-timestamps is not a well-formed SignedCertificateTimestampList")
	if len(b) <= 2 || int(b[0])<<8|int(b[1]) != len(b)-2 {
		return nil, malformed
	}
	b = b[2:]
	var out [][]byte
	for len(b) > 0 {
		if len(b) < 2 {
			return nil, malformed
		}
		n := int(b[0])<<8 | int(b[1])
		if n == 0 || len(b) < 2+n {
			return nil, malformed
		}
		out = append(out, b[2:2+n])
		b = b[2+n:]
	}
	return out, nil
}

// serverStapling applies BoringSSL's legacy OCSP callback on a server to
// the staples the credentials carry. The callback runs when a client asks
// for a staple, and only the staple it sends depends on it, so its outcome
// can be settled before the handshake: -set-ocsp-in-callback moves the
// default credential's staple (-ocsp-response before any
// -new-x509-credential) from configuration time into the callback, so
// without -use-ocsp-callback that credential staples nothing, and
// -decline-ocsp-callback answers as if the client had not asked, so no
// credential staples. Failing is serverHook's.
func serverStapling(creds []loadedCred, s *settings) {
	decline := s.useOCSPCallback && s.declineOCSPCallback
	for i := range creds {
		c := &creds[i]
		unset := c.index == noCredential && s.setOCSPInCallback && !s.useOCSPCallback
		if decline || unset {
			c.cert.OCSPStaple = nil
		}
	}
}

// serverCertificates turns the credentials into Config.Certificates, in
// order, so that Lucid's own selection chooses among them. When selected is
// not nil, each key is wrapped to record the credential's number there the
// first time it is used, for -expect-selected-credential.
func serverCertificates(creds []loadedCred, selected *atomic.Int64) ([]tls.Certificate, error) {
	var out []tls.Certificate
	for _, c := range creds {
		cert := c.cert
		if selected != nil {
			signer, ok := cert.PrivateKey.(crypto.Signer)
			if !ok {
				return nil, errors.New("credential key cannot sign")
			}
			cert.PrivateKey = &recordingKey{Signer: signer, index: int64(c.index), selected: selected}
		}
		out = append(out, cert)
	}
	return out, nil
}

// recordingKey is a private key that notes, on its first use, which
// credential it belongs to: Lucid picks the server's certificate itself,
// and using its key is how the choice shows.
type recordingKey struct {
	crypto.Signer
	index    int64
	selected *atomic.Int64
}

func (k *recordingKey) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	k.selected.Store(k.index)
	return k.Signer.Sign(rand, digest, opts)
}

// Decrypt serves TLS 1.2's RSA key transport.
func (k *recordingKey) Decrypt(rand io.Reader, msg []byte, opts crypto.DecrypterOpts) ([]byte, error) {
	d, ok := k.Signer.(crypto.Decrypter)
	if !ok {
		return nil, errors.New("credential key cannot decrypt")
	}
	k.selected.Store(k.index)
	return d.Decrypt(rand, msg, opts)
}

// errNoCredential stops a client handshake when it has credentials and
// none suits the CertificateRequest, as BoringSSL does: it fails with
// handshake_failure rather than send no certificate.
var errNoCredential = fmt.Errorf(":NO_COMMON_SIGNATURE_ALGORITHMS: no credential suits the server's CertificateRequest (%w)", tls.AlertHandshakeFailure)

// clientCertificate answers a CertificateRequest the way BoringSSL's
// client picks among its credentials: the first whose issuer requirement
// (-must-match-issuer) the request's authorities meet, whose key can sign
// with a scheme the server accepts, and, in TLS 1.2, whose key type the
// request lists. Unlike Lucid's own choice among
// Certificates, authorities the server names do not rule out a credential
// that does not ask for them. selected receives the chosen number.
func clientCertificate(creds []loadedCred, info *tls.CertificateRequestInfo, selected *atomic.Int64) (*tls.Certificate, error) {
	if len(creds) == 0 {
		return nil, nil
	}
	for i := range creds {
		c := &creds[i]
		if c.mustMatchIssuer && !chainHasIssuer(c.cert.Certificate, info.AcceptableCAs) {
			continue
		}
		if !canSignAny(&c.cert, info.Version, info.SignatureSchemes) {
			continue
		}
		if info.CertificateTypes != nil && !slices.Contains(info.CertificateTypes, keyCertificateType(c.cert.PrivateKey)) {
			continue
		}
		selected.Store(int64(c.index))
		return &c.cert, nil
	}
	return nil, errNoCredential
}

// chainHasIssuer reports whether a certificate of the chain was issued by
// one of the named authorities (DER distinguished names).
func chainHasIssuer(chain [][]byte, names [][]byte) bool {
	for _, der := range chain {
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			continue
		}
		for _, n := range names {
			if bytes.Equal(cert.RawIssuer, n) {
				return true
			}
		}
	}
	return false
}

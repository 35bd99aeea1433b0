package tls

import (
	"bytes"
	"crypto"
	"fmt"
	"slices"

	"lucid/internal/alert"
	"lucid/internal/handshake"
	"lucid/internal/session"
	"lucid/internal/signature"
)

// ClientAuthType says what a server asks of clients, with crypto/tls's
// names and values.
type ClientAuthType int

// Client authentication policies, from asking nothing to the seed's mutual
// authentication: NoClientCert asks for no certificate; RequestClientCert
// asks, accepts none and verifies nothing; RequireAnyClientCert requires one
// but does not verify it; VerifyClientCertIfGiven accepts none and verifies
// one if sent; RequireAndVerifyClientCert requires one that verifies
// against ClientCAs.
const (
	NoClientCert, RequestClientCert, RequireAnyClientCert ClientAuthType = 0, 1, 2
	VerifyClientCertIfGiven, RequireAndVerifyClientCert   ClientAuthType = 3, 4
)

// CertificateRequestInfo describes a server's request for a client
// certificate, for Config.GetClientCertificate.
type CertificateRequestInfo struct {
	// AcceptableCAs are the DER subjects of the authorities the server
	// accepts; empty means any.
	AcceptableCAs [][]byte
	// SignatureSchemes are the schemes the server can verify.
	SignatureSchemes []SignatureScheme
	// Version is the TLS version being negotiated.
	Version uint16
	// CertificateTypes are the key types a TLS 1.2 server accepts
	// (ClientCertificateType, RFC 5246 §7.4.4: 1 for RSA, 64 for ECDSA
	// and Ed25519); nil in TLS 1.3. A Lucid addition.
	CertificateTypes []uint8
}

// clientAuthConfig fills the engine's client-certificate settings.
func (c *Conn) clientAuthConfig(hc *handshake.Config) {
	cfg := c.config
	if c.isClient {
		// A client with nothing to offer answers a request with an empty
		// chain without asking; the engine then keeps no raw transcript
		// for a TLS 1.2 CertificateVerify it would never send.
		if cfg.GetClientCertificate != nil || len(cfg.Certificates) > 0 {
			hc.GetClientCertificate = c.chooseClientCertificate
		}
		return
	}
	switch cfg.ClientAuth {
	case NoClientCert:
		return
	case RequestClientCert, VerifyClientCertIfGiven:
		hc.ClientAuth = handshake.RequestClientAuth
	default:
		hc.ClientAuth = handshake.RequireClientAuth
	}
	hc.VerifyClient = c.verifyClient
	if cfg.ClientCAs != nil {
		// Subjects is deprecated for system pools only; ClientCAs is
		// always one the caller built.
		hc.ClientCAs = cfg.ClientCAs.Subjects() //nolint:staticcheck
	}
}

// chooseClientCertificate answers a CertificateRequest: GetClientCertificate
// if set, else the first of Certificates whose key the server can verify
// and, when the server named authorities, that one of them issued.
func (c *Conn) chooseClientCertificate(req *handshake.CertRequest) (*handshake.Certificate, error) {
	cfg := c.config
	if cfg.GetClientCertificate != nil {
		info := &CertificateRequestInfo{AcceptableCAs: req.AcceptableCAs, Version: req.Version, CertificateTypes: req.CertificateTypes}
		for _, s := range req.SignatureSchemes {
			info.SignatureSchemes = append(info.SignatureSchemes, SignatureScheme(s))
		}
		cert, err := cfg.GetClientCertificate(info)
		if err != nil {
			return nil, callbackError(fmt.Errorf("GetClientCertificate: %w", err), alert.InternalError)
		}
		if cert == nil || len(cert.Certificate) == 0 {
			return nil, nil
		}
		return engineCertificate(cert)
	}
	// The peer's schemes, on the stack for any list a server sends.
	var room [32]signature.Scheme
	peer := room[:0]
	if len(req.SignatureSchemes) > len(room) {
		peer = make([]signature.Scheme, 0, len(req.SignatureSchemes))
	}
	for _, s := range req.SignatureSchemes {
		peer = append(peer, signature.Scheme(s))
	}
	for i := range cfg.Certificates {
		cert := &cfg.Certificates[i]
		signer, ok := cert.PrivateKey.(crypto.Signer)
		if !ok {
			continue
		}
		if _, ok := signature.Choose(signer.Public(), req.Version, certSchemes(cert, req.Version == VersionTLS12), peer); !ok {
			continue
		}
		if len(req.AcceptableCAs) > 0 && !issuedByOneOf(cert, req.AcceptableCAs) {
			continue
		}
		// RFC 5246 §7.4.6: the certificate must be of a type the
		// request lists.
		if req.CertificateTypes != nil && !slices.Contains(req.CertificateTypes, handshake.CertificateType(signer.Public())) {
			continue
		}
		return engineCertificate(cert)
	}
	return nil, nil
}

// issuedByOneOf reports whether some certificate of the chain names one of
// the authorities as its issuer.
func issuedByOneOf(cert *Certificate, cas [][]byte) bool {
	for i, der := range cert.Certificate {
		// The parse is the Leaf the caller may have set, or one shared
		// with every other use of the same bytes: a client answering
		// requests does not parse its own chain on each handshake.
		parsed := cert.Leaf
		if i > 0 || parsed == nil || !bytes.Equal(parsed.Raw, der) {
			var err error
			if parsed, err = session.ParseCertificate(der); err != nil {
				continue
			}
		}
		for _, ca := range cas {
			if string(parsed.RawIssuer) == string(ca) {
				return true
			}
		}
	}
	return false
}

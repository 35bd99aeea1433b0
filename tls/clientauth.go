package tls

import (
	"crypto"
	"crypto/x509"
	"errors"

	"lucid/internal/alert"
	"lucid/internal/handshake"
	"lucid/internal/signature"
	"lucid/pki"
)

// ClientAuthType says what a server asks of clients, with crypto/tls's
// names and values.
type ClientAuthType int

// Client authentication policies.
const (
	// NoClientCert asks for no certificate.
	NoClientCert ClientAuthType = iota
	// RequestClientCert asks, accepts none, and does not verify one.
	RequestClientCert
	// RequireAnyClientCert requires a certificate but does not verify it.
	RequireAnyClientCert
	// VerifyClientCertIfGiven accepts none, and verifies one if sent.
	VerifyClientCertIfGiven
	// RequireAndVerifyClientCert requires a certificate that verifies
	// against ClientCAs: the seed's mutual authentication.
	RequireAndVerifyClientCert
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
}

// clientAuthConfig fills the engine's client-certificate settings.
func (c *Conn) clientAuthConfig(hc *handshake.Config) {
	cfg := c.config
	if c.isClient {
		hc.GetClientCertificate = c.chooseClientCertificate
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
	info := &CertificateRequestInfo{AcceptableCAs: req.AcceptableCAs, Version: req.Version}
	for _, s := range req.SignatureSchemes {
		info.SignatureSchemes = append(info.SignatureSchemes, SignatureScheme(s))
	}
	if cfg.GetClientCertificate != nil {
		cert, err := cfg.GetClientCertificate(info)
		if err != nil || cert == nil || len(cert.Certificate) == 0 {
			return nil, err
		}
		return engineCertificate(cert)
	}
	peer := make([]signature.Scheme, len(req.SignatureSchemes))
	for i, s := range req.SignatureSchemes {
		peer[i] = signature.Scheme(s)
	}
	for i := range cfg.Certificates {
		cert := &cfg.Certificates[i]
		signer, ok := cert.PrivateKey.(crypto.Signer)
		if !ok {
			continue
		}
		if _, ok := signature.Choose(signer.Public(), req.Version, schemes(req.Version == VersionTLS12), peer); !ok {
			continue
		}
		if len(req.AcceptableCAs) > 0 && !issuedByOneOf(cert, req.AcceptableCAs) {
			continue
		}
		return engineCertificate(cert)
	}
	return nil, nil
}

// issuedByOneOf reports whether some certificate of the chain names one of
// the authorities as its issuer.
func issuedByOneOf(cert *Certificate, cas [][]byte) bool {
	for _, der := range cert.Certificate {
		parsed, err := x509.ParseCertificate(der)
		if err != nil {
			continue
		}
		for _, ca := range cas {
			if string(parsed.RawIssuer) == string(ca) {
				return true
			}
		}
	}
	return false
}

// verifyClient applies ClientAuth to a client's chain: verified against
// ClientCAs for clientAuth use in the verifying modes, only parsed in the
// others, then handed to VerifyPeerCertificate.
func (c *Conn) verifyClient(chain [][]byte) error {
	cfg := c.config
	certs := make([]*x509.Certificate, 0, len(chain))
	for i, der := range chain {
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			return alert.New(alert.BadCertificate, "certificate %d from the client could not be parsed: %v", i, err)
		}
		certs = append(certs, cert)
	}
	c.peerCertificates = certs
	if cfg.ClientAuth >= VerifyClientCertIfGiven {
		if cfg.ClientCAs == nil {
			return alert.New(alert.InternalError, "ClientAuth verifies client certificates, but Config.ClientCAs is nil")
		}
		_, chains, err := pki.VerifyChain(chain, pki.VerifyOptions{
			Roots:           cfg.ClientCAs,
			CurrentTime:     cfg.now(),
			KeyUsages:       []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
			RevocationLists: cfg.RevocationLists,
		})
		if err != nil {
			return verificationFailure(certs, err)
		}
		c.verifiedChains = chains
	}
	if cfg.VerifyPeerCertificate != nil {
		if err := cfg.VerifyPeerCertificate(chain, c.verifiedChains); err != nil {
			return &alert.Error{Desc: alert.BadCertificate, Err: err}
		}
	}
	return nil
}

// verificationFailure wraps a pki error as the caller-facing error, with
// the alert its reason calls for.
func verificationFailure(certs []*x509.Certificate, err error) error {
	desc := alert.BadCertificate
	var ve *pki.VerifyError
	if errors.As(err, &ve) {
		desc = ve.Alert()
	}
	return &alert.Error{Desc: desc, Err: &CertificateVerificationError{UnverifiedCertificates: certs, Err: err}}
}

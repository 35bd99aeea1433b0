package tls

import (
	"crypto/x509"
	"errors"

	"lucid/internal/alert"
	"lucid/internal/handshake"
	"lucid/internal/session"
	"lucid/pki"
)

// The verifiers below judge a chain against the Config as it is now and
// report what they established; they change nothing on the Conn. The
// engine calls them for the chain a peer sends in a full handshake and for
// the chain a session recorded, before resuming it, and records the result
// only where it commits to one or the other.

// The key usages a peer's leaf must allow, shared by every verification
// (the verifier only reads them).
var (
	serverAuth = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	clientAuth = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
)

// verifyServer checks the server's chain against the client's Config.
func (c *Conn) verifyServer(chain [][]byte, parsed []*x509.Certificate) (*handshake.Verification, error) {
	cfg := c.config
	return c.verifyPeer(chain, parsed, !cfg.InsecureSkipVerify, pki.VerifyOptions{
		Roots:     cfg.RootCAs,
		DNSName:   cfg.ServerName,
		KeyUsages: serverAuth,
	})
}

// verifyClient applies ClientAuth to a client's chain: verified against
// ClientCAs for clientAuth use in the verifying modes, only parsed in the
// others.
func (c *Conn) verifyClient(chain [][]byte, parsed []*x509.Certificate) (*handshake.Verification, error) {
	cfg := c.config
	verify := cfg.ClientAuth >= VerifyClientCertIfGiven
	if verify && cfg.ClientCAs == nil {
		return nil, alert.New(alert.InternalError, "ClientAuth verifies client certificates, but Config.ClientCAs is nil")
	}
	return c.verifyPeer(chain, parsed, verify, pki.VerifyOptions{
		Roots:     cfg.ClientCAs,
		KeyUsages: clientAuth,
	})
}

// verifyPeer parses the peer's chain (unless the engine passes it parsed),
// verifies it when verify is set (at Config.Time, with
// Config.RevocationLists), then hands it to VerifyPeerCertificate. The
// error carries the alert to send.
func (c *Conn) verifyPeer(chain [][]byte, parsed []*x509.Certificate, verify bool, opts pki.VerifyOptions) (*handshake.Verification, error) {
	cfg := c.config
	v := &handshake.Verification{Certs: parsed}
	if len(parsed) != len(chain) {
		v.Certs = make([]*x509.Certificate, 0, len(chain))
		for i, der := range chain {
			cert, err := session.ParseCertificate(der)
			if err != nil {
				return nil, alert.New(alert.DecodeError, "certificate %d from the peer could not be parsed: %v", i, err)
			}
			v.Certs = append(v.Certs, cert)
		}
	}
	if verify {
		opts.CurrentTime = cfg.now()
		opts.RevocationLists = cfg.RevocationLists
		chains, err := pki.VerifyParsed(v.Certs, opts)
		if err != nil {
			return nil, verificationFailure(v.Certs, err)
		}
		v.Chains = chains
	}
	if cfg.VerifyPeerCertificate != nil {
		if err := cfg.VerifyPeerCertificate(chain, v.Chains); err != nil {
			return nil, callbackError(err, alert.BadCertificate)
		}
	}
	return v, nil
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

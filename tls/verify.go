package tls

import (
	"crypto/x509"

	"lucid/internal/alert"
	"lucid/pki"
)

// verifyServer checks the server's chain against the client's Config, and
// records what it saw on c. The error carries the alert to send.
func (c *Conn) verifyServer(chain [][]byte) error {
	cfg := c.config
	certs := make([]*x509.Certificate, 0, len(chain))
	for i, der := range chain {
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			return alert.New(alert.BadCertificate, "certificate %d from the server could not be parsed: %v", i, err)
		}
		certs = append(certs, cert)
	}
	c.peerCertificates = certs
	if !cfg.InsecureSkipVerify {
		_, chains, err := pki.VerifyChain(chain, pki.VerifyOptions{
			Roots:           cfg.RootCAs,
			DNSName:         cfg.ServerName,
			CurrentTime:     cfg.now(),
			KeyUsages:       []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
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

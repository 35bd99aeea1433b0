package main

import (
	"crypto/x509"
	"fmt"
	"os"

	"lucid/tls"
)

// clientTrust is what get, connect and cert inspect read from --cacert,
// --crl and --cert/--key before they dial.
type clientTrust struct {
	CACert            string
	CRLFiles          []string
	CertFile, KeyFile string
}

// apply loads the files into cfg: the roots, the revocation lists and the
// client certificate. An error names the flag whose file was wrong.
func (t clientTrust) apply(cfg *tls.Config) error {
	if t.CACert != "" {
		data, err := os.ReadFile(t.CACert)
		if err != nil {
			return fmt.Errorf("reading --cacert: %v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(data) {
			return fmt.Errorf("--cacert %s holds no PEM certificate", t.CACert)
		}
		cfg.RootCAs = pool
	}
	if len(t.CRLFiles) > 0 {
		lists, err := readCRLFiles(t.CRLFiles)
		if err != nil {
			return err
		}
		cfg.RevocationLists = lists
	}
	if t.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return err
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return nil
}

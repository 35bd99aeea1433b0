package tls_test

import (
	"crypto/x509"
	"errors"
	"fmt"
	"testing"

	"lucid/tls"
)

// A callback's error sends its default alert, or the AlertError it wraps.
func TestCallbackErrorChoosesAlert(t *testing.T) {
	f := newLucidFixture(t, "ecdsa-p256")
	plain := errors.New("refused")
	chosen := fmt.Errorf("%w: refused", tls.AlertAccessDenied)
	for _, tc := range []struct {
		name     string
		client   func(*tls.Config, error)
		server   func(*tls.Config, error)
		err      error
		want     tls.AlertError
		fromPeer bool // the server sees the alert the client sent
	}{
		{"VerifyPeerCertificate default", func(c *tls.Config, err error) {
			c.VerifyPeerCertificate = func([][]byte, [][]*x509.Certificate) error { return err }
		}, nil, plain, tls.AlertBadCertificate, true},
		{"VerifyPeerCertificate chosen", func(c *tls.Config, err error) {
			c.VerifyPeerCertificate = func([][]byte, [][]*x509.Certificate) error { return err }
		}, nil, chosen, tls.AlertAccessDenied, true},
		{"VerifyConnection chosen", func(c *tls.Config, err error) {
			c.VerifyConnection = func(tls.ConnectionState) error { return err }
		}, nil, chosen, tls.AlertAccessDenied, true},
		{"GetClientCertificate chosen", func(c *tls.Config, err error) {
			c.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return nil, err }
		}, func(c *tls.Config, _ error) { c.ClientAuth = tls.RequestClientCert }, chosen, tls.AlertAccessDenied, true},
		{"GetClientCertificate default", func(c *tls.Config, err error) {
			c.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return nil, err }
		}, func(c *tls.Config, _ error) { c.ClientAuth = tls.RequestClientCert }, plain, tls.AlertInternalError, true},
		{"GetCertificate default", nil, func(c *tls.Config, err error) {
			c.GetCertificate = func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return nil, err }
		}, plain, tls.AlertHandshakeFailure, false},
		{"GetCertificate chosen", nil, func(c *tls.Config, err error) {
			c.GetCertificate = func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return nil, err }
		}, chosen, tls.AlertAccessDenied, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ccfg := &tls.Config{RootCAs: f.ca.Pool, ServerName: "localhost"}
			scfg := &tls.Config{Certificates: []tls.Certificate{f.lucidCert(t)}}
			if tc.client != nil {
				tc.client(ccfg, tc.err)
			}
			if tc.server != nil {
				tc.server(scfg, tc.err)
			}
			c, s := pair(t)
			cerr, serr := runPair(t, tls.Client(c, ccfg), tls.Server(s, scfg))
			// The side whose callback failed sent the alert; the other
			// side received it.
			receiver := cerr
			if tc.fromPeer {
				receiver = serr
			}
			var te *tls.Error
			if !errors.As(receiver, &te) || !te.Remote || te.Alert != tc.want {
				t.Fatalf("peer saw %v, want alert %v", receiver, tc.want)
			}
		})
	}
}

package tls

import (
	"crypto/x509"
	"errors"

	"lucid/fingerprint"
	"lucid/internal/keys"
)

// ConnectionState describes a connection, as crypto/tls's does.
type ConnectionState struct {
	// What was negotiated.
	Version            uint16
	CipherSuite        uint16
	CurveID            CurveID
	NegotiatedProtocol string
	ServerName         string

	// Who the peer is.
	PeerCertificates []*x509.Certificate
	VerifiedChains   [][]*x509.Certificate
	// OCSPResponse and SignedCertificateTimestamps are what the server
	// sent with its certificate (client side): a stapled OCSP response
	// and certificate transparency timestamps, both as received and not
	// checked. A client always asks for them.
	OCSPResponse                []byte
	SignedCertificateTimestamps [][]byte

	// How the handshake went.
	HandshakeComplete bool
	DidResume         bool
	// DidHelloRetryRequest reports that the server asked the client for
	// another key share. A Lucid addition.
	DidHelloRetryRequest bool
	// SignatureScheme is the scheme the peer signed the handshake with. A
	// Lucid addition.
	SignatureScheme SignatureScheme

	// JA3 and JA4 fingerprint the client's ClientHello (server side
	// only): JA3 as its MD5 hash, JA4 in FoxIO's a_b_c form. A Lucid
	// addition.
	JA3, JA4 string

	exporter func(label string, context []byte, length int) ([]byte, error)
}

// ExportKeyingMaterial derives keying material from the connection's
// exporter secret (RFC 8446 §7.5).
func (cs *ConnectionState) ExportKeyingMaterial(label string, context []byte, length int) ([]byte, error) {
	if cs.exporter == nil {
		return nil, errors.New("tls: ExportKeyingMaterial before the handshake completed")
	}
	return cs.exporter(label, context, length)
}

// ConnectionState returns what the handshake established.
func (c *Conn) ConnectionState() ConnectionState {
	c.handshakeMu.Lock()
	defer c.handshakeMu.Unlock()
	return c.connectionStateLocked()
}

// connectionStateLocked builds the state; c.handshakeMu must be held.
func (c *Conn) connectionStateLocked() ConnectionState {
	var cs ConnectionState
	cs.HandshakeComplete = c.handshakeDone.Load()
	r := c.result
	if r == nil {
		return cs
	}
	cs.Version = r.Version
	cs.CipherSuite = r.SuiteID()
	cs.CurveID = CurveID(r.Group)
	cs.NegotiatedProtocol = r.ALPN
	cs.ServerName = r.ServerName
	cs.DidResume = r.DidResume
	// A resumption reports the peer of the session it resumed, as the
	// checks of the current Config saw it when they admitted the session.
	cs.PeerCertificates = r.PeerCerts
	cs.VerifiedChains = r.VerifiedChains
	cs.OCSPResponse = r.OCSPResponse
	cs.SignedCertificateTimestamps = r.SCTs
	cs.DidHelloRetryRequest = r.DidHRR
	cs.SignatureScheme = SignatureScheme(r.PeerScheme)
	if r.ClientHello != nil {
		_, cs.JA3 = fingerprint.JA3(r.ClientHello)
		cs.JA4, _ = fingerprint.JA4(r.ClientHello, 't')
	}
	if r.Suite12 != nil {
		prf, master, cr, sr := r.Suite12.PRF, r.Master12, r.ClientRandom, r.ServerRandom
		cs.exporter = func(label string, context []byte, length int) ([]byte, error) {
			return keys.Exported12(prf, master, cr[:], sr[:], label, context, length), nil
		}
		return cs
	}
	suite, secret := r.Suite, r.Exporter
	cs.exporter = func(label string, context []byte, length int) ([]byte, error) {
		return keys.Exported(suite.Hash, secret, label, context, length), nil
	}
	return cs
}

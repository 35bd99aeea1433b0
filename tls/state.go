package tls

import (
	"crypto/x509"
	"errors"

	"lucid/fingerprint"
	"lucid/internal/handshake"
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
	// Shape names the message sequence the handshake followed, such as
	// ShapeTLS13Full or ShapeTLS12ResumedTicket: the row of Lucid's table
	// of legal handshakes that the engine checked every step against.
	// ShapeNone before the handshake completes. A Lucid addition.
	Shape HandshakeShape
	// EarlyData says whether 0-RTT data was offered and accepted, and
	// why not. A Lucid addition.
	EarlyData EarlyDataState
	// ECHAccepted reports that the handshake used the client's encrypted
	// inner ClientHello (RFC 9849), as in crypto/tls.
	ECHAccepted bool
	// SessionIssuer is, on a server that resumed a session, the
	// Config.ServerID of the server that issued it ("" if that server
	// set none). A Lucid addition.
	SessionIssuer string
	// SessionFromStore reports that a server resumed through its
	// Config.SessionStore: a ticket sealed with the fleet's shared keys,
	// or a TLS 1.2 session found in the shared store. A Lucid addition.
	SessionFromStore bool

	// JA3 and JA4 fingerprint the client's ClientHello (server side
	// only): JA3 as its MD5 hash, JA4 in FoxIO's a_b_c form. With
	// Encrypted Client Hello they are of the outer hello, as the wire
	// carried it, which is what any observer on the path computes too;
	// the inner hello is not fingerprinted. A Lucid addition.
	JA3, JA4 string

	// result is the handshake's result, which the exporter derives from.
	result *handshake.Result
}

// ExportKeyingMaterial derives keying material from the connection's
// exporter secret (RFC 8446 §7.5), or its TLS 1.2 master secret (RFC
// 5705).
func (cs *ConnectionState) ExportKeyingMaterial(label string, context []byte, length int) ([]byte, error) {
	r := cs.result
	switch {
	case r == nil || (r.Suite12 == nil && r.Suite == nil):
		return nil, errors.New("tls: ExportKeyingMaterial before the handshake completed")
	case r.Suite12 != nil:
		return keys.Exported12(r.Suite12.PRF, r.Master12, r.ClientRandom[:], r.ServerRandom[:], label, context, length), nil
	}
	return keys.Exported(r.Suite.Hash, r.Exporter, label, context, length)
}

// fingerprints are a server's JA3 and JA4 of its client's hello, worked
// out on the first ConnectionState after the handshake.
type fingerprints struct{ ja3, ja4 string }

// ConnectionState returns what the handshake established.
func (c *Conn) ConnectionState() ConnectionState {
	c.handshakeMu.Lock()
	defer c.handshakeMu.Unlock()
	return c.connectionStateLocked()
}

// connectionStateLocked builds the state; c.handshakeMu must be held.
func (c *Conn) connectionStateLocked() ConnectionState {
	cs := stateOf(c.result)
	// A server reading 0-RTT data has returned from Handshake, but its
	// handshake completes only with the client's Finished.
	cs.HandshakeComplete = c.handshakeDone.Load() && !c.InEarlyData()
	c.fingerprint(&cs)
	return cs
}

// fingerprint fills a server's JA3 and JA4. Once a handshake has
// succeeded its hello never changes, so they are worked out once, and
// only when asked for: a server that never reads them does not pay for
// them. Fingerprints from before the end, or of a failed handshake, are
// not kept. c.handshakeMu must be held.
func (c *Conn) fingerprint(cs *ConnectionState) {
	if c.prints != nil {
		cs.JA3, cs.JA4 = c.prints.ja3, c.prints.ja4
		return
	}
	if c.result == nil {
		return
	}
	ch := c.result.ClientHello()
	if ch == nil {
		return
	}
	_, cs.JA3 = fingerprint.JA3(ch)
	cs.JA4, _ = fingerprint.JA4(ch, 't')
	if cs.HandshakeComplete && c.handshakeErr == nil {
		c.prints = &fingerprints{ja3: cs.JA3, ja4: cs.JA4}
	}
}

// stateOf reads what an engine's result established; nil (no handshake
// yet) establishes nothing.
func stateOf(r *handshake.Result) ConnectionState {
	if r == nil {
		return ConnectionState{}
	}
	// What was negotiated, then who the peer is: a resumption reports the
	// peer of the session it resumed, as the checks of the current Config
	// saw it when they admitted the session.
	cs := ConnectionState{
		Version: r.Version, CipherSuite: r.SuiteID(), CurveID: CurveID(r.Group),
		SignatureScheme: SignatureScheme(r.PeerScheme), NegotiatedProtocol: r.ALPN,
		ServerName: r.ServerName, Shape: HandshakeShape(r.Shape),
		DidResume: r.DidResume, DidHelloRetryRequest: r.DidHRR, ECHAccepted: r.ECHAccepted,
		EarlyData: earlyDataState(r),

		SessionIssuer: r.SessionIssuer(), SessionFromStore: r.SessionFromStore,

		PeerCertificates: r.PeerCerts, VerifiedChains: r.VerifiedChains,
		OCSPResponse: r.OCSPResponse, SignedCertificateTimestamps: r.SCTs,

		result: r,
	}
	return cs
}

// HandshakeShape names one legal handshake: the messages both sides send,
// in order, and the keys that protect them. The table of shapes is
// internal/handshake/shape.go, drawn step by step in
// internal/handshake/testdata/shapes.txt; the engines check every message
// and key against it, so a connection cannot report a shape it did not
// follow. A Lucid addition.
type HandshakeShape uint8

// The shapes. Their String names ("tls13-full") are stable: traces and
// the inspection page show them.
const (
	ShapeNone = HandshakeShape(handshake.ShapeNone)
	// TLS 1.3 (RFC 8446): a full handshake, with a client certificate or
	// an empty answer to the server's request for one, and resumptions
	// with a fresh key exchange (PSK) or without (PSKOnly); the HRR
	// shapes are the same after a HelloRetryRequest.
	ShapeTLS13Full                = HandshakeShape(handshake.ShapeTLS13Full)
	ShapeTLS13ClientAuth          = HandshakeShape(handshake.ShapeTLS13ClientAuth)
	ShapeTLS13ClientAuthNoCert    = HandshakeShape(handshake.ShapeTLS13ClientAuthNoCert)
	ShapeTLS13PSK                 = HandshakeShape(handshake.ShapeTLS13PSK)
	ShapeTLS13PSKOnly             = HandshakeShape(handshake.ShapeTLS13PSKOnly)
	ShapeTLS13HRR                 = HandshakeShape(handshake.ShapeTLS13HRR)
	ShapeTLS13HRRClientAuth       = HandshakeShape(handshake.ShapeTLS13HRRClientAuth)
	ShapeTLS13HRRClientAuthNoCert = HandshakeShape(handshake.ShapeTLS13HRRClientAuthNoCert)
	ShapeTLS13HRRPSK              = HandshakeShape(handshake.ShapeTLS13HRRPSK)
	ShapeTLS13HRRPSKOnly          = HandshakeShape(handshake.ShapeTLS13HRRPSKOnly)
	// TLS 1.2 (RFC 5246): full handshakes with signed ECDHE or RSA key
	// transport, each alone, with a client certificate or with an empty
	// answer; and the abbreviated handshakes resuming a ticket (RFC
	// 5077) or a session ID.
	ShapeTLS12ECDHE                 = HandshakeShape(handshake.ShapeTLS12ECDHE)
	ShapeTLS12ECDHEClientAuth       = HandshakeShape(handshake.ShapeTLS12ECDHEClientAuth)
	ShapeTLS12ECDHEClientAuthNoCert = HandshakeShape(handshake.ShapeTLS12ECDHEClientAuthNoCert)
	ShapeTLS12RSA                   = HandshakeShape(handshake.ShapeTLS12RSA)
	ShapeTLS12RSAClientAuth         = HandshakeShape(handshake.ShapeTLS12RSAClientAuth)
	ShapeTLS12RSAClientAuthNoCert   = HandshakeShape(handshake.ShapeTLS12RSAClientAuthNoCert)
	ShapeTLS12ResumedTicket         = HandshakeShape(handshake.ShapeTLS12ResumedTicket)
	ShapeTLS12ResumedSessionID      = HandshakeShape(handshake.ShapeTLS12ResumedSessionID)

	// ShapeTLS13PSKEarlyData and ShapeTLS13PSKOnlyEarlyData are
	// resumptions whose 0-RTT data the server accepted; the Rejected
	// pair, resumptions whose 0-RTT data it skipped.
	ShapeTLS13PSKEarlyData             = HandshakeShape(handshake.ShapeTLS13PSKEarlyData)
	ShapeTLS13PSKOnlyEarlyData         = HandshakeShape(handshake.ShapeTLS13PSKOnlyEarlyData)
	ShapeTLS13PSKEarlyDataRejected     = HandshakeShape(handshake.ShapeTLS13PSKEarlyDataRejected)
	ShapeTLS13PSKOnlyEarlyDataRejected = HandshakeShape(handshake.ShapeTLS13PSKOnlyEarlyDataRejected)
)

// String is the shape's stable name, such as "tls13-hrr" or
// "tls12-resumed-ticket"; "none" for ShapeNone.
func (s HandshakeShape) String() string { return handshake.Shape(s).String() }

// Summary says in one sentence what happens in the shape.
func (s HandshakeShape) Summary() string { return handshake.Shape(s).Summary() }

// Steps describes the shape one step a line: each message with its sender
// and the keys protecting it, and each key either side installs, in the
// order both sides keep.
func (s HandshakeShape) Steps() []string {
	steps := handshake.Shape(s).Steps()
	out := make([]string, len(steps))
	for i, st := range steps {
		out[i] = st.String()
	}
	return out
}

// Package handshake holds the TLS 1.3 and TLS 1.2 client and server
// engines. They are sans-I/O: each takes whole handshake messages and
// returns Actions (bytes to send, keys to install), never touching a socket
// or a clock of its own.
//
// Each engine is a chain of states, one type per message it expects next,
// so a message out of order can only meet the one gate that turns it into
// unexpected_message. Every step an engine takes is checked against the
// table of handshake shapes (shape.go), and the states that accept the
// peer's Finished hold proof values that only the checks mint (proof.go).
package handshake

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"io"
	"time"

	"lucid/internal/certcomp"
	"lucid/internal/session"
	"lucid/internal/signature"
	"lucid/internal/wire"
)

// ClientSession is a session a client can offer to resume.
type ClientSession struct {
	State *session.State
	// Ticket is the TLS 1.2 session ticket or the TLS 1.3 PSK identity.
	Ticket []byte
	// SessionID is the TLS 1.2 session ID, used when there is no ticket.
	SessionID []byte
}

// Certificate is a chain (leaf first, DER) and the key that signs for it.
type Certificate struct {
	Chain [][]byte
	Key   crypto.Signer
	// OCSPStaple and SCTs are sent with the leaf when the client asks.
	OCSPStaple []byte
	SCTs       [][]byte
	// Schemes, if set, limits what the key signs with.
	Schemes []signature.Scheme
}

// wireLen is about how many bytes the certificate adds to a flight: the
// chain, a staple and timestamps, without their few bytes of framing.
func (c *Certificate) wireLen() int {
	n := len(c.OCSPStaple)
	for _, der := range c.Chain {
		n += len(der)
	}
	for _, sct := range c.SCTs {
		n += len(sct)
	}
	return n
}

// allowed narrows ours to the schemes the certificate's key may use.
func (c *Certificate) allowed(ours []signature.Scheme) []signature.Scheme {
	if len(c.Schemes) == 0 {
		return ours
	}
	var out []signature.Scheme
	for _, s := range ours {
		for _, t := range c.Schemes {
			if s == t {
				out = append(out, s)
			}
		}
	}
	return out
}

// ClientAuth says whether a server asks for client certificates and
// whether one is required.
type ClientAuth uint8

// Client authentication modes, from none to a required certificate.
const (
	NoClientAuth ClientAuth = iota
	RequestClientAuth
	RequireClientAuth
)

// CertRequest is what a client knows when a server asks for a certificate.
type CertRequest struct {
	Version          uint16
	SignatureSchemes []uint16
	AcceptableCAs    [][]byte
	// CertificateTypes are a TLS 1.2 request's certificate_types (RFC
	// 5246 §7.4.4); nil in TLS 1.3, which has none.
	CertificateTypes []uint8
}

// HelloInfo is what a server knows about the client when it picks a
// certificate.
type HelloInfo struct {
	// Version is the version being negotiated, which decides the
	// signature schemes a certificate's key may use.
	Version           uint16
	ServerName        string
	CipherSuites      []uint16
	SupportedGroups   []uint16
	SignatureSchemes  []uint16
	SupportedVersions []uint16
	ALPN              []string
	// CertificateAuthorities are the DER names of the authorities the
	// client trusts (certificate_authorities, RFC 8446 §4.2.4), if sent.
	CertificateAuthorities [][]byte
}

// helloInfo is what a server choosing a certificate for ch at version
// learns of the client.
func helloInfo(ch *wire.ClientHello, version uint16) *HelloInfo {
	return fillHelloInfo(new(HelloInfo), ch, version)
}

// fillHelloInfo is helloInfo made in info, the room a server keeps for it.
func fillHelloInfo(info *HelloInfo, ch *wire.ClientHello, version uint16) *HelloInfo {
	*info = HelloInfo{
		Version:                version,
		ServerName:             ch.ServerName,
		CipherSuites:           ch.CipherSuites,
		SupportedGroups:        ch.SupportedGroups,
		SignatureSchemes:       ch.SignatureSchemes,
		SupportedVersions:      ch.SupportedVersions,
		ALPN:                   ch.ALPN,
		CertificateAuthorities: ch.CertificateAuthorities,
	}
	return info
}

// CertificateType is the TLS 1.2 ClientCertificateType (RFC 5246 §7.4.4,
// RFC 8422 §5.5) that covers pub: rsa_sign(1), or ecdsa_sign(64), which
// Ed25519 keys share; 0 for anything else.
func CertificateType(pub crypto.PublicKey) uint8 {
	switch pub.(type) {
	case *rsa.PublicKey:
		return 1
	case *ecdsa.PublicKey, ed25519.PublicKey:
		return 64
	}
	return 0
}

// Config is everything an engine needs, resolved by the public tls package
// from its Config.
type Config struct {
	// Rand supplies every random byte; Deterministic says the caller
	// chose Rand and wants reproducible handshakes. Signatures stay
	// random for ECDSA and RSA-PSS, whose randomness Go draws itself;
	// Ed25519 handshakes repeat byte for byte.
	Rand          io.Reader
	Deterministic bool
	Now           func() time.Time

	// ServerName is the client's SNI, sent without a trailing dot and only
	// if it is then a DNS host name (wire.CheckHostName): never an IP.
	ServerName string
	NextProtos []string
	// CipherSuites, Groups and the scheme lists are in preference order.
	// Schemes are what this side offers in signature_algorithms and
	// accepts in the peer's signatures; SignSchemes are what it signs
	// with, of those the peer accepts (nil: Schemes). The two differ when
	// a caller narrows what it will verify without narrowing what its own
	// key may produce.
	CipherSuites []uint16
	Groups       []uint16
	Schemes      []signature.Scheme
	SignSchemes  []signature.Scheme
	CertSchemes  []signature.Scheme

	// MinVersion and MaxVersion bound the versions offered or accepted
	// (0x0303 or 0x0304).
	MinVersion, MaxVersion uint16
	// Suites12 are the TLS 1.2 suites enabled, in preference order.
	Suites12 []uint16

	// Session is a session the client offers to resume, if today's
	// configuration still admits it; nil for none.
	Session *ClientSession
	// DropSession, if set, is told when Session is not admitted, so the
	// caller can forget it.
	DropSession func()
	// OnSession receives each new resumable session a client learns:
	// after a TLS 1.2 handshake, or from a TLS 1.3 NewSessionTicket.
	OnSession func(*ClientSession)
	// Tickets seals and opens session tickets (server); nil disables them.
	Tickets *session.Sealer
	// SessionIDs keeps TLS 1.2 sessions by ID (server); nil disables them.
	SessionIDs session.IDStore
	// Issuer names this server in the sessions it issues (session.State's
	// Issuer), so another server resuming one can say whose it was.
	Issuer string
	// SharedSessions says Tickets and SessionIDs are a fleet's, shared
	// with other servers, which the resumption decision then reports.
	SharedSessions bool
	// TicketLifetime is how long a server's tickets are good for.
	TicketLifetime time.Duration
	// PSKWithoutKeyExchange resumes TLS 1.3 sessions with psk_ke: no
	// fresh (EC)DHE, so no forward secrecy for the resumed connection. A
	// client offers only that mode; a server accepts it when offered.
	PSKWithoutKeyExchange bool
	// TicketsWanted asks a client to offer session tickets.
	TicketsWanted bool

	// MaxEarlyData is the 0-RTT data a server allows in the tickets it
	// issues and reads from a resumption that offers it (RFC 8446
	// §4.2.10); 0 refuses early data. AdmitEarlyData is the anti-replay
	// guard consulted last before early data is accepted: nil refuses.
	// It returns an error wrapping ErrEarlyDataReplay for a ClientHello
	// it has seen; see tls.EarlyDataGuard.
	MaxEarlyData   uint32
	AdmitEarlyData func(id []byte, now, until time.Time) error
	// SendEarlyData lets a client offer 0-RTT data when the session it
	// resumes allows it.
	SendEarlyData bool

	// RecordSizeLimit is the record_size_limit this side advertises (RFC
	// 8449): the largest protected record plaintext it accepts, content
	// type and padding included in TLS 1.3. 0 sends no extension; a value
	// below 64 is raised to 64 and one above the version's maximum
	// lowered to it.
	RecordSizeLimit uint16

	// VerifyPeer checks the server's chain (client role) and says what
	// it established; nil only parses the chain, and never skips the
	// CertificateVerify signature. It is also how a session's recorded
	// chain is checked before the session is offered, so it must not
	// change state: the engine records its result where it commits.
	VerifyPeer func(PeerChain) (*Verification, error)

	// ClientAuth is what a server asks of clients; VerifyClient checks a
	// client's non-empty chain, in a full handshake or recorded in a
	// session, and like VerifyPeer must not change state; ClientCAs names
	// the authorities the server accepts, for certificate_authorities.
	ClientAuth   ClientAuth
	VerifyClient func(PeerChain) (*Verification, error)
	ClientCAs    [][]byte

	// GetClientCertificate chooses the client's certificate when a server
	// asks; nil, or a nil result, sends none.
	GetClientCertificate func(*CertRequest) (*Certificate, error)

	// GetCertificate chooses the server's certificate for a ClientHello.
	// The HelloInfo is valid during the call only: it is in the
	// handshake's memory, which the next handshake reuses
	// (ReleaseHandshake), so a callback that keeps it keeps a copy.
	GetCertificate func(*HelloInfo) (*Certificate, error)

	// ECHConfigList is an ECHConfigList (RFC 9849 §4) the client encrypts
	// its real ClientHello to, inside an outer one that names the chosen
	// config's public name; it makes the client TLS 1.3 only. ECHGrease,
	// without a list, sends a GREASE encrypted_client_hello instead
	// (RFC 9849 §6.2).
	ECHConfigList []byte
	ECHGrease     bool
	// ECHKeys returns the server's ECH keys for a hello whose outer
	// encrypted_client_hello it must open; nil means the server has none.
	// It is called only for hellos that carry the extension.
	ECHKeys func(*HelloInfo) ([]ECHKey, error)

	// CertCompression lists the RFC 8879 certificate compression
	// algorithms (wire.CertCompression*) this side offers, in preference
	// order: a client in its ClientHello, a server asking for a client
	// certificate in its CertificateRequest. Each side compresses its own
	// chain with the first of them the peer offered. nil turns
	// compression off. CertCompressionCache holds compressed chains; nil
	// uses one shared by the process.
	CertCompression      []uint16
	CertCompressionCache *certcomp.Cache

	// KeyLog receives each secret in NSS key log terms; nil disables.
	KeyLog func(label string, clientRandom, secret []byte)

	// Observe receives events; nil costs nothing.
	Observe func(Event)
}

// signing is the list a certificate's key may sign with, before the
// certificate's own limits and the peer's offer narrow it.
func (c *Config) signing() []signature.Scheme {
	if len(c.SignSchemes) > 0 {
		return c.SignSchemes
	}
	return c.Schemes
}

// now is Now, or the wall clock for a Config that sets none.
func (c *Config) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

func (c *Config) random(n int) ([]byte, error) {
	b := make([]byte, n)
	if err := c.fill(b); err != nil {
		return nil, err
	}
	return b, nil
}

// fill reads random bytes into b, for a field that has room for them
// already, such as a hello's random.
func (c *Config) fill(b []byte) error {
	_, err := io.ReadFull(c.Rand, b)
	return err
}

func (c *Config) keyLog(label string, clientRandom [32]byte, secret []byte) {
	if c.KeyLog != nil {
		// A copy declared here escapes only when there is a key log;
		// slicing the parameter would put it on the heap on every call.
		r := clientRandom
		c.KeyLog(label, r[:], secret)
	}
}

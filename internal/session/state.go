// Package session holds the pieces of session resumption that do not depend
// on where a handshake stands: the serialized session state, the sealing of
// that state into self-contained tickets (RFC 5077 §4, RFC 8446 §4.6.1), the
// TLS 1.2 session-ID cache (RFC 5246 §7.4.1.2), the client's ticket cache and
// the TLS 1.3 ticket-age arithmetic (RFC 8446 §4.2.11.1, §8.3).
//
// Nothing here reads a clock or draws randomness of its own: the time is
// always a parameter and random bytes always come from an io.Reader, so the
// sans-I/O handshake engines stay reproducible.
//
// A ticket or cache entry that fails any check is reported with a plain
// error, never an alert: a server that cannot use what the client offered
// simply falls back to a full handshake (RFC 5077 §3.1, RFC 8446 §4.2.11).
package session

import (
	"errors"
	"fmt"
	"time"

	"lucid/internal/version"
)

// Bounds on a State. They are what Validate enforces and what Unmarshal
// refuses to exceed, so a hostile ticket can never make us allocate more
// than it is long.
const (
	// MaxSecretLen covers every secret we produce: 48 bytes of TLS 1.2
	// master secret (RFC 5246 §8.1) and a resumption PSK as long as
	// SHA-384's output (RFC 8446 §4.6.1), with room for a 512-bit hash.
	MaxSecretLen = 64
	// MaxLifetime is the 7-day ceiling on ticket_lifetime (RFC 8446
	// §4.6.1); we hold TLS 1.2 tickets to it as well.
	MaxLifetime = 7 * 24 * time.Hour
	// MaxALPNLen is ProtocolName<1..2^8-1> (RFC 7301 §3.1).
	MaxALPNLen = 255
	// MaxServerNameLen is the longest server_name the wire parser
	// accepts (a DNS name, RFC 1035 §2.3.4), so a session never holds
	// more of one than a real host name needs.
	MaxServerNameLen = 255
	// MaxIssuerLen bounds Issuer: an operator's name for one server.
	MaxIssuerLen = 64
	// MaxPeerCerts bounds the stored chain; real chains are 2 to 4 long.
	MaxPeerCerts = 10
	// MaxCertLen bounds one DER certificate in the stored chain.
	MaxCertLen = 64 << 10
)

// formatV4 is the first byte of every marshalled State. A different first
// byte is a format we do not know, which Unmarshal refuses rather than
// guesses at; RFC 5077 §5.5 asks that ticket keys change with the format,
// and the version byte guards against a deployment that forgets. Format 1
// lacked the group and the peer's signature scheme, format 2 the
// authentication time and whether the peer's chain was verified, format 3
// the issuer; their tickets now fall back to full handshakes.
const formatV4 = 4

// Flag bits in the marshalled State.
const (
	flagEMS       = 1 << 0 // extended master secret (RFC 7627 §5.3)
	flagPeerCerts = 1 << 1 // PeerCerts is non-nil, even if empty
	flagVerified  = 1 << 2 // PeerCerts was verified when the peer authenticated
	knownFlags    = flagEMS | flagPeerCerts | flagVerified
)

// State is what a server needs to resume a session, and what a client keeps
// with its ticket.
type State struct {
	// Version is the protocol version of the session: version.TLS12 or
	// version.TLS13. A session never resumes under another version (RFC
	// 8446 §4.2.11, RFC 5246 §7.4.1.3).
	Version uint16
	// Suite is the negotiated cipher suite.
	Suite uint16
	// Group is the key exchange group of the handshake that made the
	// session, reported again when a resumption runs no key exchange of
	// its own (TLS 1.2, TLS 1.3 psk_ke); 0 if there was none.
	Group uint16
	// PeerScheme is the signature scheme the peer authenticated with in
	// that handshake, reported again on resumption, which has no
	// CertificateVerify; 0 if the peer did not sign.
	PeerScheme uint16
	// Secret is the TLS 1.2 master secret or the TLS 1.3 resumption PSK
	// (RFC 8446 §4.6.1). It must not be empty.
	Secret []byte
	// CreatedAt is when the session (TLS 1.2) or ticket (TLS 1.3) was
	// made: for a server, when it issued the ticket; for a client, when
	// it received NewSessionTicket, which is where RFC 8446 §4.2.11.1
	// starts the client's view of the age. Marshal keeps whole seconds.
	CreatedAt time.Time
	// AuthTime is when the peer last authenticated in a full handshake.
	// A resumption carries it forward unchanged into the sessions it
	// makes, so that no chain of resumptions outlives 7 days from it
	// (RFC 8446 §4.6.1). Marshal keeps whole seconds.
	AuthTime time.Time
	// Lifetime is ticket_lifetime (RFC 8446 §4.6.1), at most
	// MaxLifetime. Marshal keeps whole seconds, as the wire field does.
	Lifetime time.Duration
	// AgeAdd is ticket_age_add (RFC 8446 §4.6.1).
	AgeAdd uint32
	// ALPN is the negotiated application protocol, "" if none. RFC 8446
	// §4.2.10 requires it to match before early data is accepted.
	ALPN string
	// ServerName is the SNI the session was made under.
	ServerName string
	// EMS records that a TLS 1.2 session used the extended master
	// secret; RFC 7627 §5.3 makes resumption depend on it.
	EMS bool
	// PeerCerts is the peer's chain (DER, leaf first), so a resumed
	// connection can report whom it talks to. nil and empty are kept
	// apart: nil means no chain was recorded.
	PeerCerts [][]byte
	// Verified records that PeerCerts was verified against trusted roots
	// when the peer authenticated. A side that verifies never resumes a
	// session whose chain it was told to take on trust.
	Verified bool
	// MaxEarlyData is max_early_data_size from the ticket's early_data
	// extension (RFC 8446 §4.2.10); zero means no 0-RTT.
	MaxEarlyData uint32
	// Issuer names the server that issued the session (a server's own
	// record, which clients leave empty), so that another server of a
	// fleet resuming it can say whose it was.
	Issuer string

	// parsed is PeerCerts parsed, once (certs.go); guarded by parsedMu.
	parsed *parsedChain
}

// Validate reports whether s is within the bounds Marshal can encode and
// Unmarshal accepts. A state that fails here would be useless anyway: it
// could never be resumed.
func (s *State) Validate() error {
	switch {
	case s == nil:
		return errors.New("session: nil state")
	case s.Version != version.TLS12 && s.Version != version.TLS13:
		return fmt.Errorf("session: unsupported version %#04x", s.Version)
	case len(s.Secret) == 0 || len(s.Secret) > MaxSecretLen:
		return fmt.Errorf("session: secret of %d bytes, want 1 to %d", len(s.Secret), MaxSecretLen)
	case s.Lifetime < 0 || s.Lifetime > MaxLifetime:
		return fmt.Errorf("session: lifetime %v outside 0 to %v", s.Lifetime, MaxLifetime)
	case s.AuthTime.After(s.CreatedAt):
		return fmt.Errorf("session: authenticated at %v, after the session was made at %v", s.AuthTime, s.CreatedAt)
	case s.Verified && len(s.PeerCerts) == 0:
		return errors.New("session: marked verified without a peer chain")
	case len(s.ALPN) > MaxALPNLen:
		return fmt.Errorf("session: ALPN protocol of %d bytes", len(s.ALPN))
	case len(s.ServerName) > MaxServerNameLen:
		return fmt.Errorf("session: server name of %d bytes", len(s.ServerName))
	case len(s.Issuer) > MaxIssuerLen:
		return fmt.Errorf("session: issuer of %d bytes", len(s.Issuer))
	case len(s.PeerCerts) > MaxPeerCerts:
		return fmt.Errorf("session: %d peer certificates, at most %d", len(s.PeerCerts), MaxPeerCerts)
	}
	for i, c := range s.PeerCerts {
		// A DER certificate is never empty; refusing empty ones keeps
		// the encoding free of a case no real chain produces.
		if len(c) == 0 || len(c) > MaxCertLen {
			return fmt.Errorf("session: peer certificate %d is %d bytes", i, len(c))
		}
	}
	return nil
}

// Clone returns a deep copy of s, so that a cache can hand out states that
// callers may change without reaching into the cache. Clone of nil is nil.
func (s *State) Clone() *State {
	if s == nil {
		return nil
	}
	parsedMu.Lock()
	c := *s
	parsedMu.Unlock()
	c.Secret = cloneBytes(s.Secret)
	if s.PeerCerts != nil {
		c.PeerCerts = make([][]byte, len(s.PeerCerts))
		for i, cert := range s.PeerCerts {
			c.PeerCerts[i] = cloneBytes(cert)
		}
	}
	return &c
}

// cloneBytes copies b, keeping nil apart from empty.
func cloneBytes(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append(make([]byte, 0, len(b)), b...)
}

// Marshal encodes s in format version 4:
//
//	uint8  format = 4
//	uint16 version
//	uint16 suite
//	uint16 group
//	uint16 peer_scheme
//	uint8  flags          (bit 0: EMS; bit 1: PeerCerts present; bit 2: Verified)
//	int64  created_at     (Unix seconds, two's complement)
//	int64  auth_time      (Unix seconds, two's complement)
//	uint32 lifetime       (seconds)
//	uint32 age_add
//	uint32 max_early_data
//	opaque secret<1..64>
//	opaque alpn<0..255>
//	opaque server_name<0..2^16-1>
//	opaque issuer<0..64>
//	uint8  cert_count     (0..10)
//	opaque cert<1..2^16>  cert_count times, each with a 24-bit length
//
// Sub-second parts of CreatedAt, AuthTime and Lifetime are dropped: tickets count
// lifetimes in seconds (RFC 8446 §4.6.1), and the encoding is then the only
// one for its State, which the fuzz test relies on.
//
// Marshal returns nil if s fails Validate; a server that gets nil simply
// issues no ticket for the session.
func (s *State) Marshal() []byte {
	if s.Validate() != nil {
		return nil
	}
	n := 1 + 2 + 2 + 2 + 2 + 1 + 8 + 8 + 4 + 4 + 4 + 1 + len(s.Secret) + 1 + len(s.ALPN) + 2 + len(s.ServerName) + 1 + len(s.Issuer) + 1
	for _, c := range s.PeerCerts {
		n += 3 + len(c)
	}
	b := make([]byte, 0, n)

	var flags byte
	if s.EMS {
		flags |= flagEMS
	}
	if s.PeerCerts != nil {
		flags |= flagPeerCerts
	}
	if s.Verified {
		flags |= flagVerified
	}
	b = append(b, formatV4)
	b = appendU16(b, s.Version)
	b = appendU16(b, s.Suite)
	b = appendU16(b, s.Group)
	b = appendU16(b, s.PeerScheme)
	b = append(b, flags)
	b = appendU64(b, uint64(s.CreatedAt.Unix()))
	b = appendU64(b, uint64(s.AuthTime.Unix()))
	b = appendU32(b, uint32(s.Lifetime/time.Second))
	b = appendU32(b, s.AgeAdd)
	b = appendU32(b, s.MaxEarlyData)
	b = append(b, byte(len(s.Secret)))
	b = append(b, s.Secret...)
	b = append(b, byte(len(s.ALPN)))
	b = append(b, s.ALPN...)
	b = appendU16(b, uint16(len(s.ServerName)))
	b = append(b, s.ServerName...)
	b = append(b, byte(len(s.Issuer)))
	b = append(b, s.Issuer...)
	b = append(b, byte(len(s.PeerCerts)))
	for _, c := range s.PeerCerts {
		l := len(c)
		b = append(b, byte(l>>16), byte(l>>8), byte(l))
		b = append(b, c...)
	}
	return b
}

// Unmarshal decodes what Marshal produced. It is strict — an unknown
// format version, unknown flag bits, a field out of bounds, a truncation or
// a trailing byte are all errors — because a lenient decoder would turn a
// server bug or a key compromise into a session nobody meant to create.
// The returned State shares no memory with b, and its CreatedAt and
// AuthTime are in UTC.
func Unmarshal(b []byte) (*State, error) {
	d := decoder{buf: b}
	if f := d.u8(); d.err == nil && f != formatV4 {
		return nil, fmt.Errorf("session: unknown state format %d", f)
	}
	s := &State{
		Version:    d.u16(),
		Suite:      d.u16(),
		Group:      d.u16(),
		PeerScheme: d.u16(),
	}
	flags := d.u8()
	s.CreatedAt = time.Unix(int64(d.u64()), 0).UTC()
	s.AuthTime = time.Unix(int64(d.u64()), 0).UTC()
	s.Lifetime = time.Duration(d.u32()) * time.Second
	s.AgeAdd = d.u32()
	s.MaxEarlyData = d.u32()
	s.Secret = cloneBytes(d.bytes(d.u8()))
	s.ALPN = string(d.bytes(d.u8()))
	s.ServerName = string(d.bytes(int(d.u16())))
	s.Issuer = string(d.bytes(d.u8()))
	count := d.u8()
	if d.err != nil {
		return nil, d.err
	}
	if flags&^knownFlags != 0 {
		return nil, fmt.Errorf("session: unknown flags %#02x", flags)
	}
	s.EMS = flags&flagEMS != 0
	s.Verified = flags&flagVerified != 0
	if flags&flagPeerCerts == 0 && count != 0 {
		return nil, errors.New("session: certificates present but not flagged")
	}
	if int(count) > MaxPeerCerts {
		return nil, fmt.Errorf("session: %d peer certificates", count)
	}
	if flags&flagPeerCerts != 0 {
		s.PeerCerts = make([][]byte, 0, count)
		for range count {
			c := d.bytes(d.u24())
			if d.err != nil {
				return nil, d.err
			}
			// Checked here, before the copy, so an oversized length
			// never reaches make.
			if len(c) == 0 || len(c) > MaxCertLen {
				return nil, fmt.Errorf("session: peer certificate of %d bytes", len(c))
			}
			s.PeerCerts = append(s.PeerCerts, cloneBytes(c))
		}
	}
	if len(d.buf) != 0 {
		return nil, fmt.Errorf("session: %d trailing bytes", len(d.buf))
	}
	// Lifetime, version and secret bounds are Validate's; the remaining
	// length bounds are already implied by the prefixes' widths.
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}

func appendU16(b []byte, v uint16) []byte { return append(b, byte(v>>8), byte(v)) }

func appendU32(b []byte, v uint32) []byte {
	return append(b, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
}

func appendU64(b []byte, v uint64) []byte {
	return appendU32(appendU32(b, uint32(v>>32)), uint32(v))
}

// decoder reads big-endian fields from buf. After the first short read it
// records an error and returns zeros, so Unmarshal can read a whole record
// and check once, without a branch after every field.
type decoder struct {
	buf []byte
	err error
}

// take returns the next n bytes, or nil and a sticky error if fewer remain.
func (d *decoder) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > len(d.buf) {
		d.err = fmt.Errorf("session: state truncated: need %d bytes, have %d", n, len(d.buf))
		return nil
	}
	p := d.buf[:n:n]
	d.buf = d.buf[n:]
	return p
}

func (d *decoder) u8() int {
	p := d.take(1)
	if p == nil {
		return 0
	}
	return int(p[0])
}

func (d *decoder) u16() uint16 {
	p := d.take(2)
	if p == nil {
		return 0
	}
	return uint16(p[0])<<8 | uint16(p[1])
}

func (d *decoder) u24() int {
	p := d.take(3)
	if p == nil {
		return 0
	}
	return int(p[0])<<16 | int(p[1])<<8 | int(p[2])
}

func (d *decoder) u32() uint32 {
	p := d.take(4)
	if p == nil {
		return 0
	}
	return uint32(p[0])<<24 | uint32(p[1])<<16 | uint32(p[2])<<8 | uint32(p[3])
}

func (d *decoder) u64() uint64 {
	hi := d.u32()
	return uint64(hi)<<32 | uint64(d.u32())
}

// bytes returns the next n bytes (aliasing buf; callers copy what they keep).
func (d *decoder) bytes(n int) []byte { return d.take(n) }

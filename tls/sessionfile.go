package tls

import (
	"errors"
	"fmt"

	"lucid/internal/handshake"
	"lucid/internal/session"
)

// clientSessionMagic opens an encoded ClientSessionState, naming the
// format and its version, so that a file of anything else is refused
// before a byte of it is trusted.
const clientSessionMagic = "lucid-client-session/1\n"

// maxSessionTicket is the largest ticket the wire can carry (a 16-bit
// length, RFC 8446 §4.6.1 and RFC 5077 §3.3); maxSessionID is RFC 5246's.
const (
	maxSessionTicket = 1<<16 - 1
	maxSessionID     = 32
)

// MarshalBinary encodes the session for storage outside the process, as
// `lucid connect --sess-out` does. The encoding holds the session's secret:
// whoever reads it can resume the session and decrypt what is sent under
// it, so store it as a private key. A Lucid addition.
func (cs *ClientSessionState) MarshalBinary() ([]byte, error) {
	if cs == nil || cs.s == nil || cs.s.State == nil {
		return nil, errors.New("tls: no session to encode")
	}
	s := cs.s
	if len(s.Ticket) > maxSessionTicket || len(s.SessionID) > maxSessionID {
		return nil, fmt.Errorf("tls: session ticket (%d bytes) or ID (%d bytes) too long", len(s.Ticket), len(s.SessionID))
	}
	state := s.State.Marshal()
	if state == nil {
		return nil, fmt.Errorf("tls: session cannot be encoded: %v", s.State.Validate())
	}
	b := make([]byte, 0, len(clientSessionMagic)+2+len(s.Ticket)+1+len(s.SessionID)+len(state))
	b = append(b, clientSessionMagic...)
	b = append(b, byte(len(s.Ticket)>>8), byte(len(s.Ticket)))
	b = append(b, s.Ticket...)
	b = append(b, byte(len(s.SessionID)))
	b = append(b, s.SessionID...)
	return append(b, state...), nil
}

// UnmarshalBinary decodes what MarshalBinary produced, strictly: a wrong
// magic, a length past the end, a state out of bounds or a trailing byte
// is an error. A decoded session is no more trusted than one from a cache:
// before it is offered it is admitted against the Config of the
// connection (versions, lifetime, server name, and its recorded chain
// verified as a new one would be), and a session whose secret is not the
// server's fails the handshake's Finished check. A Lucid addition.
func (cs *ClientSessionState) UnmarshalBinary(b []byte) error {
	rest, ok := cutPrefix(b, clientSessionMagic)
	if !ok {
		return errors.New("tls: not an encoded Lucid client session")
	}
	if len(rest) < 2 {
		return errors.New("tls: encoded session truncated")
	}
	n := int(rest[0])<<8 | int(rest[1])
	rest = rest[2:]
	if len(rest) < n+1 {
		return errors.New("tls: encoded session truncated in its ticket")
	}
	ticket := append([]byte(nil), rest[:n]...)
	rest = rest[n:]
	m := int(rest[0])
	rest = rest[1:]
	if m > maxSessionID || len(rest) < m {
		return errors.New("tls: encoded session has a bad session ID")
	}
	id := append([]byte(nil), rest[:m]...)
	st, err := session.Unmarshal(rest[m:])
	if err != nil {
		return fmt.Errorf("tls: encoded session: %w", err)
	}
	if len(ticket) == 0 && len(id) == 0 {
		return errors.New("tls: encoded session has neither a ticket nor a session ID")
	}
	if n == 0 {
		ticket = nil
	}
	if m == 0 {
		id = nil
	}
	cs.s = &handshake.ClientSession{State: st, Ticket: ticket, SessionID: id}
	return nil
}

func cutPrefix(b []byte, prefix string) ([]byte, bool) {
	if len(b) < len(prefix) || string(b[:len(prefix)]) != prefix {
		return nil, false
	}
	return b[len(prefix):], true
}

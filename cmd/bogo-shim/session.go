package main

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"

	"lucid/tls"
)

// countingCache is the client's session cache. It counts the sessions
// Lucid stores, which is how a handshake shows that it produced a
// resumable session: BoringSSL's shim learns the same from its new-session
// callback.
type countingCache struct {
	tls.ClientSessionCache
	stored atomic.Int64
	// last is the session stored last, whose ticket's early-data limit
	// -expect-ticket-supports-early-data checks.
	last atomic.Pointer[tls.ClientSessionState]
}

func newCountingCache() *countingCache {
	return &countingCache{ClientSessionCache: tls.NewLRUClientSessionCache(8)}
}

// Put counts a stored session; a nil one removes an entry and is not one.
func (c *countingCache) Put(key string, cs *tls.ClientSessionState) {
	if cs != nil {
		c.stored.Add(1)
		c.last.Store(cs)
	}
	c.ClientSessionCache.Put(key, cs)
}

// checkNewSession is BoringSSL's check, after a client handshake, that
// its cache received a new session exactly when expected. It concerns TLS
// 1.2 alone: TLS 1.3 tickets come after the handshake, when BoringSSL's
// shim expects none yet. Lucid stores the resumed session again after a
// TLS 1.2 resumption, to keep it; BoringSSL's cache sees a new session
// there only when the server renewed the ticket, so that is what counts.
func checkNewSession(cs tls.ConnectionState, s *settings, o *observed, stored bool) error {
	if s.server || cs.Version != tls.VersionTLS12 {
		return nil
	}
	got := stored && (!cs.DidResume || o.renewedTicket.Load())
	want := !s.expectNoSession && (!cs.DidResume || s.expectTicketRenewal)
	if got != want {
		not := " not"
		if got {
			not = ""
		}
		return fmt.Errorf("new session was%s cached, but we expected the opposite", not)
	}
	return nil
}

// tapConn is the connection's TCP stream as Lucid uses it. It keeps the
// first bytes written, which on a server hold the ServerHello, whose
// session ID Lucid does not report otherwise, and counts the reads and
// writes, so that a handshake can be seen to do no I/O.
type tapConn struct {
	net.Conn
	mu    sync.Mutex
	head  []byte
	calls atomic.Int64
}

// serverHelloHead is how much of the output holds the session ID's length:
// a record header (5 bytes), a handshake header (4), the version (2) and
// the random (32) come first.
const serverHelloHead = 5 + 4 + 2 + 32 + 1

func (r *tapConn) Read(b []byte) (int, error) {
	r.calls.Add(1)
	return r.Conn.Read(b)
}

func (r *tapConn) Write(b []byte) (int, error) {
	r.calls.Add(1)
	r.mu.Lock()
	if n := serverHelloHead - len(r.head); n > 0 {
		r.head = append(r.head, b[:min(n, len(b))]...)
	}
	r.mu.Unlock()
	return r.Conn.Write(b)
}

// CloseWrite passes Lucid's half-close through to TCP.
func (r *tapConn) CloseWrite() error {
	if cw, ok := r.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// sessionIDLength reads the session ID length of the ServerHello that
// starts a server's output: a handshake record whose first message is a
// ServerHello.
func (r *tapConn) sessionIDLength() (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	h := r.head
	if len(h) < serverHelloHead || h[0] != 22 || h[5] != 2 {
		return 0, errors.New("the server's output does not start with a ServerHello")
	}
	return int(h[serverHelloHead-1]), nil
}

// checkSessionID is -expect-session-id and -expect-no-session-id on a
// server's first connection: whether the session was cached under a
// session ID. Only TLS 1.2 caches that way; Lucid's server caches every
// full TLS 1.2 handshake under the ID its ServerHello carries, and none
// when the ID is empty.
func checkSessionID(cs tls.ConnectionState, s *settings, rec *tapConn) error {
	if !s.expectSessionID && !s.expectNoSessionID {
		return nil
	}
	cached := false
	if cs.Version == tls.VersionTLS12 && !cs.DidResume {
		n, err := rec.sessionIDLength()
		if err != nil {
			return err
		}
		cached = n > 0
	}
	if s.expectSessionID && !cached {
		return errors.New("session was not cached on the server")
	}
	if s.expectNoSessionID && cached {
		return errors.New("session was unexpectedly cached on the server")
	}
	return nil
}

// stapled is what a server sent with its certificate: an OCSP response and
// a SignedCertificateTimestampList, as BoringSSL's session keeps them.
type stapled struct {
	ocsp, sctList []byte
}

// stapledValues is what a client connection reports as the server's OCSP
// response and SCT list. A full handshake reports what it received and
// becomes the session's; a resumption reports the session's, as
// SSL_get0_ocsp_response does, unless Lucid reported something of its own
// for it, which the checks then see.
func (sh *shim) stapledValues(cs tls.ConnectionState) stapled {
	got := stapled{ocsp: cs.OCSPResponse, sctList: encodeSCTList(cs.SignedCertificateTimestamps)}
	if !cs.DidResume {
		sh.session = got
		return got
	}
	if got.ocsp == nil {
		got.ocsp = sh.session.ocsp
	}
	if got.sctList == nil {
		got.sctList = sh.session.sctList
	}
	return got
}

// checkStapled is -expect-ocsp-response and -expect-signed-cert-timestamps.
func (sh *shim) checkStapled(cs tls.ConnectionState, s *settings) error {
	if s.server {
		return nil
	}
	got := sh.stapledValues(cs)
	if len(s.expectOCSP) > 0 && !bytes.Equal(got.ocsp, s.expectOCSP) {
		return fmt.Errorf("OCSP response mismatch: got %x, want %x", got.ocsp, s.expectOCSP)
	}
	if len(s.expectSCTList) > 0 && !bytes.Equal(got.sctList, s.expectSCTList) {
		return fmt.Errorf("SCT list mismatch: got %x, want %x", got.sctList, s.expectSCTList)
	}
	return nil
}

// encodeSCTList is the SignedCertificateTimestampList (RFC 6962 §3.3) that
// holds the SCTs, as the server sent it; nil for none.
func encodeSCTList(scts [][]byte) []byte {
	if len(scts) == 0 {
		return nil
	}
	var body []byte
	for _, sct := range scts {
		body = append(body, byte(len(sct)>>8), byte(len(sct)))
		body = append(body, sct...)
	}
	return append([]byte{byte(len(body) >> 8), byte(len(body))}, body...)
}

package https

import (
	"context"
	"net/http"

	"lucid/tls"
)

// HTTP over 0-RTT early data (RFC 8470), server side.
//
// When the server's TLSConfig sets MaxEarlyData, a resumed client may send
// its first requests in early data, which an attacker can capture and
// replay on a connection of its own (RFC 8446 §8). The TLS stack's guard
// refuses a replay it sees, but a fleet of servers without a shared guard,
// or a guard that lost its memory, may accept one; so what a request in
// early data makes the server do must be harmless when done twice.
//
// The server decides when a request's handler would run, as nginx does: a
// request is early when, at that moment, the connection's handshake is
// not yet confirmed by the client's Finished (tls.Conn.InEarlyData). A
// replayed flight never confirms, since only the real client can send
// that Finished, so a replay is always early. A request that came in
// early data but whose handler starts after the Finished was read is
// treated as sent after the handshake: the Finished proves it came from
// the client that made the connection, on this connection (RFC 8470 §3
// lets a server defer early requests until the handshake completes for
// that reason). Reading ahead on the connection (net/http's background
// read, the HTTP/2 frame reader) can thus only move a request from early
// to confirmed by reading the real client's Finished, never the other way.
//
// Early requests that EarlyDataAllowed admits reach the handler with the
// header "Early-Data: 1" (RFC 8470 §5.1); the others are answered "425 Too
// Early" (§5.2) without calling the handler, and the client sends them
// again after the handshake.

// EarlyDataHeader is the request header that tells a handler its request
// arrived in 0-RTT early data, before the handshake was confirmed (RFC
// 8470 §5.1); its value is "1".
const EarlyDataHeader = "Early-Data"

// SafeEarlyRequest is the default EarlyDataAllowed: GET, HEAD and OPTIONS
// requests without a body, the methods RFC 9110 §9.2.1 calls safe that
// carry nothing to act on. A handler that does change state on such a
// request (a GET that votes, say) needs a stricter rule, or answers 425
// itself when it sees the Early-Data header.
func SafeEarlyRequest(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
	default:
		return false
	}
	return r.ContentLength == 0 && len(r.TransferEncoding) == 0
}

// IsEarly reports whether r came through a Server before its connection's
// handshake was confirmed: a request received in 0-RTT early data that the
// server passed on to its handler (with the Early-Data header). A Lucid
// addition; handlers behind a proxy read the header instead.
func IsEarly(r *http.Request) bool {
	if r == nil {
		return false
	}
	st := stateOf(r.Context())
	return st != nil && st.early
}

// current returns the connection's state as it stands when a request's
// handler is about to run, and whether the handshake is still unconfirmed.
// A connection whose Handshake returned complete never changes; one that
// returned in early data is asked again until it completes, and its
// completed state is then kept for the requests that follow.
func (st *connState) current() (cur *connState, early bool) {
	if st.conn == nil {
		return st, false
	}
	if done := st.completed.Load(); done != nil {
		return done, false
	}
	cs := st.conn.ConnectionState()
	if !cs.HandshakeComplete {
		return &connState{lucid: &cs, std: stdState(&cs), conn: st.conn, early: true}, true
	}
	done := &connState{lucid: &cs, std: stdState(&cs)}
	st.completed.CompareAndSwap(nil, done)
	return st.completed.Load(), false
}

// withLiveState returns ctx carrying cs; when the handshake of tc returned
// before it completed (0-RTT accepted), requests look at tc again.
func withLiveState(ctx context.Context, tc *tls.Conn, cs *tls.ConnectionState) context.Context {
	st := &connState{lucid: cs, std: stdState(cs)}
	if !cs.HandshakeComplete {
		st.conn = tc
	}
	return context.WithValue(ctx, stateKey{}, st)
}

// earlyGate runs before every handler: it gives the request the
// connection's current state and applies the early-data rule.
func (s *Server) earlyGate(w http.ResponseWriter, r *http.Request, h http.Handler) {
	st := stateOf(r.Context())
	if st == nil {
		h.ServeHTTP(w, r)
		return
	}
	cur, early := st.current()
	if cur != st {
		r = r.WithContext(context.WithValue(r.Context(), stateKey{}, cur))
	}
	if r.TLS == nil || cur != st {
		r.TLS = cur.std
	}
	if early {
		allowed := s.EarlyDataAllowed
		if allowed == nil {
			allowed = SafeEarlyRequest
		}
		if !allowed(r) {
			te := s.TooEarly
			if te == nil {
				te = TooEarlyHandler
			}
			te.ServeHTTP(w, r)
			return
		}
		r.Header.Set(EarlyDataHeader, "1")
	}
	h.ServeHTTP(w, r)
}

// TooEarlyHandler answers 425 Too Early (RFC 8470 §5.2), with a line
// that says why: Server's default for early requests it will not hand to
// its handler.
var TooEarlyHandler http.Handler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { tooEarly(w) })

// tooEarly writes the 425 answer.
func tooEarly(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusTooEarly)
	w.Write([]byte("425 Too Early: this request arrived in TLS 0-RTT early data, which an attacker could replay, and it is not safe to process twice. Send it again after the handshake (RFC 8470).\n"))
}

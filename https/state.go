package https

import (
	"context"
	stdtls "crypto/tls"
	"net"
	"net/http"
	"sync/atomic"

	"lucid/tls"
	"lucid/trace"
)

// stateKey is the context key under which Server stores each connection's
// handshake result, as a *connState.
type stateKey struct{}

// connState is what every request on a connection shares: the handshake's
// result in Lucid's shape and in crypto/tls's, built once per connection
// (net/http too gives every request of a connection the same r.TLS).
type connState struct {
	lucid *tls.ConnectionState
	std   *stdtls.ConnectionState

	// conn is set while the connection may still be in 0-RTT early data:
	// its Handshake returned before the client's Finished. completed then
	// keeps the state once the handshake completed, and early marks the
	// state given to a request whose handler ran before that.
	conn      *tls.Conn
	completed atomic.Pointer[connState]
	early     bool
}

// stateOf returns the connection state ctx carries, or nil.
func stateOf(ctx context.Context) *connState {
	st, _ := ctx.Value(stateKey{}).(*connState)
	return st
}

// ConnectionState returns what the TLS handshake of the connection that
// carried r established: version, cipher suite, group, ALPN protocol, SNI,
// the client's certificates, resumption. ok is false for a request that did
// not come through a Server of this package.
func ConnectionState(r *http.Request) (cs tls.ConnectionState, ok bool) {
	if r == nil {
		return tls.ConnectionState{}, false
	}
	st := stateOf(r.Context())
	if st == nil {
		return tls.ConnectionState{}, false
	}
	return *st.lucid, true
}

// eventsKey is the context key under which Server stores each
// connection's recorder when Server.Inspect is set.
type eventsKey struct{}

// withEvents returns ctx carrying rec; a nil rec leaves ctx as it is.
func withEvents(ctx context.Context, rec *trace.Recorder) context.Context {
	if rec == nil {
		return ctx
	}
	return context.WithValue(ctx, eventsKey{}, rec)
}

// Events returns the events of the connection that carried r so far,
// oldest first: its handshake (the ClientHello the client sent, what the
// server answered, the keys it installed, its checks and decisions) and
// its first records. ok is false unless r came through a Server with
// Inspect set. The events' Fields are shared; treat them as read-only.
// A Lucid addition.
func Events(r *http.Request) (events []tls.Event, ok bool) {
	if r == nil {
		return nil, false
	}
	rec, ok := r.Context().Value(eventsKey{}).(*trace.Recorder)
	if !ok || rec == nil {
		return nil, false
	}
	return rec.Events(), true
}

// stdState describes a Lucid connection in crypto/tls's shape, for r.TLS:
// handlers and middleware written for crypto/tls test r.TLS != nil to know
// a request was encrypted.
func stdState(cs *tls.ConnectionState) *stdtls.ConnectionState {
	return &stdtls.ConnectionState{
		Version:                    cs.Version,
		HandshakeComplete:          cs.HandshakeComplete,
		DidResume:                  cs.DidResume,
		CipherSuite:                cs.CipherSuite,
		CurveID:                    stdtls.CurveID(cs.CurveID),
		NegotiatedProtocol:         cs.NegotiatedProtocol,
		NegotiatedProtocolIsMutual: true,
		ServerName:                 cs.ServerName,
		PeerCertificates:           cs.PeerCertificates,
		VerifiedChains:             cs.VerifiedChains,
	}
}

// ConnInfo describes the connection a client request went out on.
type ConnInfo struct {
	// State is what the connection's handshake established.
	State tls.ConnectionState
	// RemoteAddr is the server's address.
	RemoteAddr net.Addr
	// Reused is true when the connection had carried earlier requests.
	Reused bool
	// Deferred is true when the connection ran its handshake with the
	// request's first write, to send it in 0-RTT early data;
	// State.EarlyData says whether it was offered and accepted.
	Deferred bool
	// EarlyRetry is true when the request is sent again, after the
	// handshake, because the server answered it "425 Too Early".
	EarlyRetry bool
}

// connTraceKey is the context key of TraceConnection's function.
type connTraceKey struct{}

// TraceConnection returns a context that, used for a request sent through
// Transport, calls fn with the TLS connection the request was given, once
// its handshake has completed: when the transport gives the connection to
// the request, or, for a connection whose handshake carries the request
// in 0-RTT early data, after that first write. A request sent again after
// a 425 Too Early calls fn again. fn calls already in ctx are kept.
func TraceConnection(ctx context.Context, fn func(ConnInfo)) context.Context {
	if prev, ok := ctx.Value(connTraceKey{}).(func(ConnInfo)); ok {
		next := fn
		fn = func(ci ConnInfo) {
			prev(ci)
			next(ci)
		}
	}
	return context.WithValue(ctx, connTraceKey{}, fn)
}

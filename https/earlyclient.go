package https

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"sync"
	"sync/atomic"
	"time"

	"lucid/tls"
)

// HTTP over 0-RTT early data (RFC 8470), client side.
//
// Transport sends early data only when its TLSConfig sets SendEarlyData
// and has a ClientSessionCache holding a TLS 1.3 session for the server
// name whose ticket allows early data and whose ALPN protocol is the one
// the connection offers first. Such a connection is returned by DialTLS
// before its handshake: the request's first write runs it, and the
// request goes out as early data with the ClientHello (over HTTP/2, the
// connection preface and SETTINGS the transport writes first are held
// back and sent with the request's HEADERS). Reads wait for that write.
// Every other connection runs its handshake first, as without early data
// (the client-certificate verdict wait and ALPN learning included;
// a resumption asks for no certificate, and the session says which
// protocol the server chose, so neither is needed for a deferred one).
//
// If the server rejects the early data, lucid/tls sends the request again
// as 1-RTT data after the handshake, transparently. If it accepts it but
// the application answers "425 Too Early" (RFC 8470 §5.2), RoundTrip
// sends the request once more, now after the handshake: on a connection
// that carries no early data, the same one when the transport reuses it
// (its handshake has completed by then) or a new one that runs its
// handshake first. A request whose body cannot be produced again
// (Request.GetBody nil) is not retried; its 425 is returned. A 425 to a
// request that was not sent in early data, or to a retry, is returned as
// it is.

// noEarlyKey marks a request's context: its connections run their
// handshake first. The value, a bool, says the request is a retry after a
// 425 Too Early.
type noEarlyKey struct{}

// withoutEarly returns ctx marked so that connections dialed for it send
// no early data.
func withoutEarly(ctx context.Context, retry bool) context.Context {
	return context.WithValue(ctx, noEarlyKey{}, retry)
}

// earlySession returns the 0-RTT-capable session cfg would resume for
// serverName: its ALPN protocol, and whether there is one.
func earlySession(cfg *tls.Config, serverName string) (alpn string, ok bool) {
	if cfg == nil || !cfg.SendEarlyData || cfg.ClientSessionCache == nil {
		return "", false
	}
	s, found := cfg.ClientSessionCache.Get(serverName)
	if !found || s == nil {
		return "", false
	}
	limit, alpn := s.EarlyData()
	return alpn, limit > 0
}

// mayDefer reports whether a connection for ctx with cfg offering protos
// should leave its handshake to the first write, to send it as 0-RTT.
func (t *Transport) mayDefer(ctx context.Context, cfg *tls.Config, protos []string) bool {
	if ctx.Value(noEarlyKey{}) != nil {
		return false
	}
	alpn, ok := earlySession(cfg, cfg.ServerName)
	if !ok {
		return false
	}
	first := ""
	if len(protos) > 0 {
		first = protos[0]
	}
	return alpn == first
}

// sessionProtocol is, in automatic mode, the protocol a 0-RTT-capable
// session for req's server negotiated: the connection for req can then
// offer it alone and send req in early data, instead of first learning
// the protocol with a handshake.
func (t *Transport) sessionProtocol(req *http.Request) (string, bool) {
	if req.Context().Value(noEarlyKey{}) != nil || t.TLSConfig == nil {
		return "", false
	}
	name := t.TLSConfig.ServerName
	if name == "" {
		name = req.URL.Hostname()
	}
	alpn, ok := earlySession(t.TLSConfig, name)
	if !ok || (alpn != ProtoHTTP1 && alpn != ProtoHTTP2) {
		return "", false
	}
	return alpn, true
}

// deferredStart is the state of a connection whose handshake waits for
// its first write.
type deferredStart struct {
	addr, serverName string
	proto            string        // the one ALPN protocol offered, "" for none
	timeout          time.Duration // bounds the handshake; 0 means none

	mu       sync.Mutex
	held     []byte // HTTP/2: the preface and SETTINGS, sent with the request
	begun    bool   // the first write is under way or over
	ok       bool   // the handshake succeeded
	waiting  []func()
	done     chan struct{} // closed when the first write is over, or on Close
	doneOnce sync.Once
}

func newDeferredStart(addr, serverName string, protos []string, timeout time.Duration) *deferredStart {
	s := &deferredStart{addr: addr, serverName: serverName, timeout: timeout, done: make(chan struct{})}
	if len(protos) > 0 {
		s.proto = protos[0]
	}
	return s
}

// finish ends the wait for the first write; ok says the handshake
// succeeded, and then the functions whenStarted queued run.
func (s *deferredStart) finish(ok bool) {
	s.mu.Lock()
	run := s.waiting
	s.waiting = nil
	s.ok = s.ok || ok
	s.mu.Unlock()
	s.doneOnce.Do(func() { close(s.done) })
	if ok {
		for _, f := range run {
			f()
		}
	}
}

// whenStarted calls f once c's handshake has completed: at once for a
// connection that ran it when dialed or already ran it, after the first
// write for a deferred one, never if that handshake failed.
func (c *clientConn) whenStarted(f func()) {
	s := c.start
	if s == nil {
		f()
		return
	}
	s.mu.Lock()
	select {
	case <-s.done:
		ok := s.ok
		s.mu.Unlock()
		if ok {
			f()
		}
		return
	default:
	}
	s.waiting = append(s.waiting, f)
	s.mu.Unlock()
}

// firstWrite sends b as the connection's first write, running the
// handshake with b as early data; handled is false once that is over.
func (c *clientConn) firstWrite(b []byte) (n int, err error, handled bool) {
	s := c.start
	s.mu.Lock()
	if s.begun {
		s.mu.Unlock()
		return 0, nil, false
	}
	if s.proto == ProtoHTTP2 && s.held == nil {
		// The preface alone as early data would leave the request to
		// 1-RTT; it waits for the request's frames.
		s.held = append([]byte(nil), b...)
		s.mu.Unlock()
		return len(b), nil, true
	}
	s.begun = true
	held := s.held
	s.held = nil
	s.mu.Unlock()

	out := b
	if len(held) > 0 {
		out = append(held, b...)
	}
	if s.timeout > 0 {
		c.raw.SetDeadline(time.Now().Add(s.timeout))
	}
	n, err = c.Conn.Write(out)
	if s.timeout > 0 {
		c.raw.SetDeadline(time.Time{})
	}
	cs := c.Conn.ConnectionState()
	switch {
	case err != nil && !cs.HandshakeComplete:
		err = &HandshakeError{Addr: s.addr, ServerName: s.serverName, Err: err}
	case err == nil && s.proto == ProtoHTTP2 && cs.NegotiatedProtocol != ProtoHTTP2:
		err = &HandshakeError{Addr: s.addr, ServerName: s.serverName,
			Err: fmt.Errorf("the server did not agree to HTTP/2 with ALPN (it chose %q), though the resumed session had", cs.NegotiatedProtocol)}
		c.Conn.Close()
	}
	s.finish(err == nil)
	return max(n-len(held), 0), err, true
}

// Close closes the connection and releases reads waiting for a first
// write that will not come.
func (c *clientConn) Close() error {
	if c.start != nil {
		c.start.finish(false)
	}
	return c.Conn.Close()
}

// roundTripEarly is RoundTrip with the retry after 425 Too Early, and the
// calls to TraceConnection's function.
func (t *Transport) roundTripEarly(req *http.Request) (*http.Response, error) {
	fn, _ := req.Context().Value(connTraceKey{}).(func(ConnInfo))
	retry, _ := req.Context().Value(noEarlyKey{}).(bool)
	var sent atomic.Pointer[clientConn]
	ctx := httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
		GotConn: func(info httptrace.GotConnInfo) {
			cc, ok := info.Conn.(*clientConn)
			if !ok {
				return
			}
			if cc.start != nil && !info.Reused {
				sent.Store(cc)
			}
			if fn == nil {
				return
			}
			ci := ConnInfo{RemoteAddr: cc.RemoteAddr(), Reused: info.Reused, Deferred: cc.start != nil, EarlyRetry: retry}
			cc.whenStarted(func() {
				ci.State = cc.ConnectionState()
				fn(ci)
			})
		},
	})
	resp, err := t.roundTrip(req.WithContext(ctx))
	if err != nil || resp.StatusCode != http.StatusTooEarly || retry {
		return resp, err
	}
	cc := sent.Load()
	if cc == nil || !cc.ConnectionState().EarlyData.Accepted {
		return resp, nil
	}
	body := req.Body
	if body != nil && body != http.NoBody {
		if req.GetBody == nil {
			return resp, nil
		}
		if body, err = req.GetBody(); err != nil {
			return resp, nil
		}
	}
	// Read the short 425 to the end so that an HTTP/1.1 connection goes
	// back to the pool, its handshake now complete, for the retry.
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	again := req.Clone(withoutEarly(req.Context(), true))
	again.Body = body
	return t.roundTripEarly(again)
}

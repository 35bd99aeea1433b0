package https

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/net/http2"

	"lucid/tls"
	"lucid/trace"
)

// Defaults for Server's timeouts when a field is zero.
const (
	DefaultHandshakeTimeout  = 10 * time.Second
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultIdleTimeout       = 2 * time.Minute
)

// DefaultInspectLimit is how many events Server.Inspect keeps per
// connection when InspectLimit is zero: a full handshake with client
// authentication and a few dozen records.
const DefaultInspectLimit = 256

// ALPN protocol names (RFC 7301, RFC 9113 §3.2).
const (
	ProtoHTTP1 = "http/1.1"
	ProtoHTTP2 = "h2"
)

// Server serves HTTP/1.1 and HTTP/2 over Lucid TLS on the same port,
// choosing by the protocol the client and server agreed on with ALPN.
// Set its fields before the first Serve and leave them alone afterwards.
type Server struct {
	// Addr is the address ListenAndServe listens on; empty means ":https".
	Addr string

	// Handler answers requests; nil means http.DefaultServeMux.
	Handler http.Handler

	// TLSConfig configures the handshakes; it must carry a certificate.
	// When its NextProtos is empty the server offers "h2" and "http/1.1"
	// (only "http/1.1" with DisableHTTP2). The server works on a clone.
	TLSConfig *tls.Config

	// DisableHTTP2 turns HTTP/2 off: "h2" is never negotiated.
	DisableHTTP2 bool

	// HandshakeTimeout bounds the TLS handshake, ReadHeaderTimeout the
	// reading of a request's headers (HTTP/1.1's header lines; an HTTP/2
	// header block, from its HEADERS frame to the end of the frame that
	// carries END_HEADERS), and IdleTimeout how long a kept-alive
	// connection may wait for its next request (HTTP/1.1 and HTTP/2).
	// Zero means the Default constant of the same name; a negative value
	// means no limit.
	HandshakeTimeout  time.Duration
	ReadHeaderTimeout time.Duration
	IdleTimeout       time.Duration

	// ReadTimeout and WriteTimeout bound reading a whole request and
	// writing a response, as in http.Server; zero means no limit.
	ReadTimeout  time.Duration
	WriteTimeout time.Duration

	// MaxHeaderBytes bounds request headers, as in http.Server.
	MaxHeaderBytes int

	// ErrorLog receives errors from accepting connections, handshakes and
	// handlers; nil means the log package's standard logger.
	ErrorLog *log.Logger

	// HandshakeError, if set, is called for every failed handshake
	// instead of writing to ErrorLog.
	HandshakeError func(remote net.Addr, err error)

	// Inspect makes the server keep each connection's events (tls.Event:
	// the handshake messages, keys, checks, decisions and records, from
	// the ClientHello on) so that a handler can read them with Events(r),
	// for a page that shows visitors their own handshake. At most
	// InspectLimit events are kept per connection, the first ones, and
	// they live as long as the connection. A Lucid addition.
	Inspect bool

	// InspectLimit bounds the events Inspect keeps per connection; zero
	// means DefaultInspectLimit.
	InspectLimit int

	// EarlyDataAllowed decides which requests that arrive in TLS 0-RTT
	// early data, before the handshake is confirmed, reach the handler
	// (with the header "Early-Data: 1"); the others are answered "425 Too
	// Early" and the client sends them again after the handshake (RFC
	// 8470). Nil means SafeEarlyRequest: GET, HEAD and OPTIONS without a
	// body. Early data is accepted at all only when TLSConfig sets
	// MaxEarlyData; IsEarly tells when a request counts as early.
	EarlyDataAllowed func(*http.Request) bool

	// TooEarly answers the early requests EarlyDataAllowed refuses; nil
	// means TooEarlyHandler. A server that logs its requests wraps it, so
	// that these show in its log too. It must answer 425 (RFC 8470 §5.2).
	TooEarly http.Handler

	// ConnObserver, if set, is called with each accepted connection
	// before its handshake; a non-nil function it returns receives that
	// connection's events, for instance to label a trace with the
	// client's address. A Lucid addition.
	//
	// With Inspect or ConnObserver set, each connection's events go to
	// TLSConfig.Observer, then ConnObserver's function, then the Inspect
	// recorder (connections from a listener of *tls.Conn included: the
	// Observer of their own Config is replaced by TLSConfig's).
	ConnObserver func(net.Conn) func(tls.Event)

	initOnce sync.Once
	config   *tls.Config
	h1       *http.Server // serves HTTP/1.1 connections from queue
	h2base   *http.Server // BaseConfig of HTTP/2 connections; its Shutdown sends GOAWAY
	h2       *http2.Server
	queue    *connQueue
	h1Done   chan struct{} // closed when h1.Serve returns

	mu        sync.Mutex
	closing   bool
	listeners map[net.Listener]struct{}
	pending   map[net.Conn]struct{}  // connections in their handshake
	h2conns   map[*tls.Conn]struct{} // connections being served by h2
	changed   chan struct{}          // closed and replaced when pending or h2conns shrink
}

// ListenAndServe listens on addr and serves h over Lucid TLS with config.
func ListenAndServe(addr string, config *tls.Config, h http.Handler) error {
	return (&Server{Addr: addr, TLSConfig: config, Handler: h}).ListenAndServe()
}

// ListenAndServe listens on s.Addr and serves until Shutdown or Close.
func (s *Server) ListenAndServe() error {
	addr := s.Addr
	if addr == "" {
		addr = ":https"
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return s.Serve(l)
}

func timeout(d, def time.Duration) time.Duration {
	switch {
	case d == 0:
		return def
	case d < 0:
		return 0
	}
	return d
}

func (s *Server) init() {
	s.initOnce.Do(func() {
		s.config = s.TLSConfig.Clone()
		if s.config == nil {
			s.config = &tls.Config{}
		}
		if len(s.config.NextProtos) == 0 {
			s.config.NextProtos = []string{ProtoHTTP2, ProtoHTTP1}
		}
		if s.DisableHTTP2 {
			var protos []string
			for _, p := range s.config.NextProtos {
				if p != ProtoHTTP2 {
					protos = append(protos, p)
				}
			}
			s.config.NextProtos = protos
		}
		s.listeners = make(map[net.Listener]struct{})
		s.pending = make(map[net.Conn]struct{})
		s.h2conns = make(map[*tls.Conn]struct{})
		s.changed = make(chan struct{})

		h := s.Handler
		if h == nil {
			h = http.DefaultServeMux
		}
		wrapped := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.earlyGate(w, r, h)
		})
		newHTTPServer := func() *http.Server {
			return &http.Server{
				Handler:           wrapped,
				ReadHeaderTimeout: timeout(s.ReadHeaderTimeout, DefaultReadHeaderTimeout),
				IdleTimeout:       timeout(s.IdleTimeout, DefaultIdleTimeout),
				ReadTimeout:       s.ReadTimeout,
				WriteTimeout:      s.WriteTimeout,
				MaxHeaderBytes:    s.MaxHeaderBytes,
				ErrorLog:          s.ErrorLog,
			}
		}
		s.h1 = newHTTPServer()
		s.h1.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
			if hc, ok := c.(*h1Conn); ok {
				return withEvents(withLiveState(ctx, hc.Conn, hc.state), hc.events)
			}
			return ctx
		}
		s.h2base = newHTTPServer()
		s.h2 = &http2.Server{IdleTimeout: timeout(s.IdleTimeout, DefaultIdleTimeout)}
		// ConfigureServer registers h2's graceful shutdown (GOAWAY to every
		// connection) with h2base.Shutdown; what it sets for crypto/tls is
		// never used, since h2base never serves a listener.
		if err := http2.ConfigureServer(s.h2base, s.h2); err != nil {
			s.logf("https: configuring HTTP/2: %v", err)
		}
		s.queue = newConnQueue()
		s.h1Done = make(chan struct{})
		go func() {
			defer close(s.h1Done)
			s.h1.Serve(s.queue)
		}()
	})
}

func (s *Server) logf(format string, args ...any) {
	if s.ErrorLog != nil {
		s.ErrorLog.Printf(format, args...)
		return
	}
	log.Printf(format, args...)
}

// Serve accepts TCP connections on l and serves each over TLS until
// Shutdown or Close, after which it returns http.ErrServerClosed. l yields
// plain connections; Serve runs the handshakes (a listener from
// tls.NewListener works too). Serve closes l when it returns.
func (s *Server) Serve(l net.Listener) error {
	s.init()
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		l.Close()
		return http.ErrServerClosed
	}
	s.listeners[l] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, l)
		s.mu.Unlock()
		l.Close()
	}()

	var backoff time.Duration
	for {
		raw, err := l.Accept()
		if err != nil {
			if s.shuttingDown() {
				return http.ErrServerClosed
			}
			// Out of file descriptors and the like pass; wait and retry,
			// as net/http does.
			if te, ok := err.(interface{ Temporary() bool }); ok && te.Temporary() {
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				s.logf("https: accept error: %v; retrying in %v", err, backoff)
				time.Sleep(backoff)
				continue
			}
			return err
		}
		backoff = 0
		if !s.track(raw) {
			raw.Close()
			continue
		}
		go s.serveConn(raw)
	}
}

func (s *Server) shuttingDown() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closing
}

// track records a connection in its handshake; false once closing.
func (s *Server) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.pending[c] = struct{}{}
	return true
}

// signalLocked wakes Shutdown after a connection went away; s.mu is held.
func (s *Server) signalLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// serveConn runs the handshake on raw and hands the connection to the
// protocol ALPN chose.
func (s *Server) serveConn(raw net.Conn) {
	tc, ok := raw.(*tls.Conn)
	var deadline time.Time
	if d := timeout(s.HandshakeTimeout, DefaultHandshakeTimeout); d > 0 {
		deadline = time.Now().Add(d)
	}
	// Under s.mu, so that either beginClose finds the connection with
	// this deadline set and cuts it short, or this sees closing.
	s.mu.Lock()
	if s.closing {
		deadline = longAgo
	}
	if !deadline.IsZero() {
		// With no handshake timeout, a deadline the listener set stays.
		raw.SetDeadline(deadline)
	}
	s.mu.Unlock()
	var err error
	if !ok {
		tc, err = s.startTLS(raw)
	}
	var rec *trace.Recorder
	if err == nil {
		rec = s.observe(raw, tc)
		// Shutdown and Close end it by a passed deadline (beginClose).
		err = tc.Handshake()
	}

	s.mu.Lock()
	delete(s.pending, raw)
	s.signalLocked()
	closing := s.closing
	s.mu.Unlock()

	if err != nil {
		switch {
		case ok:
			tc.Close()
		case tc != nil:
			// The handshake ran on raw, itself or through a prefixConn:
			// drain it so that the client reads the alert.
			lingerClose(raw)
		default:
			raw.Close()
		}
		if !errors.Is(err, errPlainHTTP) && !errors.Is(err, errSilentClose) && !closing {
			s.handshakeFailed(raw.RemoteAddr(), err)
		}
		return
	}
	raw.SetDeadline(time.Time{})
	if closing {
		tc.Close()
		return
	}

	cs := tc.ConnectionState()
	switch cs.NegotiatedProtocol {
	case ProtoHTTP2:
		s.serveHTTP2(tc, &cs, rec)
	case ProtoHTTP1, "":
		hc := newH1Conn(tc, &cs)
		hc.events = rec
		if !s.queue.push(hc) {
			hc.Close()
		}
	default:
		s.logf("https: %v negotiated ALPN protocol %q, which this server does not serve", raw.RemoteAddr(), cs.NegotiatedProtocol)
		tc.Close()
	}
}

// observe points tc's events at TLSConfig.Observer, ConnObserver's
// function and, with Inspect, a new recorder, which it returns. Without
// Inspect and ConnObserver it leaves tc alone and returns nil.
func (s *Server) observe(raw net.Conn, tc *tls.Conn) *trace.Recorder {
	if !s.Inspect && s.ConnObserver == nil {
		return nil
	}
	var perConn func(tls.Event)
	if s.ConnObserver != nil {
		perConn = s.ConnObserver(raw)
	}
	var rec *trace.Recorder
	var keep func(tls.Event)
	if s.Inspect {
		limit := s.InspectLimit
		if limit <= 0 {
			limit = DefaultInspectLimit
		}
		rec = trace.NewRecorder(limit)
		keep = rec.Observe
	}
	tc.SetObserver(trace.Tee(s.config.Observer, perConn, keep))
	return rec
}

func (s *Server) handshakeFailed(remote net.Addr, err error) {
	if s.HandshakeError != nil {
		s.HandshakeError(remote, err)
		return
	}
	s.logf("https: TLS handshake with %v failed: %v", remote, err)
}

// Failures before the handshake that are not logged: a client that spoke
// plain HTTP to the TLS port (it was answered), and one that sent nothing.
var (
	errPlainHTTP   = errors.New("https: client sent plain HTTP to the HTTPS port")
	errSilentClose = errors.New("https: client closed the connection without sending anything")
)

// errNoPeek: the connection is not a socket peekFirstByte can look into.
var errNoPeek = errors.New("https: cannot peek at this connection")

// startTLS looks at what the client sends first and readies the TLS
// server side. A TLS client starts with a handshake record (content type
// 22); a client that starts with an ASCII letter is speaking plain HTTP,
// and is told so in plain HTTP rather than with an alert it cannot read.
// Where the socket can be peeked at, raw itself goes to the TLS layer.
func (s *Server) startTLS(raw net.Conn) (*tls.Conn, error) {
	first, err := peekFirstByte(raw)
	switch {
	case errors.Is(err, io.EOF):
		return nil, errSilentClose
	case err != nil && !errors.Is(err, errNoPeek):
		return nil, err
	case err == nil && !plainHTTP(first):
		return tls.Server(raw, s.config), nil
	}
	// No peeking here, or plain HTTP, whose request is taken off the
	// socket before it is answered: closing a socket with unread bytes
	// resets it, and the client might lose the answer.
	pc, err := s.checkFirstBytes(raw)
	if err != nil {
		return nil, err
	}
	return tls.Server(pc, s.config), nil
}

// checkFirstBytes reads the first bytes, which a prefixConn then hands to
// the TLS layer, or answers plain HTTP.
func (s *Server) checkFirstBytes(raw net.Conn) (*prefixConn, error) {
	buf := make([]byte, 1024)
	n, err := raw.Read(buf)
	if n == 0 {
		if err == nil || errors.Is(err, io.EOF) {
			// Connected and hung up without a word: a port probe or a
			// health check, not worth a log line.
			err = errSilentClose
		}
		return nil, err
	}
	if plainHTTP(buf[0]) {
		io.WriteString(raw, "HTTP/1.0 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"+
			"This port speaks HTTPS: the request was sent in plain HTTP. Use an https:// URL.\n")
		return nil, errPlainHTTP
	}
	return &prefixConn{Conn: raw, pre: buf[:n]}, nil
}

// plainHTTP reports whether a connection's first byte starts an HTTP
// method, which a TLS record (content type 20 to 24) never does.
func plainHTTP(first byte) bool { return first >= 'A' && first <= 'Z' }

// prefixConn returns bytes already read before reading from Conn.
type prefixConn struct {
	net.Conn
	pre []byte
}

// lingerTime bounds how long a failed handshake's connection is drained.
const lingerTime = 500 * time.Millisecond

// lingerClose closes c after a failed handshake: it sends FIN and, in the
// background, reads what the client still sends for a moment before
// closing, so that the client reads the alert instead of a connection
// reset.
func lingerClose(c net.Conn) {
	go func() {
		if cw, ok := c.(interface{ CloseWrite() error }); ok {
			cw.CloseWrite()
		}
		c.SetReadDeadline(time.Now().Add(lingerTime))
		io.Copy(io.Discard, io.LimitReader(c, 256<<10))
		c.Close()
	}()
}

func (c *prefixConn) Read(b []byte) (int, error) {
	if len(c.pre) > 0 {
		n := copy(b, c.pre)
		c.pre = c.pre[n:]
		return n, nil
	}
	return c.Conn.Read(b)
}

// CloseWrite keeps TCP half-close available to the TLS layer.
func (c *prefixConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// h2Suites are the TLS 1.2 suites HTTP/2 may run over: ephemeral key
// exchange and an AEAD (RFC 9113 §9.2.2).
var h2Suites = map[uint16]bool{
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:       true,
	tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:         true,
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384:       true,
	tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384:         true,
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: true,
	tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256:   true,
}

func (s *Server) serveHTTP2(tc *tls.Conn, cs *tls.ConnectionState, rec *trace.Recorder) {
	if cs.Version < tls.VersionTLS13 && !h2Suites[cs.CipherSuite] {
		refuseInadequate(tc, cs)
		return
	}
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		tc.Close()
		return
	}
	s.h2conns[tc] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.h2conns, tc)
		s.signalLocked()
		s.mu.Unlock()
	}()
	headerTimeout := timeout(s.ReadHeaderTimeout, DefaultReadHeaderTimeout)
	hc := newH2Conn(tc, headerTimeout, func() {
		s.logf("https: %v left an HTTP/2 header block unfinished for %v (the header timeout); closing the connection", tc.RemoteAddr(), headerTimeout)
	})
	s.h2.ServeConn(hc, &http2.ServeConnOpts{
		Context:    withEvents(withLiveState(context.Background(), tc, cs), rec),
		Handler:    s.h2base.Handler,
		BaseConfig: s.h2base,
	})
}

// refuseInadequate ends an HTTP/2 connection whose TLS 1.2 suite HTTP/2
// forbids, with GOAWAY INADEQUATE_SECURITY (RFC 9113 §9.2.2).
func refuseInadequate(tc *tls.Conn, cs *tls.ConnectionState) {
	defer tc.Close()
	tc.SetDeadline(time.Now().Add(2 * time.Second))
	preface := make([]byte, len(http2.ClientPreface))
	if _, err := io.ReadFull(tc, preface); err != nil {
		return
	}
	fr := http2.NewFramer(tc, tc)
	fr.WriteSettings()
	msg := fmt.Sprintf("HTTP/2 is not allowed over %s (RFC 9113 §9.2.2 needs an ephemeral key exchange and an AEAD)", tls.CipherSuiteName(cs.CipherSuite))
	fr.WriteGoAway(0, http2.ErrCodeInadequateSecurity, []byte(msg))
	// Read what the client still sends so that closing does not reset
	// the connection before it saw the GOAWAY.
	tc.CloseWrite()
	io.Copy(io.Discard, tc)
}

// Shutdown stops the server gracefully: it closes the listeners, abandons
// handshakes in progress (and connections still waiting for their first
// byte), closes idle connections, tells HTTP/2 clients
// with GOAWAY that no new streams will be served, and waits for requests in
// flight to finish (on HTTP/2, until the client has closed its side or a
// bound passed, so that the end of a response is not lost to a TCP reset).
// When ctx ends first it closes what is left and returns ctx's error.
func (s *Server) Shutdown(ctx context.Context) error {
	s.init()
	s.beginClose()
	s.h2base.Shutdown(ctx) // GOAWAY to the HTTP/2 connections
	err := s.h1.Shutdown(ctx)
	<-s.h1Done
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		s.mu.Lock()
		left, changed := len(s.pending)+len(s.h2conns), s.changed
		s.mu.Unlock()
		if left == 0 {
			return err
		}
		select {
		case <-ctx.Done():
			s.closeConns()
			return ctx.Err()
		case <-changed:
		case <-tick.C:
			// A connection whose HTTP/2 serving began as the shutdown
			// began may have missed the first GOAWAY; sending it is
			// idempotent per connection.
			s.h2base.Shutdown(ctx)
		}
	}
}

// Close closes the listeners and every connection at once, as
// http.Server.Close does.
func (s *Server) Close() error {
	s.init()
	s.beginClose()
	err := s.h1.Close()
	s.closeConns()
	return err
}

func (s *Server) beginClose() {
	s.mu.Lock()
	s.closing = true
	for l := range s.listeners {
		l.Close()
	}
	// A passed deadline ends every connection not yet past its
	// handshake, whether in it or still waiting for its first byte,
	// rather than leaving Shutdown to wait out HandshakeTimeout.
	for c := range s.pending {
		c.SetDeadline(longAgo)
	}
	s.mu.Unlock()
	s.queue.Close()
}

// longAgo is a deadline that has passed, which fails a connection's
// pending and future reads and writes at once.
var longAgo = time.Unix(1, 0)

func (s *Server) closeConns() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.pending {
		c.Close()
	}
	for c := range s.h2conns {
		// Under the TLS layer: a response write stuck on a client that
		// stopped reading holds the TLS connection, and close_notify
		// would wait behind it.
		c.NetConn().Close()
	}
}

// connQueue is a net.Listener whose connections Server pushes to it: those
// that chose HTTP/1.1, already past their handshake.
type connQueue struct {
	ch   chan net.Conn
	done chan struct{}
	once sync.Once
}

func newConnQueue() *connQueue {
	return &connQueue{ch: make(chan net.Conn), done: make(chan struct{})}
}

func (q *connQueue) Accept() (net.Conn, error) {
	select {
	case c := <-q.ch:
		return c, nil
	case <-q.done:
		return nil, net.ErrClosed
	}
}

func (q *connQueue) push(c net.Conn) bool {
	select {
	case <-q.done:
		return false
	default:
	}
	select {
	case q.ch <- c:
		return true
	case <-q.done:
		return false
	}
}

func (q *connQueue) Close() error {
	q.once.Do(func() { close(q.done) })
	return nil
}

func (q *connQueue) Addr() net.Addr { return queueAddr{} }

type queueAddr struct{}

func (queueAddr) Network() string { return "tls" }
func (queueAddr) String() string  { return "lucid-https-http/1.1" }

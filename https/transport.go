package https

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	stdtls "crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/net/http2"

	"lucid/tls"
)

// Protocol says which HTTP version a Transport speaks over TLS.
type Protocol int

const (
	// ProtocolAuto offers "h2" and "http/1.1" and speaks what the server
	// chose; a server without ALPN gets HTTP/1.1.
	ProtocolAuto Protocol = iota
	// ProtocolHTTP1 offers only "http/1.1".
	ProtocolHTTP1
	// ProtocolHTTP2 offers only "h2" and fails when the server does not
	// agree to it.
	ProtocolHTTP2
)

// String names the protocol as the ALPN choice it makes.
func (p Protocol) String() string {
	switch p {
	case ProtocolHTTP1:
		return "HTTP/1.1"
	case ProtocolHTTP2:
		return "HTTP/2"
	}
	return "auto (ALPN)"
}

// Default client timeouts when a Transport field is zero.
const (
	DefaultTLSHandshakeTimeout = 10 * time.Second
	DefaultIdleConnTimeout     = 90 * time.Second
)

// spareTTL is how long a connection dialed to learn a host's protocol waits
// to be used by the request that dialed it.
const spareTTL = 10 * time.Second

// Transport is an http.RoundTripper that makes its TLS connections with
// Lucid and sends HTTP/1.1 or HTTP/2 over them. A plain http:// URL is sent
// over TCP with HTTP/1.1. Set its fields before first use and leave them
// alone afterwards. A Transport is safe for concurrent use and keeps
// connections open for reuse: share one.
type Transport struct {
	// TLSConfig is the client configuration for every connection: RootCAs,
	// Certificates or GetClientCertificate, versions, suites,
	// ClientSessionCache. Its ServerName, when empty, is the request's host;
	// its NextProtos is replaced according to Protocol.
	TLSConfig *tls.Config

	// Protocol chooses HTTP/1.1, HTTP/2 or ALPN's choice.
	Protocol Protocol

	// DialContext makes the TCP connection; nil means a net.Dialer with a
	// 30-second timeout. Override it to send a host name to another
	// address (curl's --resolve), keeping the name for SNI and for
	// checking the certificate.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)

	// TLSHandshakeTimeout bounds each handshake and IdleConnTimeout how
	// long an unused connection is kept; zero means the Default constant
	// of the same name, negative no limit.
	TLSHandshakeTimeout time.Duration
	IdleConnTimeout     time.Duration

	// ResponseHeaderTimeout, if positive, bounds the wait for a response's
	// headers after the request was written (HTTP/1.1 only, as in
	// net/http).
	ResponseHeaderTimeout time.Duration

	once sync.Once
	h1   *http.Transport
	h2   *http2.Transport

	mu     sync.Mutex
	protos map[string]string     // authority -> ALPN result learned
	spare  map[string]*spareConn // authority -> connection dialed to learn it
}

// spareConn is a connection dialed to learn a host's protocol, waiting for
// the transport of that protocol to ask for a connection.
type spareConn struct {
	conn  net.Conn
	proto string
	at    time.Time
}

// HandshakeError reports a TLS handshake that failed after the TCP
// connection was made, or that did not agree to the protocol required.
// Err is the TLS stack's own error: errors.As finds a
// *tls.CertificateVerificationError or a tls.AlertError through it.
type HandshakeError struct {
	// Addr is the address dialed, ServerName the name checked.
	Addr, ServerName string
	Err              error
}

func (e *HandshakeError) Error() string {
	return fmt.Sprintf("TLS handshake with %s failed: %v", e.Addr, e.Err)
}

// Unwrap returns the TLS error.
func (e *HandshakeError) Unwrap() error { return e.Err }

func (t *Transport) init() {
	t.once.Do(func() {
		idle := timeout(t.IdleConnTimeout, DefaultIdleConnTimeout)
		t.protos = make(map[string]string)
		t.spare = make(map[string]*spareConn)
		t.h1 = &http.Transport{
			// No proxy: the TLS connection must be Lucid's, end to end.
			Proxy:       nil,
			DialContext: t.dial,
			DialTLSContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				return t.dialFor(ctx, network, addr, ProtoHTTP1)
			},
			IdleConnTimeout:       idle,
			ResponseHeaderTimeout: t.ResponseHeaderTimeout,
		}
		t.h2 = &http2.Transport{
			DialTLSContext: func(ctx context.Context, network, addr string, _ *stdtls.Config) (net.Conn, error) {
				return t.dialFor(ctx, network, addr, ProtoHTTP2)
			},
			IdleConnTimeout: idle,
		}
	})
}

func (t *Transport) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	if t.DialContext != nil {
		return t.DialContext(ctx, network, addr)
	}
	d := net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	return d.DialContext(ctx, network, addr)
}

// authority normalises "host:port" so that the keys net/http, x/net/http2
// and this package compute for one URL agree.
func authority(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return strings.ToLower(addr)
	}
	return net.JoinHostPort(strings.ToLower(host), port)
}

func urlAuthority(req *http.Request) string {
	port := req.URL.Port()
	if port == "" {
		port = "443"
	}
	return authority(net.JoinHostPort(req.URL.Hostname(), port))
}

// DialTLS connects to addr and runs a handshake offering protos for ALPN.
// A handshake failure is a *HandshakeError; a failure to connect is the
// dialer's error (usually a *net.OpError). The connection returned wraps
// a *tls.Conn, whose ConnectionState method it has.
func (t *Transport) DialTLS(ctx context.Context, network, addr string, protos []string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	var cfg *tls.Config
	if t.TLSConfig != nil {
		cfg = t.TLSConfig.Clone()
	} else {
		cfg = &tls.Config{}
	}
	if cfg.ServerName == "" {
		cfg.ServerName = host
	}
	cfg.NextProtos = protos
	var asked atomic.Bool
	cfg.GetClientCertificate = clientCertificateHook(cfg, &asked)

	raw, err := t.dial(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	hctx := ctx
	if d := timeout(t.TLSHandshakeTimeout, DefaultTLSHandshakeTimeout); d > 0 {
		var cancel context.CancelFunc
		hctx, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}
	sc := &stashConn{Conn: raw}
	tc := tls.Client(sc, cfg)
	if t.mayDefer(ctx, cfg, protos) {
		// The request's first write runs the handshake and goes out as
		// 0-RTT early data with the ClientHello.
		cc := &clientConn{Conn: tc, raw: raw}
		cc.start = newDeferredStart(addr, cfg.ServerName, protos, timeout(t.TLSHandshakeTimeout, DefaultTLSHandshakeTimeout))
		return cc, nil
	}
	if err := tc.HandshakeContext(hctx); err != nil {
		raw.Close()
		return nil, &HandshakeError{Addr: addr, ServerName: cfg.ServerName, Err: err}
	}
	cc := &clientConn{Conn: tc, raw: raw}
	if asked.Load() && tc.ConnectionState().Version == tls.VersionTLS13 {
		// RFC 8446 §4.4.2.4: a TLS 1.3 server judges the client's
		// certificate after the client's handshake is over, and refuses
		// it with an alert and a close. Learn the verdict before sending
		// anything: a request sent into a closing connection makes the
		// server's kernel answer with a reset, which can destroy the
		// alert, and HTTP/2 would report only that the connection could
		// not be established.
		if err := cc.awaitVerdict(sc); err != nil {
			tc.Close()
			return nil, &HandshakeError{Addr: addr, ServerName: cfg.ServerName, Err: err}
		}
	}
	return cc, nil
}

// verdictWait bounds the wait for a TLS 1.3 server's verdict on a client
// certificate.
const verdictWait = 250 * time.Millisecond

// clientCertificateHook wraps the client-certificate choice so that asked
// records that the server requested one. Without GetClientCertificate it
// picks the first of cfg.Certificates the request accepts.
func clientCertificateHook(cfg *tls.Config, asked *atomic.Bool) func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
	user, certs := cfg.GetClientCertificate, cfg.Certificates
	return func(info *tls.CertificateRequestInfo) (*tls.Certificate, error) {
		asked.Store(true)
		if user != nil {
			return user(info)
		}
		for i := range certs {
			if certificateSuits(&certs[i], info) {
				return &certs[i], nil
			}
		}
		return &tls.Certificate{}, nil
	}
}

// certificateSuits reports whether the server's request accepts cert: one
// of the authorities it named issued a certificate of the chain (when it
// named any), and it verifies a scheme the key signs with.
func certificateSuits(cert *tls.Certificate, info *tls.CertificateRequestInfo) bool {
	if len(cert.Certificate) == 0 {
		return false
	}
	if len(info.AcceptableCAs) > 0 {
		issued := false
		for _, der := range cert.Certificate {
			c, err := x509.ParseCertificate(der)
			if err != nil {
				continue
			}
			for _, ca := range info.AcceptableCAs {
				issued = issued || bytes.Equal(c.RawIssuer, ca)
			}
		}
		if !issued {
			return false
		}
	}
	signer, ok := cert.PrivateKey.(crypto.Signer)
	if !ok {
		return false
	}
	var usable []tls.SignatureScheme
	switch k := signer.Public().(type) {
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			usable = []tls.SignatureScheme{tls.ECDSAWithP256AndSHA256}
		case elliptic.P384():
			usable = []tls.SignatureScheme{tls.ECDSAWithP384AndSHA384}
		case elliptic.P521():
			usable = []tls.SignatureScheme{tls.ECDSAWithP521AndSHA512}
		}
	case *rsa.PublicKey:
		usable = []tls.SignatureScheme{tls.PSSWithSHA256, tls.PSSWithSHA384, tls.PSSWithSHA512}
		if info.Version == tls.VersionTLS12 {
			usable = append(usable, tls.PKCS1WithSHA256, tls.PKCS1WithSHA384, tls.PKCS1WithSHA512)
		}
	case ed25519.PublicKey:
		usable = []tls.SignatureScheme{tls.Ed25519}
	}
	for _, s := range info.SignatureSchemes {
		if slices.Contains(usable, s) {
			return true
		}
	}
	return false
}

// stashConn is the TCP connection under a client's TLS connection. It can
// read ahead of the TLS layer and keep what it read for it, and tell when
// the TLS layer has used all of that and waits for more.
type stashConn struct {
	net.Conn
	mu      sync.Mutex
	stash   []byte
	err     error         // returned once the stash is drained
	drained chan struct{} // if set, closed when a Read finds the stash empty
}

func (c *stashConn) Read(b []byte) (int, error) {
	c.mu.Lock()
	if len(c.stash) > 0 {
		n := copy(b, c.stash)
		c.stash = c.stash[n:]
		c.mu.Unlock()
		return n, nil
	}
	if err := c.err; err != nil {
		c.err = nil
		c.mu.Unlock()
		return 0, err
	}
	if c.drained != nil {
		close(c.drained)
		c.drained = nil
	}
	c.mu.Unlock()
	return c.Conn.Read(b)
}

// awaitFirstBytes reads what the peer sends within d into the stash and
// reports whether anything (bytes or an error) came. Only call it while
// nothing else reads the connection.
func (c *stashConn) awaitFirstBytes(d time.Duration) bool {
	buf := make([]byte, 4096)
	c.Conn.SetReadDeadline(time.Now().Add(d))
	n, err := c.Conn.Read(buf)
	c.Conn.SetReadDeadline(time.Time{})
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stash = append(c.stash, buf[:n]...)
	if ne, ok := err.(net.Error); err != nil && !(ok && ne.Timeout()) {
		c.err = err
	}
	return n > 0 || c.err != nil
}

// CloseWrite keeps TCP half-close available to the TLS layer.
func (c *stashConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// clientConn is a client's TLS connection as the HTTP transports see it.
// It may hold the result of a read made before the transports got it
// (awaitVerdict), and when a write fails because the server hung up, it
// reports the alert the server sent before hanging up, if any, rather
// than "broken pipe".
type clientConn struct {
	*tls.Conn
	raw net.Conn

	// start is set when the handshake waits for the first write (0-RTT).
	start *deferredStart

	rmu     sync.Mutex
	early   chan earlyRead // a read in flight since awaitVerdict, if any
	pending []byte
	perr    error
}

type earlyRead struct {
	data []byte
	err  error
}

// awaitVerdict waits for the server's first records after a TLS 1.3
// handshake with a client certificate request, and returns the alert (or
// other error) if the server refused the connection.
func (c *clientConn) awaitVerdict(sc *stashConn) error {
	if !sc.awaitFirstBytes(verdictWait) {
		return nil // nothing within the wait: no refusal either
	}
	drained := make(chan struct{})
	sc.mu.Lock()
	sc.drained = drained
	sc.mu.Unlock()
	c.early = make(chan earlyRead, 1)
	go func() {
		buf := make([]byte, 16<<10)
		n, err := c.Conn.Read(buf)
		c.early <- earlyRead{buf[:n], err}
	}()
	select {
	case r := <-c.early:
		c.early = nil
		if len(r.data) == 0 && r.err != nil {
			return r.err
		}
		c.pending, c.perr = r.data, r.err
	case <-drained:
		// The TLS layer processed what came (a session ticket) and waits
		// for more: the server kept the connection.
	case <-time.After(verdictWait):
	}
	return nil
}

func (c *clientConn) Read(b []byte) (int, error) {
	if c.start != nil {
		// A read would run the handshake without the request in it.
		<-c.start.done
	}
	c.rmu.Lock()
	defer c.rmu.Unlock()
	if c.early != nil {
		r := <-c.early
		c.early = nil
		c.pending, c.perr = r.data, r.err
	}
	if len(c.pending) > 0 {
		n := copy(b, c.pending)
		c.pending = c.pending[n:]
		return n, nil
	}
	if err := c.perr; err != nil {
		c.perr = nil
		return 0, err
	}
	return c.Conn.Read(b)
}

func (c *clientConn) Write(b []byte) (int, error) {
	if c.start != nil {
		if n, err, handled := c.firstWrite(b); handled {
			return n, err
		}
	}
	n, err := c.Conn.Write(b)
	if err == nil {
		return n, nil
	}
	var te *tls.Error
	if errors.As(err, &te) {
		return n, err
	}
	// The connection is dead either way; a bounded read finds out why.
	c.raw.SetReadDeadline(time.Now().Add(verdictWait))
	if _, rerr := c.Conn.Read(make([]byte, 1)); errors.As(rerr, &te) && te.Remote {
		return n, rerr
	}
	return n, err
}

// dialFor returns a connection for the transport of proto: a spare one
// dialed by RoundTrip to learn the protocol, or a new one offering only
// proto.
func (t *Transport) dialFor(ctx context.Context, network, addr, proto string) (net.Conn, error) {
	key := authority(addr)
	t.mu.Lock()
	sc := t.spare[key]
	if sc != nil && sc.proto == proto {
		delete(t.spare, key)
	}
	t.mu.Unlock()
	if sc != nil && sc.proto == proto {
		if time.Since(sc.at) < spareTTL {
			return sc.conn, nil
		}
		sc.conn.Close()
	}
	c, err := t.DialTLS(ctx, network, addr, []string{proto})
	if err != nil {
		return nil, err
	}
	if c.(*clientConn).start != nil {
		return c, nil // the first write checks the protocol
	}
	cs := c.(*clientConn).ConnectionState()
	if proto == ProtoHTTP2 && cs.NegotiatedProtocol != ProtoHTTP2 {
		c.Close()
		return nil, &HandshakeError{Addr: addr, ServerName: cs.ServerName,
			Err: fmt.Errorf("the server did not agree to HTTP/2 with ALPN (it chose %q); it may speak only HTTP/1.1", cs.NegotiatedProtocol)}
	}
	return c, nil
}

// RoundTrip sends req over HTTP/1.1 or HTTP/2 as Protocol and, in
// automatic mode, the server's ALPN choice say. With
// TLSConfig.SendEarlyData and a ClientSessionCache, a request on a new
// connection that resumes a session allowing it goes out in 0-RTT early
// data; answered "425 Too Early", it is sent once more after the
// handshake, when its body can be produced again (GetBody).
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.init()
	if req.URL == nil {
		closeBody(req)
		return nil, errors.New("https: request has no URL")
	}
	return t.roundTripEarly(req)
}

// roundTrip is one attempt at RoundTrip.
func (t *Transport) roundTrip(req *http.Request) (*http.Response, error) {
	if req.URL == nil {
		closeBody(req)
		return nil, errors.New("https: request has no URL")
	}
	switch req.URL.Scheme {
	case "http":
		return t.h1.RoundTrip(req)
	case "https":
	default:
		closeBody(req)
		return nil, fmt.Errorf("https: unsupported URL scheme %q", req.URL.Scheme)
	}
	switch t.Protocol {
	case ProtocolHTTP1:
		return t.h1.RoundTrip(req)
	case ProtocolHTTP2:
		return t.h2.RoundTrip(req)
	}
	key := urlAuthority(req)
	t.mu.Lock()
	proto, known := t.protos[key]
	t.mu.Unlock()
	if !known {
		proto, known = t.sessionProtocol(req)
	}
	if !known {
		// Learn what the server speaks with a connection that offers both;
		// the transport for its answer then takes that connection.
		c, err := t.DialTLS(withoutEarly(req.Context(), false), "tcp", key, []string{ProtoHTTP2, ProtoHTTP1})
		if err != nil {
			closeBody(req)
			return nil, err
		}
		proto = ProtoHTTP1
		if c.(*clientConn).ConnectionState().NegotiatedProtocol == ProtoHTTP2 {
			proto = ProtoHTTP2
		}
		sc := &spareConn{conn: c, proto: proto, at: time.Now()}
		t.mu.Lock()
		t.protos[key] = proto
		if old := t.spare[key]; old != nil {
			old.conn.Close()
		}
		t.spare[key] = sc
		t.mu.Unlock()
		// A connection nobody took (the request failed or went elsewhere)
		// is not left open.
		time.AfterFunc(spareTTL, func() {
			t.mu.Lock()
			if t.spare[key] == sc {
				delete(t.spare, key)
				sc.conn.Close()
			}
			t.mu.Unlock()
		})
	}
	if proto == ProtoHTTP2 {
		return t.h2.RoundTrip(req)
	}
	return t.h1.RoundTrip(req)
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// CloseIdleConnections closes connections not carrying a request.
func (t *Transport) CloseIdleConnections() {
	t.init()
	t.h1.CloseIdleConnections()
	t.h2.CloseIdleConnections()
	t.mu.Lock()
	for k, sc := range t.spare {
		sc.conn.Close()
		delete(t.spare, k)
	}
	t.mu.Unlock()
}

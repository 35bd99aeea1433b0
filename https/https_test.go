package https_test

import (
	"bufio"
	"context"
	stdtls "crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/http2"

	"lucid/https"
	"lucid/internal/testpki"
	"lucid/internal/testwait"
	"lucid/tls"
)

// fixture is a CA, a server certificate for the loopback names and a
// client certificate.
type fixture struct {
	ca     *testpki.CA
	server tls.Certificate
	client tls.Certificate
	leaf   *testpki.Leaf
}

var (
	fixOnce sync.Once
	fix     *fixture
	fixErr  error
)

func getFixture(t *testing.T) *fixture {
	t.Helper()
	fixOnce.Do(func() {
		ca, err := testpki.NewCA("https test root", testpki.ECDSAP256)
		if err != nil {
			fixErr = err
			return
		}
		srv, err := ca.Issue(testpki.LeafOptions{Names: []string{"localhost", "127.0.0.1", "::1"}})
		if err != nil {
			fixErr = err
			return
		}
		cli, err := ca.Issue(testpki.LeafOptions{Names: []string{"alice"}, Client: true})
		if err != nil {
			fixErr = err
			return
		}
		f := &fixture{ca: ca, leaf: srv}
		if f.server, err = tls.X509KeyPair(srv.CertPEM, srv.KeyPEM); err != nil {
			fixErr = err
			return
		}
		if f.client, err = tls.X509KeyPair(cli.CertPEM, cli.KeyPEM); err != nil {
			fixErr = err
			return
		}
		fix = f
	})
	if fixErr != nil {
		t.Fatal(fixErr)
	}
	return fix
}

var quietLog = log.New(io.Discard, "", 0)

// start serves srv on a loopback port and returns the port's address.
func start(t *testing.T, srv *https.Server) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return startOn(t, srv, l)
}

// startOn is start on a listener of the caller's.
func startOn(t *testing.T, srv *https.Server, l net.Listener) string {
	t.Helper()
	if srv.ErrorLog == nil {
		srv.ErrorLog = quietLog
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	t.Cleanup(func() {
		srv.Close()
		select {
		case err := <-done:
			if !errors.Is(err, http.ErrServerClosed) {
				t.Errorf("Serve returned %v, want http.ErrServerClosed", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("Serve did not return after Close")
		}
	})
	return l.Addr().String()
}

// describe answers with what the handler sees of the connection.
var describe = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	cs, ok := https.ConnectionState(r)
	if !ok {
		http.Error(w, "no connection state", 500)
		return
	}
	peer := "-"
	if len(cs.PeerCertificates) > 0 {
		peer = cs.PeerCertificates[0].Subject.CommonName
	}
	fmt.Fprintf(w, "%s %s %s alpn=%s sni=%s peer=%s stdtls=%v", r.Proto, tls.VersionName(cs.Version),
		tls.CipherSuiteName(cs.CipherSuite), cs.NegotiatedProtocol, cs.ServerName, peer,
		r.TLS != nil && r.TLS.Version == cs.Version && r.TLS.NegotiatedProtocol == cs.NegotiatedProtocol)
})

func get(t *testing.T, rt http.RoundTripper, url string) (*http.Response, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the body of %s: %v", url, err)
	}
	return resp, string(b)
}

func TestProtocolsAndVersions(t *testing.T) {
	f := getFixture(t)
	addr := start(t, &https.Server{Handler: describe, TLSConfig: &tls.Config{Certificates: []tls.Certificate{f.server}}})
	_, port, _ := net.SplitHostPort(addr)
	url := "https://localhost:" + port + "/"
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		for _, p := range []https.Protocol{https.ProtocolAuto, https.ProtocolHTTP1, https.ProtocolHTTP2} {
			t.Run(fmt.Sprintf("%s/%v", tls.VersionName(v), p), func(t *testing.T) {
				tr := &https.Transport{
					TLSConfig: &tls.Config{RootCAs: f.ca.Pool, MinVersion: v, MaxVersion: v},
					Protocol:  p,
				}
				defer tr.CloseIdleConnections()
				wantProto, wantALPN := "HTTP/2.0", "h2"
				if p == https.ProtocolHTTP1 {
					wantProto, wantALPN = "HTTP/1.1", "http/1.1"
				}
				for i := 0; i < 2; i++ { // the second request reuses the connection
					resp, body := get(t, tr, url)
					if resp.StatusCode != 200 || resp.Proto != wantProto {
						t.Fatalf("got %s %d, want %s 200 (%s)", resp.Proto, resp.StatusCode, wantProto, body)
					}
					want := fmt.Sprintf("%s %s ", wantProto, tls.VersionName(v))
					if !strings.HasPrefix(body, want) || !strings.Contains(body, "alpn="+wantALPN+" ") ||
						!strings.Contains(body, "sni=localhost ") || !strings.HasSuffix(body, "stdtls=true") {
						t.Fatalf("handler saw %q; want %q..., alpn=%s, sni=localhost, r.TLS filled", body, want, wantALPN)
					}
				}
			})
		}
	}
}

func TestClientCertificate(t *testing.T) {
	f := getFixture(t)
	addr := start(t, &https.Server{Handler: describe, TLSConfig: &tls.Config{
		Certificates: []tls.Certificate{f.server},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    f.ca.Pool,
	}})
	for _, p := range []https.Protocol{https.ProtocolHTTP1, https.ProtocolHTTP2} {
		tr := &https.Transport{Protocol: p, TLSConfig: &tls.Config{RootCAs: f.ca.Pool, Certificates: []tls.Certificate{f.client}}}
		_, body := get(t, tr, "https://"+addr+"/")
		if !strings.Contains(body, "peer=alice") {
			t.Errorf("%v: handler saw %q, want peer=alice", p, body)
		}
		tr.CloseIdleConnections()
	}

	// Without a certificate the server refuses with an alert. In TLS 1.3
	// the client has finished its handshake by then; Transport waits for
	// the server's verdict, so the refusal is a HandshakeError in both.
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		for _, p := range []https.Protocol{https.ProtocolAuto, https.ProtocolHTTP1, https.ProtocolHTTP2} {
			tr := &https.Transport{Protocol: p, TLSConfig: &tls.Config{RootCAs: f.ca.Pool, MaxVersion: v}}
			req, _ := http.NewRequest("GET", "https://"+addr+"/", nil)
			_, err := tr.RoundTrip(req)
			var te *tls.Error
			var he *https.HandshakeError
			if !errors.As(err, &te) || !te.Remote || !errors.As(err, &he) {
				t.Fatalf("%s %v without a client certificate: %v; want a HandshakeError with the server's alert", tls.VersionName(v), p, err)
			}
		}
	}
}

func TestTransportErrors(t *testing.T) {
	f := getFixture(t)
	addr := start(t, &https.Server{Handler: describe, TLSConfig: &tls.Config{Certificates: []tls.Certificate{f.server}}})

	other, err := testpki.NewCA("some other root", testpki.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	tr := &https.Transport{TLSConfig: &tls.Config{RootCAs: other.Pool}}
	req, _ := http.NewRequest("GET", "https://"+addr+"/", nil)
	_, err = tr.RoundTrip(req)
	var cve *tls.CertificateVerificationError
	var he *https.HandshakeError
	if !errors.As(err, &cve) || !errors.As(err, &he) {
		t.Fatalf("wrong CA: %v; want a HandshakeError wrapping a CertificateVerificationError", err)
	}

	// A closed port is a connection error, not a handshake error.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := l.Addr().String()
	l.Close()
	req, _ = http.NewRequest("GET", "https://"+closed+"/", nil)
	_, err = (&https.Transport{}).RoundTrip(req)
	var oe *net.OpError
	if !errors.As(err, &oe) || errors.As(err, &he) {
		t.Fatalf("closed port: %v; want a *net.OpError", err)
	}
}

func TestForcedHTTP2AgainstHTTP1OnlyServer(t *testing.T) {
	f := getFixture(t)
	addr := start(t, &https.Server{Handler: describe, DisableHTTP2: true,
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{f.server}}})
	tr := &https.Transport{Protocol: https.ProtocolHTTP2, TLSConfig: &tls.Config{RootCAs: f.ca.Pool}}
	req, _ := http.NewRequest("GET", "https://"+addr+"/", nil)
	_, err := tr.RoundTrip(req)
	var he *https.HandshakeError
	if !errors.As(err, &he) || !errors.Is(err, tls.AlertNoApplicationProtocol) {
		t.Fatalf("forced HTTP/2 against an HTTP/1.1-only server: %v; want no_application_protocol", err)
	}
	// Automatic mode falls back to HTTP/1.1.
	resp, _ := get(t, &https.Transport{TLSConfig: &tls.Config{RootCAs: f.ca.Pool}}, "https://"+addr+"/")
	if resp.Proto != "HTTP/1.1" {
		t.Fatalf("auto against an HTTP/1.1-only server spoke %s", resp.Proto)
	}
}

// HTTP/2 over a TLS 1.2 suite RFC 9113 §9.2.2 forbids is refused with
// GOAWAY INADEQUATE_SECURITY.
func TestHTTP2InadequateSecurity(t *testing.T) {
	f := getFixture(t)
	addr := start(t, &https.Server{Handler: describe, TLSConfig: &tls.Config{
		Certificates: []tls.Certificate{f.server},
		CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA},
	}})
	cfg := &tls.Config{RootCAs: f.ca.Pool, ServerName: "localhost", MaxVersion: tls.VersionTLS12,
		CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA}}
	// Frame by frame: which error net/http's HTTP/2 client reports
	// depends on whether its first request was queued before it read the
	// GOAWAY, so the server's answer is read off the wire instead.
	c := dialH2(t, addr, cfg)
	for {
		fr, err := c.fr.ReadFrame()
		if err != nil {
			t.Fatalf("reading the server's frames: %v; want GOAWAY INADEQUATE_SECURITY", err)
		}
		if _, ok := fr.(*http2.HeadersFrame); ok {
			t.Fatal("HTTP/2 over a CBC suite was served")
		}
		if ga, ok := fr.(*http2.GoAwayFrame); ok {
			if ga.ErrCode != http2.ErrCodeInadequateSecurity {
				t.Fatalf("GOAWAY %v; want INADEQUATE_SECURITY", ga.ErrCode)
			}
			break
		}
	}
	// HTTP/1.1 over the same suite is served.
	resp2, body := get(t, &https.Transport{Protocol: https.ProtocolHTTP1, TLSConfig: cfg}, "https://"+addr+"/")
	if resp2.StatusCode != 200 || !strings.Contains(body, "CBC") {
		t.Fatalf("HTTP/1.1 over CBC: %d %q", resp2.StatusCode, body)
	}
}

// A client that says nothing is hung up on once the handshake timeout
// passes, and the failure is reported.
func TestHandshakeTimeout(t *testing.T) {
	f := getFixture(t)
	hsErr := make(chan error, 1)
	addr := start(t, &https.Server{
		Handler:          describe,
		TLSConfig:        &tls.Config{Certificates: []tls.Certificate{f.server}},
		HandshakeTimeout: 200 * time.Millisecond,
		HandshakeError: func(_ net.Addr, err error) {
			select {
			case hsErr <- err:
			default:
			}
		},
	})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// The client's own deadline is the test's: only the server hanging up
	// ends this read early, with something other than a timeout.
	c.SetDeadline(testwait.Deadline(t))
	begin := time.Now()
	_, err = c.Read(make([]byte, 1)) // the client says nothing
	var ne net.Error
	if err == nil || errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("silent client: read returned %v after %v; want the server to hang up after 200ms", err, time.Since(begin))
	}
	if err := testwait.Recv(t, hsErr, "the HandshakeError callback"); err == nil {
		t.Error("HandshakeError was called with a nil error")
	}
}

// closeWatch is a client connection that reports when it ends: when a
// read fails, or when the transport closes it, which it does on reading
// the server's close_notify.
type closeWatch struct {
	net.Conn
	once   sync.Once
	closed chan time.Time
}

func (c *closeWatch) ended() { c.once.Do(func() { c.closed <- time.Now() }) }

func (c *closeWatch) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if err != nil {
		c.ended()
	}
	return n, err
}

func (c *closeWatch) Close() error {
	c.ended()
	return c.Conn.Close()
}

// A connection is reused while it is busy enough, and the server closes
// it once it has been idle for IdleTimeout.
func TestIdleTimeout(t *testing.T) {
	const idle = 2 * time.Second
	f := getFixture(t)
	addr := start(t, &https.Server{Handler: describe, IdleTimeout: idle,
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{f.server}}})
	for _, p := range []https.Protocol{https.ProtocolHTTP1, https.ProtocolHTTP2} {
		conns := make(chan *closeWatch, 3)
		tr := &https.Transport{Protocol: p, TLSConfig: &tls.Config{RootCAs: f.ca.Pool},
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
				if err != nil {
					return nil, err
				}
				w := &closeWatch{Conn: c, closed: make(chan time.Time, 1)}
				conns <- w
				return w, nil
			}}
		var reused []bool
		var lastDone time.Time
		for i := 0; i < 3; i++ {
			if i == 2 {
				// Wait for the server to close the idle connection,
				// which it must not do before IdleTimeout.
				first := testwait.Recv(t, conns, "the first connection")
				at := testwait.Recv(t, first.closed, "the server to close the idle connection")
				if idleFor := at.Sub(lastDone); idleFor < idle {
					t.Errorf("%v: the server closed the connection after %v idle, before its IdleTimeout of %v", p, idleFor, idle)
				}
			}
			ctx := https.TraceConnection(context.Background(), func(ci https.ConnInfo) {
				reused = append(reused, ci.Reused)
			})
			req, _ := http.NewRequestWithContext(ctx, "GET", "https://"+addr+"/", nil)
			resp, err := tr.RoundTrip(req)
			if err != nil {
				t.Fatalf("%v request %d: %v", p, i, err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			lastDone = time.Now()
		}
		if len(reused) != 3 || reused[0] || !reused[1] || reused[2] {
			t.Errorf("%v: connection reuse %v; want [false true false]: reused at once, closed by the server when idle", p, reused)
		}
		tr.CloseIdleConnections()
	}
}

// Shutdown lets a request in flight finish, on HTTP/1.1 and HTTP/2, and
// refuses new connections meanwhile.
func TestShutdownDrains(t *testing.T) {
	f := getFixture(t)
	for _, p := range []https.Protocol{https.ProtocolHTTP1, https.ProtocolHTTP2} {
		t.Run(p.String(), func(t *testing.T) {
			entered := make(chan struct{})
			release := make(chan struct{})
			srv := &https.Server{
				TLSConfig: &tls.Config{Certificates: []tls.Certificate{f.server}},
				Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					close(entered)
					<-release
					io.WriteString(w, "finished")
				}),
			}
			addr := start(t, srv)
			tr := &https.Transport{Protocol: p, TLSConfig: &tls.Config{RootCAs: f.ca.Pool}}
			defer tr.CloseIdleConnections()
			type result struct {
				body string
				err  error
			}
			got := make(chan result, 1)
			go func() {
				req, _ := http.NewRequest("GET", "https://"+addr+"/", nil)
				resp, err := tr.RoundTrip(req)
				if err != nil {
					got <- result{err: err}
					return
				}
				b, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				got <- result{string(b), err}
			}()
			<-entered
			shut := make(chan error, 1)
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				shut <- srv.Shutdown(ctx)
			}()
			// Shutdown closes the listener first: wait until dials
			// are refused, then check it is still waiting for the
			// request in flight.
			refused := testwait.Until(testwait.Context(t), func() bool {
				c, err := net.DialTimeout("tcp", addr, time.Second)
				if err != nil {
					return true
				}
				c.Close()
				return false
			})
			if !refused {
				t.Fatal("new connections were still accepted during Shutdown")
			}
			select {
			case err := <-shut:
				t.Fatalf("Shutdown returned %v with a request in flight", err)
			default:
			}
			close(release)
			r := <-got
			if r.err != nil || r.body != "finished" {
				t.Fatalf("request in flight: %q, %v", r.body, r.err)
			}
			if err := testwait.Recv(t, shut, "Shutdown to return after the request finished"); err != nil {
				t.Fatalf("Shutdown: %v", err)
			}
		})
	}
}

// A client that connects and sends nothing does not hold Shutdown for
// HandshakeTimeout: the wait for its first byte ends with the shutdown,
// as a handshake in progress does. Both ways the server reads a first
// byte: peeking at its own socket, and reading a wrapped connection.
func TestShutdownSilentClient(t *testing.T) {
	f := getFixture(t)
	for _, wrap := range []bool{false, true} {
		name := map[bool]string{false: "socket", true: "wrapped"}[wrap]
		t.Run(name, func(t *testing.T) {
			srv := &https.Server{
				TLSConfig:        &tls.Config{Certificates: []tls.Certificate{f.server}},
				Handler:          describe,
				HandshakeTimeout: time.Hour,
			}
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			seen := make(chan struct{})
			addr := startOn(t, srv, &firstReadListener{Listener: l, wrap: wrap, seen: seen})
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			// Accepted (socket) or read from (wrapped): either way the
			// server holds the connection, before or in its wait for
			// the first byte.
			testwait.Recv(t, seen, "the server to take the silent client's connection")

			if err := srv.Shutdown(testwait.Context(t)); err != nil {
				t.Fatalf("Shutdown with a silent client connected: %v (it waited for HandshakeTimeout)", err)
			}
			c.SetReadDeadline(testwait.Deadline(t))
			if n, err := c.Read(make([]byte, 1)); err == nil {
				t.Fatalf("the silent client's connection is still open after Shutdown (read %d bytes)", n)
			} else if errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatal("the silent client's connection was not closed by Shutdown")
			}
		})
	}
}

// firstReadListener tells, through seen, when the server has a
// connection: as Accept returns it when it hands out the socket itself
// (which the server peeks at), or at the first Read of the wrapper it
// hands out otherwise (which the server reads from).
type firstReadListener struct {
	net.Listener
	wrap bool
	seen chan struct{}
	once sync.Once
}

func (l *firstReadListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if !l.wrap {
		l.once.Do(func() { close(l.seen) })
		return c, nil
	}
	return &firstReadConn{Conn: c, l: l}, nil
}

type firstReadConn struct {
	net.Conn
	l *firstReadListener
}

func (c *firstReadConn) Read(b []byte) (int, error) {
	c.l.once.Do(func() { close(c.l.seen) })
	return c.Conn.Read(b)
}

// Transport talks to a crypto/tls server (net/http's own HTTP/2 included).
func TestTransportAgainstCryptoTLSServer(t *testing.T) {
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s %x", r.Proto, r.TLS.Version)
	}))
	ts.EnableHTTP2 = true
	ts.StartTLS()
	defer ts.Close()
	pool := ts.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	for _, tc := range []struct {
		p    https.Protocol
		v    uint16
		want string
	}{
		{https.ProtocolAuto, tls.VersionTLS13, "HTTP/2.0 304"},
		{https.ProtocolHTTP1, tls.VersionTLS13, "HTTP/1.1 304"},
		{https.ProtocolHTTP2, tls.VersionTLS12, "HTTP/2.0 303"},
		{https.ProtocolAuto, tls.VersionTLS12, "HTTP/2.0 303"},
	} {
		tr := &https.Transport{Protocol: tc.p, TLSConfig: &tls.Config{RootCAs: pool, MaxVersion: tc.v}}
		_, body := get(t, tr, ts.URL)
		if body != tc.want {
			t.Errorf("%v max %s: got %q, want %q", tc.p, tls.VersionName(tc.v), body, tc.want)
		}
		tr.CloseIdleConnections()
	}
	_ = stdtls.VersionTLS13
}

// A Lucid server answers net/http's own crypto/tls client over both
// protocols.
func TestServerAgainstCryptoTLSClient(t *testing.T) {
	f := getFixture(t)
	addr := start(t, &https.Server{Handler: describe, TLSConfig: &tls.Config{Certificates: []tls.Certificate{f.server}}})
	for _, h2 := range []bool{false, true} {
		tr := &http.Transport{TLSClientConfig: &stdtls.Config{RootCAs: f.ca.Pool}, ForceAttemptHTTP2: h2}
		if !h2 {
			tr.TLSNextProto = map[string]func(string, *stdtls.Conn) http.RoundTripper{}
		}
		_, body := get(t, tr, "https://"+addr+"/")
		want := "HTTP/1.1"
		if h2 {
			want = "HTTP/2.0"
		}
		if !strings.HasPrefix(body, want+" TLS 1.3") {
			t.Errorf("crypto/tls client (h2 %v): %q", h2, body)
		}
		tr.CloseIdleConnections()
	}
}

// A client that sends its request headers too slowly is cut off after
// ReadHeaderTimeout; the deadline does not break the TLS connection of a
// client that keeps up.
func TestReadHeaderTimeout(t *testing.T) {
	f := getFixture(t)
	addr := start(t, &https.Server{Handler: describe, ReadHeaderTimeout: 200 * time.Millisecond,
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{f.server}, NextProtos: []string{"http/1.1"}}})
	c, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: f.ca.Pool, ServerName: "localhost", NextProtos: []string{"http/1.1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	// A whole request is answered, and the connection stays open.
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	// Half a request, then silence: the server hangs up.
	begin := time.Now()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: local")
	if _, err := br.ReadByte(); err == nil || time.Since(begin) > 3*time.Second {
		t.Fatalf("slow headers: read returned %v after %v; want the server to hang up after 200ms", err, time.Since(begin))
	}
}

// wrappedListener yields its connections inside a type of its own, as a
// proxy-protocol or metrics listener would, so the server cannot see the
// socket under them.
type wrappedListener struct{ net.Listener }

type wrappedConn struct{ net.Conn }

func (l wrappedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return wrappedConn{c}, nil
}

// The server looks at a connection's first byte by peeking at the socket
// where it can, handing the socket itself to the TLS layer, and by reading
// it through a prefixConn where it cannot. Both ways serve HTTPS, answer a
// plain HTTP request with a 400 that points to https://, and leave a
// refused client able to read the server's alert rather than a reset.
func TestFirstByteBothWays(t *testing.T) {
	f := getFixture(t)
	for _, wrap := range []bool{false, true} {
		name := "socket"
		if wrap {
			name = "wrapped"
		}
		t.Run(name, func(t *testing.T) {
			listen := func(t *testing.T) net.Listener {
				l, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				if wrap {
					return wrappedListener{l}
				}
				return l
			}
			addr := startOn(t, &https.Server{Handler: describe, TLSConfig: &tls.Config{Certificates: []tls.Certificate{f.server}}}, listen(t))
			tr := &https.Transport{Protocol: https.ProtocolHTTP1, TLSConfig: &tls.Config{RootCAs: f.ca.Pool}}
			defer tr.CloseIdleConnections()
			for i := 0; i < 2; i++ { // the second request waits on the kept-alive connection
				if resp, body := get(t, tr, "https://"+addr+"/"); resp.StatusCode != 200 || !strings.HasPrefix(body, "HTTP/1.1 ") {
					t.Fatalf("request %d: %d %q", i, resp.StatusCode, body)
				}
			}

			c, err := net.DialTimeout("tcp", addr, 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(5 * time.Second))
			io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Fatalf("plain HTTP: %v", err)
			}
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 400 || !strings.Contains(string(b), "https://") {
				t.Fatalf("plain HTTP got %d %q, want 400 pointing at https://", resp.StatusCode, b)
			}

			refusing := startOn(t, &https.Server{Handler: describe, TLSConfig: &tls.Config{
				Certificates: []tls.Certificate{f.server}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: f.ca.Pool,
			}}, listen(t))
			for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
				tr := &https.Transport{Protocol: https.ProtocolHTTP1, TLSConfig: &tls.Config{RootCAs: f.ca.Pool, MaxVersion: v}}
				req, _ := http.NewRequest("GET", "https://"+refusing+"/", nil)
				_, err := tr.RoundTrip(req)
				var te *tls.Error
				if !errors.As(err, &te) || !te.Remote {
					t.Fatalf("%s without a client certificate: %v; want the server's alert", tls.VersionName(v), err)
				}
			}
		})
	}
}

package https_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"lucid/https"
	"lucid/tls"
)

// closeSignal is a listener whose connections report when the server
// starts closing them: after their Close or CloseWrite returned.
type closeSignal struct {
	net.Listener
	sndbuf int
	mu     sync.Mutex
	conns  []*signalConn
	ready  chan *signalConn // each accepted connection
}

func (l *closeSignal) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if tc, ok := c.(*net.TCPConn); ok && l.sndbuf > 0 {
		tc.SetWriteBuffer(l.sndbuf)
	}
	sc := &signalConn{Conn: c, closing: make(chan struct{})}
	l.mu.Lock()
	l.conns = append(l.conns, sc)
	l.mu.Unlock()
	select {
	case l.ready <- sc:
	default:
	}
	return sc, nil
}

type signalConn struct {
	net.Conn
	once    sync.Once
	closing chan struct{}
}

func (c *signalConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { close(c.closing) })
	return err
}

func (c *signalConn) CloseWrite() error {
	err := c.Conn.(*net.TCPConn).CloseWrite()
	c.once.Do(func() { close(c.closing) })
	return err
}

// h2Client speaks HTTP/2 frame by frame, to control exactly when it
// reads and what it sends.
type h2Client struct {
	t  *testing.T
	tc *tls.Conn
	fr *http2.Framer
}

// dialH2 connects with a small socket receive buffer, so that what the
// client does not read waits in the server's send buffer, and opens
// HTTP/2 with flow-control windows large enough never to stall.
func dialH2(t *testing.T, addr string, roots *tls.Config) *h2Client {
	t.Helper()
	raw, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	raw.(*net.TCPConn).SetReadBuffer(32 << 10)
	cfg := roots.Clone()
	cfg.NextProtos = []string{"h2"}
	tc := tls.Client(raw, cfg)
	tc.SetDeadline(time.Now().Add(60 * time.Second)) // the test's upper bound
	t.Cleanup(func() { tc.NetConn().Close() })
	if err := tc.Handshake(); err != nil {
		t.Fatal(err)
	}
	if p := tc.ConnectionState().NegotiatedProtocol; p != "h2" {
		t.Fatalf("ALPN chose %q, want h2", p)
	}
	c := &h2Client{t: t, tc: tc, fr: http2.NewFramer(tc, tc)}
	if _, err := io.WriteString(tc, http2.ClientPreface); err != nil {
		t.Fatal(err)
	}
	if err := c.fr.WriteSettings(http2.Setting{ID: http2.SettingInitialWindowSize, Val: 1 << 30}); err != nil {
		t.Fatal(err)
	}
	if err := c.fr.WriteWindowUpdate(0, 1<<30); err != nil {
		t.Fatal(err)
	}
	return c
}

// headerBlock is the HPACK encoding of a GET for path.
func headerBlock(path string) []byte {
	var buf bytes.Buffer
	enc := hpack.NewEncoder(&buf)
	for _, f := range []hpack.HeaderField{
		{Name: ":method", Value: "GET"}, {Name: ":scheme", Value: "https"},
		{Name: ":authority", Value: "localhost"}, {Name: ":path", Value: path},
	} {
		enc.WriteField(f)
	}
	return buf.Bytes()
}

func (c *h2Client) get(stream uint32, path string) {
	c.t.Helper()
	if err := c.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: stream, BlockFragment: headerBlock(path),
		EndStream: true, EndHeaders: true}); err != nil {
		c.t.Fatal(err)
	}
}

// readUntil reads frames, acknowledging the server's SETTINGS and adding
// DATA on stream to body, until stop says so or reading fails.
func (c *h2Client) readUntil(stream uint32, body *bytes.Buffer, stop func(http2.Frame) bool) (http2.Frame, error) {
	for {
		f, err := c.fr.ReadFrame()
		if err != nil {
			return nil, err
		}
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if !f.IsAck() {
				c.fr.WriteSettingsAck()
			}
		case *http2.DataFrame:
			if f.StreamID == stream {
				body.Write(f.Data())
			}
		}
		if stop(f) {
			return f, nil
		}
	}
}

// serveOn serves srv on l until the test ends.
func serveOn(t *testing.T, srv *https.Server, l net.Listener) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	t.Cleanup(func() {
		srv.Close()
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("Serve returned %v, want http.ErrServerClosed", err)
		}
	})
}

// Shutdown lets an HTTP/2 response in flight reach a client that keeps
// sending frames (PINGs, WINDOW_UPDATEs) while it reads the end of the
// response. The client stops reading until the server starts closing the
// connection, then pings: a server that had closed its socket would make
// the kernel answer with a reset and drop the response bytes still in
// its send buffer.
func TestShutdownHTTP2ClientKeepsSending(t *testing.T) {
	f := getFixture(t)
	const size = 256 << 10
	want := bytes.Repeat([]byte("0123456789abcdef"), size/16)
	release := make(chan struct{})
	var log bytes.Buffer
	var logMu sync.Mutex
	srv := &https.Server{
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{f.server}},
		ErrorLog:  logTo(&logMu, &log),
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", strconv.Itoa(size))
			w.Write(want[:16<<10])
			w.(http.Flusher).Flush()
			<-release
			w.Write(want[16<<10:])
		}),
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	// A send buffer that holds the whole response: the handler finishes
	// while the client is not reading.
	cl := &closeSignal{Listener: l, sndbuf: 1 << 20, ready: make(chan *signalConn, 1)}
	serveOn(t, srv, cl)

	c := dialH2(t, l.Addr().String(), &tls.Config{RootCAs: f.ca.Pool, ServerName: "localhost"})
	server := <-cl.ready
	c.get(1, "/")
	var body bytes.Buffer
	if _, err := c.readUntil(1, &body, func(fr http2.Frame) bool { return body.Len() > 0 }); err != nil {
		t.Fatalf("reading the start of the response: %v", err)
	}

	shut := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		shut <- srv.Shutdown(ctx)
	}()
	if _, err := c.readUntil(1, &body, func(fr http2.Frame) bool {
		_, ok := fr.(*http2.GoAwayFrame)
		return ok
	}); err != nil {
		t.Fatalf("waiting for GOAWAY: %v", err)
	}
	close(release)
	select {
	case <-server.closing:
	case <-time.After(60 * time.Second):
		t.Fatal("the server did not close the connection within 60s of the response's end")
	}

	// From here on the client reads at full speed.
	c.tc.NetConn().(*net.TCPConn).SetReadBuffer(1 << 20)
	var sendErr error
	send := func() {
		if sendErr == nil {
			sendErr = c.fr.WritePing(false, [8]byte{'s', 't', 'i', 'l', 'l', 'h', 'e', 'r'})
		}
		if sendErr == nil {
			sendErr = c.fr.WriteWindowUpdate(1, 16<<10)
		}
	}
	send()
	last, err := c.readUntil(1, &body, func(fr http2.Frame) bool {
		if _, ok := fr.(*http2.DataFrame); ok {
			send()
		}
		return fr.Header().StreamID == 1 && fr.Header().Flags.Has(http2.FlagDataEndStream)
	})
	if err != nil || !bytes.Equal(body.Bytes(), want) {
		t.Fatalf("the response was cut: %d of %d bytes, then %v (sending: %v)", body.Len(), size, err, sendErr)
	}
	if _, ok := last.(*http2.DataFrame); !ok {
		t.Fatalf("the response ended with %v", last)
	}
	if sendErr != nil {
		t.Errorf("the server refused the client's frames while the response drained: %v", sendErr)
	}
	// The server's close_notify follows the response.
	if _, err := c.readUntil(1, &body, func(http2.Frame) bool { return false }); !errors.Is(err, io.EOF) {
		t.Errorf("after the response: %v, want EOF (close_notify)", err)
	}
	c.tc.Close()
	if err := <-shut; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	logMu.Lock()
	defer logMu.Unlock()
	if s := log.String(); strings.TrimSpace(s) != "" {
		t.Errorf("server log:\n%s", s)
	}
}

// lockedWriter lets a test read what the server's goroutines log.
type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func logTo(mu *sync.Mutex, b *bytes.Buffer) *log.Logger {
	return log.New(lockedWriter{mu, b}, "", 0)
}

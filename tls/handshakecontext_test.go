package tls_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"lucid/tls"
)

// deadlineSpy watches the deadlines set on a connection: a deadline in
// the past is how HandshakeContext interrupts I/O, and one set after
// HandshakeContext returned is the race that broke healthy connections.
type deadlineSpy struct {
	net.Conn
	returned atomic.Bool // set by the test once HandshakeContext returned
	late     atomic.Int32
	pastOnce sync.Once
	past     chan struct{} // closed at the first deadline in the past
}

func newDeadlineSpy(c net.Conn) *deadlineSpy {
	return &deadlineSpy{Conn: c, past: make(chan struct{})}
}

func (s *deadlineSpy) saw(t time.Time) {
	if t.IsZero() || t.After(time.Now()) {
		return
	}
	if s.returned.Load() {
		s.late.Add(1)
	}
	s.pastOnce.Do(func() { close(s.past) })
}

func (s *deadlineSpy) SetDeadline(t time.Time) error {
	s.saw(t)
	return s.Conn.SetDeadline(t)
}

func (s *deadlineSpy) SetReadDeadline(t time.Time) error {
	s.saw(t)
	return s.Conn.SetReadDeadline(t)
}

func (s *deadlineSpy) SetWriteDeadline(t time.Time) error {
	s.saw(t)
	return s.Conn.SetWriteDeadline(t)
}

// goroutineID reads the current goroutine's number from its stack header
// ("goroutine 42 [running]:"); the test uses it only to tell the caller of
// HandshakeContext from any goroutine HandshakeContext starts.
func goroutineID() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i > 0 {
		b = b[:i]
	}
	id, _ := strconv.ParseUint(string(b), 10, 64)
	return id
}

// laggingContext holds back every goroutine but its owner that asks for
// Done until release is closed. A watcher goroutine that HandshakeContext
// starts and leaves behind therefore only looks at the context after
// HandshakeContext returned and the context was cancelled — the schedule
// that a loaded machine produces now and then, produced every time.
type laggingContext struct {
	context.Context
	owner   uint64
	release chan struct{}
}

func newLaggingContext(parent context.Context) (*laggingContext, context.CancelFunc) {
	ctx, cancel := context.WithCancel(parent)
	return &laggingContext{Context: ctx, owner: goroutineID(), release: make(chan struct{})}, cancel
}

func (c *laggingContext) Done() <-chan struct{} {
	if goroutineID() != c.owner {
		<-c.release
	}
	return c.Context.Done()
}

// echo sends a line from a to b and back, proving both directions work.
func echo(a, b net.Conn) error {
	msg := []byte("still usable\n")
	errc := make(chan error, 1)
	go func() {
		buf := make([]byte, len(msg))
		if _, err := io.ReadFull(b, buf); err != nil {
			errc <- fmt.Errorf("peer read: %w", err)
			return
		}
		_, err := b.Write(buf)
		errc <- err
	}()
	if _, err := a.Write(msg); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(a, got); err != nil {
		return fmt.Errorf("read: %w", err)
	}
	if err := <-errc; err != nil {
		return err
	}
	if !bytes.Equal(got, msg) {
		return fmt.Errorf("echo returned %q", got)
	}
	return nil
}

// A context cancelled right after HandshakeContext returns — a deferred
// cancel, as https.Transport.DialTLS and net/http do — must leave the
// connection alone, on both sides: HandshakeContext may not leave a
// watcher behind that moves the deadline into the past later. The
// lagging context makes such a watcher act late on every iteration.
func TestHandshakeContextCancelAfterReturn(t *testing.T) {
	f := newLucidFixture(t, "ecdsa-p256")
	cert := f.lucidCert(t)
	var spies []*deadlineSpy
	for i := range 24 {
		for _, v := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
			c, s := pair(t)
			cspy, sspy := newDeadlineSpy(c), newDeadlineSpy(s)
			spies = append(spies, cspy, sspy)
			client := tls.Client(cspy, &tls.Config{RootCAs: f.ca.Pool, ServerName: "localhost", MaxVersion: v})
			server := tls.Server(sspy, &tls.Config{Certificates: []tls.Certificate{cert}, MaxVersion: v})
			handshake := func(conn *tls.Conn, spy *deadlineSpy) error {
				ctx, cancel := newLaggingContext(context.Background())
				err := conn.HandshakeContext(ctx)
				spy.returned.Store(true)
				cancel()
				close(ctx.release)
				return err
			}
			serr := make(chan error, 1)
			go func() { serr <- handshake(server, sspy) }()
			if err := handshake(client, cspy); err != nil {
				t.Fatalf("%d %s: client handshake: %v", i, tls.VersionName(v), err)
			}
			if err := <-serr; err != nil {
				t.Fatalf("%d %s: server handshake: %v", i, tls.VersionName(v), err)
			}
			if err := echo(client, server); err != nil {
				t.Fatalf("%d %s: client to server and back after the contexts were cancelled: %v", i, tls.VersionName(v), err)
			}
			if err := echo(server, client); err != nil {
				t.Fatalf("%d %s: server to client and back after the contexts were cancelled: %v", i, tls.VersionName(v), err)
			}
		}
	}
	for i, s := range spies {
		if n := s.late.Load(); n > 0 {
			t.Errorf("connection %d: a deadline in the past was set %d time(s) after HandshakeContext returned", i, n)
		}
	}
}

// A context that ends while the handshake finishes — here, while the
// VerifyConnection callback runs, after the last handshake message went
// through — has moved the deadline into the past. HandshakeContext must
// not then report success with a connection that fails at its first read
// ("i/o timeout"): it reports the interruption.
func TestHandshakeContextCancelledAtTheEnd(t *testing.T) {
	f := newLucidFixture(t, "ecdsa-p256")
	cert := f.lucidCert(t)
	for _, v := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
		for _, role := range []string{"client", "server"} {
			t.Run(tls.VersionName(v)+"/"+role, func(t *testing.T) {
				c, s := pair(t)
				cc := &tls.Config{RootCAs: f.ca.Pool, ServerName: "localhost", MaxVersion: v}
				sc := &tls.Config{Certificates: []tls.Certificate{cert}, MaxVersion: v}
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				var spy *deadlineSpy
				cancelAndWait := func(tls.ConnectionState) error {
					cancel()
					select {
					case <-spy.past:
					case <-time.After(10 * time.Second):
						t.Error("the context watcher did not interrupt the connection within 10s")
					}
					return nil
				}
				var tested, peer *tls.Conn
				if role == "client" {
					spy = newDeadlineSpy(c)
					cc.VerifyConnection = cancelAndWait
					tested, peer = tls.Client(spy, cc), tls.Server(s, sc)
				} else {
					spy = newDeadlineSpy(s)
					sc.VerifyConnection = cancelAndWait
					tested, peer = tls.Server(spy, sc), tls.Client(c, cc)
				}
				go peer.Handshake()
				err := tested.HandshakeContext(ctx)
				if err == nil {
					t.Fatalf("HandshakeContext succeeded though its context was cancelled and the deadline moved; echo: %v", echo(tested, peer))
				}
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("got %v, want an error wrapping context.Canceled", err)
				}
				if _, werr := tested.Write([]byte("x")); werr == nil {
					t.Error("Write succeeded on a connection whose handshake was interrupted")
				}
				if st := tested.ConnectionState(); st.HandshakeComplete {
					t.Error("ConnectionState reports a complete handshake after the interruption")
				}
			})
		}
	}
}

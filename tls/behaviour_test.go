package tls_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"lucid/internal/testwait"
	"lucid/tls"
)

// lucidPair returns a handshaken Lucid client and server over loopback TCP.
func lucidPair(t *testing.T, sc, cc *tls.Config) (*tls.Conn, *tls.Conn) {
	t.Helper()
	f := newLucidFixture(t, "ecdsa-p256")
	if sc == nil {
		sc = &tls.Config{}
	}
	if cc == nil {
		cc = &tls.Config{}
	}
	sc.Certificates = []tls.Certificate{f.lucidCert(t)}
	cc.RootCAs, cc.ServerName = f.ca.Pool, "localhost"
	c, s := pair(t)
	server, client := tls.Server(s, sc), tls.Client(c, cc)
	errc := make(chan error, 1)
	go func() { errc <- server.Handshake() }()
	if err := client.Handshake(); err != nil {
		t.Fatalf("client handshake: %v", err)
	}
	if err := <-errc; err != nil {
		t.Fatalf("server handshake: %v", err)
	}
	return client, server
}

// TestKeyUpdateBothWays moves data while each side rotates its keys, once
// asking the peer to rotate too (RFC 8446 §4.6.3).
func TestKeyUpdateBothWays(t *testing.T) {
	client, server := lucidPair(t, nil, nil)
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := server.Read(buf)
			if err != nil {
				server.Close()
				return
			}
			if _, err := server.Write(buf[:n]); err != nil {
				return
			}
		}
	}()
	for i := range 6 {
		msg := []byte(strings.Repeat(string(rune('a'+i)), 1000))
		if _, err := client.Write(msg); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
		got := make([]byte, len(msg))
		if _, err := io.ReadFull(client, got); err != nil {
			t.Fatalf("read %d: %v", i, err)
		}
		if !bytes.Equal(got, msg) {
			t.Fatalf("echo %d differs", i)
		}
		switch i {
		case 1:
			if err := client.UpdateKeys(false); err != nil {
				t.Fatal(err)
			}
		case 3:
			// The server must answer with its own KeyUpdate; if it did
			// not switch keys, the next echo would fail to decrypt.
			if err := client.UpdateKeys(true); err != nil {
				t.Fatal(err)
			}
		case 4:
			if err := server.UpdateKeys(false); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestHalfCloseAndBulk sends 1 MiB each way with half-close marking the end.
func TestHalfCloseAndBulk(t *testing.T) {
	client, server := lucidPair(t, &tls.Config{RecordPadding: 64}, &tls.Config{RecordPadding: 256})
	payload := make([]byte, 1<<20)
	rand.Read(payload)
	want := sha256.Sum256(payload)
	type result struct {
		sum [32]byte
		err error
	}
	srv := make(chan result, 1)
	go func() {
		h := sha256.New()
		if _, err := io.Copy(h, server); err != nil {
			srv <- result{err: err}
			return
		}
		var r result
		copy(r.sum[:], h.Sum(nil))
		if _, err := server.Write(payload); err != nil {
			r.err = err
		}
		r.err = errors.Join(r.err, server.CloseWrite())
		srv <- r
	}()
	if _, err := client.Write(payload); err != nil {
		t.Fatal(err)
	}
	if err := client.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	if _, err := io.Copy(h, client); err != nil {
		t.Fatalf("client read: %v", err)
	}
	r := <-srv
	if r.err != nil {
		t.Fatalf("server: %v", r.err)
	}
	if r.sum != want || !bytes.Equal(h.Sum(nil), want[:]) {
		t.Fatal("payload corrupted in transit")
	}
}

// TestHandshakeContextDeadline: a peer that never answers cannot hold a
// handshake past its context.
func TestHandshakeContextDeadline(t *testing.T) {
	c, _ := pair(t)
	c.SetDeadline(time.Time{})
	client := tls.Client(c, &tls.Config{ServerName: "localhost"})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- client.HandshakeContext(ctx) }()
	if err := testwait.Recv(t, done, "the handshake to heed its context"); err == nil || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want a deadline error", err)
	}
}

// TestPlainHTTPToTLSPort: bytes that are not TLS are reported as such.
func TestPlainHTTPToTLSPort(t *testing.T) {
	f := newLucidFixture(t, "ecdsa-p256")
	c, s := pair(t)
	server := tls.Server(s, &tls.Config{Certificates: []tls.Certificate{f.lucidCert(t)}})
	go c.Write([]byte("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"))
	err := server.Handshake()
	var rh tls.RecordHeaderError
	if !errors.As(err, &rh) || string(rh.RecordHeader[:3]) != "GET" {
		t.Fatalf("got %v, want a RecordHeaderError showing the HTTP bytes", err)
	}
}

// TestTamperedRecord: one flipped bit in an application record ends the
// connection with bad_record_mac on the receiver.
func TestTamperedRecord(t *testing.T) {
	f := newLucidFixture(t, "ecdsa-p256")
	c, s := pair(t)
	flip := &flipper{Conn: c}
	server := tls.Server(s, &tls.Config{Certificates: []tls.Certificate{f.lucidCert(t)}})
	client := tls.Client(flip, &tls.Config{RootCAs: f.ca.Pool, ServerName: "localhost"})
	errc := make(chan error, 1)
	go func() {
		_, err := server.Read(make([]byte, 10))
		errc <- err
	}()
	if err := client.Handshake(); err != nil {
		t.Fatal(err)
	}
	flip.armed = true
	client.Write([]byte("attack at dawn"))
	err := <-errc
	var a tls.AlertError
	if !errors.As(err, &a) || a != tls.AlertBadRecordMAC {
		t.Fatalf("server got %v, want bad_record_mac", err)
	}
	// The client learns of it through the alert.
	_, err = client.Read(make([]byte, 1))
	var te *tls.Error
	if !errors.As(err, &te) || !te.Remote || te.Alert != tls.AlertBadRecordMAC {
		t.Fatalf("client got %v, want the peer's bad_record_mac", err)
	}
}

// flipper flips one bit of the next write once armed.
type flipper struct {
	net.Conn
	armed bool
}

func (f *flipper) Write(b []byte) (int, error) {
	if f.armed && len(b) > 10 {
		b = append([]byte(nil), b...)
		b[len(b)-3] ^= 0x01
		f.armed = false
	}
	return f.Conn.Write(b)
}

// Certificate.SupportedSignatureAlgorithms limits what the server signs
// with, in both versions.
func TestSupportedSignatureAlgorithms(t *testing.T) {
	f := newLucidFixture(t, "rsa-2048")
	for _, v := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
		for _, want := range []tls.SignatureScheme{tls.PSSWithSHA384, tls.PSSWithSHA512} {
			cert := f.lucidCert(t)
			cert.SupportedSignatureAlgorithms = []tls.SignatureScheme{want}
			client, _ := lucidPair2(t, f, &tls.Config{Certificates: []tls.Certificate{cert}}, &tls.Config{MaxVersion: v})
			if got := client.ConnectionState().SignatureScheme; got != want {
				t.Fatalf("%s: server signed with %v, want %v", tls.VersionName(v), got, want)
			}
		}
	}
}

// lucidPair2 is lucidPair with a given fixture and server certificates.
func lucidPair2(t *testing.T, f *lucidFixture, sc, cc *tls.Config) (*tls.Conn, *tls.Conn) {
	t.Helper()
	cc.RootCAs, cc.ServerName = f.ca.Pool, "localhost"
	c, s := pair(t)
	server, client := tls.Server(s, sc), tls.Client(c, cc)
	errc := make(chan error, 1)
	go func() { errc <- server.Handshake() }()
	if err := client.Handshake(); err != nil {
		t.Fatalf("client handshake: %v", err)
	}
	if err := <-errc; err != nil {
		t.Fatalf("server handshake: %v", err)
	}
	return client, server
}

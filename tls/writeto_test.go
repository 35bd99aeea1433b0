package tls_test

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"testing"

	"lucid/tls"
)

// lucidConns returns a Lucid client and server over loopback TCP, with
// an ECDSA P-256 server certificate the client trusts, before their
// handshake.
func lucidConns(t *testing.T) (client, server *tls.Conn) {
	t.Helper()
	return lucidConnsOver(t, nil)
}

// lucidConnsOver is lucidConns with the client's network connection
// passed through wrap first, when wrap is not nil.
func lucidConnsOver(t *testing.T, wrap func(net.Conn) net.Conn) (client, server *tls.Conn) {
	t.Helper()
	f := newLucidFixture(t, "ecdsa-p256")
	c, s := pair(t)
	if wrap != nil {
		c = wrap(c)
	}
	return tls.Client(c, &tls.Config{RootCAs: f.ca.Pool, ServerName: "localhost"}),
		tls.Server(s, &tls.Config{Certificates: []tls.Certificate{f.lucidCert(t)}})
}

// writeToPair returns an established Lucid pair over loopback TCP, with
// the server sending payload in writes of varied sizes and then closing.
func writeToPair(t *testing.T, payload []byte) (*tls.Conn, chan error) {
	t.Helper()
	client, server := lucidConns(t)
	done := make(chan error, 1)
	go func() {
		rng := rand.New(rand.NewPCG(1, 2))
		for rest := payload; len(rest) > 0; {
			n := min(len(rest), 1+rng.IntN(40000))
			if _, err := server.Write(rest[:n]); err != nil {
				done <- err
				return
			}
			rest = rest[n:]
		}
		done <- server.Close()
	}()
	return client, done
}

// io.Copy from a Conn goes through WriteTo: every byte arrives, in order,
// and the peer's close_notify ends the copy without an error.
func TestWriteToCopiesUntilCloseNotify(t *testing.T) {
	payload := make([]byte, 3<<20)
	fillRandom(payload, 3)
	client, done := writeToPair(t, payload)
	var got bytes.Buffer
	n, err := io.Copy(&got, client)
	if err != nil {
		t.Fatalf("io.Copy: %v", err)
	}
	if n != int64(len(payload)) || !bytes.Equal(got.Bytes(), payload) {
		t.Fatalf("copied %d bytes, want the %d sent, unchanged", n, len(payload))
	}
	if err := <-done; err != nil {
		t.Fatalf("server: %v", err)
	}
}

// failingWriter takes limit bytes, then fails.
type failingWriter struct {
	limit int
	got   []byte
}

var errWriterFull = errors.New("writer full")

func (w *failingWriter) Write(p []byte) (int, error) {
	n := min(len(p), w.limit-len(w.got))
	w.got = append(w.got, p[:n]...)
	if n < len(p) {
		return n, errWriterFull
	}
	return n, nil
}

// A writer's error ends WriteTo with that error and the count of what it
// took; what it did not take stays for the next Read.
func TestWriteToStopsAtWriterError(t *testing.T) {
	payload := make([]byte, 200000)
	fillRandom(payload, 5)
	client, done := writeToPair(t, payload)
	w := &failingWriter{limit: 70001}
	n, err := client.WriteTo(w)
	if !errors.Is(err, errWriterFull) {
		t.Fatalf("WriteTo: %v, want the writer's error", err)
	}
	if n != int64(w.limit) || !bytes.Equal(w.got, payload[:w.limit]) {
		t.Fatalf("WriteTo reported %d and the writer took %d bytes, want %d, the payload's first", n, len(w.got), w.limit)
	}
	rest, err := io.ReadAll(client)
	if err != nil {
		t.Fatalf("reading the rest: %v", err)
	}
	if !bytes.Equal(rest, payload[w.limit:]) {
		t.Fatalf("Read after WriteTo got %d bytes, want the %d WriteTo left", len(rest), len(payload)-w.limit)
	}
	if err := <-done; err != nil {
		t.Fatalf("server: %v", err)
	}
}

// A stream cut inside a record is a truncation, reported as such.
func TestWriteToReportsTruncation(t *testing.T) {
	f := newLucidFixture(t, "ecdsa-p256")
	c, s := pair(t)
	server := tls.Server(s, &tls.Config{Certificates: []tls.Certificate{f.lucidCert(t)}})
	client := tls.Client(c, &tls.Config{RootCAs: f.ca.Pool, ServerName: "localhost"})
	done := make(chan error, 1)
	go func() {
		if err := server.Handshake(); err != nil {
			done <- err
			return
		}
		// Half a record's header, then the end of the stream.
		if _, err := s.Write([]byte{23, 3}); err != nil {
			done <- err
			return
		}
		done <- s.(*net.TCPConn).CloseWrite()
	}()
	_, err := client.WriteTo(io.Discard)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("WriteTo: %v, want io.ErrUnexpectedEOF", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("server: %v", err)
	}
}

// fillRandom fills b from a seeded ChaCha8 stream.
func fillRandom(b []byte, seed byte) {
	rand.NewChaCha8([32]byte{seed}).Read(b)
}

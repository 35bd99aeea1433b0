package https

import (
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// socketPair returns both ends of a fresh connection on network.
func socketPair(t *testing.T, network string) (client, server net.Conn) {
	t.Helper()
	addr := "127.0.0.1:0"
	if network == "unix" {
		addr = filepath.Join(t.TempDir(), "s")
	}
	l, err := net.Listen(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := l.Accept()
		accepted <- c
	}()
	client, err = net.Dial(network, l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server = <-accepted
	if server == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { client.Close(); server.Close() })
	return client, server
}

// peekFirstByte returns the first byte and leaves it on the socket, says
// io.EOF for a client that hung up without a word, and reports a passed
// deadline as the timeout a read would have reported.
func TestPeekFirstByte(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" || runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("peekFirstByte peeks only on unix; elsewhere the server reads the first bytes")
	}
	for _, network := range []string{"tcp", "unix"} {
		t.Run(network, func(t *testing.T) {
			client, server := socketPair(t, network)
			server.SetDeadline(time.Now().Add(10 * time.Second))
			if _, err := client.Write([]byte{22, 3, 1}); err != nil {
				t.Fatal(err)
			}
			b, err := peekFirstByte(server)
			if err != nil || b != 22 {
				t.Fatalf("peek: %d, %v; want 22", b, err)
			}
			got := make([]byte, 3)
			if _, err := io.ReadFull(server, got); err != nil || got[0] != 22 || got[2] != 1 {
				t.Fatalf("read after the peek: %v, %v; want the three bytes sent, the first still there", got, err)
			}

			client, server = socketPair(t, network)
			server.SetDeadline(time.Now().Add(10 * time.Second))
			client.Close()
			if _, err := peekFirstByte(server); !errors.Is(err, io.EOF) {
				t.Fatalf("a client that hung up: %v, want io.EOF", err)
			}

			_, server = socketPair(t, network)
			server.SetReadDeadline(time.Now().Add(-time.Second))
			_, err = peekFirstByte(server)
			var ne net.Error
			var oe *net.OpError
			if !errors.Is(err, os.ErrDeadlineExceeded) || !errors.As(err, &ne) || !ne.Timeout() || !errors.As(err, &oe) || oe.Op != "read" {
				t.Fatalf("a passed deadline: %v; want a read timeout", err)
			}
		})
	}
}

// A connection that is not the standard library's socket is not peeked at.
func TestPeekFirstByteNotASocket(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	if _, err := peekFirstByte(a); !errors.Is(err, errNoPeek) {
		t.Fatalf("net.Pipe: %v, want errNoPeek", err)
	}
}

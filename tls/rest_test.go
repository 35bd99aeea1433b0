package tls_test

import (
	"bytes"
	"io"
	"runtime"
	"strings"
	"testing"

	"lucid/internal/testwait"
	"lucid/tls"
)

// parkedReaders counts goroutines waiting for a socket inside Lucid's
// socket reader: the state in which a connection lets its ciphers rest.
func parkedReaders() int {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "runtime_pollWait") && strings.Contains(g, "socketReader") {
			n++
		}
	}
	return n
}

// A TLS 1.3 connection whose ends wait in Read through a collection, which
// frees the ciphers they let rest, carries on both ways afterwards, and
// again after a key update: each side rebuilds its ciphers at the right
// sequence numbers.
func TestIdleConnectionSurvivesCollection(t *testing.T) {
	client, server := lucidPair(t, nil, nil)
	defer client.Close()
	defer server.Close()
	ctx := testwait.Context(t)
	for i := range 4 {
		for _, dir := range []struct {
			name     string
			from, to *tls.Conn
		}{{"client to server", client, server}, {"server to client", server, client}} {
			msg := bytes.Repeat([]byte{byte(i)}, 1000+i)
			got := make(chan []byte, 1)
			go func() {
				b := make([]byte, len(msg))
				if _, err := io.ReadFull(dir.to, b); err != nil {
					t.Error(err)
				}
				got <- b
			}()
			// A reader that failed instead stops the wait too: its
			// error is the one to see.
			if !testwait.Until(ctx, func() bool { return parkedReaders() >= 1 || len(got) > 0 }) {
				t.Fatalf("round %d, %s: the reader never waited on the socket", i, dir.name)
			}
			runtime.GC()
			runtime.GC()
			if _, err := dir.from.Write(msg); err != nil {
				t.Fatalf("round %d, %s: %v", i, dir.name, err)
			}
			if b := testwait.Recv(t, got, "the message"); !bytes.Equal(b, msg) {
				t.Fatalf("round %d, %s: read %d bytes that differ from the %d sent", i, dir.name, len(b), len(msg))
			}
		}
		if i == 1 {
			if err := client.UpdateKeys(true); err != nil {
				t.Fatal(err)
			}
		}
	}
}

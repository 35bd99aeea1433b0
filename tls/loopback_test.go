package tls_test

import (
	"net"
	"testing"
)

// loopbackTCP returns both ends of a fresh TCP connection on 127.0.0.1,
// for tests and benchmarks alike; callers set deadlines and close them.
func loopbackTCP(tb testing.TB) (client, server net.Conn) {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("listen: %v", err)
	}
	defer ln.Close()
	type accepted struct {
		c   net.Conn
		err error
	}
	ch := make(chan accepted, 1)
	go func() {
		c, err := ln.Accept()
		ch <- accepted{c, err}
	}()
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		tb.Fatalf("dial: %v", err)
	}
	// The dial succeeded, so the connection waits in the listener's queue.
	a := <-ch
	if a.err != nil {
		client.Close()
		tb.Fatalf("accept: %v", a.err)
	}
	return client, a.c
}

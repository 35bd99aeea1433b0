package https

import (
	"lucid/tls"
	"lucid/trace"
)

// h1Conn is an HTTP/1.1 server connection: the TLS connection itself,
// carrying what ConnContext puts in the context of every request on it.
// net/http reads and sets deadlines on the TLS connection directly: a read
// its deadline interrupts (net/http ends its background read after every
// request that way) leaves a lucid/tls Conn usable, the bytes read so far
// kept for the next Read.
type h1Conn struct {
	*tls.Conn
	state  *tls.ConnectionState
	events *trace.Recorder // with Server.Inspect, the connection's events
}

func newH1Conn(tc *tls.Conn, cs *tls.ConnectionState) *h1Conn {
	return &h1Conn{Conn: tc, state: cs}
}

// Package https carries net/http over Lucid's TLS stack (lucid/tls): a
// Server that answers HTTP/1.1 and HTTP/2 on one port, choosing by ALPN, and
// a Transport (an http.RoundTripper) that dials with lucid/tls and speaks
// whichever of the two the server agreed to.
//
// net/http and golang.org/x/net/http2 integrate with TLS only through
// crypto/tls's *tls.Conn, which a Lucid connection is not. So this package
// routes the protocols itself:
//
//   - Server accepts TCP connections, runs the handshake with a timeout,
//     reads the ALPN result and hands an "h2" connection to
//     http2.Server.ServeConn and any other to an http.Server through a
//     listener that yields only those connections.
//   - Transport dials TLS connections itself and gives them to an
//     http.Transport (DialTLSContext, offering only "http/1.1") or an
//     http2.Transport (DialTLSContext, offering only "h2"). In automatic
//     mode the first connection to a host offers both and its ALPN result
//     decides which of the two handles that host from then on.
//
// Handlers see what the handshake established through ConnectionState(r).
// For code written against crypto/tls, Server also fills r.TLS with the
// same facts in crypto/tls's shape.
package https

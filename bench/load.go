package bench

import (
	stdtls "crypto/tls"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"

	"lucid/https"
	"lucid/tls"
)

// loadBody is what the load test's handler answers: a small page, so that
// the figures measure TLS and HTTP handling rather than copying.
var loadBody = []byte("hello from the load test\n")

// LoadHandler is the handler both load-test servers serve.
var LoadHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	w.Write(loadBody)
})

// StartLoadServer starts st's HTTPS server for LoadHandler on a loopback
// port with the ECDSA P-256 leaf: Lucid's https.Server, or net/http's
// server over crypto/tls. Each stack keeps its defaults otherwise, but
// both servers have the same timeouts, https.Server's defaults: a server
// without them (net/http's zero value) skips the read deadlines it sets
// around every request (for the header, then for the idle wait), about
// 2-3% of the server's CPU per keep-alive request, which would be
// measured as a TLS difference. It returns the URL to load and a function
// that stops the server.
func StartLoadServer(st Stack) (url string, stop func(), err error) {
	p, err := certs()
	if err != nil {
		return "", nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	quiet := log.New(io.Discard, "", 0)
	// The URL names localhost, not the address: wrk sends the host as
	// server_name, and Lucid refuses an IP literal there (RFC 6066 §3
	// does not permit one) where crypto/tls ignores it.
	url = "https://localhost:" + strconv.Itoa(l.Addr().(*net.TCPAddr).Port) + "/"
	switch st {
	case Lucid:
		s := &https.Server{
			Handler:        LoadHandler,
			TLSConfig:      &tls.Config{Certificates: []tls.Certificate{p.lucid[p.ecdsa]}},
			ErrorLog:       quiet,
			HandshakeError: func(net.Addr, error) {},
		}
		go s.Serve(l)
		return url, func() { s.Close() }, nil
	default:
		s := &http.Server{
			Handler:           LoadHandler,
			TLSConfig:         &stdtls.Config{Certificates: []stdtls.Certificate{p.std[p.ecdsa]}},
			ErrorLog:          quiet,
			ReadHeaderTimeout: https.DefaultReadHeaderTimeout,
			IdleTimeout:       https.DefaultIdleTimeout,
		}
		go s.ServeTLS(l, "", "")
		return url, func() { s.Close() }, nil
	}
}

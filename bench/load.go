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
// port with the ECDSA P-256 leaf, each stack with its defaults otherwise:
// Lucid's https.Server, or net/http's server over crypto/tls. It returns
// the URL to load and a function that stops the server.
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
			Handler:   LoadHandler,
			TLSConfig: &stdtls.Config{Certificates: []stdtls.Certificate{p.std[p.ecdsa]}},
			ErrorLog:  quiet,
		}
		go s.ServeTLS(l, "", "")
		return url, func() { s.Close() }, nil
	}
}

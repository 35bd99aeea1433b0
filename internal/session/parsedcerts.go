package session

import (
	"bytes"
	"crypto/x509"
	"sync"
	"weak"
)

// A client talks to the same few servers over and over, and each
// connection would otherwise keep its own parse of the same certificates
// for its whole life: a parsed certificate is a couple of kilobytes, more
// than the rest of an idle connection's protocol state. ParseCertificate
// hands every connection that receives the same DER the same parse.
//
// The cache holds its entries weakly: a parse stays only while some
// connection or session holds it, so the cache never keeps memory alive on
// its own beyond its keys, and it is bounded in entries so that a peer
// sending ever new certificates cannot grow it. Only the parse is shared;
// every connection still verifies the chain it received.

// maxParsedCerts bounds the cache: far more distinct certificates than a
// client has servers it talks to at once, and at most a few megabytes of
// keys.
const maxParsedCerts = 1024

var parsedCerts = struct {
	sync.Mutex
	m map[string]weak.Pointer[x509.Certificate]
}{m: make(map[string]weak.Pointer[x509.Certificate])}

// ParseCertificate parses one DER certificate, as x509.ParseCertificate
// does, returning the parse another caller got for the same bytes while it
// is still in use. The result is shared: callers must not change it. It
// never refers to der, which the caller may reuse.
func ParseCertificate(der []byte) (*x509.Certificate, error) {
	parsedCerts.Lock()
	wp, ok := parsedCerts.m[string(der)]
	parsedCerts.Unlock()
	if ok {
		// The key is the whole DER, so a hit is the same certificate;
		// comparing Raw as well costs little and keeps the promise even
		// if a caller wrote over a shared parse.
		if c := wp.Value(); c != nil && bytes.Equal(c.Raw, der) {
			return c, nil
		}
	}
	// The parse refers to the bytes it was given: it gets a copy of its
	// own, so that it pins no connection's message buffer.
	c, err := x509.ParseCertificate(bytes.Clone(der))
	if err != nil {
		return nil, err
	}
	parsedCerts.Lock()
	defer parsedCerts.Unlock()
	if len(parsedCerts.m) >= maxParsedCerts {
		evictParsedCerts()
	}
	parsedCerts.m[string(c.Raw)] = weak.Make(c)
	return c, nil
}

// evictParsedCerts makes room in a full cache: first by dropping the
// entries whose parse nobody holds any more, then, if every one is in
// use, an arbitrary half, which costs their holders nothing but a parse
// for the next connection. Called with the lock held.
func evictParsedCerts() {
	for k, wp := range parsedCerts.m {
		if wp.Value() == nil {
			delete(parsedCerts.m, k)
		}
	}
	if len(parsedCerts.m) < maxParsedCerts {
		return
	}
	n := len(parsedCerts.m) / 2
	for k := range parsedCerts.m {
		if n == 0 {
			break
		}
		delete(parsedCerts.m, k)
		n--
	}
}

package handshake

import (
	"crypto/x509"
	"runtime"
	"sync"
	"weak"

	"lucid/internal/alert"
)

// A client that talks to one server, and a server whose clients present
// the same certificates, receive the same DER again and again; parsing it
// is a fifth of a full handshake's allocations. Parsing is a pure function
// of the bytes, so the parse of bytes seen before is reused: every check
// of the chain still runs on every handshake (checkChain verifies what it
// is given; this only saves building the same x509.Certificate twice).
//
// The cache holds its certificates weakly: one stays while a connection,
// session or caller holds it, and is parsed again after the collector has
// taken it, when its entry is dropped too. The entries are bounded, so
// that peers sending many distinct certificates at once cost at most the
// bound in map entries.

// certCacheMax bounds the entries; a chain that finds the cache full is
// parsed without being kept.
const certCacheMax = 1024

var certCache struct {
	mu sync.Mutex
	m  map[string]weak.Pointer[x509.Certificate]
}

// parsedCertificate returns der parsed, shared with every other caller
// that asked for the same bytes while the parse was alive. The certificate
// must not be changed.
func parsedCertificate(der []byte) (*x509.Certificate, error) {
	certCache.mu.Lock()
	wp, ok := certCache.m[string(der)]
	certCache.mu.Unlock()
	if ok {
		if c := wp.Value(); c != nil {
			return c, nil
		}
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	certCache.mu.Lock()
	defer certCache.mu.Unlock()
	if certCache.m == nil {
		certCache.m = make(map[string]weak.Pointer[x509.Certificate])
	}
	if len(certCache.m) >= certCacheMax {
		for k, p := range certCache.m {
			if p.Value() == nil {
				delete(certCache.m, k)
			}
		}
		if len(certCache.m) >= certCacheMax {
			return c, nil
		}
	}
	// The conversion copies: the key does not alias the caller's buffer.
	key := string(der)
	certCache.m[key] = weak.Make(c)
	// Once the certificate is collected its entry goes too, so that the
	// keys of certificates nobody holds do not fill the cache.
	runtime.AddCleanup(c, forgetCertificate, key)
	return c, nil
}

// forgetCertificate drops key's entry if its certificate is gone; a newer
// parse of the same bytes may have replaced it and stays.
func forgetCertificate(key string) {
	certCache.mu.Lock()
	defer certCache.mu.Unlock()
	if p, ok := certCache.m[key]; ok && p.Value() == nil {
		delete(certCache.m, key)
	}
}

// parseChainCached is parseChain through the cache.
func parseChainCached(chain [][]byte) ([]*x509.Certificate, error) {
	certs := make([]*x509.Certificate, 0, len(chain))
	for i, der := range chain {
		c, err := parsedCertificate(der)
		if err != nil {
			return nil, alert.New(alert.DecodeError, "certificate %d from the peer could not be parsed: %v", i, err)
		}
		certs = append(certs, c)
	}
	return certs, nil
}

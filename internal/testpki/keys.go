package testpki

import (
	// Key material comes from the system's generator.
	"crypto/rand"

	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"fmt"
	"sync"
)

// newKey generates a fresh private key of type kt.
func newKey(kt KeyType) (crypto.Signer, error) {
	switch kt {
	case ECDSAP256, "":
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case ECDSAP384:
		return ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case RSA2048:
		return rsa.GenerateKey(rand.Reader, 2048)
	case Ed25519:
		_, k, err := ed25519.GenerateKey(rand.Reader)
		return k, err
	}
	return nil, fmt.Errorf("testpki: unknown key type %q", kt)
}

// cachedKey is one lazily generated RSA key. sync.Once lets parallel tests
// wait for the first generation instead of each paying for their own.
type cachedKey struct {
	once sync.Once
	key  crypto.Signer
	err  error
}

func (c *cachedKey) get(kt KeyType) (crypto.Signer, error) {
	c.once.Do(func() { c.key, c.err = newKey(kt) })
	return c.key, c.err
}

// RSA-2048 generation takes a noticeable fraction of a second, so RSA keys
// are reused within a process. Leaves share one key. CAs get one key per CA
// name, so that two differently named CAs never share a key: otherwise a
// leaf from an "untrusted" CA would carry a signature the trusted CA's key
// also verifies, and unknown-authority tests would prove nothing.
// ECDSA and Ed25519 keys are cheap and always fresh.
var (
	leafRSA cachedKey
	caRSAmu sync.Mutex
	caRSA   = map[string]*cachedKey{}
)

func leafKey(kt KeyType, fresh bool) (crypto.Signer, error) {
	if kt == RSA2048 && !fresh {
		return leafRSA.get(kt)
	}
	return newKey(kt)
}

func caKey(name string, kt KeyType) (crypto.Signer, error) {
	if kt != RSA2048 {
		return newKey(kt)
	}
	caRSAmu.Lock()
	c, ok := caRSA[name]
	if !ok {
		c = new(cachedKey)
		caRSA[name] = c
	}
	caRSAmu.Unlock()
	return c.get(kt)
}

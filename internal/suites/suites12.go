package suites

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"hash"

	"golang.org/x/crypto/chacha20poly1305"
)

// TLS 1.2 cipher suite code points (RFC 5246 §A.5, RFC 8422, RFC 5289,
// RFC 7905), under the names crypto/tls gives them.
const (
	TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256       uint16 = 0xc02b
	TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384       uint16 = 0xc02c
	TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 uint16 = 0xcca9
	TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256         uint16 = 0xc02f
	TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384         uint16 = 0xc030
	TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256   uint16 = 0xcca8
	TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA          uint16 = 0xc009
	TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA          uint16 = 0xc00a
	TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256       uint16 = 0xc023
	TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA            uint16 = 0xc013
	TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA            uint16 = 0xc014
	TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256         uint16 = 0xc027
	TLS_RSA_WITH_AES_128_GCM_SHA256               uint16 = 0x009c
	TLS_RSA_WITH_AES_256_GCM_SHA384               uint16 = 0x009d
	TLS_RSA_WITH_AES_128_CBC_SHA                  uint16 = 0x002f
	TLS_RSA_WITH_AES_256_CBC_SHA                  uint16 = 0x0035
	TLS_RSA_WITH_AES_128_CBC_SHA256               uint16 = 0x003c
)

// KeyExchange is how a TLS 1.2 suite agrees on the pre-master secret.
type KeyExchange uint8

// TLS 1.2 key exchanges.
const (
	// ECDHEECDSA and ECDHERSA: ephemeral ECDH, signed by the server's
	// ECDSA (or Ed25519) or RSA key; forward secret.
	ECDHEECDSA KeyExchange = iota + 1
	ECDHERSA
	// RSAKeyTransport is the seed's flow: the client encrypts a random
	// pre-master secret under the server's RSA key. Not forward secret.
	RSAKeyTransport
)

// Mode is how a TLS 1.2 suite protects records.
type Mode uint8

// Record protection modes of TLS 1.2 suites.
const (
	ModeGCM Mode = iota + 1
	ModeChaCha20Poly1305
	// ModeCBC is MAC-then-encrypt with an HMAC and AES-CBC, the seed's
	// "HTTP + MAC, encrypted".
	ModeCBC
)

// Suite12 is one TLS 1.2 cipher suite.
type Suite12 struct {
	ID          uint16
	Name        string
	KeyExchange KeyExchange
	Mode        Mode
	KeyLen      int
	// FixedIVLen is the implicit IV from the key block: 4 for GCM, 12 for
	// ChaCha20-Poly1305, 0 for CBC, whose IVs travel in each record.
	FixedIVLen int
	// MAC is the record HMAC's hash for CBC suites; nil for AEADs.
	MAC    func() hash.Hash
	MACLen int
	// PRF is the hash of the TLS 1.2 PRF and of the Finished transcript.
	PRF crypto.Hash
	// Legacy suites are used only when named in Config.CipherSuites.
	Legacy bool
}

// ForwardSecret reports whether the suite's keys survive the theft of the
// server's private key.
func (s *Suite12) ForwardSecret() bool { return s.KeyExchange != RSAKeyTransport }

// KeyFits reports whether a certificate key can serve the suite: ECDSA and
// Ed25519 keys sign for ECDHE_ECDSA (RFC 8422 §5.3), RSA keys sign for
// ECDHE_RSA or decrypt for RSA key transport.
func (s *Suite12) KeyFits(pub crypto.PublicKey) bool {
	switch pub.(type) {
	case *ecdsa.PublicKey, ed25519.PublicKey:
		return s.KeyExchange == ECDHEECDSA
	case *rsa.PublicKey:
		return s.KeyExchange == ECDHERSA || s.KeyExchange == RSAKeyTransport
	}
	return false
}

// NewBlock returns the AES block cipher for a CBC suite.
func (s *Suite12) NewBlock(key []byte) (cipher.Block, error) { return aes.NewCipher(key) }

// NewAEAD returns the AEAD for a GCM or ChaCha20-Poly1305 suite.
func (s *Suite12) NewAEAD(key []byte) (cipher.AEAD, error) {
	if s.Mode == ModeChaCha20Poly1305 {
		return chacha20poly1305.New(key)
	}
	return newGCM(key)
}

// TLS12 lists the TLS 1.2 suites in Lucid's server preference: ECDSA before
// RSA, AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305, then the legacy ones.
var TLS12 = []*Suite12{
	aead12(TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", ECDHEECDSA, ModeGCM, 16, crypto.SHA256),
	aead12(TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", ECDHERSA, ModeGCM, 16, crypto.SHA256),
	aead12(TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", ECDHEECDSA, ModeGCM, 32, crypto.SHA384),
	aead12(TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", ECDHERSA, ModeGCM, 32, crypto.SHA384),
	aead12(TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", ECDHEECDSA, ModeChaCha20Poly1305, 32, crypto.SHA256),
	aead12(TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", ECDHERSA, ModeChaCha20Poly1305, 32, crypto.SHA256),
	legacy(aead12(TLS_RSA_WITH_AES_128_GCM_SHA256, "TLS_RSA_WITH_AES_128_GCM_SHA256", RSAKeyTransport, ModeGCM, 16, crypto.SHA256)),
	legacy(aead12(TLS_RSA_WITH_AES_256_GCM_SHA384, "TLS_RSA_WITH_AES_256_GCM_SHA384", RSAKeyTransport, ModeGCM, 32, crypto.SHA384)),
	legacy(cbc12(TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", ECDHEECDSA, 16, sha256.New, 32)),
	legacy(cbc12(TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", ECDHERSA, 16, sha256.New, 32)),
	legacy(cbc12(TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", ECDHEECDSA, 16, sha1.New, 20)),
	legacy(cbc12(TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", ECDHERSA, 16, sha1.New, 20)),
	legacy(cbc12(TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", ECDHEECDSA, 32, sha1.New, 20)),
	legacy(cbc12(TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", ECDHERSA, 32, sha1.New, 20)),
	legacy(cbc12(TLS_RSA_WITH_AES_128_CBC_SHA256, "TLS_RSA_WITH_AES_128_CBC_SHA256", RSAKeyTransport, 16, sha256.New, 32)),
	legacy(cbc12(TLS_RSA_WITH_AES_128_CBC_SHA, "TLS_RSA_WITH_AES_128_CBC_SHA", RSAKeyTransport, 16, sha1.New, 20)),
	legacy(cbc12(TLS_RSA_WITH_AES_256_CBC_SHA, "TLS_RSA_WITH_AES_256_CBC_SHA", RSAKeyTransport, 32, sha1.New, 20)),
}

func aead12(id uint16, name string, kx KeyExchange, mode Mode, keyLen int, prf crypto.Hash) *Suite12 {
	iv := 4
	if mode == ModeChaCha20Poly1305 {
		iv = 12
	}
	return &Suite12{ID: id, Name: name, KeyExchange: kx, Mode: mode, KeyLen: keyLen, FixedIVLen: iv, PRF: prf}
}

// cbc12 describes an AES-CBC suite; every one Lucid has uses the SHA-256
// PRF of TLS 1.2 (RFC 5246 §5), whatever its record MAC.
func cbc12(id uint16, name string, kx KeyExchange, keyLen int, mac func() hash.Hash, macLen int) *Suite12 {
	return &Suite12{ID: id, Name: name, KeyExchange: kx, Mode: ModeCBC, KeyLen: keyLen, MAC: mac, MACLen: macLen, PRF: crypto.SHA256}
}

func legacy(s *Suite12) *Suite12 {
	s.Legacy = true
	return s
}

// byID12 indexes TLS12 by code point.
var byID12 = func() map[uint16]*Suite12 {
	m := make(map[uint16]*Suite12, len(TLS12))
	for _, s := range TLS12 {
		m[s.ID] = s
	}
	return m
}()

// Lookup12 returns the TLS 1.2 suite with code point id, or nil.
func Lookup12(id uint16) *Suite12 { return byID12[id] }

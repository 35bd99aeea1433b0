// Package suites describes the cipher suites Lucid implements: the AEAD that
// protects records and the hash that drives the key schedule.
package suites

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	_ "crypto/sha256" // registers SHA-256 for crypto.Hash
	_ "crypto/sha512" // registers SHA-384 for crypto.Hash

	"golang.org/x/crypto/chacha20poly1305"
)

// TLS 1.3 cipher suite code points (RFC 8446 §B.4).
const (
	TLS_AES_128_GCM_SHA256       uint16 = 0x1301
	TLS_AES_256_GCM_SHA384       uint16 = 0x1302
	TLS_CHACHA20_POLY1305_SHA256 uint16 = 0x1303
)

// Suite is one TLS 1.3 cipher suite: an AEAD and a hash (RFC 8446 §B.4).
type Suite struct {
	ID     uint16
	Name   string
	Hash   crypto.Hash
	KeyLen int
	// NewAEAD returns the record protection for a traffic key.
	NewAEAD func(key []byte) (cipher.AEAD, error)
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// TLS13 lists the TLS 1.3 suites in Lucid's default preference: AES-128-GCM
// first because hardware makes it the fastest where AES instructions exist,
// then AES-256-GCM, then ChaCha20-Poly1305.
var TLS13 = []*Suite{
	{ID: TLS_AES_128_GCM_SHA256, Name: "TLS_AES_128_GCM_SHA256", Hash: crypto.SHA256, KeyLen: 16, NewAEAD: newGCM},
	{ID: TLS_AES_256_GCM_SHA384, Name: "TLS_AES_256_GCM_SHA384", Hash: crypto.SHA384, KeyLen: 32, NewAEAD: newGCM},
	{ID: TLS_CHACHA20_POLY1305_SHA256, Name: "TLS_CHACHA20_POLY1305_SHA256", Hash: crypto.SHA256, KeyLen: 32, NewAEAD: chacha20poly1305.New},
}

// Lookup13 returns the TLS 1.3 suite with code point id, or nil.
func Lookup13(id uint16) *Suite {
	// Three suites: a scan is as fast as a map and needs no set-up.
	for i := range TLS13 {
		if TLS13[i].ID == id {
			return TLS13[i]
		}
	}
	return nil
}

package redisstore

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// A ticket key is stored in Redis as a sealed record, never in clear: anyone
// who can read Redis (a replica, a backup, a MONITOR session) would
// otherwise hold every ticket's session secrets. The record is AES-256-GCM
// under the key-encryption key with a fresh random nonce; the additional
// data is the hash and field the record is stored under, so a record copied
// to another name, or another deployment's prefix, does not open.
//
// Record, version 1 (77 bytes):
//
//	version (1 byte, 1) | nonce (12 bytes) | GCM sealed plaintext (48 + 16 bytes)
//
// Plaintext (48 bytes):
//
//	created (8 bytes, Unix ms, big endian) | activates (8 bytes, Unix ms) | key (32 bytes)
//
// The times are inside the sealed part so that nobody without the KEK can
// make an old key look current, or a pending one active early.

const (
	recordVersion   = 1
	nonceLen        = 12
	plaintextLen    = 8 + 8 + 32
	sealedRecordLen = 1 + nonceLen + plaintextLen + 16
)

// errRecord is the error of a record that is not a version-1 sealed key
// of the right length, before any cryptography is tried.
var errRecord = errors.New("redisstore: malformed ticket key record")

// errRecordOpen is the error of a well-formed record that does not
// authenticate: another KEK, another name, or tampered bytes.
var errRecordOpen = errors.New("redisstore: ticket key record does not open with this key-encryption key (another KEK, or the record was altered or moved)")

// keyRecord is one ticket key with its schedule.
type keyRecord struct {
	id string
	// created is when the key was made, which decides when the next
	// rotation is due; activates is when servers start sealing with
	// it, after every server has had time to fetch it.
	created, activates time.Time
	key                [32]byte
}

// recordAEAD is the AEAD of the KEK.
func recordAEAD(kek *[32]byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(kek[:])
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// sealRecord encrypts r under aead, bound to ad.
func sealRecord(aead cipher.AEAD, r *keyRecord, ad []byte) ([]byte, error) {
	var plain [plaintextLen]byte
	binary.BigEndian.PutUint64(plain[0:], uint64(r.created.UnixMilli()))
	binary.BigEndian.PutUint64(plain[8:], uint64(r.activates.UnixMilli()))
	copy(plain[16:], r.key[:])
	out := make([]byte, 1+nonceLen, sealedRecordLen)
	out[0] = recordVersion
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, fmt.Errorf("redisstore: nonce for a ticket key record: %w", err)
	}
	out = aead.Seal(out, out[1:1+nonceLen], plain[:], ad)
	clear(plain[:])
	return out, nil
}

// openRecord decrypts a sealed record stored under ad. It checks the
// length and version before anything else, so arbitrary bytes cost no
// allocation beyond the fixed-size plaintext.
func openRecord(aead cipher.AEAD, sealed, ad []byte) (created, activates time.Time, key [32]byte, err error) {
	if len(sealed) != sealedRecordLen || sealed[0] != recordVersion {
		return created, activates, key, errRecord
	}
	var buf [plaintextLen]byte
	plain, err := aead.Open(buf[:0], sealed[1:1+nonceLen], sealed[1+nonceLen:], ad)
	if err != nil {
		return created, activates, key, errRecordOpen
	}
	created = time.UnixMilli(int64(binary.BigEndian.Uint64(plain[0:])))
	activates = time.UnixMilli(int64(binary.BigEndian.Uint64(plain[8:])))
	copy(key[:], plain[16:])
	clear(buf[:])
	return created, activates, key, nil
}

// recordAD is the additional data of the record stored in hash under
// field id.
func recordAD(hash, id string) []byte {
	return []byte("lucid ticket key v1\x00" + hash + "\x00" + id)
}

package session

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
)

// TicketKey is one 32-byte secret from which a ticket key's name and its
// AES-256-GCM key are derived with HKDF-SHA-256 (RFC 5869). Deriving both
// from one secret means operators distribute and rotate a single value per
// key, and the name reveals nothing about the encryption key.
//
// RFC 5077 §5.5: generate it with a cryptographically secure generator, use
// it for nothing but tickets, and replace it regularly.
type TicketKey = [32]byte

// Layout of a sealed ticket: key_name || nonce || AES-256-GCM ciphertext
// and tag. This is RFC 5077 §4's key_name + IV + encrypted_state + MAC with
// an AEAD in place of CBC and HMAC, and the key_name as additional data so
// that a ticket cannot be relabelled to another key.
const (
	// NameLen is the length of key_name (RFC 5077 §4).
	NameLen = 16
	// NonceLen is the GCM nonce length (NIST SP 800-38D §8.2.2).
	NonceLen = 12
	// TagLen is the GCM tag length.
	TagLen = 16
	// Overhead is how much longer a ticket is than the state it seals.
	Overhead = NameLen + NonceLen + TagLen
	// MaxTicketLen is the longest ticket NewSessionTicket can carry:
	// ticket<1..2^16-1> (RFC 8446 §4.6.1; RFC 5077 §3.3 likewise).
	MaxTicketLen = 0xffff
	// MaxPlaintextLen is the longest state Seal accepts.
	MaxPlaintextLen = MaxTicketLen - Overhead
)

// HKDF info labels. They are distinct so that the name and the AEAD key are
// independent outputs, and versioned so a future ticket format can derive
// fresh keys from the same secrets (RFC 5077 §5.5).
const (
	labelName = "lucid session ticket v1 key name"
	labelAEAD = "lucid session ticket v1 aes-256-gcm key"
)

// ticketKey is a TicketKey after derivation.
type ticketKey struct {
	name [NameLen]byte
	aead cipher.AEAD
}

// Sealer encrypts and authenticates tickets with the first key and opens
// them with any key of the list, so that servers sharing keys resume each
// other's sessions and keys can rotate (RFC 5077 §5.5): put the new key in
// front, keep the old ones behind it for as long as their tickets should
// stay valid, then drop them.
//
// Nonces are random, so the first key should be replaced well before it has
// sealed 2^32 tickets, the limit NIST SP 800-38D §8.3 sets for random GCM
// nonces under one key.
//
// A Sealer is immutable after NewSealer and safe for concurrent use.
type Sealer struct {
	keys []ticketKey
}

// NewSealer derives the names and AEAD keys of keys, the first of which
// seals. It needs at least one key.
func NewSealer(keys []TicketKey) (*Sealer, error) {
	if len(keys) == 0 {
		return nil, errors.New("session: a Sealer needs at least one ticket key")
	}
	s := &Sealer{keys: make([]ticketKey, 0, len(keys))}
	for i := range keys {
		k, err := deriveKey(&keys[i])
		if err != nil {
			return nil, fmt.Errorf("session: ticket key %d: %w", i, err)
		}
		s.keys = append(s.keys, k)
	}
	return s, nil
}

// deriveKey expands secret into a key name and an AES-256-GCM instance.
// The secret is already uniformly random, so HKDF-Extract with no salt
// (RFC 5869 §3.1) costs nothing in strength and keeps derivation fixed.
func deriveKey(secret *TicketKey) (ticketKey, error) {
	var k ticketKey
	prk, err := hkdf.Extract(sha256.New, secret[:], nil)
	if err != nil {
		return k, err
	}
	name, err := hkdf.Expand(sha256.New, prk, labelName, NameLen)
	if err != nil {
		return k, err
	}
	key, err := hkdf.Expand(sha256.New, prk, labelAEAD, 32)
	if err != nil {
		return k, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return k, err
	}
	k.aead, err = cipher.NewGCM(block)
	if err != nil {
		return k, err
	}
	copy(k.name[:], name)
	return k, nil
}

// Seal returns name(16) || nonce(12) || AES-256-GCM(plaintext) with the
// name as additional data and the nonce read from rand. It fails if rand
// does, or if the ticket would not fit NewSessionTicket (MaxPlaintextLen).
func (s *Sealer) Seal(rand io.Reader, plaintext []byte) ([]byte, error) {
	if s == nil || len(s.keys) == 0 {
		return nil, errors.New("session: Seal on an empty Sealer")
	}
	if rand == nil {
		return nil, errors.New("session: Seal needs a source of randomness")
	}
	if len(plaintext) > MaxPlaintextLen {
		return nil, fmt.Errorf("session: state of %d bytes does not fit in a ticket", len(plaintext))
	}
	k := &s.keys[0]
	out := make([]byte, NameLen+NonceLen, NameLen+NonceLen+len(plaintext)+TagLen)
	copy(out, k.name[:])
	nonce := out[NameLen : NameLen+NonceLen]
	if _, err := io.ReadFull(rand, nonce); err != nil {
		return nil, fmt.Errorf("session: reading ticket nonce: %w", err)
	}
	return k.aead.Seal(out, nonce, plaintext, out[:NameLen]), nil
}

// Open finds the key that sealed ticket by its name and decrypts it. An
// unknown name, a bad tag, or a ticket too short or too long to be ours is
// an error, on which a server falls back to a full handshake.
func (s *Sealer) Open(ticket []byte) ([]byte, error) {
	if s == nil {
		return nil, errors.New("session: Open on a nil Sealer")
	}
	if len(ticket) < Overhead || len(ticket) > MaxTicketLen {
		return nil, fmt.Errorf("session: ticket of %d bytes cannot be ours", len(ticket))
	}
	name := ticket[:NameLen]
	nonce := ticket[NameLen : NameLen+NonceLen]
	sealed := ticket[NameLen+NonceLen:]
	found := false
	// Two different secrets sharing a name is a 2^-128 event, but a
	// repeated key would, so try every key with the name rather than the
	// first.
	for i := range s.keys {
		k := &s.keys[i]
		if !bytes.Equal(k.name[:], name) {
			continue
		}
		found = true
		if pt, err := k.aead.Open(nil, nonce, sealed, name); err == nil {
			return pt, nil
		}
	}
	if !found {
		return nil, errors.New("session: ticket sealed with an unknown key")
	}
	return nil, errors.New("session: ticket failed authentication")
}

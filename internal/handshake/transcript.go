package handshake

import (
	"crypto"
	"encoding"
	"hash"

	"lucid/internal/wire"
)

// transcript is the running Transcript-Hash of RFC 8446 §4.4.1. Until the
// cipher suite (and so the hash) is known, messages are kept as bytes.
type transcript struct {
	alg     crypto.Hash
	h       hash.Hash
	pending []byte
	// raw keeps every message while keepRaw is set: a TLS 1.2
	// CertificateVerify signs the messages themselves, not their hash.
	raw     []byte
	keepRaw bool
	// digest holds what sum returns, so the dozen sums of a handshake
	// allocate nothing.
	digest [64]byte
	// mac holds the Finished MAC a peer's is checked against.
	mac [64]byte
}

func (t *transcript) add(msg []byte) {
	if t.keepRaw {
		t.raw = append(t.raw, msg...)
	}
	if t.h == nil {
		t.pending = append(t.pending, msg...)
		return
	}
	t.h.Write(msg)
}

// setHash fixes the hash once the suite is chosen and absorbs what came before.
func (t *transcript) setHash(alg crypto.Hash) {
	if t.h != nil {
		return
	}
	t.alg = alg
	t.h = alg.New()
	t.h.Write(t.pending)
	if t.keepRaw {
		t.raw = append(t.raw[:0], t.pending...)
	}
	t.pending = nil
}

// sum returns the hash of everything added so far, leaving the running
// state untouched. The result is only valid until the next sum: every
// caller hands it straight to a derivation that copies what it keeps.
func (t *transcript) sum() []byte {
	return t.h.Sum(t.digest[:0])
}

// replaceWithMessageHash applies RFC 8446 §4.4.1 after a HelloRetryRequest:
// ClientHello1 is replaced by a synthetic message_hash message carrying
// Hash(ClientHello1).
func (t *transcript) replaceWithMessageHash() {
	digest := t.sum()
	t.h = t.alg.New()
	hdr := wire.AppendHeader(nil, wire.TypeMessageHash, len(digest))
	t.h.Write(hdr)
	t.h.Write(digest)
}

// sumWith returns the hash of the transcript followed by extra, without
// adding extra: PSK binders hash a truncated ClientHello that never joins
// the transcript in that form.
func (t *transcript) sumWith(extra []byte) []byte {
	if t.h == nil {
		d := t.alg.New()
		d.Write(t.pending)
		d.Write(extra)
		return d.Sum(nil)
	}
	state, err := t.h.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		panic("handshake: transcript hash cannot be cloned: " + err.Error())
	}
	d := t.alg.New()
	if err := d.(encoding.BinaryUnmarshaler).UnmarshalBinary(state); err != nil {
		panic("handshake: transcript hash cannot be cloned: " + err.Error())
	}
	d.Write(extra)
	return d.Sum(nil)
}

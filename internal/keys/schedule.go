// Package keys derives the secrets of both TLS versions. For TLS 1.3 it is
// the key schedule (RFC 8446 §7.1, this file): the chain of secrets from
// Early through Handshake to Master, the traffic keys and IVs derived from
// each traffic secret, and the Finished MAC keys. For TLS 1.2 it is the
// PRF (RFC 5246 §5, prf.go): the master secret, classic or extended
// (RFC 7627), the key block and the Finished verify_data.
//
// Each stage of the TLS 1.3 schedule is its own type, so a caller cannot
// derive an application traffic secret before the handshake secret existed.
package keys

import (
	"crypto"
	"crypto/hkdf"
	"crypto/hmac"
	"hash"
)

// ExpandLabel is HKDF-Expand-Label (RFC 8446 §7.1):
//
//	struct { uint16 length; opaque label<7..255>; opaque context<0..255>; } HkdfLabel
//
// with label prefixed by "tls13 ".
func ExpandLabel(h crypto.Hash, secret []byte, label string, context []byte, length int) []byte {
	const prefix = "tls13 "
	info := make([]byte, 0, 4+len(prefix)+len(label)+len(context))
	info = append(info, byte(length>>8), byte(length))
	info = append(info, byte(len(prefix)+len(label)))
	info = append(info, prefix...)
	info = append(info, label...)
	info = append(info, byte(len(context)))
	info = append(info, context...)
	out, err := hkdf.Expand(h.New, secret, string(info), length)
	if err != nil {
		// Only reachable when length exceeds 255*HashLen, which no TLS
		// label asks for: a programming error, not a peer's doing.
		panic("keys: HKDF-Expand-Label: " + err.Error())
	}
	return out
}

// deriveSecret is Derive-Secret(Secret, Label, Messages) with the transcript
// hash already computed by the caller, who keeps the running transcript.
func deriveSecret(h crypto.Hash, secret []byte, label string, transcriptHash []byte) []byte {
	return ExpandLabel(h, secret, label, transcriptHash, h.Size())
}

func extract(h crypto.Hash, ikm, salt []byte) []byte {
	if ikm == nil {
		ikm = make([]byte, h.Size())
	}
	out, err := hkdf.Extract(h.New, ikm, salt)
	if err != nil {
		panic("keys: HKDF-Extract: " + err.Error())
	}
	return out
}

// EmptyHash returns Transcript-Hash("") for h, the context of the "derived"
// steps and of the binder keys.
func EmptyHash(h crypto.Hash) []byte {
	return h.New().Sum(nil)
}

// EarlySecret is the first stage: HKDF-Extract(0, PSK), or of zeros when no
// PSK is in use.
type EarlySecret struct {
	hash   crypto.Hash
	secret []byte
}

// NewEarlySecret starts the schedule; psk is nil for a full handshake.
func NewEarlySecret(h crypto.Hash, psk []byte) EarlySecret {
	return EarlySecret{hash: h, secret: extract(h, psk, nil)}
}

// Secret returns the early secret itself, for known-answer tests.
func (e EarlySecret) Secret() []byte { return e.secret }

// BinderKey returns the key for PSK binders: "res binder" for resumption
// PSKs, "ext binder" for external ones (RFC 8446 §7.1).
func (e EarlySecret) BinderKey(resumption bool) []byte {
	label := "ext binder"
	if resumption {
		label = "res binder"
	}
	return deriveSecret(e.hash, e.secret, label, EmptyHash(e.hash))
}

// Handshake mixes in the (EC)DHE shared secret to make the handshake secret.
func (e EarlySecret) Handshake(shared []byte) HandshakeSecret {
	salt := deriveSecret(e.hash, e.secret, "derived", EmptyHash(e.hash))
	return HandshakeSecret{hash: e.hash, secret: extract(e.hash, shared, salt)}
}

// HandshakeSecret is the second stage, from which the handshake traffic
// secrets come.
type HandshakeSecret struct {
	hash   crypto.Hash
	secret []byte
}

// Secret returns the handshake secret itself, for known-answer tests.
func (s HandshakeSecret) Secret() []byte { return s.secret }

// ClientTraffic returns client_handshake_traffic_secret; transcriptHash
// covers ClientHello...ServerHello.
func (s HandshakeSecret) ClientTraffic(transcriptHash []byte) []byte {
	return deriveSecret(s.hash, s.secret, "c hs traffic", transcriptHash)
}

// ServerTraffic returns server_handshake_traffic_secret.
func (s HandshakeSecret) ServerTraffic(transcriptHash []byte) []byte {
	return deriveSecret(s.hash, s.secret, "s hs traffic", transcriptHash)
}

// Master derives the master secret; no further key material enters.
func (s HandshakeSecret) Master() MasterSecret {
	salt := deriveSecret(s.hash, s.secret, "derived", EmptyHash(s.hash))
	return MasterSecret{hash: s.hash, secret: extract(s.hash, nil, salt)}
}

// MasterSecret is the last stage: application traffic, exporter and
// resumption secrets.
type MasterSecret struct {
	hash   crypto.Hash
	secret []byte
}

// Secret returns the master secret itself, for known-answer tests.
func (m MasterSecret) Secret() []byte { return m.secret }

// ClientTraffic returns client_application_traffic_secret_0; transcriptHash
// covers ClientHello...server Finished.
func (m MasterSecret) ClientTraffic(transcriptHash []byte) []byte {
	return deriveSecret(m.hash, m.secret, "c ap traffic", transcriptHash)
}

// ServerTraffic returns server_application_traffic_secret_0.
func (m MasterSecret) ServerTraffic(transcriptHash []byte) []byte {
	return deriveSecret(m.hash, m.secret, "s ap traffic", transcriptHash)
}

// Exporter returns exporter_master_secret.
func (m MasterSecret) Exporter(transcriptHash []byte) []byte {
	return deriveSecret(m.hash, m.secret, "exp master", transcriptHash)
}

// Resumption returns resumption_master_secret; transcriptHash covers
// ClientHello...client Finished.
func (m MasterSecret) Resumption(transcriptHash []byte) []byte {
	return deriveSecret(m.hash, m.secret, "res master", transcriptHash)
}

// TrafficKey derives the AEAD key and the 12-byte IV from a traffic secret
// (RFC 8446 §7.3).
func TrafficKey(h crypto.Hash, secret []byte, keyLen int) (key, iv []byte) {
	return ExpandLabel(h, secret, "key", nil, keyLen), ExpandLabel(h, secret, "iv", nil, 12)
}

// NextTraffic is the KeyUpdate step: application_traffic_secret_N+1
// (RFC 8446 §7.2).
func NextTraffic(h crypto.Hash, secret []byte) []byte {
	return ExpandLabel(h, secret, "traffic upd", nil, h.Size())
}

// FinishedMAC computes verify_data = HMAC(finished_key, transcriptHash), with
// finished_key derived from the sender's traffic secret (RFC 8446 §4.4.4).
func FinishedMAC(h crypto.Hash, baseKey, transcriptHash []byte) []byte {
	finishedKey := ExpandLabel(h, baseKey, "finished", nil, h.Size())
	mac := hmac.New(func() hash.Hash { return h.New() }, finishedKey)
	mac.Write(transcriptHash)
	return mac.Sum(nil)
}

// ResumptionPSK turns resumption_master_secret and a ticket nonce into the
// PSK that ticket stands for (RFC 8446 §4.6.1).
func ResumptionPSK(h crypto.Hash, resumptionSecret, nonce []byte) []byte {
	return ExpandLabel(h, resumptionSecret, "resumption", nonce, h.Size())
}

// Exported implements the TLS 1.3 exporter (RFC 8446 §7.5).
func Exported(h crypto.Hash, exporterSecret []byte, label string, context []byte, length int) []byte {
	secret := deriveSecret(h, exporterSecret, label, EmptyHash(h))
	ctx := h.New()
	ctx.Write(context)
	return ExpandLabel(h, secret, "exporter", ctx.Sum(nil), length)
}

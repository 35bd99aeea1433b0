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
	"crypto/hmac"
	"errors"
	"hash"
	"sync"
)

// ExpandLabel is HKDF-Expand-Label (RFC 8446 §7.1):
//
//	struct { uint16 length; opaque label<7..255>; opaque context<0..255>; } HkdfLabel
//
// with label prefixed by "tls13 ".
func ExpandLabel(h crypto.Hash, secret []byte, label string, context []byte, length int) []byte {
	return appendExpandLabel(make([]byte, 0, length), h, secret, label, context, length)
}

// appendExpandLabel is ExpandLabel appending to dst, so that outputs
// derived together can share one allocation.
func appendExpandLabel(dst []byte, h crypto.Hash, secret []byte, label string, context []byte, length int) []byte {
	m := getMAC(h)
	dst = m.expandLabel(dst, secret, label, context, length)
	putMAC(h, m)
	return dst
}

func (m *mac) expandLabel(dst, secret []byte, label string, context []byte, length int) []byte {
	const prefix = "tls13 "
	if len(prefix)+len(label) > 255 || len(context) > 255 {
		// Labels are this package's constants or an exporter label the
		// caller has bounded: a programming error, not a peer's doing.
		panic("keys: HKDF-Expand-Label: label or context longer than 255 bytes")
	}
	info := append(m.info[:0], byte(length>>8), byte(length), byte(len(prefix)+len(label)))
	info = append(info, prefix...)
	info = append(info, label...)
	info = append(info, byte(len(context)))
	info = append(info, context...)
	return m.expand(dst, secret, len(info), length)
}

// deriveSecret is Derive-Secret(Secret, Label, Messages) with the transcript
// hash already computed by the caller, who keeps the running transcript.
func deriveSecret(h crypto.Hash, secret []byte, label string, transcriptHash []byte) []byte {
	return ExpandLabel(h, secret, label, transcriptHash, h.Size())
}

// extract is HKDF-Extract (RFC 5869 §2.2): HMAC(salt, IKM), with a nil IKM
// or salt standing for a string of HashLen zeros (RFC 8446 §7.1).
func extract(h crypto.Hash, ikm, salt []byte) []byte {
	m := getMAC(h)
	if salt == nil {
		salt = zeros[:m.size]
	}
	if ikm == nil {
		ikm = zeros[:m.size]
	}
	m.start(salt)
	m.write(ikm)
	out := m.finish(make([]byte, 0, m.size))
	putMAC(h, m)
	return out
}

// zeros stands in for an absent salt or IKM; it is only ever read.
var zeros [maxSize]byte

// constants are the values of the schedule that no key material enters,
// per hash: computed once rather than on every handshake.
type constants struct {
	once sync.Once
	// emptyHash is Transcript-Hash("").
	emptyHash []byte
	// early is the early secret without a PSK, and derived the salt it
	// passes to the handshake secret.
	early, derived []byte
	// underZeros and underDerived are HMACs keyed with the zero salt and
	// with derived.
	underZeros, underDerived constKeyed
}

var constantsOf [crypto.BLAKE2b_512 + 1]constants

// constKeyed is crypto/hmac under a key that is a public constant of the
// schedule (the zero salt, the "derived" salt of a schedule without PSK).
// Made once and kept in a pool rather than made, with its key hashed, on
// every handshake; a Reset returns one to the keyed state and leaves
// nothing of what it last MACed behind.
type constKeyed struct {
	pool sync.Pool
}

// extract is HKDF-Extract(key, ikm) with the MAC keyed with key, a
// constant that must be the same on every call.
func (p *constKeyed) extract(h crypto.Hash, key, ikm []byte) []byte {
	m, ok := p.pool.Get().(hash.Hash)
	if !ok {
		m = hmac.New(h.New, key)
	}
	m.Reset()
	m.Write(ikm)
	out := m.Sum(make([]byte, 0, m.Size()))
	m.Reset()
	p.pool.Put(m)
	return out
}

func constantsFor(h crypto.Hash) *constants {
	c := &constantsOf[h]
	c.once.Do(func() {
		c.emptyHash = h.New().Sum(nil)
		c.early = extract(h, nil, nil)
		c.derived = deriveSecret(h, c.early, "derived", c.emptyHash)
	})
	return c
}

// EmptyHash returns Transcript-Hash("") for h, the context of the "derived"
// steps and of the binder keys.
func EmptyHash(h crypto.Hash) []byte {
	return append([]byte(nil), constantsFor(h).emptyHash...)
}

// EarlySecret is the first stage: HKDF-Extract(0, PSK), or of zeros when no
// PSK is in use.
type EarlySecret struct {
	hash   crypto.Hash
	secret []byte
	// noPSK marks the schedule's constant start, whose "derived" salt is
	// computed once.
	noPSK bool
	// derived is the "derived" salt when NewResumptionEarlySecret has
	// derived it already.
	derived []byte
}

// NewEarlySecret starts the schedule; psk is nil for a full handshake.
func NewEarlySecret(h crypto.Hash, psk []byte) EarlySecret {
	c := constantsFor(h)
	if psk == nil {
		// Shared, never written: every reader of secret only reads.
		return EarlySecret{hash: h, secret: c.early, noPSK: true}
	}
	return EarlySecret{hash: h, secret: c.underZeros.extract(h, zeros[:h.Size()], psk)}
}

// NewResumptionEarlySecret is NewEarlySecret for a resumption PSK, with its
// binder key (BinderKey(true)). The "derived" salt the handshake secret
// will need is derived now too, under the same HMAC of the early secret,
// and kept in the returned EarlySecret.
func NewResumptionEarlySecret(h crypto.Hash, psk []byte) (e EarlySecret, binderKey []byte) {
	e = NewEarlySecret(h, psk)
	n := h.Size()
	out := make([]byte, 0, 2*n)
	m := getMAC(h)
	empty := constantsFor(h).emptyHash
	out = m.expandLabel(out, e.secret, "res binder", empty, n)
	out = m.expandLabel(out, e.secret, "derived", empty, n)
	putMAC(h, m)
	e.derived = out[n:]
	return e, out[:n:n]
}

// Hash is the hash the schedule runs on.
func (e EarlySecret) Hash() crypto.Hash { return e.hash }

// Secret returns the early secret itself, for known-answer tests.
func (e EarlySecret) Secret() []byte { return append([]byte(nil), e.secret...) }

// BinderKey returns the key for PSK binders: "res binder" for resumption
// PSKs, "ext binder" for external ones (RFC 8446 §7.1).
func (e EarlySecret) BinderKey(resumption bool) []byte {
	label := "ext binder"
	if resumption {
		label = "res binder"
	}
	return deriveSecret(e.hash, e.secret, label, constantsFor(e.hash).emptyHash)
}

// ClientEarlyTraffic returns client_early_traffic_secret, the secret of
// 0-RTT data (RFC 8446 §7.1); transcriptHash covers the ClientHello alone,
// binders included. Only a PSK's early secret has one: the caller derives
// it from the first PSK the client offers, the one early data is sent
// under (§4.2.10).
func (e EarlySecret) ClientEarlyTraffic(transcriptHash []byte) []byte {
	return deriveSecret(e.hash, e.secret, "c e traffic", transcriptHash)
}

// EarlyExporter returns early_exporter_master_secret, the exporter secret
// available before the handshake completes (RFC 8446 §7.5); transcriptHash
// covers the ClientHello, as for ClientEarlyTraffic.
func (e EarlySecret) EarlyExporter(transcriptHash []byte) []byte {
	return deriveSecret(e.hash, e.secret, "e exp master", transcriptHash)
}

// Handshake mixes in the (EC)DHE shared secret to make the handshake secret.
func (e EarlySecret) Handshake(shared []byte) HandshakeSecret {
	c := constantsFor(e.hash)
	if shared == nil {
		// psk_ke: no (EC)DHE, an IKM of zeros (RFC 8446 §7.1).
		shared = zeros[:e.hash.Size()]
	}
	if e.noPSK {
		return HandshakeSecret{hash: e.hash, secret: c.underDerived.extract(e.hash, c.derived, shared)}
	}
	salt := e.derived
	if salt == nil {
		salt = deriveSecret(e.hash, e.secret, "derived", c.emptyHash)
	}
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

// Traffic returns both handshake traffic secrets, client's then server's,
// in one allocation.
func (s HandshakeSecret) Traffic(transcriptHash []byte) (client, server []byte) {
	return deriveTwo(s.hash, s.secret, "c hs traffic", "s hs traffic", transcriptHash)
}

// TrafficAndMaster returns both handshake traffic secrets, client's then
// server's, and the master secret. The three Derive-Secrets under the
// handshake secret share one HMAC instead of keying one twice.
func (s HandshakeSecret) TrafficAndMaster(transcriptHash []byte) (client, server []byte, master MasterSecret) {
	n := s.hash.Size()
	out := make([]byte, 0, 3*n)
	m := getMAC(s.hash)
	out = m.expandLabel(out, s.secret, "c hs traffic", transcriptHash, n)
	out = m.expandLabel(out, s.secret, "s hs traffic", transcriptHash, n)
	salt := m.expandLabel(m.key[:0], s.secret, "derived", constantsFor(s.hash).emptyHash, n)
	m.start(salt)
	m.write(zeros[:n])
	out = m.finish(out)
	putMAC(s.hash, m)
	return out[:n:n], out[n : 2*n : 2*n], MasterSecret{hash: s.hash, secret: out[2*n:]}
}

// deriveTwo is two Derive-Secrets under one secret and context, sharing
// an allocation; each result's capacity ends where it does.
func deriveTwo(h crypto.Hash, secret []byte, label1, label2 string, transcriptHash []byte) (a, b []byte) {
	n := h.Size()
	out := make([]byte, 0, 2*n)
	m := getMAC(h)
	out = m.expandLabel(out, secret, label1, transcriptHash, n)
	out = m.expandLabel(out, secret, label2, transcriptHash, n)
	putMAC(h, m)
	return out[:n:n], out[n:]
}

// Master derives the master secret; no further key material enters.
func (s HandshakeSecret) Master() MasterSecret {
	salt := deriveSecret(s.hash, s.secret, "derived", constantsFor(s.hash).emptyHash)
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

// Application returns client_application_traffic_secret_0,
// server_application_traffic_secret_0 and exporter_master_secret, which
// share a transcript hash, in one allocation.
func (m MasterSecret) Application(transcriptHash []byte) (client, server, exporter []byte) {
	n := m.hash.Size()
	out := make([]byte, 0, 3*n)
	x := getMAC(m.hash)
	out = x.expandLabel(out, m.secret, "c ap traffic", transcriptHash, n)
	out = x.expandLabel(out, m.secret, "s ap traffic", transcriptHash, n)
	out = x.expandLabel(out, m.secret, "exp master", transcriptHash, n)
	putMAC(m.hash, x)
	return out[:n:n], out[n : 2*n : 2*n], out[2*n:]
}

// ApplicationAndResumption is Application under applicationHash and
// Resumption under resumptionHash, for a side that has both transcripts
// at hand: the four Derive-Secrets share one HMAC under the master secret.
func (m MasterSecret) ApplicationAndResumption(applicationHash, resumptionHash []byte) (client, server, exporter, resumption []byte) {
	n := m.hash.Size()
	out := make([]byte, 0, 4*n)
	x := getMAC(m.hash)
	out = x.expandLabel(out, m.secret, "c ap traffic", applicationHash, n)
	out = x.expandLabel(out, m.secret, "s ap traffic", applicationHash, n)
	out = x.expandLabel(out, m.secret, "exp master", applicationHash, n)
	out = x.expandLabel(out, m.secret, "res master", resumptionHash, n)
	putMAC(m.hash, x)
	return out[:n:n], out[n : 2*n : 2*n], out[2*n : 3*n : 3*n], out[3*n:]
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
	const ivLen = 12
	out := make([]byte, 0, keyLen+ivLen)
	m := getMAC(h)
	out = m.expandLabel(out, secret, "key", nil, keyLen)
	out = m.expandLabel(out, secret, "iv", nil, ivLen)
	putMAC(h, m)
	return out[:keyLen:keyLen], out[keyLen:]
}

// HandshakeTrafficKey is TrafficKey for a handshake traffic secret, which
// also keys that side's Finished: the finished_key (RFC 8446 §4.4.4) is
// derived with the key and IV under one HMAC, to be handed to
// AppendFinishedMACKeyed when the Finished is made or checked.
func HandshakeTrafficKey(h crypto.Hash, secret []byte, keyLen int) (key, iv, finishedKey []byte) {
	const ivLen = 12
	n := h.Size()
	out := make([]byte, 0, keyLen+ivLen+n)
	m := getMAC(h)
	out = m.expandLabel(out, secret, "key", nil, keyLen)
	out = m.expandLabel(out, secret, "iv", nil, ivLen)
	out = m.expandLabel(out, secret, "finished", nil, n)
	putMAC(h, m)
	return out[:keyLen:keyLen], out[keyLen : keyLen+ivLen : keyLen+ivLen], out[keyLen+ivLen:]
}

// AppendFinishedMACKeyed appends verify_data = HMAC(finishedKey,
// transcriptHash) to dst, with finishedKey from HandshakeTrafficKey.
func AppendFinishedMACKeyed(dst []byte, h crypto.Hash, finishedKey, transcriptHash []byte) []byte {
	m := getMAC(h)
	m.start(finishedKey)
	m.write(transcriptHash)
	dst = m.finish(dst)
	putMAC(h, m)
	return dst
}

// NextTraffic is the KeyUpdate step: application_traffic_secret_N+1
// (RFC 8446 §7.2).
func NextTraffic(h crypto.Hash, secret []byte) []byte {
	return ExpandLabel(h, secret, "traffic upd", nil, h.Size())
}

// FinishedMAC computes verify_data = HMAC(finished_key, transcriptHash), with
// finished_key derived from the sender's traffic secret (RFC 8446 §4.4.4).
func FinishedMAC(h crypto.Hash, baseKey, transcriptHash []byte) []byte {
	return AppendFinishedMAC(make([]byte, 0, h.Size()), h, baseKey, transcriptHash)
}

// AppendFinishedMAC is FinishedMAC appending to dst, for a MAC that is only
// compared and need not outlive the check.
func AppendFinishedMAC(dst []byte, h crypto.Hash, baseKey, transcriptHash []byte) []byte {
	m := getMAC(h)
	finishedKey := m.expandLabel(m.key[:0], baseKey, "finished", nil, m.size)
	m.start(finishedKey)
	m.write(transcriptHash)
	dst = m.finish(dst)
	putMAC(h, m)
	return dst
}

// ResumptionPSK turns resumption_master_secret and a ticket nonce into the
// PSK that ticket stands for (RFC 8446 §4.6.1).
func ResumptionPSK(h crypto.Hash, resumptionSecret, nonce []byte) []byte {
	return ExpandLabel(h, resumptionSecret, "resumption", nonce, h.Size())
}

// Exported implements the TLS 1.3 exporter (RFC 8446 §7.5). label and
// length come from the application, so their limits are errors here
// rather than the programming errors they are for the schedule's own
// labels.
func Exported(h crypto.Hash, exporterSecret []byte, label string, context []byte, length int) ([]byte, error) {
	if len("tls13 ")+len(label) > 255 {
		return nil, errors.New("keys: exporter label longer than 249 bytes")
	}
	if length < 0 || length > 255*h.Size() || length > 0xffff {
		return nil, errors.New("keys: exporter length out of range")
	}
	secret := deriveSecret(h, exporterSecret, label, constantsFor(h).emptyHash)
	ctx := h.New()
	ctx.Write(context)
	return ExpandLabel(h, secret, "exporter", ctx.Sum(nil), length), nil
}

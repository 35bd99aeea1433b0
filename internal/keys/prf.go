package keys

import (
	"crypto"

	// Register the hashes this package is asked for by crypto.Hash value.
	_ "crypto/sha256"
	_ "crypto/sha512"
)

// PRF is the TLS 1.2 pseudorandom function (RFC 5246 §5): P_hash over
// label || seed, cut to length.
func PRF(h crypto.Hash, secret []byte, label string, seed []byte, length int) []byte {
	m := getMAC(h)
	out := m.prf(make([]byte, 0, length+m.size), secret, label, seed, length)
	putMAC(h, m)
	return out
}

// prf is PRF with m's scratch, appending to dst (which needs room for
// length rounded up to whole blocks not to grow); m.start reuses the HMAC
// m holds when secret is the key it was made with.
func (m *mac) prf(dst, secret []byte, label string, seed []byte, length int) []byte {
	labelSeed := m.info[:0]
	if len(label)+len(seed) > len(m.info) {
		// Only an exporter context this long: rare enough to allocate.
		labelSeed = make([]byte, 0, len(label)+len(seed))
	}
	labelSeed = append(append(labelSeed, label...), seed...)
	out := dst
	start := len(dst)
	// A(0) = seed; A(i) = HMAC(secret, A(i-1)); output HMAC(secret, A(i) || seed).
	prev := labelSeed
	for len(out)-start < length {
		m.start(secret)
		m.write(prev)
		prev = m.finish(m.key[:0])
		m.start(secret)
		m.write(prev)
		m.write(labelSeed)
		out = m.finish(out)
	}
	return out[:start+length]
}

// MasterPRF runs the PRF under one TLS 1.2 master secret for the span of a
// handshake: the key block and both Finished messages MAC under the same
// key, so they share the crypto/hmac keyed with it rather than keying one
// each. The zero value is ready to use; Release hands its scratch back
// once the handshake is over (a MasterPRF never released is only garbage).
type MasterPRF struct {
	m *mac
	h crypto.Hash
}

func (p *MasterPRF) mac(h crypto.Hash) *mac {
	if p.m != nil && p.h != h {
		p.Release()
	}
	if p.m == nil {
		p.m, p.h = getMAC(h), h
	}
	return p.m
}

// KeyBlock is the package's KeyBlock under p.
func (p *MasterPRF) KeyBlock(h crypto.Hash, master, clientRandom, serverRandom []byte, length int) []byte {
	return p.AppendKeyBlock(make([]byte, 0, length+h.Size()), h, master, clientRandom, serverRandom, length)
}

// AppendKeyBlock is KeyBlock appending to dst, for a key block used at
// once and wiped (record keys are copied into their ciphers); dst needs
// room for length and one hash block more not to grow.
func (p *MasterPRF) AppendKeyBlock(dst []byte, h crypto.Hash, master, clientRandom, serverRandom []byte, length int) []byte {
	var seed [64]byte
	n := copy(seed[:], serverRandom)
	n += copy(seed[n:], clientRandom)
	return p.mac(h).prf(dst, master, "key expansion", seed[:n], length)
}

// FinishedVerifyData is FinishedVerifyData12 under p.
func (p *MasterPRF) FinishedVerifyData(h crypto.Hash, master []byte, client bool, transcriptHash []byte) []byte {
	m := p.mac(h)
	return m.prf(make([]byte, 0, 12+m.size), master, finishedLabel12(client), transcriptHash, 12)
}

// AppendFinishedVerifyData is FinishedVerifyData appending to dst, for a
// value only compared; dst needs room for one hash block beyond its
// length not to grow.
func (p *MasterPRF) AppendFinishedVerifyData(dst []byte, h crypto.Hash, master []byte, client bool, transcriptHash []byte) []byte {
	return p.mac(h).prf(dst, master, finishedLabel12(client), transcriptHash, 12)
}

// Release returns p's scratch, wiping the key it held; p can be used
// again and then takes new scratch.
func (p *MasterPRF) Release() {
	if p.m != nil {
		putMAC(p.h, p.m)
		p.m = nil
	}
}

// MasterSecretLen is the length of every TLS 1.2 master secret.
const MasterSecretLen = 48

// ExtendedMasterSecret derives the master secret from the pre-master
// secret and the hash of the handshake up to ClientKeyExchange (RFC 7627
// §4), binding it to this handshake and defeating triple handshake attacks.
// It is the only master secret Lucid derives: both engines refuse a
// TLS 1.2 peer without the extension, so RFC 5246 §8.1's classic one,
// over the two randoms alone, has no use here.
func ExtendedMasterSecret(h crypto.Hash, preMaster, sessionHash []byte) []byte {
	return PRF(h, preMaster, "extended master secret", sessionHash, MasterSecretLen)
}

// KeyBlock expands the master secret into the record keys (RFC 5246 §6.3).
func KeyBlock(h crypto.Hash, master, clientRandom, serverRandom []byte, length int) []byte {
	seed := append(append([]byte(nil), serverRandom...), clientRandom...)
	return PRF(h, master, "key expansion", seed, length)
}

// FinishedVerifyData12 is TLS 1.2's Finished (RFC 5246 §7.4.9): 12 bytes of
// PRF over the transcript hash, labelled by the sender's role.
func FinishedVerifyData12(h crypto.Hash, master []byte, client bool, transcriptHash []byte) []byte {
	return PRF(h, master, finishedLabel12(client), transcriptHash, 12)
}

func finishedLabel12(client bool) string {
	if client {
		return "client finished"
	}
	return "server finished"
}

// Exported12 is the TLS 1.2 keying material exporter (RFC 5705 §4).
func Exported12(h crypto.Hash, master, clientRandom, serverRandom []byte, label string, context []byte, length int) []byte {
	seed := append(append([]byte(nil), clientRandom...), serverRandom...)
	if context != nil {
		seed = append(seed, byte(len(context)>>8), byte(len(context)))
		seed = append(seed, context...)
	}
	return PRF(h, master, label, seed, length)
}

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
	labelSeed := m.info[:0]
	if len(label)+len(seed) > len(m.info) {
		// Only an exporter context this long: rare enough to allocate.
		labelSeed = make([]byte, 0, len(label)+len(seed))
	}
	labelSeed = append(append(labelSeed, label...), seed...)
	out := make([]byte, 0, length+m.size)
	// A(0) = seed; A(i) = HMAC(secret, A(i-1)); output HMAC(secret, A(i) || seed).
	prev := labelSeed
	for len(out) < length {
		m.start(secret)
		m.write(prev)
		prev = m.finish(m.key[:0])
		m.start(secret)
		m.write(prev)
		m.write(labelSeed)
		out = m.finish(out)
	}
	putMAC(h, m)
	return out[:length]
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
	label := "server finished"
	if client {
		label = "client finished"
	}
	return PRF(h, master, label, transcriptHash, 12)
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

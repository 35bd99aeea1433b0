package keys

import "crypto"

// The labels of the Encrypted Client Hello acceptance signals (RFC 9849
// §7.2, §7.2.1).
const (
	LabelECHAccept    = "ech accept confirmation"
	LabelECHAcceptHRR = "hrr ech accept confirmation"
)

// ECHConfirmation is the 8-byte signal a server that used the inner
// ClientHello sends (RFC 9849 §7.2): HKDF-Expand-Label(HKDF-Extract(0,
// ClientHelloInner.random), label, transcriptHash, 8), where transcriptHash
// covers the inner transcript up to the ServerHello or HelloRetryRequest
// with the signal's own bytes zeroed. Only a holder of the inner hello's
// random, which travels encrypted, can compute it.
func ECHConfirmation(h crypto.Hash, innerRandom []byte, label string, transcriptHash []byte) []byte {
	return ExpandLabel(h, extract(h, innerRandom, nil), label, transcriptHash, 8)
}

package handshake

import (
	"lucid/internal/keys"
	"lucid/internal/record"
	"lucid/internal/suites"
)

// Traffic is one direction's TLS 1.3 traffic secret under a suite: what
// its record protection is made from (RFC 8446 §7.3), and what a KeyUpdate
// moves on from (§7.2). The zero value, with no suite, is no secret: TLS
// 1.2 protection has none. It is passed by value, so installing a key
// costs no allocation of its own.
type Traffic struct {
	Suite  *suites.Suite
	Secret []byte
}

// Protection is the record protection the secret keys: the AEAD with the
// write key and IV that HKDF-Expand-Label derives from it.
func (t Traffic) Protection() (*record.AEAD13, error) {
	key, iv := keys.TrafficKey(t.Suite.Hash, t.Secret, t.Suite.KeyLen)
	aead, err := t.Suite.NewAEAD(key)
	if err != nil {
		return nil, err
	}
	return record.NewAEAD13(aead, iv), nil
}

// handshakeProtection is Protection for a handshake traffic secret, with
// the finished_key the same secret keys, derived alongside.
func (t Traffic) handshakeProtection() (p *record.AEAD13, finishedKey []byte, err error) {
	key, iv, finishedKey := keys.HandshakeTrafficKey(t.Suite.Hash, t.Secret, t.Suite.KeyLen)
	aead, err := t.Suite.NewAEAD(key)
	if err != nil {
		return nil, nil, err
	}
	return record.NewAEAD13(aead, iv), finishedKey, nil
}

// Next is the secret after a KeyUpdate: application_traffic_secret_N+1.
func (t Traffic) Next() Traffic {
	return Traffic{Suite: t.Suite, Secret: keys.NextTraffic(t.Suite.Hash, t.Secret)}
}

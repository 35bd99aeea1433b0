package handshake

import (
	"crypto/rsa"
	"fmt"
	"io"

	"lucid/internal/alert"
	"lucid/internal/keys"
	"lucid/internal/record"
	"lucid/internal/suites"
	"lucid/internal/wire"
)

// keys12 is one side's TLS 1.2 record protection, both directions, from
// one expansion of the key block: the write half goes into use at this
// side's change_cipher_spec, the read half at the peer's.
type keys12 struct {
	write  record.Sealer
	read   record.Opener
	keyLen int
}

// protections12 expands the master secret into the key block (RFC 5246
// §6.3), once per handshake and side, and returns this side's protection.
// The key block is built in room and wiped once the ciphers hold their
// keys.
func protections12(s *suites.Suite12, prf *keys.MasterPRF, room *keyBlockRoom, master []byte, clientRandom, serverRandom [32]byte, isClient bool, rand io.Reader) (keys12, error) {
	b := splitKeyBlock12(s, prf, room[:0], master, clientRandom, serverRandom)
	defer clear(room[:])
	var client, server protection12
	if s.Mode == suites.ModeCBC {
		var err error
		if client, err = direction12(s, b.Client, rand); err != nil {
			return keys12{}, err
		}
		if server, err = direction12(s, b.Server, rand); err != nil {
			return keys12{}, err
		}
	} else {
		ca, err := s.NewAEAD(b.Client.Key)
		if err != nil {
			return keys12{}, err
		}
		sa, err := s.NewAEAD(b.Server.Key)
		if err != nil {
			return keys12{}, err
		}
		client, server = record.NewAEAD12Pair(ca, b.Client.IV, sa, b.Server.IV)
	}
	if isClient {
		return keys12{write: client, read: server, keyLen: s.KeyLen}, nil
	}
	return keys12{write: server, read: client, keyLen: s.KeyLen}, nil
}

// keyBlockRoom holds a key block while its ciphers are made: the largest
// (two SHA-384 MAC keys, two AES-256 keys, two CBC IVs) is 192 bytes,
// and the PRF writes whole blocks of its hash.
type keyBlockRoom [256]byte

// KeyBlock12 is TLS 1.2's key block cut into each side's write keys
// (RFC 5246 §6.3).
type KeyBlock12 struct {
	Client, Server Keys12
}

// Keys12 is one side's share of the key block; MAC is empty for AEAD
// suites, IV holds only their fixed (implicit) part.
type Keys12 struct {
	MAC, Key, IV []byte
}

// SplitKeyBlock12 expands the key block of a master secret and cuts it
// in the RFC's order: both MAC keys, both encryption keys, both IVs.
func SplitKeyBlock12(s *suites.Suite12, master []byte, clientRandom, serverRandom [32]byte) KeyBlock12 {
	var prf keys.MasterPRF
	defer prf.Release()
	return splitKeyBlock12(s, &prf, nil, master, clientRandom, serverRandom)
}

// splitKeyBlock12 is SplitKeyBlock12 under prf, appending the key block
// to dst (which grows if it has too little room).
func splitKeyBlock12(s *suites.Suite12, prf *keys.MasterPRF, dst []byte, master []byte, clientRandom, serverRandom [32]byte) KeyBlock12 {
	n := 2*s.MACLen + 2*s.KeyLen + 2*s.FixedIVLen
	if dst == nil {
		dst = make([]byte, 0, n+s.PRF.Size())
	}
	block := prf.AppendKeyBlock(dst, s.PRF, master, clientRandom[:], serverRandom[:], n)
	take := func(k int) []byte {
		b := block[:k:k]
		block = block[k:]
		return b
	}
	var kb KeyBlock12
	kb.Client.MAC, kb.Server.MAC = take(s.MACLen), take(s.MACLen)
	kb.Client.Key, kb.Server.Key = take(s.KeyLen), take(s.KeyLen)
	kb.Client.IV, kb.Server.IV = take(s.FixedIVLen), take(s.FixedIVLen)
	return kb
}

// Opener12 is the record protection that opens what one side sealed with
// its share of the key block. A CBC opener never draws randomness.
func Opener12(s *suites.Suite12, k Keys12) (record.Opener, error) {
	return direction12(s, k, nil)
}

// protection12 is both halves of one direction's record protection.
type protection12 interface {
	record.Sealer
	record.Opener
}

func direction12(s *suites.Suite12, k Keys12, rand io.Reader) (protection12, error) {
	if s.Mode == suites.ModeCBC {
		block, err := s.NewBlock(k.Key)
		if err != nil {
			return nil, err
		}
		return record.NewCBC(block, k.MAC, s.MAC, rand), nil
	}
	aead, err := s.NewAEAD(k.Key)
	if err != nil {
		return nil, err
	}
	return record.NewAEAD12(aead, k.IV), nil
}

// rsaPreMaster makes the seed's random: a pre-master secret whose first two
// bytes are the version the client offered (RFC 5246 §7.4.7.1), encrypted
// under the server's RSA key.
func rsaPreMaster(cfg *Config, pub *rsa.PublicKey, clientVersion uint16) (pms, encrypted []byte, err error) {
	if pub == nil {
		return nil, nil, alert.New(alert.UnsupportedCertificate, "RSA key transport needs an RSA server key")
	}
	pms, err = cfg.random(48)
	if err != nil {
		return nil, nil, err
	}
	pms[0], pms[1] = byte(clientVersion>>8), byte(clientVersion)
	encrypted, err = rsa.EncryptPKCS1v15(cfg.Rand, pub, pms)
	if err != nil {
		return nil, nil, fmt.Errorf("encrypting the pre-master secret: %w", err)
	}
	return pms, encrypted, nil
}

// expectCCS12 waits for the peer's TLS 1.2 change_cipher_spec, which
// switches reading to the peer's write keys, and then for its Finished.
type expectCCS12 struct {
	out  *outbox
	keys keys12
	next state
}

func (st *expectCCS12) handle(typ uint8, _ []byte) (state, error) {
	return nil, unexpected(typ, "change_cipher_spec")
}

func (st *expectCCS12) changeCipherSpec() (state, error) {
	st.out.readProtection(st.keys.read, st.keys.keyLen)
	return st.next, nil
}

// signedParams12 appends to dst what a TLS 1.2 ServerKeyExchange signs:
// both randoms, then the ECDHE parameters (RFC 8422 §5.4).
func signedParams12(dst []byte, clientRandom, serverRandom *[32]byte, ske *wire.ServerKeyExchangeECDHE) []byte {
	return ske.AppendParams(append(append(dst, clientRandom[:]...), serverRandom[:]...))
}

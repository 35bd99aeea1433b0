// Package kex implements the key exchange groups of TLS 1.3's key_share
// (RFC 8446 §4.2.8) and TLS 1.2's ECDHE (RFC 8422) on top of crypto/ecdh and
// crypto/mlkem: the client makes a share, the server answers it, and both
// arrive at the same shared secret.
//
// Private keys are made from bytes read from the caller's random source,
// because Go's key generation ignores its io.Reader argument: reading the
// bytes ourselves keeps a handshake reproducible when a test fixes that
// source.
package kex

import (
	"crypto/ecdh"
	"crypto/mlkem"
	"crypto/mlkem/mlkemtest"
	"errors"
	"fmt"
	"io"

	"lucid/internal/alert"
)

// Named groups (RFC 8446 §4.2.7, draft-ietf-tls-ecdhe-mlkem): the NIST
// curves, X25519, and the post-quantum hybrid of ML-KEM-768 with X25519.
const (
	P256, P384, P521       uint16 = 23, 24, 25
	X25519, X25519MLKEM768 uint16 = 29, 0x11ec
)

// Supported reports whether Lucid implements group g.
func Supported(g uint16) bool {
	switch g {
	case P256, P384, P521, X25519, X25519MLKEM768:
		return true
	}
	return false
}

// Name returns the IANA name of g.
func Name(g uint16) string {
	switch g {
	case P256:
		return "secp256r1"
	case P384:
		return "secp384r1"
	case P521:
		return "secp521r1"
	case X25519:
		return "x25519"
	case X25519MLKEM768:
		return "X25519MLKEM768"
	}
	return fmt.Sprintf("group(0x%04x)", g)
}

func curve(g uint16) ecdh.Curve {
	switch g {
	case P256:
		return ecdh.P256()
	case P384:
		return ecdh.P384()
	case P521:
		return ecdh.P521()
	case X25519:
		return ecdh.X25519()
	}
	return nil
}

// scalarLen is the private scalar size for each curve.
func scalarLen(g uint16) int {
	switch g {
	case P256, X25519:
		return 32
	case P384:
		return 48
	case P521:
		return 66
	}
	return 0
}

// newECDHKey reads scalars from r until one is valid for the curve. For
// X25519 every value is valid; for the NIST curves a value at or above the
// order is rejected and we draw again, which happens with negligible
// probability except for P-521 where the top bits must be masked.
func newECDHKey(g uint16, r io.Reader) (*ecdh.PrivateKey, error) {
	var room scalarRoom
	return newECDHKeyIn(&room, g, r)
}

// scalarRoom holds a scalar while a key is made from it: the longest is
// P-521's.
type scalarRoom [66]byte

// newECDHKeyIn is newECDHKey drawing the scalar into room, which it wipes
// (the key keeps its own copy): room in an allocation the caller makes
// anyway costs none of its own.
func newECDHKeyIn(room *scalarRoom, g uint16, r io.Reader) (*ecdh.PrivateKey, error) {
	c := curve(g)
	buf := room[:scalarLen(g)]
	defer clear(buf)
	for range 100 {
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, fmt.Errorf("kex: reading random bytes for %s: %w", Name(g), err)
		}
		if g == P521 {
			buf[0] &= 1
		}
		k, err := c.NewPrivateKey(buf)
		if err == nil {
			return k, nil
		}
	}
	return nil, errors.New("kex: random source keeps producing invalid scalars")
}

// Private is the client's half of a key exchange: the secret it keeps until
// the server answers.
type Private struct {
	group uint16
	ec    *ecdh.PrivateKey
	kem   *mlkem.DecapsulationKey768
	share []byte
	// room is where the random scalar or seed is drawn, wiped once the
	// key is made.
	room scalarRoom
}

// Generate makes a client key share for group g.
func Generate(g uint16, r io.Reader) (*Private, error) {
	p := &Private{}
	if err := GenerateInto(p, g, r); err != nil {
		return nil, err
	}
	return p, nil
}

// GenerateInto is Generate making the share in p, which a caller keeps
// in an allocation it makes anyway.
func GenerateInto(p *Private, g uint16, r io.Reader) error {
	*p = Private{group: g}
	switch g {
	case P256, P384, P521, X25519:
		k, err := newECDHKeyIn(&p.room, g, r)
		if err != nil {
			return err
		}
		p.ec, p.share = k, k.PublicKey().Bytes()
		return nil
	case X25519MLKEM768:
		return p.generateHybrid(r)
	}
	return fmt.Errorf("kex: group %s is not supported", Name(g))
}

// generateHybrid makes an X25519MLKEM768 share in p. It stays out of
// line because encoding the ML-KEM encapsulation key copies it, about
// 6 KB, into the caller's frame: inlined into GenerateInto, that frame
// was every share's, X25519 alone included, and grew every client's
// goroutine stack for it.
//
//go:noinline
func (p *Private) generateHybrid(r io.Reader) error {
	seed := p.room[:mlkem.SeedSize]
	_, err := io.ReadFull(r, seed)
	if err != nil {
		clear(seed)
		return fmt.Errorf("kex: reading ML-KEM seed: %w", err)
	}
	p.kem, err = mlkem.NewDecapsulationKey768(seed)
	clear(seed)
	if err != nil {
		return err
	}
	if p.ec, err = newECDHKeyIn(&p.room, X25519, r); err != nil {
		return err
	}
	// draft-ietf-tls-ecdhe-mlkem §4.1: the client share is the ML-KEM
	// encapsulation key followed by the X25519 public key.
	p.share = append(p.kem.EncapsulationKey().Bytes(), p.ec.PublicKey().Bytes()...)
	return nil
}

// Group returns the group of this share.
func (p *Private) Group() uint16 { return p.group }

// Share returns the key_share bytes to send.
func (p *Private) Share() []byte { return p.share }

// Shared completes the exchange with the server's share. A share that is
// malformed or yields an all-zero secret is illegal_parameter (RFC 8446 §4.2.8.2,
// §7.4.2).
func (p *Private) Shared(server []byte) ([]byte, error) {
	switch p.group {
	case X25519MLKEM768:
		if len(server) != mlkem.CiphertextSize768+32 {
			return nil, alert.New(alert.IllegalParameter, "X25519MLKEM768 server share is %d bytes, want %d", len(server), mlkem.CiphertextSize768+32)
		}
		kemSecret, err := p.kem.Decapsulate(server[:mlkem.CiphertextSize768])
		if err != nil {
			return nil, alert.New(alert.IllegalParameter, "ML-KEM ciphertext rejected: %v", err)
		}
		ecSecret, err := ecdhShared(p.ec, server[mlkem.CiphertextSize768:])
		if err != nil {
			return nil, err
		}
		return append(kemSecret, ecSecret...), nil
	default:
		return ecdhShared(p.ec, server)
	}
}

func ecdhShared(priv *ecdh.PrivateKey, peer []byte) ([]byte, error) {
	pub, err := priv.Curve().NewPublicKey(peer)
	if err != nil {
		return nil, alert.New(alert.IllegalParameter, "peer's key share is not a valid point: %v", err)
	}
	secret, err := priv.ECDH(pub)
	if err != nil {
		// X25519 with a low-order point gives an all-zero secret, which
		// crypto/ecdh reports as an error (RFC 7748 §6.1, RFC 8446 §7.4.2).
		return nil, alert.New(alert.IllegalParameter, "key share produced no usable secret: %v", err)
	}
	return secret, nil
}

// Respond is the server's half: given the client's share for group g, it
// returns the server's share and the shared secret. deterministic asks for
// ML-KEM encapsulation randomness from r too, through crypto/mlkem/mlkemtest,
// which the standard library offers for known-answer tests only; so only a
// caller that chose reproducibility for a test or demo sets it
// (tls.Config.DeterministicForTesting), never one that merely supplies its
// own r. Otherwise crypto/mlkem's own generator supplies that randomness.
func Respond(g uint16, r io.Reader, client []byte, deterministic bool) (share, secret []byte, err error) {
	switch g {
	case P256, P384, P521, X25519:
		k, err := newECDHKey(g, r)
		if err != nil {
			return nil, nil, err
		}
		secret, err := ecdhShared(k, client)
		if err != nil {
			return nil, nil, err
		}
		return k.PublicKey().Bytes(), secret, nil
	case X25519MLKEM768:
		if len(client) != mlkem.EncapsulationKeySize768+32 {
			return nil, nil, alert.New(alert.IllegalParameter, "X25519MLKEM768 client share is %d bytes, want %d", len(client), mlkem.EncapsulationKeySize768+32)
		}
		ek, err := mlkem.NewEncapsulationKey768(client[:mlkem.EncapsulationKeySize768])
		if err != nil {
			return nil, nil, alert.New(alert.IllegalParameter, "ML-KEM encapsulation key rejected: %v", err)
		}
		var kemSecret, ct []byte
		if deterministic {
			m := make([]byte, 32)
			if _, err := io.ReadFull(r, m); err != nil {
				return nil, nil, fmt.Errorf("kex: reading ML-KEM randomness: %w", err)
			}
			if kemSecret, ct, err = mlkemtest.Encapsulate768(ek, m); err != nil {
				return nil, nil, err
			}
		} else {
			kemSecret, ct = ek.Encapsulate()
		}
		k, err := newECDHKey(X25519, r)
		if err != nil {
			return nil, nil, err
		}
		ecSecret, err := ecdhShared(k, client[mlkem.EncapsulationKeySize768:])
		if err != nil {
			return nil, nil, err
		}
		return append(ct, k.PublicKey().Bytes()...), append(kemSecret, ecSecret...), nil
	}
	return nil, nil, alert.New(alert.IllegalParameter, "group %s is not supported", Name(g))
}

package tls_test

import (
	"bytes"
	"crypto/ecdh"
	"crypto/hpke"
	"io"
	"net"
	"strings"
	"testing"

	"lucid/internal/testwait"
	"lucid/internal/wire"
	"lucid/tls"
)

// craftedHello builds an outer ClientHello around inner, encrypted to key,
// as a client would, after change has had its say on both.
func craftedHello(t *testing.T, key tls.EncryptedClientHelloKey, inner *wire.ClientHello, change func(inner, outer *wire.ClientHello)) []byte {
	t.Helper()
	config, err := wire.ParseECHConfig(key.Config)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := hpke.DHKEM(ecdhX25519()).NewPublicKey(config.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	enc, sender, err := hpke.NewSender(pk, hpke.HKDFSHA256(), hpke.AES128GCM(), append([]byte("tls ech\x00"), config.Raw...))
	if err != nil {
		t.Fatal(err)
	}
	outer := *inner
	outer.ServerName = echPublicName
	outer.Random[0] ^= 0xff
	outer.ECH = nil
	if change != nil {
		change(inner, &outer)
	}
	encoded := wire.EncodeClientHelloInner(inner, nil, 0)
	if outer.ECH == nil {
		outer.ECH = &wire.ECHClientHello{Suite: wire.ECHSuite{KDF: 1, AEAD: 1}, ConfigID: config.ConfigID, Enc: enc, Payload: make([]byte, len(encoded)+16)}
	}
	msg := outer.Marshal()
	if start, end, ok := wire.ECHPayloadSpan(msg[wire.HeaderLen:]); ok {
		sealed, err := sender.Seal(msg[wire.HeaderLen:], encoded)
		if err != nil || len(sealed) != end-start {
			t.Fatal("sealing failed")
		}
		copy(msg[wire.HeaderLen+start:], sealed)
	}
	return msg
}

func baseInner() *wire.ClientHello {
	h := &wire.ClientHello{
		LegacyVersion:      tls.VersionTLS12,
		SessionID:          make([]byte, 32),
		CipherSuites:       []uint16{tls.TLS_AES_128_GCM_SHA256},
		CompressionMethods: []uint8{0},
		ServerName:         echSecretName,
		SupportedGroups:    []uint16{uint16(tls.X25519)},
		SignatureSchemes:   []uint16{uint16(tls.ECDSAWithP256AndSHA256)},
		SupportedVersions:  []uint16{tls.VersionTLS13},
		KeyShares:          []wire.KeyShare{{Group: uint16(tls.X25519), Data: bytes.Repeat([]byte{9}, 32)}},
		HasKeyShare:        true,
		ECH:                &wire.ECHClientHello{Inner: true},
	}
	h.Random[5] = 5
	return h
}

// alertFor sends hello to a Lucid server with key and returns the alert
// the server answers with.
func alertFor(t *testing.T, f *echFixture, key tls.EncryptedClientHelloKey, hello []byte) tls.AlertError {
	t.Helper()
	hdr := answerTo(t, f.server(key), hello, 7)
	if hdr[0] != 21 {
		t.Fatalf("server answered with a record of type %d, not an alert", hdr[0])
	}
	return tls.AlertError(hdr[6])
}

// answerTo sends hello, as one record, to a Lucid server with cfg and
// returns the first n bytes of its answer, once its handshake has ended.
func answerTo(t *testing.T, cfg *tls.Config, hello []byte, n int) []byte {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	done := make(chan error, 1)
	go func() {
		sc, err := ln.Accept()
		if err != nil {
			done <- err
			return
		}
		defer sc.Close()
		sc.SetDeadline(testwait.Deadline(t))
		done <- tls.Server(sc, cfg).Handshake()
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(testwait.Deadline(t))
	rec := append([]byte{22, 3, 1, byte(len(hello) >> 8), byte(len(hello))}, hello...)
	if _, err := c.Write(rec); err != nil {
		t.Fatal(err)
	}
	answer := make([]byte, n)
	if _, err := io.ReadFull(c, answer); err != nil {
		t.Fatalf("no answer: %v (server: %v)", err, <-done)
	}
	c.Close()
	<-done
	return answer
}

// TestECHServerRules checks the server's checks of RFC 9849 §5.1 and §7.1
// on hellos a well-behaved client would never send.
func TestECHServerRules(t *testing.T) {
	f := newECHFixture(t)
	key := echKey(t, 3, true)
	for _, c := range []struct {
		name   string
		change func(inner, outer *wire.ClientHello)
		want   tls.AlertError
	}{
		{"inner without the inner extension", func(in, _ *wire.ClientHello) { in.ECH = nil }, tls.AlertIllegalParameter},
		{"inner offering TLS 1.2", func(in, _ *wire.ClientHello) {
			in.SupportedVersions = []uint16{tls.VersionTLS13, tls.VersionTLS12}
		}, tls.AlertIllegalParameter},
		{"inner extension on the wire", func(_, o *wire.ClientHello) { o.ECH = &wire.ECHClientHello{Inner: true} }, tls.AlertIllegalParameter},
		{"ech_outer_extensions on the wire", func(_, o *wire.ClientHello) {
			o.Unknown = map[uint16][]byte{wire.ExtECHOuterExtensions: {2, 0, 10}}
		}, tls.AlertIllegalParameter},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := alertFor(t, f, key, craftedHello(t, key, baseInner(), c.change)); got != c.want {
				t.Errorf("alert %v, want %v", got, c.want)
			}
		})
	}
	// The same crafting with nothing changed is accepted: the server
	// answers with a ServerHello, not an alert, so the cases above fail
	// for the reason they name.
	t.Run("control", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		go func() {
			sc, err := ln.Accept()
			if err == nil {
				sc.SetDeadline(testwait.Deadline(t))
				tls.Server(sc, f.server(key)).Handshake()
				sc.Close()
			}
		}()
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(testwait.Deadline(t))
		hello := craftedHello(t, key, baseInner(), nil)
		c.Write(append([]byte{22, 3, 1, byte(len(hello) >> 8), byte(len(hello))}, hello...))
		hdr := make([]byte, 7)
		if _, err := io.ReadFull(c, hdr); err != nil || hdr[0] != 22 || hdr[5] != wire.TypeServerHello {
			t.Fatalf("crafted hello not answered with a ServerHello: % x, %v", hdr, err)
		}
	})
}

func ecdhX25519() ecdh.Curve { return ecdh.X25519() }

// TestECHServerOpensBeforeVersions: the server settles ECH before any
// other parameter (RFC 9849 §7.1), so an outer hello that offers only
// TLS 1.2 still has its TLS 1.3 inner hello opened and answered.
func TestECHServerOpensBeforeVersions(t *testing.T) {
	f := newECHFixture(t)
	key := echKey(t, 3, true)
	hello := craftedHello(t, key, baseInner(), func(_, outer *wire.ClientHello) {
		outer.SupportedVersions = nil
		outer.KeyShares = nil
		outer.HasKeyShare = false
	})
	var decided []string
	cfg := f.server(key)
	cfg.Observer = func(e tls.Event) {
		if e.Kind == tls.EventDecision && e.Name == "ech" {
			decided = append(decided, e.Detail)
		}
	}
	hdr := answerTo(t, cfg, hello, 5)
	if hdr[0] != 22 {
		t.Fatalf("server answered with a record of type %d, not a ServerHello", hdr[0])
	}
	if len(decided) == 0 || !strings.HasPrefix(decided[0], "accepted") {
		t.Fatalf("server's ech decisions: %q, want it to accept the inner hello", decided)
	}
}

package handshake_test

import (
	crand "crypto/rand"
	"crypto/rsa"
	"fmt"
	"testing"

	"lucid/internal/alert"
	"lucid/internal/handshake"
	"lucid/internal/kex"
	"lucid/internal/keys"
	"lucid/internal/suites"
	"lucid/internal/testpki"
	"lucid/internal/wire"
)

func cke12(data []byte) func(t *testing.T) func(Msg) [][]byte {
	return func(t *testing.T) func(Msg) [][]byte {
		return at(false, wire.TypeClientKeyExchange, 0, func([]byte) [][]byte {
			return one(mustMarshal(t, (&wire.ClientKeyExchange{Data: data}).Marshal()))
		})
	}
}

func ecPoint(p []byte) []byte { return append([]byte{byte(len(p))}, p...) }

func groups(g ...uint16) func(*handshake.Config) {
	return func(c *handshake.Config) { c.Groups = g }
}

func TestTLS12ServerAlerts(t *testing.T) {
	notOnCurve := append([]byte{4}, make([]byte, 64)...)
	for i := 1; i < len(notOnCurve); i++ {
		notOnCurve[i] = 1
	}
	compressed := append([]byte{2}, make([]byte, 32)...)
	compressed[32] = 3
	cases := []alert12Case{
		{name: "ClientHello without extended_master_secret", tamper: ch12(func(m *wire.ClientHello) { m.ExtendedMasterSecret = false }),
			who: "server", at: wire.TypeClientHello, want: alert.HandshakeFailure},
		{name: "ClientHello with non-empty renegotiation_info", tamper: ch12(func(m *wire.ClientHello) {
			m.SecureRenegotiationSupported = true
			m.SecureRenegotiation = make([]byte, 12)
		}), who: "server", at: wire.TypeClientHello, want: alert.HandshakeFailure},
		{name: "only RSA key transport offered to default suites", kt: testpki.RSA2048,
			client: only12(0x009c, 0x009d, 0x003c, 0x002f),
			who:    "server", at: wire.TypeClientHello, want: alert.HandshakeFailure},
		{name: "only ECDHE_ECDSA offered to an RSA certificate", kt: testpki.RSA2048,
			client: only12(0xc02b, 0xc02c, 0xcca9),
			who:    "server", at: wire.TypeClientHello, want: alert.HandshakeFailure},
		{name: "no group in common",
			client: groups(kex.X25519MLKEM768), server: groups(kex.X25519MLKEM768, kex.P256),
			who: "server", at: wire.TypeClientHello, want: alert.HandshakeFailure},
		{name: "client Finished flipped", tamper: fin12(false),
			who: "server", at: wire.TypeFinished, want: alert.DecryptError},
		{name: "client Finished flipped RSA transport", kt: testpki.RSA2048, client: only12(0x009d), server: only12(0x009d), tamper: fin12(false),
			who: "server", at: wire.TypeFinished, want: alert.DecryptError},
		{name: "client Finished flipped CBC", kt: testpki.RSA2048, client: only12(0x003c), server: only12(0x003c), tamper: fin12(false),
			who: "server", at: wire.TypeFinished, want: alert.DecryptError},
		{name: "CKE X25519 point too short", server: groups(kex.X25519), tamper: cke12(ecPoint(make([]byte, 31))),
			who: "server", at: wire.TypeClientKeyExchange, want: alert.IllegalParameter},
		{name: "CKE X25519 all-zero point", server: groups(kex.X25519), tamper: cke12(ecPoint(make([]byte, 32))),
			who: "server", at: wire.TypeClientKeyExchange, want: alert.IllegalParameter},
		{name: "CKE P-256 point not on the curve", server: groups(kex.P256), tamper: cke12(ecPoint(notOnCurve)),
			who: "server", at: wire.TypeClientKeyExchange, want: alert.IllegalParameter},
		{name: "CKE P-256 compressed point", server: groups(kex.P256), tamper: cke12(ecPoint(compressed)),
			who: "server", at: wire.TypeClientKeyExchange, want: alert.IllegalParameter},
		{name: "CKE P-384 point of P-256 size", server: groups(kex.P384), tamper: cke12(ecPoint(notOnCurve)),
			who: "server", at: wire.TypeClientKeyExchange, want: alert.IllegalParameter},
	}
	for _, tc := range cases {
		t.Run(tc.name, tc.run)
	}
}

// TestTLS12UnexpectedChangeCipherSpec feeds change_cipher_spec where none
// belongs.
func TestTLS12UnexpectedChangeCipherSpec(t *testing.T) {
	// Client: after ServerHello (and each later message) but before
	// ServerHelloDone.
	for early := 0; early <= 3; early++ {
		t.Run(fmt.Sprintf("client after %d server messages", early), func(t *testing.T) {
			c := handshake.NewClient(client12(nil))
			s := handshake.NewServer(server12(t, testpki.ECDSAP256, nil))
			acts, err := c.Start()
			if err != nil {
				t.Fatal(err)
			}
			acts, err = s.Handle(splitMessages(t, acts)[0])
			if err != nil {
				t.Fatal(err)
			}
			flight := splitMessages(t, acts)
			if got := len(flight); got != 4 {
				t.Fatalf("server flight of %d messages, want 4", got)
			}
			for _, m := range flight[:early] {
				if _, err := c.Handle(m); err != nil {
					t.Fatalf("Handle(%s): %v", wire.MessageName(m[0]), err)
				}
			}
			if c.ExpectsChangeCipherSpec() {
				t.Errorf("client expects change_cipher_spec before ServerHelloDone")
			}
			_, err = c.ChangeCipherSpec()
			wantAlert(t, err, alert.UnexpectedMessage)
			if _, err := c.Handle(flight[early]); alert.Of(err) != alert.UnexpectedMessage {
				t.Errorf("client went on after the bad change_cipher_spec: %v", err)
			}
		})
	}
	t.Run("server before ClientKeyExchange", func(t *testing.T) {
		c := handshake.NewClient(client12(nil))
		s := handshake.NewServer(server12(t, testpki.ECDSAP256, nil))
		acts, _ := c.Start()
		if _, err := s.Handle(splitMessages(t, acts)[0]); err != nil {
			t.Fatal(err)
		}
		if s.ExpectsChangeCipherSpec() {
			t.Errorf("server expects change_cipher_spec before ClientKeyExchange")
		}
		_, err := s.ChangeCipherSpec()
		wantAlert(t, err, alert.UnexpectedMessage)
	})
	t.Run("server twice", func(t *testing.T) {
		cv := newRConv(t, client12(nil), server12(t, testpki.ECDSAP256, nil))
		if f := cv.start(); f != nil {
			t.Fatal(f.err)
		}
		// Deliver until the server has taken the client's CCS.
		for !(cv.s.rdEpoch == 1) {
			if more, f := cv.step(); f != nil || !more {
				t.Fatalf("conversation stopped early: %v", f)
			}
		}
		if cv.s.e.ExpectsChangeCipherSpec() {
			t.Errorf("server still expects change_cipher_spec")
		}
		_, err := cv.s.e.ChangeCipherSpec()
		wantAlert(t, err, alert.UnexpectedMessage)
	})
	t.Run("client twice", func(t *testing.T) {
		cv := newRConv(t, client12(nil), server12(t, testpki.ECDSAP256, nil))
		if f := cv.start(); f != nil {
			t.Fatal(f.err)
		}
		for !(cv.c.rdEpoch == 1) {
			if more, f := cv.step(); f != nil || !more {
				t.Fatalf("conversation stopped early: %v", f)
			}
		}
		_, err := cv.c.e.ChangeCipherSpec()
		wantAlert(t, err, alert.UnexpectedMessage)
	})
	t.Run("expected at the right points", func(t *testing.T) {
		cv := newRConv(t, client12(nil), server12(t, testpki.ECDSAP256, nil))
		if f := cv.start(); f != nil {
			t.Fatal(f.err)
		}
		var sawC, sawS bool
		for {
			if len(cv.queue) > 0 && cv.queue[0].ccs12 {
				to := cv.s.e
				if cv.queue[0].toClient {
					to, sawC = cv.c.e, true
				} else {
					sawS = true
				}
				if !to.ExpectsChangeCipherSpec() {
					t.Errorf("a change_cipher_spec arrives where the engine does not expect one")
				}
			}
			more, f := cv.step()
			if f != nil {
				t.Fatal(f.err)
			}
			if !more {
				break
			}
		}
		if !sawC || !sawS || cv.c.e.ExpectsChangeCipherSpec() || cv.s.e.ExpectsChangeCipherSpec() {
			t.Errorf("saw CCS to client %v, to server %v; still expecting after done: %v %v", sawC, sawS, cv.c.e.ExpectsChangeCipherSpec(), cv.s.e.ExpectsChangeCipherSpec())
		}
	})
}

// TestTLS12RSAKeyTransportNoOracle replaces the client's ClientKeyExchange
// with one the test builds, and the client's Finished with one computed from
// the pre-master secret the test encrypted. A well-formed pre-master secret
// must complete the server's side; every malformed one — wrong version
// bytes, wrong length, a ciphertext that is not PKCS#1 at all — must pass
// ClientKeyExchange without complaint and fail at the Finished, with the
// same alert and the same error (RFC 5246 §7.4.7.1).
func TestTLS12RSAKeyTransportNoOracle(t *testing.T) {
	leaf := testLeaf(t, testpki.RSA2048)
	pub := leaf.Key.Public().(*rsa.PublicKey)
	type build func(t *testing.T) (enc, pms []byte)
	encrypt := func(pms []byte) build {
		return func(t *testing.T) ([]byte, []byte) {
			enc, err := rsa.EncryptPKCS1v15(crand.Reader, pub, pms)
			if err != nil {
				t.Fatal(err)
			}
			return enc, pms
		}
	}
	withVersion := func(hi, lo byte, n int) []byte {
		p := make([]byte, n)
		copy(p, randomBytes(t, n))
		p[0], p[1] = hi, lo
		return p
	}
	good := encrypt(withVersion(3, 3, 48))
	bad := []struct {
		name string
		b    build
	}{
		{"version 3.1", encrypt(withVersion(3, 1, 48))},
		{"version 3.4", encrypt(withVersion(3, 4, 48))},
		{"version 0.0", encrypt(withVersion(0, 0, 48))},
		{"pre-master of 47 bytes", encrypt(withVersion(3, 3, 47))},
		{"pre-master of 49 bytes", encrypt(withVersion(3, 3, 49))},
		{"random ciphertext", func(t *testing.T) ([]byte, []byte) {
			enc := randomBytes(t, pub.Size())
			enc[0] &= 0x7f // below the modulus, so only the padding is wrong
			return enc, withVersion(3, 3, 48)
		}},
		{"random ciphertext above the modulus", func(t *testing.T) ([]byte, []byte) {
			enc := randomBytes(t, pub.Size())
			enc[0] = 0xff
			return enc, withVersion(3, 3, 48)
		}},
		{"short random ciphertext", func(t *testing.T) ([]byte, []byte) {
			return randomBytes(t, 100), withVersion(3, 3, 48)
		}},
	}

	run := func(t *testing.T, id uint16, b build) (*handshake.Engine, *rfail) {
		enc, pms := b(t)
		su := suites.Lookup12(id)
		ccfg, scfg := client12(nil), server12(t, testpki.RSA2048, nil)
		ccfg.Suites12, scfg.Suites12 = []uint16{id}, []uint16{id}
		var transcript []byte
		var sessionHash []byte
		tamper := func(m Msg) [][]byte {
			out := m.Bytes
			switch {
			case !m.ToClient && m.Type == wire.TypeClientKeyExchange:
				out = mustMarshal(t, wire.NewClientKeyExchangeRSA(enc).Marshal())
			case !m.ToClient && m.Type == wire.TypeFinished:
				master := keys.ExtendedMasterSecret(su.PRF, pms, sessionHash)
				out = mustMarshal(t, (&wire.Finished{VerifyData: keys.FinishedVerifyData12(su.PRF, master, true, sessionHash)}).Marshal())
			}
			if sessionHash == nil {
				transcript = append(transcript, out...)
				if m.Type == wire.TypeClientKeyExchange {
					h := su.PRF.New()
					h.Write(transcript)
					sessionHash = h.Sum(nil)
				}
			}
			return one(out)
		}
		// The forged Finished is sealed under no key the server has, so on
		// a record layer it would fail as bad_record_mac before the
		// engine could judge it. The engine's own check is what is tested
		// here, so the engines talk in the clear.
		return inClear(t, ccfg, scfg, tamper)
	}

	for _, id := range []uint16{0x009c, 0x009d, 0x003c, 0x002f} {
		name := suites.Lookup12(id).Name
		t.Run(name, func(t *testing.T) {
			// The control: the server accepts our pre-master secret and
			// Finished; the client, whose own secret was replaced, then
			// rejects the server's Finished.
			s, f := run(t, id, good)
			wantRFail(t, f, "client", wire.TypeFinished, alert.DecryptError)
			if !s.Done() {
				t.Fatalf("server did not complete with a well-formed pre-master secret")
			}
			var first *rfail
			for _, tc := range bad {
				t.Run(tc.name, func(t *testing.T) {
					s, f := run(t, id, tc.b)
					wantRFail(t, f, "server", wire.TypeFinished, alert.DecryptError)
					if s.Done() {
						t.Errorf("server done")
					}
					if first == nil {
						first = f
					} else if f.err.Error() != first.err.Error() {
						t.Errorf("errors differ: %q vs %q", f.err, first.err)
					}
				})
			}
		})
	}
}

// inClear drives a TLS 1.2 client and server engine directly, handing each
// message to the other in the clear whatever keys they install, through
// tamper, and returns the server engine and where the conversation stopped. Only TestTLS12RSAKeyTransportNoOracle needs it: it forges a
// Finished under keys the record layer does not have, and checks what the
// engine makes of it, which on the connection cores the record layer
// would refuse first.
func inClear(t *testing.T, ccfg, scfg *handshake.Config, tamper func(Msg) [][]byte) (*handshake.Engine, *rfail) {
	t.Helper()
	c, s := handshake.NewClient(ccfg), handshake.NewServer(scfg)
	type item struct {
		toClient, ccs bool
		msg           []byte
	}
	var queue []item
	seen := map[[2]int]int{}
	send := func(toClient bool, acts []handshake.Action) {
		dir := 0
		if toClient {
			dir = 1
		}
		for _, a := range acts {
			switch a.Kind {
			case handshake.SendChangeCipherSpec:
				queue = append(queue, item{toClient: toClient, ccs: true})
			case handshake.SendHandshake:
				for _, m := range splitMessages(t, []handshake.Action{a}) {
					k := [2]int{dir, int(m[0])}
					for _, b := range tamper(Msg{ToClient: toClient, Type: m[0], N: seen[k], Bytes: append([]byte(nil), m...)}) {
						queue = append(queue, item{toClient: toClient, msg: b})
					}
					seen[k]++
				}
			}
		}
	}
	acts, err := c.Start()
	if err != nil {
		return s, &rfail{who: "client", err: err, typ: wire.TypeClientHello, clear: true}
	}
	send(false, acts)
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		to, name := s, "server"
		if it.toClient {
			to, name = c, "client"
		}
		typ := uint8(0xff)
		if it.ccs {
			acts, err = to.ChangeCipherSpec()
		} else {
			typ = it.msg[0]
			acts, err = to.Handle(it.msg)
		}
		if err != nil {
			return s, &rfail{who: name, err: err, typ: typ, clear: true}
		}
		send(!it.toClient, acts)
	}
	return s, nil
}

package handshake_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"lucid/internal/alert"
	"lucid/internal/handshake"
	"lucid/internal/kex"
	"lucid/internal/signature"
	"lucid/internal/suites"
	"lucid/internal/testpki"
	"lucid/internal/wire"
)

// keyTypesFor lists the certificate key types that can serve a suite.
func keyTypesFor(s *suites.Suite12) []testpki.KeyType {
	if s.KeyExchange == suites.ECDHEECDSA {
		return []testpki.KeyType{testpki.ECDSAP256, testpki.ECDSAP384, testpki.Ed25519}
	}
	return []testpki.KeyType{testpki.RSA2048}
}

func TestTLS12FullHandshakeEverySuite(t *testing.T) {
	for _, su := range suites.TLS12 {
		for _, kt := range keyTypesFor(su) {
			t.Run(fmt.Sprintf("%s/%s", su.Name, kt), func(t *testing.T) {
				t.Parallel()
				clk := newClock()
				ccfg, scfg := client12(clk), server12(t, kt, clk)
				if su.Legacy {
					ccfg.Suites12 = []uint16{su.ID}
					scfg.Suites12 = []uint16{su.ID}
				} else {
					// The server keeps its default list and must find
					// the one suite the client offers.
					ccfg.Suites12 = []uint16{su.ID}
				}
				ccfg.NextProtos = []string{"h2", "http/1.1"}
				scfg.NextProtos = []string{"http/1.1", "h2"}
				var clientLog, serverLog []string
				ccfg.KeyLog = func(label string, cr, secret []byte) {
					clientLog = append(clientLog, fmt.Sprintf("%s %x %x", label, cr, secret))
				}
				scfg.KeyLog = func(label string, cr, secret []byte) {
					serverLog = append(serverLog, fmt.Sprintf("%s %x %x", label, cr, secret))
				}

				cv := newRConv(t, ccfg, scfg)
				cv.mustRun()
				cr, sr := check12(t, cv, su.ID)
				if cr.DidResume || sr.DidResume {
					t.Errorf("a first handshake resumed")
				}
				if cr.ALPN != "http/1.1" {
					t.Errorf("ALPN %q, want the server's preference http/1.1", cr.ALPN)
				}
				if cr.ServerName != testHost || sr.ServerName != testHost {
					t.Errorf("ServerName: client %q, server %q", cr.ServerName, sr.ServerName)
				}
				leaf := testLeaf(t, kt)
				if !bytes.Equal(cr.PeerChain[0], leaf.Chain[0]) {
					t.Errorf("client PeerChain is not the server's chain")
				}
				// The server's limit is TLS 1.2: no downgrade sentinel.
				if bytes.HasPrefix(cr.ServerRandom[24:], []byte("DOWNGRD")) {
					t.Errorf("a TLS 1.2-only server set the downgrade sentinel")
				}
				wantServer := []uint8{wire.TypeServerHello, wire.TypeCertificate, wire.TypeServerKeyExchange, wire.TypeServerHelloDone, wire.TypeFinished}
				if su.KeyExchange == suites.RSAKeyTransport {
					wantServer = []uint8{wire.TypeServerHello, wire.TypeCertificate, wire.TypeServerHelloDone, wire.TypeFinished}
					if cr.Group != 0 {
						t.Errorf("RSA key transport reports group %s", kex.Name(cr.Group))
					}
				} else if !signature.Allowed(leaf.Key.Public(), v12, cr.PeerScheme) {
					t.Errorf("server signed with %v, which its %s key may not use", cr.PeerScheme, kt)
				}
				if got := types(cv.s.sent); got != types(wantServer) {
					t.Errorf("server sent %s, want %s", got, types(wantServer))
				}
				if got, want := types(cv.c.sent), typeList(wire.TypeClientHello, wire.TypeClientKeyExchange, wire.TypeFinished); got != want {
					t.Errorf("client sent %s, want %s", got, want)
				}
				if cv.c.ccs != 1 || cv.s.ccs != 1 || cv.c.keyActs != 2 || cv.s.keyActs != 2 {
					t.Errorf("ccs client %d server %d, key actions client %d server %d; want 1, 1, 2, 2", cv.c.ccs, cv.s.ccs, cv.c.keyActs, cv.s.keyActs)
				}
				want := fmt.Sprintf("CLIENT_RANDOM %x %x", cr.ClientRandom, cr.Master12)
				if len(clientLog) != 1 || clientLog[0] != want || len(serverLog) != 1 || serverLog[0] != want {
					t.Errorf("key logs: client %q, server %q, want [%q]", clientLog, serverLog, want)
				}
			})
		}
	}
}

// TestTLS12ServerPreference: with Lucid's default lists on both sides, the
// server's first suite its key can serve wins, whatever the client prefers.
func TestTLS12ServerPreference(t *testing.T) {
	for _, tc := range []struct {
		kt   testpki.KeyType
		want uint16
	}{{testpki.ECDSAP256, 0xc02b}, {testpki.Ed25519, 0xc02b}, {testpki.RSA2048, 0xc02f}} {
		t.Run(string(tc.kt), func(t *testing.T) {
			ccfg, scfg := client12(nil), server12(t, tc.kt, nil)
			rev := defaultSuites12()
			for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
				rev[i], rev[j] = rev[j], rev[i]
			}
			ccfg.Suites12 = rev
			cv := newRConv(t, ccfg, scfg)
			cv.mustRun()
			check12(t, cv, tc.want)
		})
	}
}

// TestTLS12DowngradeSentinelAccepted: a server that allows TLS 1.3 marks a
// TLS 1.2 ServerHello (RFC 8446 §4.1.3); a client limited to TLS 1.2 must
// accept it.
func TestTLS12DowngradeSentinelAccepted(t *testing.T) {
	ccfg, scfg := client12(nil), server12(t, testpki.ECDSAP256, nil)
	scfg.MaxVersion = v13
	cv := newRConv(t, ccfg, scfg)
	cv.mustRun()
	cr, _ := check12(t, cv, 0xc02b)
	if !bytes.Equal(cr.ServerRandom[24:], []byte("DOWNGRD\x01")) {
		t.Errorf("server random ends %x, want DOWNGRD\\x01", cr.ServerRandom[24:])
	}
}

// TestVersionNegotiation runs every pairing of version ranges.
func TestVersionNegotiation(t *testing.T) {
	ranges := []struct {
		name     string
		min, max uint16
	}{
		{"1.2", v12, v12},
		{"1.2-1.3", v12, v13},
		{"1.3", v13, v13},
		{"zero", 0, 0}, // TLS 1.3 alone
	}
	for _, c := range ranges {
		for _, s := range ranges {
			t.Run("client"+c.name+"/server"+s.name, func(t *testing.T) {
				ccfg, scfg := client12(nil), server12(t, testpki.ECDSAP256, nil)
				ccfg.MinVersion, ccfg.MaxVersion = c.min, c.max
				scfg.MinVersion, scfg.MaxVersion = s.min, s.max
				lo := func(v uint16) uint16 {
					if v == 0 {
						return v13
					}
					return v
				}
				var want uint16
				for _, v := range []uint16{v13, v12} {
					if lo(c.min) <= v && v <= lo(c.max) && lo(s.min) <= v && v <= lo(s.max) {
						want = v
						break
					}
				}
				cv := newRConv(t, ccfg, scfg)
				if want == 0 {
					wantRFail(t, cv.run(), "server", wire.TypeClientHello, alert.ProtocolVersion)
					return
				}
				cv.mustRun()
				if want == v12 {
					check12(t, cv, 0xc02b)
				} else {
					check13(t, cv)
				}
			})
		}
	}
}

// Client-side alerts in TLS 1.2.

type alert12Case struct {
	name   string
	kt     testpki.KeyType
	client func(*handshake.Config)
	server func(*handshake.Config)
	tamper func(t *testing.T) func(Msg) [][]byte
	who    string
	at     uint8
	want   alert.Description
	// fin: flip a bit of the server's Finished.
	fin bool
	// contains, if set, must appear in the error.
	contains string
}

func (tc alert12Case) run(t *testing.T) {
	kt := tc.kt
	if kt == "" {
		kt = testpki.ECDSAP256
	}
	ccfg, scfg := client12(nil), server12(t, kt, nil)
	if tc.client != nil {
		tc.client(ccfg)
	}
	if tc.server != nil {
		tc.server(scfg)
	}
	cv := newRConv(t, ccfg, scfg)
	if tc.tamper != nil {
		cv.tamper = tc.tamper(t)
	}
	f := cv.run()
	wantRFail(t, f, tc.who, tc.at, tc.want)
	if tc.contains != "" && !strings.Contains(f.err.Error(), tc.contains) {
		t.Errorf("error %q does not mention %q", f.err, tc.contains)
	}
	// A failed engine stays failed.
	failed := cv.c.e
	if tc.who == "server" {
		failed = cv.s.e
	}
	if _, err := failed.Handle([]byte{wire.TypeFinished, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}); alert.Of(err) != alert.UnexpectedMessage {
		t.Errorf("failed engine accepted another message: %v", err)
	}
	if failed.Done() {
		t.Errorf("failed engine reports Done")
	}
}

func sh12(fn func(*wire.ServerHello)) func(t *testing.T) func(Msg) [][]byte {
	return func(t *testing.T) func(Msg) [][]byte {
		return at(true, wire.TypeServerHello, 0, mutServerHello(t, fn))
	}
}

func ch12(fn func(*wire.ClientHello)) func(t *testing.T) func(Msg) [][]byte {
	return func(t *testing.T) func(Msg) [][]byte {
		return at(false, wire.TypeClientHello, 0, mutClientHello(t, fn))
	}
}

func ske12(fn func(*wire.ServerKeyExchangeECDHE)) func(t *testing.T) func(Msg) [][]byte {
	return func(t *testing.T) func(Msg) [][]byte {
		return at(true, wire.TypeServerKeyExchange, 0, func(b []byte) [][]byte {
			m, err := wire.ParseServerKeyExchangeECDHE(b[wire.HeaderLen:])
			if err != nil {
				t.Fatalf("ParseServerKeyExchangeECDHE: %v", err)
			}
			fn(m)
			return one(mustMarshal(t, m.Marshal()))
		})
	}
}

func fin12(toClient bool) func(t *testing.T) func(Msg) [][]byte {
	return func(t *testing.T) func(Msg) [][]byte {
		return at(toClient, wire.TypeFinished, 0, mutFinished(t, func(f *wire.Finished) { f.VerifyData[len(f.VerifyData)-1] ^= 0x80 }))
	}
}

func cert12(kt testpki.KeyType) func(t *testing.T) func(Msg) [][]byte {
	return func(t *testing.T) func(Msg) [][]byte {
		chain := testLeaf(t, kt).Chain
		return at(true, wire.TypeCertificate, 0, func([]byte) [][]byte {
			return one(mustMarshal(t, (&wire.Certificate12{Certificates: chain}).Marshal()))
		})
	}
}

func only12(ids ...uint16) func(*handshake.Config) {
	return func(c *handshake.Config) { c.Suites12 = ids }
}

func TestTLS12ClientAlerts(t *testing.T) {
	cases := []alert12Case{
		{name: "ServerHello without renegotiation_info", tamper: sh12(func(m *wire.ServerHello) { m.SecureRenegotiationSupported = false }),
			who: "client", at: wire.TypeServerHello, want: alert.HandshakeFailure},
		{name: "ServerHello with non-empty renegotiation_info", tamper: sh12(func(m *wire.ServerHello) { m.SecureRenegotiation = []byte{1, 2, 3} }),
			who: "client", at: wire.TypeServerHello, want: alert.HandshakeFailure},
		{name: "empty server Certificate", tamper: func(t *testing.T) func(Msg) [][]byte {
			return at(true, wire.TypeCertificate, 0, func([]byte) [][]byte { return one((&wire.Certificate12{}).Marshal()) })
		}, who: "client", at: wire.TypeCertificate, want: alert.DecodeError},
		{name: "ServerHello without extended_master_secret", tamper: sh12(func(m *wire.ServerHello) { m.ExtendedMasterSecret = false }),
			who: "client", at: wire.TypeServerHello, want: alert.HandshakeFailure},
		{
			name:   "downgrade: 1.3 stripped from the ClientHello",
			client: func(c *handshake.Config) { c.MaxVersion = v13 },
			server: func(c *handshake.Config) { c.MaxVersion = v13 },
			tamper: ch12(func(m *wire.ClientHello) { m.SupportedVersions = []uint16{v12} }),
			who:    "client", at: wire.TypeServerHello, want: alert.IllegalParameter, contains: "downgrade",
		},
		{
			name:   "downgrade sentinel DOWNGRD01 injected",
			client: func(c *handshake.Config) { c.MaxVersion = v13 },
			tamper: sh12(func(m *wire.ServerHello) { copy(m.Random[24:], "DOWNGRD\x01") }),
			who:    "client", at: wire.TypeServerHello, want: alert.IllegalParameter, contains: "downgrade",
		},
		{
			name:   "downgrade sentinel DOWNGRD00 injected",
			client: func(c *handshake.Config) { c.MaxVersion = v13 },
			tamper: sh12(func(m *wire.ServerHello) { copy(m.Random[24:], "DOWNGRD\x00") }),
			who:    "client", at: wire.TypeServerHello, want: alert.IllegalParameter, contains: "downgrade",
		},
		{name: "suite not offered", kt: testpki.RSA2048, client: only12(0xc02f), tamper: sh12(func(m *wire.ServerHello) { m.CipherSuite = 0xc030 }),
			who: "client", at: wire.TypeServerHello, want: alert.IllegalParameter},
		{name: "TLS 1.3 suite in a TLS 1.2 ServerHello", tamper: sh12(func(m *wire.ServerHello) { m.CipherSuite = suites.TLS_AES_128_GCM_SHA256 }),
			who: "client", at: wire.TypeServerHello, want: alert.IllegalParameter},
		{name: "legacy suite not enabled", kt: testpki.RSA2048, tamper: sh12(func(m *wire.ServerHello) { m.CipherSuite = 0x009c }),
			who: "client", at: wire.TypeServerHello, want: alert.IllegalParameter},
		{name: "unsolicited record_size_limit", tamper: sh12(func(m *wire.ServerHello) { m.RecordSizeLimit = 512 }),
			who: "client", at: wire.TypeServerHello, want: alert.UnsupportedExtension},
		// RFC 8449 §4: 2^14 is TLS 1.2's maximum, 2^14+1 only TLS 1.3's.
		{name: "record_size_limit above TLS 1.2's maximum", client: func(c *handshake.Config) { c.RecordSizeLimit = 512 },
			tamper: sh12(func(m *wire.ServerHello) { m.RecordSizeLimit = 1<<14 + 1 }),
			who:    "client", at: wire.TypeServerHello, want: alert.IllegalParameter},
		{name: "ServerHello version 1.1", tamper: sh12(func(m *wire.ServerHello) { m.LegacyVersion = 0x0302 }),
			who: "client", at: wire.TypeServerHello, want: alert.ProtocolVersion},

		// ServerKeyExchange.
		{name: "SKE bad signature ECDSA", tamper: ske12(func(m *wire.ServerKeyExchangeECDHE) { m.Signature[len(m.Signature)-1] ^= 1 }),
			who: "client", at: wire.TypeServerKeyExchange, want: alert.DecryptError},
		{name: "SKE bad signature ECDSA P-384", kt: testpki.ECDSAP384, tamper: ske12(func(m *wire.ServerKeyExchangeECDHE) { m.Signature[len(m.Signature)-1] ^= 1 }),
			who: "client", at: wire.TypeServerKeyExchange, want: alert.DecryptError},
		{name: "SKE bad signature RSA", kt: testpki.RSA2048, tamper: ske12(func(m *wire.ServerKeyExchangeECDHE) { m.Signature[10] ^= 1 }),
			who: "client", at: wire.TypeServerKeyExchange, want: alert.DecryptError},
		{name: "SKE bad signature RSA PKCS1", kt: testpki.RSA2048,
			client: func(c *handshake.Config) { c.Schemes = []signature.Scheme{signature.PKCS1WithSHA256} },
			tamper: ske12(func(m *wire.ServerKeyExchangeECDHE) {
				if m.Scheme != uint16(signature.PKCS1WithSHA256) {
					panic("server did not sign with PKCS1")
				}
				m.Signature[0] ^= 1
			}),
			who: "client", at: wire.TypeServerKeyExchange, want: alert.DecryptError},
		{name: "SKE bad signature Ed25519", kt: testpki.Ed25519, tamper: ske12(func(m *wire.ServerKeyExchangeECDHE) { m.Signature[3] ^= 1 }),
			who: "client", at: wire.TypeServerKeyExchange, want: alert.DecryptError},
		{name: "SKE point changed under the signature", tamper: ske12(func(m *wire.ServerKeyExchangeECDHE) { m.PublicKey[5] ^= 1 }),
			who: "client", at: wire.TypeServerKeyExchange, want: alert.DecryptError},
		{name: "server random changed under the signature", tamper: sh12(func(m *wire.ServerHello) { m.Random[0] ^= 1 }),
			who: "client", at: wire.TypeServerKeyExchange, want: alert.DecryptError},
		{name: "SKE group not offered",
			client: func(c *handshake.Config) { c.Groups = []uint16{kex.X25519, kex.P256} },
			tamper: ske12(func(m *wire.ServerKeyExchangeECDHE) { m.Group = kex.P384 }),
			who:    "client", at: wire.TypeServerKeyExchange, want: alert.IllegalParameter},
		{name: "SKE group X25519MLKEM768",
			tamper: ske12(func(m *wire.ServerKeyExchangeECDHE) { m.Group = kex.X25519MLKEM768 }),
			who:    "client", at: wire.TypeServerKeyExchange, want: alert.IllegalParameter},
		{name: "SKE scheme not offered",
			client: func(c *handshake.Config) {
				c.Schemes = []signature.Scheme{signature.ECDSAWithP256AndSHA256, signature.PSSWithSHA256}
			},
			tamper: ske12(func(m *wire.ServerKeyExchangeECDHE) { m.Scheme = uint16(signature.ECDSAWithP384AndSHA384) }),
			who:    "client", at: wire.TypeServerKeyExchange, want: alert.IllegalParameter},
		{name: "SKE scheme SHA-1 not offered", kt: testpki.RSA2048,
			tamper: ske12(func(m *wire.ServerKeyExchangeECDHE) { m.Scheme = 0x0201 }),
			who:    "client", at: wire.TypeServerKeyExchange, want: alert.IllegalParameter},
		{name: "SKE scheme offered but not for this key",
			tamper: ske12(func(m *wire.ServerKeyExchangeECDHE) { m.Scheme = uint16(signature.PSSWithSHA256) }),
			who:    "client", at: wire.TypeServerKeyExchange, want: alert.IllegalParameter},

		// Finished.
		{name: "server Finished flipped", fin: true},
		{name: "server Finished flipped RSA transport", kt: testpki.RSA2048, client: only12(0x009c), server: only12(0x009c), fin: true},
		{name: "server Finished flipped CBC", kt: testpki.RSA2048, client: only12(0xc013), server: only12(0xc013), fin: true},

		// Certificate.
		{name: "ECDSA certificate for ECDHE_RSA", kt: testpki.RSA2048, client: only12(0xc02f), tamper: cert12(testpki.ECDSAP256),
			who: "client", at: wire.TypeCertificate, want: alert.UnsupportedCertificate},
		{name: "RSA certificate for ECDHE_ECDSA", kt: testpki.ECDSAP256, client: only12(0xc02b), tamper: cert12(testpki.RSA2048),
			who: "client", at: wire.TypeCertificate, want: alert.UnsupportedCertificate},
		{name: "Ed25519 certificate for RSA key transport", kt: testpki.RSA2048, client: only12(0x009c), server: only12(0x009c), tamper: cert12(testpki.Ed25519),
			who: "client", at: wire.TypeCertificate, want: alert.UnsupportedCertificate},
	}
	for _, tc := range cases {
		if tc.fin {
			tc.tamper, tc.who, tc.at, tc.want = fin12(true), "client", wire.TypeFinished, alert.DecryptError
		}
		t.Run(tc.name, tc.run)
	}
}

// echoSessionID makes the server's ServerHello echo the session ID of the
// client's ClientHello, whatever the client offered.
func echoSessionID(t *testing.T) func(Msg) [][]byte {
	var sid []byte
	return func(m Msg) [][]byte {
		switch {
		case !m.ToClient && m.Type == wire.TypeClientHello:
			ch, err := wire.ParseClientHello(m.Bytes[wire.HeaderLen:])
			if err != nil {
				t.Fatal(err)
			}
			sid = ch.SessionID
		case m.ToClient && m.Type == wire.TypeServerHello:
			return mutServerHello(t, func(sh *wire.ServerHello) { sh.SessionID = sid })(m.Bytes)
		}
		return [][]byte{m.Bytes}
	}
}

// A TLS 1.2 server that echoes the client's session ID claims to resume;
// when the client offered no TLS 1.2 session (the ID was TLS 1.3's
// compatibility ID), that claim is false (RFC 5246 §7.4.1.3).
func TestTLS12EchoedSessionIDWithoutSession(t *testing.T) {
	alert12Case{
		name:   "echo of the compatibility session ID",
		client: func(c *handshake.Config) { c.MaxVersion = v13 },
		tamper: echoSessionID,
		who:    "client", at: wire.TypeServerHello, want: alert.IllegalParameter, contains: "names no session",
	}.run(t)
}

// A client offering only TLS 1.2 and no session sends an empty session ID
// (RFC 5246 §7.4.1.2); one that also offers TLS 1.3 sends a 32-byte
// compatibility ID (RFC 8446 §D.4).
func TestClientSessionIDOnlyWhenNeeded(t *testing.T) {
	for _, tc := range []struct {
		max  uint16
		want int
	}{{v12, 0}, {v13, 32}} {
		cfg := client12(nil)
		cfg.MaxVersion = tc.max
		acts, err := handshake.NewClient(cfg).Start()
		if err != nil {
			t.Fatal(err)
		}
		ch, err := wire.ParseClientHello(acts[0].Data[wire.HeaderLen:])
		if err != nil {
			t.Fatal(err)
		}
		if len(ch.SessionID) != tc.want {
			t.Errorf("max %#04x: session ID of %d bytes, want %d", tc.max, len(ch.SessionID), tc.want)
		}
	}
}

// RFC 8422 §5.1.2 and §5.3: the ECC checks of a TLS 1.2 handshake.
func TestTLS12ECCChecks(t *testing.T) {
	for _, tc := range []alert12Case{
		{
			name:   "client's point formats lack uncompressed",
			tamper: ch12(func(m *wire.ClientHello) { m.ECPointFormats = []uint8{1} }),
			who:    "server", at: wire.TypeClientHello, want: alert.IllegalParameter,
		},
		{
			name:   "server's ECDSA curve not among the client's groups",
			client: func(c *handshake.Config) { c.Groups = []uint16{kex.X25519, kex.P384} },
			who:    "server", at: wire.TypeClientHello, want: alert.HandshakeFailure,
		},
		{
			// The server is told P-384 is fine; the client, which
			// never offered it, refuses the P-384 certificate.
			name:   "client refuses a leaf on a curve it did not offer",
			kt:     testpki.ECDSAP384,
			client: func(c *handshake.Config) { c.Groups = []uint16{kex.X25519, kex.P256} },
			tamper: ch12(func(m *wire.ClientHello) { m.SupportedGroups = append(m.SupportedGroups, kex.P384) }),
			who:    "client", at: wire.TypeCertificate, want: alert.IllegalParameter,
		},
	} {
		t.Run(tc.name, tc.run)
	}
}

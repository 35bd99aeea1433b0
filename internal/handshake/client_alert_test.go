package handshake_test

import (
	crand "crypto/rand"
	"errors"
	"testing"
	"time"

	"lucid/internal/alert"
	"lucid/internal/handshake"
	"lucid/internal/kex"
	"lucid/internal/signature"
	"lucid/internal/suites"
	"lucid/internal/testpki"
	"lucid/internal/wire"
	"lucid/pki"
)

func drop([]byte) [][]byte { return nil }

// clientCase is one server message, mutated on its way to the client.
type clientCase struct {
	name   string
	kt     testpki.KeyType // server certificate; empty is ECDSA P-256
	client func(*handshake.Config)
	server func(*handshake.Config)
	typ    uint8 // message to tamper with
	n      int   // which one of that type
	fn     func(t *testing.T) func([]byte) [][]byte
	want   alert.Description
}

func (tc clientCase) run(t *testing.T) {
	t.Run(tc.name, func(t *testing.T) {
		kt := tc.kt
		if kt == "" {
			kt = testpki.ECDSAP256
		}
		ccfg := clientConfig()
		if tc.client != nil {
			tc.client(ccfg)
		}
		scfg := serverConfig(t, kt)
		if tc.server != nil {
			tc.server(scfg)
		}
		cv := newConv(t, ccfg, scfg)
		cv.tamper = at(true, tc.typ, tc.n, tc.fn(t))
		wantFailure(t, cv.run(), "client", tc.want)
		if cv.c.e.Done() {
			t.Errorf("client is Done after a failure")
		}
	})
}

func sh(fn func(*wire.ServerHello)) func(t *testing.T) func([]byte) [][]byte {
	return func(t *testing.T) func([]byte) [][]byte { return mutServerHello(t, fn) }
}

func hrrClient(c *handshake.Config) {
	c.Groups = []uint16{kex.X25519MLKEM768, kex.X25519, kex.P384}
}

func hrrServer(c *handshake.Config) { c.Groups = []uint16{kex.P384} }

func TestClientRejectsServerHello(t *testing.T) {
	p256, err := kex.Generate(kex.P256, crand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p384, err := kex.Generate(kex.P384, crand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []clientCase{
		{
			name: "wrong session id echo",
			typ:  wire.TypeServerHello,
			fn:   sh(func(m *wire.ServerHello) { m.SessionID[31] ^= 1 }),
			want: alert.IllegalParameter,
		},
		{
			name: "empty session id echo",
			typ:  wire.TypeServerHello,
			fn:   sh(func(m *wire.ServerHello) { m.SessionID = nil }),
			want: alert.IllegalParameter,
		},
		{
			name: "suite not offered",
			client: func(c *handshake.Config) {
				c.CipherSuites = []uint16{suites.TLS_AES_128_GCM_SHA256, suites.TLS_AES_256_GCM_SHA384}
			},
			typ:  wire.TypeServerHello,
			fn:   sh(func(m *wire.ServerHello) { m.CipherSuite = suites.TLS_CHACHA20_POLY1305_SHA256 }),
			want: alert.IllegalParameter,
		},
		{
			name: "unknown suite",
			typ:  wire.TypeServerHello,
			fn:   sh(func(m *wire.ServerHello) { m.CipherSuite = 0x1304 }),
			want: alert.IllegalParameter,
		},
		{
			name: "supported_versions missing",
			typ:  wire.TypeServerHello,
			fn: sh(func(m *wire.ServerHello) {
				m.SupportedVersion = 0
				m.KeyShare = wire.KeyShare{}
			}),
			want: alert.ProtocolVersion,
		},
		{
			name: "supported_versions selects TLS 1.2",
			typ:  wire.TypeServerHello,
			fn:   sh(func(m *wire.ServerHello) { m.SupportedVersion = 0x0303 }),
			want: alert.IllegalParameter,
		},
		{
			name: "legacy_version not 0x0303",
			typ:  wire.TypeServerHello,
			fn:   sh(func(m *wire.ServerHello) { m.LegacyVersion = 0x0304 }),
			want: alert.IllegalParameter,
		},
		{
			name:   "key share for a supported group without a share",
			client: func(c *handshake.Config) { c.Groups = []uint16{kex.X25519, kex.P256} },
			typ:    wire.TypeServerHello,
			fn:     sh(func(m *wire.ServerHello) { m.KeyShare = wire.KeyShare{Group: kex.P256, Data: p256.Share()} }),
			want:   alert.IllegalParameter,
		},
		{
			name:   "key share for a group not offered at all",
			client: func(c *handshake.Config) { c.Groups = []uint16{kex.X25519, kex.P256} },
			typ:    wire.TypeServerHello,
			fn:     sh(func(m *wire.ServerHello) { m.KeyShare = wire.KeyShare{Group: kex.P384, Data: p384.Share()} }),
			want:   alert.IllegalParameter,
		},
		{
			name: "key share missing",
			typ:  wire.TypeServerHello,
			fn:   sh(func(m *wire.ServerHello) { m.KeyShare = wire.KeyShare{} }),
			want: alert.MissingExtension,
		},
		{
			name:   "key share not a valid point",
			client: func(c *handshake.Config) { c.Groups = []uint16{kex.P256} },
			typ:    wire.TypeServerHello,
			fn: sh(func(m *wire.ServerHello) {
				m.KeyShare.Data = append([]byte{4}, make([]byte, 64)...)
			}),
			want: alert.IllegalParameter,
		},
	} {
		tc.run(t)
	}
}

func TestClientRejectsHelloRetryRequest(t *testing.T) {
	// Replay the first HRR where the real ServerHello should be.
	t.Run("second HelloRetryRequest", func(t *testing.T) {
		ccfg, scfg := clientConfig(), serverConfig(t, testpki.ECDSAP256)
		hrrClient(ccfg)
		hrrServer(scfg)
		cv := newConv(t, ccfg, scfg)
		var hrr []byte
		cv.tamper = func(m Msg) [][]byte {
			if m.ToClient && m.Type == wire.TypeServerHello {
				if m.N == 0 {
					hrr = m.Bytes
				} else {
					return one(hrr)
				}
			}
			return one(m.Bytes)
		}
		wantFailure(t, cv.run(), "client", alert.UnexpectedMessage)
	})
	for _, tc := range []clientCase{
		{
			name: "HRR for a group already shared",
			typ:  wire.TypeServerHello,
			fn:   sh(func(m *wire.ServerHello) { m.SelectedGroup = kex.X25519 }),
			want: alert.IllegalParameter,
		},
		{
			name: "HRR for the hybrid group already shared",
			typ:  wire.TypeServerHello,
			fn:   sh(func(m *wire.ServerHello) { m.SelectedGroup = kex.X25519MLKEM768 }),
			want: alert.IllegalParameter,
		},
		{
			name: "HRR for a group not offered",
			typ:  wire.TypeServerHello,
			fn:   sh(func(m *wire.ServerHello) { m.SelectedGroup = kex.P256 }),
			want: alert.IllegalParameter,
		},
		{
			name: "HRR that changes nothing",
			typ:  wire.TypeServerHello,
			fn: sh(func(m *wire.ServerHello) {
				m.SelectedGroup = 0
				m.Cookie = nil
			}),
			want: alert.IllegalParameter,
		},
		{
			name: "HRR with wrong session id echo",
			typ:  wire.TypeServerHello,
			fn:   sh(func(m *wire.ServerHello) { m.SessionID[0] ^= 0xff }),
			want: alert.IllegalParameter,
		},
		{
			name: "ServerHello suite differs from HRR",
			typ:  wire.TypeServerHello,
			n:    1,
			fn:   sh(func(m *wire.ServerHello) { m.CipherSuite = suites.TLS_AES_256_GCM_SHA384 }),
			want: alert.IllegalParameter,
		},
		{
			// After the HRR the client holds only a P-384 share.
			name: "ServerHello share not for the HRR group",
			typ:  wire.TypeServerHello,
			n:    1,
			fn: func(t *testing.T) func([]byte) [][]byte {
				x, err := kex.Generate(kex.X25519, crand.Reader)
				if err != nil {
					t.Fatal(err)
				}
				return mutServerHello(t, func(m *wire.ServerHello) { m.KeyShare = wire.KeyShare{Group: kex.X25519, Data: x.Share()} })
			},
			want: alert.IllegalParameter,
		},
	} {
		tc.client, tc.server = hrrClient, hrrServer
		tc.run(t)
	}
}

func TestClientRejectsEncryptedExtensions(t *testing.T) {
	ee := func(fn func(*wire.EncryptedExtensions)) func(t *testing.T) func([]byte) [][]byte {
		return func(t *testing.T) func([]byte) [][]byte { return mutEncryptedExtensions(t, fn) }
	}
	for _, tc := range []clientCase{
		{
			name: "unsolicited ALPN",
			typ:  wire.TypeEncryptedExtensions,
			fn:   ee(func(m *wire.EncryptedExtensions) { m.ALPN = "h2" }),
			want: alert.UnsupportedExtension,
		},
		{
			name:   "unsolicited server_name",
			client: func(c *handshake.Config) { c.ServerName = "" },
			typ:    wire.TypeEncryptedExtensions,
			fn:     ee(func(m *wire.EncryptedExtensions) { m.ServerNameAck = true }),
			want:   alert.UnsupportedExtension,
		},
		{
			name: "unsolicited early_data",
			typ:  wire.TypeEncryptedExtensions,
			fn:   ee(func(m *wire.EncryptedExtensions) { m.EarlyData = true }),
			want: alert.UnsupportedExtension,
		},
		{
			name: "unsolicited record_size_limit",
			typ:  wire.TypeEncryptedExtensions,
			fn:   ee(func(m *wire.EncryptedExtensions) { m.RecordSizeLimit = 1024 }),
			want: alert.UnsupportedExtension,
		},
		{
			name:   "record_size_limit above TLS 1.3's maximum",
			client: func(c *handshake.Config) { c.RecordSizeLimit = 512 },
			typ:    wire.TypeEncryptedExtensions,
			fn:     ee(func(m *wire.EncryptedExtensions) { m.RecordSizeLimit = 1<<14 + 2 }),
			want:   alert.IllegalParameter,
		},
		{
			name: "unknown extension",
			typ:  wire.TypeEncryptedExtensions,
			fn: ee(func(m *wire.EncryptedExtensions) {
				m.Extensions = []uint16{0x7777}
				m.Unknown = map[uint16][]byte{0x7777: {1, 2}}
			}),
			want: alert.UnsupportedExtension,
		},
		{
			name:   "ALPN not offered",
			client: func(c *handshake.Config) { c.NextProtos = []string{"h2", "http/1.1"} },
			server: func(c *handshake.Config) { c.NextProtos = []string{"h2"} },
			typ:    wire.TypeEncryptedExtensions,
			fn:     ee(func(m *wire.EncryptedExtensions) { m.ALPN = "spdy/3" }),
			want:   alert.IllegalParameter,
		},
	} {
		tc.run(t)
	}
}

func TestClientRejectsCertificate(t *testing.T) {
	cert := func(fn func(*wire.Certificate)) func(t *testing.T) func([]byte) [][]byte {
		return func(t *testing.T) func([]byte) [][]byte { return mutCertificate(t, fn) }
	}
	for _, tc := range []clientCase{
		{
			name: "empty Certificate",
			typ:  wire.TypeCertificate,
			fn:   cert(func(m *wire.Certificate) { m.Entries = nil }),
			want: alert.DecodeError,
		},
		{
			name: "non-empty request context",
			typ:  wire.TypeCertificate,
			fn:   cert(func(m *wire.Certificate) { m.RequestContext = []byte{1} }),
			want: alert.IllegalParameter,
		},
		{
			name: "leaf is not a certificate",
			typ:  wire.TypeCertificate,
			// cert_data that is not DER X.509 is a malformed message,
			// as OpenSSL and BoringSSL answer it.
			fn:   cert(func(m *wire.Certificate) { m.Entries[0].Data = []byte{0x30, 0x03, 0x02, 0x01, 0x01} }),
			want: alert.DecodeError,
		},
		{
			// RFC 8446 §4.4.2: the client asked for no such extension.
			name: "unrequested extension in the leaf's entry",
			typ:  wire.TypeCertificate,
			fn: func(t *testing.T) func([]byte) [][]byte {
				return func(b []byte) [][]byte { return one(withEntryExtension(t, b, 0x7777)) }
			},
			want: alert.UnsupportedExtension,
		},
	} {
		tc.run(t)
	}
}

func TestClientRejectsCertificateVerify(t *testing.T) {
	cvm := func(fn func(*wire.CertificateVerify)) func(t *testing.T) func([]byte) [][]byte {
		return func(t *testing.T) func([]byte) [][]byte { return mutCertificateVerify(t, fn) }
	}
	cases := []clientCase{
		{
			// The client offers only ECDSA P-256; the server signs with it,
			// and the CertificateVerify is relabelled P-384.
			name:   "scheme not offered",
			client: func(c *handshake.Config) { c.Schemes = []signature.Scheme{signature.ECDSAWithP256AndSHA256} },
			typ:    wire.TypeCertificateVerify,
			fn:     cvm(func(m *wire.CertificateVerify) { m.Scheme = uint16(signature.ECDSAWithP384AndSHA384) }),
			want:   alert.IllegalParameter,
		},
		{
			name: "PKCS#1 v1.5 scheme",
			kt:   testpki.RSA2048,
			typ:  wire.TypeCertificateVerify,
			fn:   cvm(func(m *wire.CertificateVerify) { m.Scheme = uint16(signature.PKCS1WithSHA256) }),
			want: alert.IllegalParameter,
		},
		{
			name: "offered scheme that does not fit the key",
			kt:   testpki.ECDSAP256,
			typ:  wire.TypeCertificateVerify,
			fn:   cvm(func(m *wire.CertificateVerify) { m.Scheme = uint16(signature.Ed25519) }),
			want: alert.IllegalParameter,
		},
	}
	for _, kt := range certTypes {
		cases = append(cases,
			clientCase{
				name: "bad signature/" + string(kt),
				kt:   kt,
				typ:  wire.TypeCertificateVerify,
				fn:   cvm(func(m *wire.CertificateVerify) { m.Signature[len(m.Signature)/2] ^= 0x01 }),
				want: alert.DecryptError,
			},
			clientCase{
				name: "truncated signature/" + string(kt),
				kt:   kt,
				typ:  wire.TypeCertificateVerify,
				fn:   cvm(func(m *wire.CertificateVerify) { m.Signature = m.Signature[:len(m.Signature)-1] }),
				want: alert.DecryptError,
			},
			clientCase{
				name: "empty signature/" + string(kt),
				kt:   kt,
				typ:  wire.TypeCertificateVerify,
				fn:   cvm(func(m *wire.CertificateVerify) { m.Signature = nil }),
				want: alert.DecryptError,
			})
	}
	for _, tc := range cases {
		tc.run(t)
	}
}

func TestClientRejectsServerFinished(t *testing.T) {
	fin := func(fn func(*wire.Finished)) func(t *testing.T) func([]byte) [][]byte {
		return func(t *testing.T) func([]byte) [][]byte { return mutFinished(t, fn) }
	}
	for _, id := range allSuites {
		clientCase{
			name:   "flipped bit/" + suites.Lookup13(id).Name,
			client: func(c *handshake.Config) { c.CipherSuites = []uint16{id} },
			typ:    wire.TypeFinished,
			fn:     fin(func(m *wire.Finished) { m.VerifyData[len(m.VerifyData)-1] ^= 0x80 }),
			want:   alert.DecryptError,
		}.run(t)
	}
	clientCase{
		name:   "flipped bit after HRR",
		client: hrrClient,
		server: hrrServer,
		typ:    wire.TypeFinished,
		fn:     fin(func(m *wire.Finished) { m.VerifyData[0] ^= 0x01 }),
		want:   alert.DecryptError,
	}.run(t)
}

func TestClientRejectsOutOfOrder(t *testing.T) {
	dropper := func(*testing.T) func([]byte) [][]byte { return drop }
	for _, tc := range []clientCase{
		{name: "Certificate before EncryptedExtensions", typ: wire.TypeEncryptedExtensions, fn: dropper, want: alert.UnexpectedMessage},
		{name: "CertificateVerify before Certificate", typ: wire.TypeCertificate, fn: dropper, want: alert.UnexpectedMessage},
		{name: "Finished before CertificateVerify", typ: wire.TypeCertificateVerify, fn: dropper, want: alert.UnexpectedMessage},
		{name: "EncryptedExtensions before ServerHello", typ: wire.TypeServerHello, fn: dropper, want: alert.UnexpectedMessage},
		{
			name: "ClientHello to a client",
			typ:  wire.TypeServerHello,
			fn: func(t *testing.T) func([]byte) [][]byte {
				return func([]byte) [][]byte { return one(clientHelloFrom(t, clientConfig()).Marshal()) }
			},
			want: alert.UnexpectedMessage,
		},
		{
			name: "EncryptedExtensions twice",
			typ:  wire.TypeEncryptedExtensions,
			fn:   func(*testing.T) func([]byte) [][]byte { return func(b []byte) [][]byte { return [][]byte{b, b} } },
			want: alert.UnexpectedMessage,
		},
	} {
		tc.run(t)
	}
}

// VerifyPeer sees the server's chain; its verdict, alert included, ends the
// handshake.
func TestClientVerifyPeer(t *testing.T) {
	ca := testCA(t)
	verify := func(name string) func(handshake.PeerChain) (*handshake.Verification, error) {
		return func(pc handshake.PeerChain) (*handshake.Verification, error) {
			chain := pc.DER
			certs, chains, err := pki.VerifyChain(chain, pki.VerifyOptions{Roots: ca.Pool, DNSName: name})
			var ve *pki.VerifyError
			if errors.As(err, &ve) {
				return nil, ve.AlertError()
			}
			if err != nil {
				return nil, err
			}
			return &handshake.Verification{Certs: certs, Chains: chains}, nil
		}
	}
	t.Run("chain verifies", func(t *testing.T) {
		for _, kt := range certTypes {
			ccfg := clientConfig()
			var seen [][]byte
			v := verify(testHost)
			ccfg.VerifyPeer = func(pc handshake.PeerChain) (*handshake.Verification, error) {
				chain := pc.DER
				seen = chain
				return v(pc)
			}
			cv := newConv(t, ccfg, serverConfig(t, kt))
			cv.mustRun()
			if len(seen) == 0 {
				t.Errorf("%s: VerifyPeer was not called", kt)
			}
		}
	})
	t.Run("callback error", func(t *testing.T) {
		ccfg := clientConfig()
		ccfg.VerifyPeer = func(handshake.PeerChain) (*handshake.Verification, error) {
			return nil, &alert.Error{Desc: alert.CertificateExpired, Err: errors.New("certificate expired yesterday")}
		}
		cv := newConv(t, ccfg, serverConfig(t, testpki.ECDSAP256))
		wantFailure(t, cv.run(), "client", alert.CertificateExpired)
	})
	t.Run("expired leaf", func(t *testing.T) {
		leaf, err := ca.Issue(testpki.LeafOptions{
			Names:     []string{testHost},
			NotBefore: time.Now().Add(-48 * time.Hour),
			NotAfter:  time.Now().Add(-24 * time.Hour),
		})
		if err != nil {
			t.Fatal(err)
		}
		ccfg := clientConfig()
		ccfg.VerifyPeer = verify(testHost)
		cv := newConv(t, ccfg, serverConfigFor(leaf))
		wantFailure(t, cv.run(), "client", alert.CertificateExpired)
	})
	t.Run("wrong name", func(t *testing.T) {
		ccfg := clientConfig()
		ccfg.VerifyPeer = verify("other.example.test")
		cv := newConv(t, ccfg, serverConfig(t, testpki.ECDSAP256))
		wantFailure(t, cv.run(), "client", alert.BadCertificate)
	})
	t.Run("unknown CA", func(t *testing.T) {
		other, err := testpki.NewCA("Another CA", testpki.ECDSAP256)
		if err != nil {
			t.Fatal(err)
		}
		leaf, err := other.Issue(testpki.LeafOptions{Names: []string{testHost}})
		if err != nil {
			t.Fatal(err)
		}
		ccfg := clientConfig()
		ccfg.VerifyPeer = verify(testHost)
		cv := newConv(t, ccfg, serverConfigFor(leaf))
		wantFailure(t, cv.run(), "client", alert.UnknownCA)
	})
	// nil VerifyPeer skips the chain but never the signature: a valid
	// signature by a key other than the certificate's still fails.
	t.Run("nil VerifyPeer still checks the signature", func(t *testing.T) {
		a := testLeaf(t, testpki.Ed25519)
		b, err := testCA(t).Issue(testpki.LeafOptions{Names: []string{testHost}, KeyType: testpki.Ed25519})
		if err != nil {
			t.Fatal(err)
		}
		scfg := serverConfigFor(a)
		scfg.GetCertificate = func(*handshake.HelloInfo) (*handshake.Certificate, error) {
			return &handshake.Certificate{Chain: a.Chain, Key: b.Key}, nil
		}
		cv := newConv(t, clientConfig(), scfg)
		wantFailure(t, cv.run(), "client", alert.DecryptError)
	})
}

// withEntryExtension re-encodes a TLS 1.3 Certificate message with an empty
// extension of type typ in the leaf's entry, which Marshal cannot write
// for a type it does not know.
func withEntryExtension(t *testing.T, msg []byte, typ uint16) []byte {
	t.Helper()
	m, err := wire.ParseCertificate(msg[wire.HeaderLen:])
	if err != nil {
		t.Fatal(err)
	}
	u24 := func(n int) []byte { return []byte{byte(n >> 16), byte(n >> 8), byte(n)} }
	var list []byte
	for i, e := range m.Entries {
		if e.OCSPStaple != nil || e.SCTs != nil {
			t.Fatal("entry already has extensions")
		}
		list = append(append(list, u24(len(e.Data))...), e.Data...)
		if i == 0 {
			list = append(list, 0, 4, byte(typ>>8), byte(typ), 0, 0)
		} else {
			list = append(list, 0, 0)
		}
	}
	body := append([]byte{byte(len(m.RequestContext))}, m.RequestContext...)
	body = append(append(body, u24(len(list))...), list...)
	return append(append([]byte{wire.TypeCertificate}, u24(len(body))...), body...)
}

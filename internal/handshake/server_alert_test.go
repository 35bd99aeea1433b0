package handshake_test

import (
	crand "crypto/rand"
	"fmt"
	"testing"

	"lucid/internal/alert"
	"lucid/internal/handshake"
	"lucid/internal/kex"
	"lucid/internal/suites"
	"lucid/internal/testpki"
	"lucid/internal/version"
	"lucid/internal/wire"
)

// serverAnswer feeds msg to a fresh server and returns its error.
func serverAnswer(t *testing.T, scfg *handshake.Config, msg []byte) error {
	t.Helper()
	s := handshake.NewServer(scfg)
	acts, err := s.Handle(msg)
	if err != nil && acts != nil {
		t.Errorf("Handle returned actions with an error")
	}
	if err == nil {
		t.Fatalf("server accepted the message and answered with %d actions", len(acts))
	}
	if s.Done() {
		t.Errorf("server is Done after a failure")
	}
	return err
}

func TestServerRejectsClientHello(t *testing.T) {
	for _, tc := range []struct {
		name   string
		client func(*handshake.Config)
		server func(*handshake.Config)
		mutate func(*wire.ClientHello)
		want   alert.Description
	}{
		{
			name:   "no supported_versions",
			mutate: func(ch *wire.ClientHello) { ch.SupportedVersions = nil },
			want:   alert.ProtocolVersion,
		},
		{
			name:   "supported_versions without TLS 1.3",
			mutate: func(ch *wire.ClientHello) { ch.SupportedVersions = []uint16{0x0303, 0x0302} },
			want:   alert.ProtocolVersion,
		},
		{
			name:   "compression null and deflate",
			mutate: func(ch *wire.ClientHello) { ch.CompressionMethods = []uint8{0, 1} },
			want:   alert.IllegalParameter,
		},
		{
			name:   "compression deflate only",
			mutate: func(ch *wire.ClientHello) { ch.CompressionMethods = []uint8{1} },
			want:   alert.IllegalParameter,
		},
		{
			name:   "no common suite",
			client: func(c *handshake.Config) { c.CipherSuites = []uint16{suites.TLS_CHACHA20_POLY1305_SHA256} },
			server: func(c *handshake.Config) { c.CipherSuites = []uint16{suites.TLS_AES_128_GCM_SHA256} },
			want:   alert.HandshakeFailure,
		},
		{
			name:   "only TLS 1.2 suites",
			mutate: func(ch *wire.ClientHello) { ch.CipherSuites = []uint16{0xc02f, 0xc030} },
			want:   alert.HandshakeFailure,
		},
		{
			name:   "no common group",
			client: func(c *handshake.Config) { c.Groups = []uint16{kex.P256} },
			server: func(c *handshake.Config) { c.Groups = []uint16{kex.X25519, kex.P384} },
			want:   alert.HandshakeFailure,
		},
		{
			name:   "missing signature_algorithms",
			mutate: func(ch *wire.ClientHello) { ch.SignatureSchemes = nil },
			want:   alert.MissingExtension,
		},
		{
			name: "missing key_share",
			mutate: func(ch *wire.ClientHello) {
				ch.HasKeyShare = false
				ch.KeyShares = nil
			},
			want: alert.MissingExtension,
		},
		{
			name:   "missing supported_groups",
			mutate: func(ch *wire.ClientHello) { ch.SupportedGroups = nil },
			want:   alert.MissingExtension,
		},
		{
			name:   "key share for a group not in supported_groups",
			client: func(c *handshake.Config) { c.Groups = []uint16{kex.X25519, kex.P256} },
			mutate: func(ch *wire.ClientHello) { ch.SupportedGroups = []uint16{kex.P256} },
			want:   alert.IllegalParameter,
		},
		{
			name:   "ALPN without overlap",
			client: func(c *handshake.Config) { c.NextProtos = []string{"h2", "http/1.1"} },
			server: func(c *handshake.Config) { c.NextProtos = []string{"h3"} },
			want:   alert.NoApplicationProtocol,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ccfg := clientConfig()
			if tc.client != nil {
				tc.client(ccfg)
			}
			scfg := serverConfig(t, testpki.ECDSAP256)
			if tc.server != nil {
				tc.server(scfg)
			}
			ch := clientHelloFrom(t, ccfg)
			if tc.mutate != nil {
				tc.mutate(ch)
			}
			wantAlert(t, serverAnswer(t, scfg, mustMarshal(t, ch.Marshal())), tc.want)
		})
	}
}

func TestServerRejectsFirstMessageNotClientHello(t *testing.T) {
	for _, msg := range [][]byte{
		(&wire.Finished{VerifyData: make([]byte, 32)}).Marshal(),
		(&wire.EncryptedExtensions{}).Marshal(),
		(&wire.KeyUpdate{}).Marshal(),
		(&wire.ServerHello{LegacyVersion: 0x0303, SupportedVersion: version.TLS13, CipherSuite: suites.TLS_AES_128_GCM_SHA256}).Marshal(),
	} {
		t.Run(wire.MessageName(msg[0]), func(t *testing.T) {
			wantAlert(t, serverAnswer(t, serverConfig(t, testpki.ECDSAP256), msg), alert.UnexpectedMessage)
		})
	}
}

// hrrConfigs make the server ask for P-384 after the client shared the
// hybrid group and X25519.
func hrrConfigs(t *testing.T) (*handshake.Config, *handshake.Config) {
	ccfg := clientConfig()
	ccfg.Groups = []uint16{kex.X25519MLKEM768, kex.X25519, kex.P384}
	scfg := serverConfig(t, testpki.ECDSAP256)
	scfg.Groups = []uint16{kex.P384}
	return ccfg, scfg
}

func TestServerRejectsSecondClientHello(t *testing.T) {
	x25519, err := kex.Generate(kex.X25519, crand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		mutate func(*wire.ClientHello)
	}{
		{"no cookie", func(ch *wire.ClientHello) { ch.Cookie = nil }},
		{"wrong cookie", func(ch *wire.ClientHello) { ch.Cookie[0] ^= 1 }},
		{"share for another group", func(ch *wire.ClientHello) {
			ch.KeyShares = []wire.KeyShare{{Group: kex.X25519, Data: x25519.Share()}}
		}},
		{"extra share", func(ch *wire.ClientHello) {
			ch.KeyShares = append([]wire.KeyShare{{Group: kex.X25519, Data: x25519.Share()}}, ch.KeyShares...)
		}},
		{"no share", func(ch *wire.ClientHello) { ch.KeyShares = nil }},
		{"changed random", func(ch *wire.ClientHello) { ch.Random[7] ^= 0x80 }},
		{"changed session id", func(ch *wire.ClientHello) { ch.SessionID[0] ^= 1 }},
		{"changed cipher suites", func(ch *wire.ClientHello) { ch.CipherSuites = ch.CipherSuites[:1] }},
		{"changed supported groups", func(ch *wire.ClientHello) {
			ch.SupportedGroups = []uint16{kex.P384, kex.X25519}
		}},
		{"changed server name", func(ch *wire.ClientHello) { ch.ServerName = "other.example.test" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ccfg, scfg := hrrConfigs(t)
			cv := newConv(t, ccfg, scfg)
			cv.tamper = at(false, wire.TypeClientHello, 1, mutClientHello(t, tc.mutate))
			wantFailure(t, cv.run(), "server", alert.IllegalParameter)
		})
	}
}

func TestServerRejectsBadClientFinished(t *testing.T) {
	for _, id := range allSuites {
		t.Run(suites.Lookup13(id).Name, func(t *testing.T) {
			ccfg := clientConfig()
			ccfg.CipherSuites = []uint16{id}
			cv := newConv(t, ccfg, serverConfig(t, testpki.ECDSAP256))
			cv.tamper = at(false, wire.TypeFinished, 0, mutFinished(t, func(f *wire.Finished) { f.VerifyData[3] ^= 0x10 }))
			wantFailure(t, cv.run(), "server", alert.DecryptError)
		})
	}
	t.Run("truncated", func(t *testing.T) {
		cv := newConv(t, clientConfig(), serverConfig(t, testpki.ECDSAP256))
		cv.tamper = at(false, wire.TypeFinished, 0, mutFinished(t, func(f *wire.Finished) { f.VerifyData = f.VerifyData[:12] }))
		f := cv.run()
		if f == nil || f.side.name != "server" {
			t.Fatalf("a 12-byte Finished was not refused by the server: %v", f)
		}
		if d := alert.Of(f.err); d != alert.DecryptError && d != alert.DecodeError {
			t.Errorf("alert %s, want decrypt_error or decode_error", d)
		}
	})
}

// A message where the server expects the client's Finished.
func TestServerRejectsUnexpectedInsteadOfFinished(t *testing.T) {
	cv := newConv(t, clientConfig(), serverConfig(t, testpki.ECDSAP256))
	cv.tamper = at(false, wire.TypeFinished, 0, func(b []byte) [][]byte {
		return one((&wire.Certificate{}).Marshal())
	})
	wantFailure(t, cv.run(), "server", alert.UnexpectedMessage)
}

func TestMessagesAfterHandshake(t *testing.T) {
	cv := newConv(t, clientConfig(), serverConfig(t, testpki.ECDSAP256))
	cv.mustRun()
	var clientFinished, serverFinished []byte
	for _, m := range cv.delivered {
		if m.Type == wire.TypeFinished {
			if m.ToClient {
				serverFinished = m.Bytes
			} else {
				clientFinished = m.Bytes
			}
		}
	}
	for _, tc := range []struct {
		name string
		e    *handshake.Engine
		msg  []byte
	}{
		{"server: Finished again", cv.s.e, clientFinished},
		{"server: ClientHello", cv.s.e, (&wire.ClientHello{}).Marshal()},
		{"server: KeyUpdate", cv.s.e, (&wire.KeyUpdate{}).Marshal()},
		{"client: Finished again", cv.c.e, serverFinished},
		{"client: ServerHello", cv.c.e, cv.delivered[1].Bytes},
	} {
		t.Run(tc.name, func(t *testing.T) {
			acts, err := tc.e.Handle(tc.msg)
			if acts != nil {
				t.Errorf("got actions")
			}
			wantAlert(t, err, alert.UnexpectedMessage)
			if !tc.e.Done() {
				t.Errorf("engine no longer Done")
			}
		})
	}
}

// Handle must never panic, whatever it is given: a truncated header is a
// framing error, before and after the handshake.
func TestHandleShortInput(t *testing.T) {
	for _, in := range [][]byte{nil, {}, {1}, {1, 0, 0}} {
		for _, tc := range []struct {
			name string
			e    func(t *testing.T) *handshake.Engine
		}{
			{"fresh server", func(t *testing.T) *handshake.Engine {
				return handshake.NewServer(serverConfig(t, testpki.ECDSAP256))
			}},
			{"finished server", func(t *testing.T) *handshake.Engine {
				cv := newConv(t, clientConfig(), serverConfig(t, testpki.ECDSAP256))
				cv.mustRun()
				return cv.s.e
			}},
			{"failed server", func(t *testing.T) *handshake.Engine {
				e := handshake.NewServer(serverConfig(t, testpki.ECDSAP256))
				if _, err := e.Handle((&wire.KeyUpdate{}).Marshal()); err == nil {
					t.Fatal("KeyUpdate accepted as a first message")
				}
				return e
			}},
			{"client before Start", func(t *testing.T) *handshake.Engine {
				return handshake.NewClient(clientConfig())
			}},
		} {
			t.Run(fmt.Sprintf("%s/%x", tc.name, in), func(t *testing.T) {
				e := tc.e(t)
				var err error
				func() {
					defer func() {
						if r := recover(); r != nil {
							t.Errorf("Handle(%x) panicked: %v", in, r)
						}
					}()
					_, err = e.Handle(in)
				}()
				if t.Failed() {
					return
				}
				if d := alert.Of(err); d != alert.DecodeError && d != alert.UnexpectedMessage {
					t.Errorf("Handle(%x): alert %s (%v), want decode_error or unexpected_message", in, d, err)
				}
			})
		}
	}
}

package handshake_test

import (
	"bytes"
	"fmt"
	"slices"
	"testing"

	"lucid/internal/handshake"
	"lucid/internal/kex"
	"lucid/internal/signature"
	"lucid/internal/suites"
	"lucid/internal/testpki"
	"lucid/internal/version"
	"lucid/internal/wire"
)

// messageTypes lists the types of the messages delivered in one direction.
func messageTypes(cv *conv, toClient bool) []string {
	var out []string
	for _, m := range cv.delivered {
		if m.ToClient == toClient {
			out = append(out, wire.MessageName(m.Type))
		}
	}
	return out
}

func TestFullHandshakeMatrix(t *testing.T) {
	for _, kt := range certTypes {
		leaf := testLeaf(t, kt)
		for _, id := range allSuites {
			for _, g := range allGroups {
				name := fmt.Sprintf("%s/%s/%s", kt, suites.Lookup13(id).Name, kex.Name(g))
				t.Run(name, func(t *testing.T) {
					ccfg := clientConfig()
					ccfg.CipherSuites = []uint16{id}
					ccfg.Groups = []uint16{g}
					cv := newConv(t, ccfg, serverConfigFor(leaf))
					cv.mustRun()
					cr, sr := cv.c.e.Result(), cv.s.e.Result()
					if cr.Suite.ID != id || cr.Group != g {
						t.Errorf("negotiated %s/%s, want %s/%s", cr.Suite.Name, kex.Name(cr.Group), suites.Lookup13(id).Name, kex.Name(g))
					}
					if cr.DidHRR || sr.DidHRR {
						t.Errorf("unexpected HelloRetryRequest")
					}
					if !signature.Allowed(leaf.Cert.PublicKey, version.TLS13, cr.PeerScheme) {
						t.Errorf("PeerScheme %v does not fit a %s key", cr.PeerScheme, kt)
					}
					if len(cr.PeerChain) != len(leaf.Chain) || !bytes.Equal(cr.PeerChain[0], leaf.Chain[0]) {
						t.Errorf("client PeerChain is not the server's chain")
					}
					if cr.ServerName != testHost || sr.ServerName != testHost {
						t.Errorf("ServerName: client %q, server %q", cr.ServerName, sr.ServerName)
					}
					wantC := []string{"ClientHello", "Finished"}
					wantS := []string{"ServerHello", "EncryptedExtensions", "Certificate", "CertificateVerify", "Finished"}
					if got := messageTypes(cv, false); !slices.Equal(got, wantC) {
						t.Errorf("client sent %v, want %v", got, wantC)
					}
					if got := messageTypes(cv, true); !slices.Equal(got, wantS) {
						t.Errorf("server sent %v, want %v", got, wantS)
					}
					// Middlebox compatibility mode: one CCS each way.
					if cv.c.ccs != 1 || cv.s.ccs != 1 {
						t.Errorf("change_cipher_spec: client %d, server %d, want 1 each", cv.c.ccs, cv.s.ccs)
					}
				})
			}
		}
	}
}

// The server picks by its own preference among what the client offers.
func TestServerPreference(t *testing.T) {
	ccfg := clientConfig()
	ccfg.CipherSuites = allSuites
	ccfg.Groups = []uint16{kex.X25519MLKEM768, kex.X25519, kex.P256}
	scfg := serverConfig(t, testpki.ECDSAP256)
	scfg.CipherSuites = []uint16{suites.TLS_CHACHA20_POLY1305_SHA256, suites.TLS_AES_128_GCM_SHA256}
	// X25519 is shared by the client (with the hybrid), so the server takes
	// it over its preferred P-256, for which the client sent no share.
	scfg.Groups = []uint16{kex.P256, kex.X25519}
	cv := newConv(t, ccfg, scfg)
	cv.mustRun()
	r := cv.c.e.Result()
	if r.Suite.ID != suites.TLS_CHACHA20_POLY1305_SHA256 || r.Group != kex.X25519 || r.DidHRR {
		t.Errorf("negotiated %s/%s hrr=%v, want ChaCha20/X25519 without HRR", r.Suite.Name, kex.Name(r.Group), r.DidHRR)
	}
}

func TestHelloRetryRequest(t *testing.T) {
	for _, kt := range certTypes {
		for _, id := range allSuites {
			t.Run(fmt.Sprintf("%s/%s", kt, suites.Lookup13(id).Name), func(t *testing.T) {
				ccfg := clientConfig()
				ccfg.CipherSuites = []uint16{id}
				ccfg.Groups = []uint16{kex.X25519MLKEM768, kex.X25519, kex.P384}
				scfg := serverConfig(t, kt)
				scfg.Groups = []uint16{kex.P384}
				cv := newConv(t, ccfg, scfg)
				cv.mustRun()
				cr, sr := cv.c.e.Result(), cv.s.e.Result()
				if !cr.DidHRR || !sr.DidHRR {
					t.Errorf("DidHRR: client %v, server %v, want true", cr.DidHRR, sr.DidHRR)
				}
				if cr.Group != kex.P384 {
					t.Errorf("Group %s, want P-384", kex.Name(cr.Group))
				}
				wantC := []string{"ClientHello", "ClientHello", "Finished"}
				wantS := []string{"ServerHello", "ServerHello", "EncryptedExtensions", "Certificate", "CertificateVerify", "Finished"}
				if got := messageTypes(cv, false); !slices.Equal(got, wantC) {
					t.Errorf("client sent %v, want %v", got, wantC)
				}
				if got := messageTypes(cv, true); !slices.Equal(got, wantS) {
					t.Errorf("server sent %v, want %v", got, wantS)
				}
				if cv.c.ccs != 1 || cv.s.ccs != 1 {
					t.Errorf("change_cipher_spec: client %d, server %d, want 1 each", cv.c.ccs, cv.s.ccs)
				}
				// The second ClientHello carries the cookie and one P-384 share.
				var hellos []*wire.ClientHello
				var hrr *wire.ServerHello
				for _, m := range cv.delivered {
					switch {
					case !m.ToClient && m.Type == wire.TypeClientHello:
						ch, err := wire.ParseClientHello(m.Bytes[wire.HeaderLen:])
						if err != nil {
							t.Fatal(err)
						}
						hellos = append(hellos, ch)
					case m.ToClient && m.Type == wire.TypeServerHello && hrr == nil:
						sh, err := wire.ParseServerHello(m.Bytes[wire.HeaderLen:])
						if err != nil {
							t.Fatal(err)
						}
						hrr = sh
					}
				}
				if !hrr.IsHelloRetryRequest() || hrr.SelectedGroup != kex.P384 || len(hrr.Cookie) == 0 {
					t.Fatalf("first ServerHello is not an HRR for P-384 with a cookie: %+v", hrr)
				}
				ch2 := hellos[1]
				if !bytes.Equal(ch2.Cookie, hrr.Cookie) || len(ch2.KeyShares) != 1 || ch2.KeyShares[0].Group != kex.P384 {
					t.Errorf("second ClientHello: cookie %x (want %x), shares %v", ch2.Cookie, hrr.Cookie, ch2.KeyShares)
				}
				if ch2.Random != hellos[0].Random || !bytes.Equal(ch2.SessionID, hellos[0].SessionID) {
					t.Errorf("second ClientHello changed random or session id")
				}
			})
		}
	}
}

func TestALPN(t *testing.T) {
	for _, tc := range []struct {
		name           string
		client, server []string
		want           string
	}{
		{"server preference", []string{"h2", "http/1.1"}, []string{"http/1.1", "h2"}, "http/1.1"},
		{"single", []string{"h2"}, []string{"h3", "h2"}, "h2"},
		{"client only", []string{"h2"}, nil, ""},
		{"server only", nil, []string{"h2"}, ""},
		{"neither", nil, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ccfg := clientConfig()
			ccfg.NextProtos = tc.client
			scfg := serverConfig(t, testpki.ECDSAP256)
			scfg.NextProtos = tc.server
			cv := newConv(t, ccfg, scfg)
			cv.mustRun()
			if got := cv.c.e.Result().ALPN; got != tc.want {
				t.Errorf("ALPN %q, want %q", got, tc.want)
			}
		})
	}
}

// Each side's key log must name the same secrets, and they must be the
// ones the engines installed.
func TestKeyLogAgrees(t *testing.T) {
	type entry struct {
		label  string
		random string
		secret string
	}
	logger := func(dst *[]entry) func(string, []byte, []byte) {
		return func(label string, cr, secret []byte) {
			*dst = append(*dst, entry{label, fmt.Sprintf("%x", cr), fmt.Sprintf("%x", secret)})
		}
	}
	var cl, sl []entry
	ccfg := clientConfig()
	ccfg.KeyLog = logger(&cl)
	scfg := serverConfig(t, testpki.Ed25519)
	scfg.KeyLog = logger(&sl)
	cv := newConv(t, ccfg, scfg)
	cv.mustRun()
	sortE := func(e []entry) {
		slices.SortFunc(e, func(a, b entry) int {
			if a.label < b.label {
				return -1
			}
			if a.label > b.label {
				return 1
			}
			return 0
		})
	}
	sortE(cl)
	sortE(sl)
	if len(cl) != 5 || !slices.Equal(cl, sl) {
		t.Fatalf("key logs differ or are incomplete:\nclient %v\nserver %v", cl, sl)
	}
	r := cv.c.e.Result()
	want := map[string][]byte{
		"CLIENT_TRAFFIC_SECRET_0": r.ClientTraffic,
		"SERVER_TRAFFIC_SECRET_0": r.ServerTraffic,
		"EXPORTER_SECRET":         r.Exporter,
	}
	for _, e := range cl {
		if w, ok := want[e.label]; ok && e.secret != fmt.Sprintf("%x", w) {
			t.Errorf("%s logged %s, Result has %x", e.label, e.secret, w)
		}
		if e.random != fmt.Sprintf("%x", r.ClientRandom) {
			t.Errorf("%s logged with client random %s", e.label, e.random)
		}
	}
}

// An IP literal is not sent as SNI (RFC 6066 §3); the handshake still works.
func TestServerNameIPLiteral(t *testing.T) {
	ccfg := clientConfig()
	ccfg.ServerName = "192.0.2.1"
	var seen string
	scfg := serverConfig(t, testpki.ECDSAP256)
	get := scfg.GetCertificate
	scfg.GetCertificate = func(hi *handshake.HelloInfo) (*handshake.Certificate, error) {
		seen = hi.ServerName
		return get(hi)
	}
	cv := newConv(t, ccfg, scfg)
	cv.mustRun()
	if seen != "" || cv.s.e.Result().ServerName != "" {
		t.Errorf("server saw SNI %q", seen)
	}
}

package tls_test

import (
	"io"
	"slices"
	"strings"
	"testing"

	"lucid/internal/testpki"
	"lucid/tls"
)

// shapeRun makes one connection between Lucid ends over loopback TCP,
// moves a few bytes each way (so a TLS 1.3 client reads the server's
// tickets) and returns both ends' ConnectionState.
func shapeRun(t *testing.T, client, server *tls.Config) (cs, ss tls.ConnectionState) {
	t.Helper()
	c, s := pair(t)
	srv := tls.Server(s, server)
	cli := tls.Client(c, client)
	done := make(chan error, 1)
	go func() {
		done <- func() error {
			b := make([]byte, 4)
			if _, err := io.ReadFull(srv, b); err != nil {
				return err
			}
			_, err := srv.Write(b)
			return err
		}()
	}()
	if _, err := cli.Write([]byte("ping")); err != nil {
		t.Fatalf("client: %v", err)
	}
	b := make([]byte, 4)
	if _, err := io.ReadFull(cli, b); err != nil {
		t.Fatalf("client: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("server: %v", err)
	}
	return cli.ConnectionState(), srv.ConnectionState()
}

// TestConnectionStateShape runs one connection of each kind over real
// tls.Conn pairs and checks that both ends name the shape the handshake
// took, and that the name agrees with what else the state reports.
func TestConnectionStateShape(t *testing.T) {
	ecdsa := newLucidFixture(t, testpki.ECDSAP256)
	rsa := newLucidFixture(t, testpki.RSA2048)
	cl, err := ecdsa.ca.Issue(testpki.LeafOptions{Names: []string{"client"}, Client: true})
	if err != nil {
		t.Fatal(err)
	}
	clientCert, err := tls.X509KeyPair(cl.CertPEM, cl.KeyPEM)
	if err != nil {
		t.Fatal(err)
	}

	type setup struct {
		client, server *tls.Config
	}
	base := func(f *lucidFixture, v uint16) setup {
		return setup{
			client: &tls.Config{RootCAs: f.ca.Pool, ServerName: "localhost", MaxVersion: v},
			server: &tls.Config{Certificates: []tls.Certificate{f.lucidCert(t)}},
		}
	}
	cases := []struct {
		name   string
		setup  func() setup
		resume bool // connect once first, then resume
		want   tls.HandshakeShape
	}{
		{"tls13-full", func() setup { return base(ecdsa, tls.VersionTLS13) }, false, tls.ShapeTLS13Full},
		{"tls13-hrr", func() setup {
			x := base(ecdsa, tls.VersionTLS13)
			// The client's first key shares are for other groups.
			x.server.CurvePreferences = []tls.CurveID{tls.CurveP384}
			return x
		}, false, tls.ShapeTLS13HRR},
		{"tls13-client-auth", func() setup {
			x := base(ecdsa, tls.VersionTLS13)
			x.server.ClientAuth, x.server.ClientCAs = tls.RequireAndVerifyClientCert, ecdsa.ca.Pool
			x.client.Certificates = []tls.Certificate{clientCert}
			return x
		}, false, tls.ShapeTLS13ClientAuth},
		{"tls13-client-auth-no-cert", func() setup {
			x := base(ecdsa, tls.VersionTLS13)
			x.server.ClientAuth = tls.RequestClientCert
			return x
		}, false, tls.ShapeTLS13ClientAuthNoCert},
		{"tls13-psk", func() setup {
			x := base(ecdsa, tls.VersionTLS13)
			x.client.ClientSessionCache = tls.NewLRUClientSessionCache(4)
			return x
		}, true, tls.ShapeTLS13PSK},
		{"tls12-ecdhe", func() setup { return base(ecdsa, tls.VersionTLS12) }, false, tls.ShapeTLS12ECDHE},
		{"tls12-ecdhe-client-auth", func() setup {
			x := base(ecdsa, tls.VersionTLS12)
			x.server.ClientAuth, x.server.ClientCAs = tls.RequireAndVerifyClientCert, ecdsa.ca.Pool
			x.client.Certificates = []tls.Certificate{clientCert}
			return x
		}, false, tls.ShapeTLS12ECDHEClientAuth},
		{"tls12-rsa", func() setup {
			x := base(rsa, tls.VersionTLS12)
			x.client.CipherSuites = []uint16{tls.TLS_RSA_WITH_AES_128_GCM_SHA256}
			x.server.CipherSuites = []uint16{tls.TLS_RSA_WITH_AES_128_GCM_SHA256}
			return x
		}, false, tls.ShapeTLS12RSA},
		{"tls12-resumed-ticket", func() setup {
			x := base(ecdsa, tls.VersionTLS12)
			x.client.ClientSessionCache = tls.NewLRUClientSessionCache(4)
			return x
		}, true, tls.ShapeTLS12ResumedTicket},
		{"tls12-resumed-session-id", func() setup {
			x := base(ecdsa, tls.VersionTLS12)
			x.client.ClientSessionCache = tls.NewLRUClientSessionCache(4)
			x.server.SessionTicketsDisabled = true
			return x
		}, true, tls.ShapeTLS12ResumedSessionID},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			x := c.setup()
			if c.resume {
				cs, ss := shapeRun(t, x.client, x.server)
				if cs.DidResume || ss.DidResume || cs.Shape.String() != ss.Shape.String() {
					t.Fatalf("first connection: resumed %v/%v, shapes %s/%s", cs.DidResume, ss.DidResume, cs.Shape, ss.Shape)
				}
			}
			cs, ss := shapeRun(t, x.client, x.server)
			for _, st := range []struct {
				side string
				cs   tls.ConnectionState
			}{{"client", cs}, {"server", ss}} {
				got := st.cs.Shape
				if got != c.want {
					t.Errorf("%s reports shape %s, want %s", st.side, got, c.want)
				}
				if got.String() != c.name {
					t.Errorf("%s's shape is named %q, want %q", st.side, got, c.name)
				}
				if want := map[uint16]string{tls.VersionTLS13: "tls13-", tls.VersionTLS12: "tls12-"}[st.cs.Version]; !strings.HasPrefix(got.String(), want) {
					t.Errorf("%s: shape %s for version %s", st.side, got, tls.VersionName(st.cs.Version))
				}
				if st.cs.DidResume != (c.resume) || st.cs.DidHelloRetryRequest != strings.Contains(c.name, "hrr") {
					t.Errorf("%s: resumed %v, HRR %v, for shape %s", st.side, st.cs.DidResume, st.cs.DidHelloRetryRequest, got)
				}
				if got.Summary() == "" || len(got.Steps()) == 0 {
					t.Errorf("%s: shape %s has no summary or steps", st.side, got)
				}
			}
		})
	}
}

// TestHandshakeShapeNames checks the public names against the table's and
// that a connection before its handshake reports ShapeNone.
func TestHandshakeShapeNames(t *testing.T) {
	if tls.ShapeNone.String() != "none" || len(tls.ShapeNone.Steps()) != 0 {
		t.Errorf("ShapeNone is %q", tls.ShapeNone)
	}
	for s, want := range map[tls.HandshakeShape]string{
		tls.ShapeTLS13Full: "tls13-full", tls.ShapeTLS13HRRPSKOnly: "tls13-hrr-psk-ke",
		tls.ShapeTLS12RSAClientAuthNoCert: "tls12-rsa-client-auth-no-cert", tls.ShapeTLS12ResumedSessionID: "tls12-resumed-session-id",
	} {
		if s.String() != want {
			t.Errorf("shape %d is %q, want %q", s, s, want)
		}
	}
	steps := tls.ShapeTLS13Full.Steps()
	ee := slices.IndexFunc(steps, func(s string) bool { return strings.Contains(s, "EncryptedExtensions") })
	key := slices.IndexFunc(steps, func(s string) bool { return strings.Contains(s, "server installs its handshake write key") })
	if ee < 0 || key < 0 || key > ee || !strings.Contains(steps[ee], "[handshake keys]") {
		t.Errorf("tls13-full's steps do not put the handshake write key before EncryptedExtensions:\n%s", strings.Join(steps, "\n"))
	}
	c, _ := pair(t)
	if got := tls.Client(c, &tls.Config{InsecureSkipVerify: true}).ConnectionState().Shape; got != tls.ShapeNone {
		t.Errorf("a connection before its handshake reports shape %s", got)
	}
}

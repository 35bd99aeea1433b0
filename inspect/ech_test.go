package inspect_test

import (
	"context"
	"net"
	"strings"
	"testing"

	"lucid/https"
	"lucid/inspect"
	"lucid/internal/testpki"
	"lucid/tls"
)

// The page tells the visitor whether their client used ECH and what an
// observer read of its hello: the public name under ECH, the real name
// otherwise.
func TestECH(t *testing.T) {
	f := getFixture(t)
	leaf, err := f.ca.Issue(testpki.LeafOptions{Names: []string{"secret.test", "public.test"}})
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.X509KeyPair(leaf.CertPEM, leaf.KeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	key, err := tls.GenerateEncryptedClientHelloKey("public.test", 9)
	if err != nil {
		t.Fatal(err)
	}
	list, err := tls.MarshalECHConfigList(key.Config)
	if err != nil {
		t.Fatal(err)
	}
	port := serveInspect(t, &https.Server{Inspect: true, TLSConfig: &tls.Config{
		Certificates: []tls.Certificate{cert}, EncryptedClientHelloKeys: []tls.EncryptedClientHelloKey{key},
	}}, inspect.Options{})
	base := "https://secret.test:" + port
	for _, c := range []struct {
		name     string
		cfg      *tls.Config
		want     inspect.ECH
		decision string
		page     string
	}{
		{"accepted", &tls.Config{EncryptedClientHelloConfigList: list},
			inspect.ECH{Status: inspect.ECHAccepted, OuterServerName: "public.test", InnerServerName: "secret.test"}, "accepted",
			"An observer on the path read only the public name <code>public.test</code>; the name you asked for, <code>secret.test</code>, went encrypted"},
		{"grease", &tls.Config{},
			inspect.ECH{Status: inspect.ECHGrease, OuterServerName: "secret.test"}, "rejected",
			"not used: your client sent a GREASE encrypted_client_hello"},
		{"none", &tls.Config{EncryptedClientHelloGREASEDisabled: true},
			inspect.ECH{Status: inspect.ECHNone, OuterServerName: "secret.test"}, "",
			"not used: your client sent no encrypted_client_hello, and an observer read the server name <code>secret.test</code> in clear"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rt := f.transport(c.cfg)
			rt.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, network, "127.0.0.1:"+port)
			}
			defer rt.CloseIdleConnections()
			rep, _ := report(t, rt, base)
			got := rep.Connection.ECH
			if !strings.Contains(got.Decision, c.decision) || (c.decision == "") != (got.Decision == "") {
				t.Errorf("decision %q, want one saying %q", got.Decision, c.decision)
			}
			got.Decision = ""
			if got != c.want {
				t.Errorf("ech %+v, want %+v", got, c.want)
			}
			resp, body := fetch(t, rt, "GET", base+"/")
			checkPage(t, resp, string(body))
			if !strings.Contains(string(body), c.page) {
				t.Errorf("the page does not say %q", c.page)
			}
		})
	}
}

package tls

import (
	"crypto/x509"
	"errors"
	"net"
	"testing"

	"lucid/internal/testpki"
	"lucid/pki"
)

// hostCases are names put to one certificate, with whether it is valid for
// them. The certificate carries example.com, *.wild.example,
// MiXeD.Example.ORG, 192.0.2.1 and 2001:db8::1.
var hostCases = []struct {
	name string
	ok   bool
}{
	{"example.com", true},
	{"EXAMPLE.com", true},              // DNS names ignore ASCII case (RFC 4343)
	{"example.com.", true},             // one trailing dot is the DNS root
	{"www.example.com", false},         // no wildcard for it
	{"a.wild.example", true},           // the wildcard covers one label
	{"A.WILD.EXAMPLE.", true},          // in any case, with the root's dot
	{"wild.example", false},            // but not the bare domain
	{"a.b.wild.example", false},        // nor two labels
	{".wild.example", false},           // nor an empty one
	{"mixed.example.org", true},        // the SAN's case does not matter either
	{"192.0.2.1", true},                // an IP matches IP SANs
	{"192.0.2.2", false},               //
	{"2001:db8::1", true},              //
	{"2001:DB8:0:0::1", true},          // in any spelling
	{"[2001:db8::1]", true},            // and in URL brackets
	{"::ffff:192.0.2.1", true},         // an IPv4-mapped address is the IPv4 one
	{"lucid test leaf", false},         // never the common name
	{"example.com..", false},           // two dots are not the root
	{"*.wild.example", true},           // a pattern matches itself, as crypto/x509 has it
	{"192.0.2.1.example.com", false},   //
	{"exämple.com", false},             // no Unicode folding
	{"example.com ", false},            //
	{"", false},                        // no name, no match
	{"mixed.example.org.", true},       //
	{"mixed.example.org..", false},     //
	{"other.mixed.example.org", false}, //
}

// Selecting a certificate for a client's server_name and verifying the
// chain against a name must agree on every name: a server that picks a
// certificate its client then refuses for its name fails the handshake it
// could have served with another.
func TestSelectionAndVerificationAgree(t *testing.T) {
	ca, err := testpki.NewCA("Lucid Names Root", testpki.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Issue(testpki.LeafOptions{Names: []string{
		"example.com", "*.wild.example", "MiXeD.Example.ORG", "192.0.2.1", "2001:db8::1"}})
	if err != nil {
		t.Fatal(err)
	}
	// Selection parses the leaf when Certificate.Leaf is unset.
	cert := &Certificate{Certificate: leaf.Chain}
	for _, c := range hostCases {
		selected := certificateMatches(cert, c.name)
		if selected != c.ok {
			t.Errorf("selection for %q: %v, want %v", c.name, selected, c.ok)
		}
		if pki.MatchesHost(leaf.Cert, c.name) != selected {
			t.Errorf("pki.MatchesHost and selection disagree on %q", c.name)
		}
		if c.name == "" {
			continue // no name: verification checks none
		}
		_, _, verr := pki.VerifyChain(leaf.Chain, pki.VerifyOptions{Roots: ca.Pool, DNSName: c.name})
		var ve *pki.VerifyError
		switch {
		case verr == nil && !selected:
			t.Errorf("verification accepts %q, which selection does not", c.name)
		case verr != nil && selected:
			t.Errorf("verification refuses %q, which selection chose: %v", c.name, verr)
		case verr != nil && (!errors.As(verr, &ve) || ve.Reason != pki.HostnameMismatch):
			t.Errorf("verification refuses %q for another reason than its name: %v", c.name, verr)
		}
	}
}

// A server with several certificates presents the one the client's name
// matches, by the rule the client then verifies it with, whatever the
// case of the name or its wildcard.
func TestServerSelectsByName(t *testing.T) {
	ca, err := testpki.NewCA("Lucid Names Root", testpki.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	var certs []Certificate
	for _, names := range [][]string{{"first.example"}, {"*.wild.example"}, {"Upper.Example"}} {
		l, err := ca.Issue(testpki.LeafOptions{Names: names})
		if err != nil {
			t.Fatal(err)
		}
		c, err := X509KeyPair(l.CertPEM, l.KeyPEM)
		if err != nil {
			t.Fatal(err)
		}
		certs = append(certs, c)
	}
	for _, c := range []struct {
		serverName string
		want       string // the DNS name of the certificate presented
	}{
		{"first.example", "first.example"},
		{"x.wild.example", "*.wild.example"},
		{"X.WILD.example", "*.wild.example"},
		{"upper.example", "Upper.Example"},
		{"nothing.example", "first.example"}, // no match: the first, which the client refuses
	} {
		t.Run(c.serverName, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			done := make(chan error, 1)
			go func() {
				s, err := ln.Accept()
				if err != nil {
					done <- err
					return
				}
				defer s.Close()
				done <- Server(s, &Config{Certificates: certs}).Handshake()
			}()
			raw, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			client := Client(raw, &Config{RootCAs: ca.Pool, ServerName: c.serverName})
			cerr := client.Handshake()
			client.Close()
			<-done
			var got string
			var cve *CertificateVerificationError
			switch {
			case cerr == nil:
				got = client.ConnectionState().PeerCertificates[0].DNSNames[0]
			case errors.As(cerr, &cve) && len(cve.UnverifiedCertificates) > 0:
				got = cve.UnverifiedCertificates[0].DNSNames[0]
			default:
				t.Fatalf("handshake: %v", cerr)
			}
			if got != c.want {
				t.Errorf("the server presented %q, want %q", got, c.want)
			}
			leaf := &x509.Certificate{}
			for i := range certs {
				if certs[i].Leaf.DNSNames[0] == got {
					leaf = certs[i].Leaf
				}
			}
			if matched := pki.MatchesHost(leaf, c.serverName); matched != (cerr == nil) {
				t.Errorf("the client's verification (error %v) disagrees with the selection's match (%v)", cerr, matched)
			}
		})
	}
}

package handshake_test

import (
	"bytes"
	"fmt"
	"testing"

	"lucid/fingerprint"
	"lucid/internal/handshake"
	"lucid/internal/testpki"
)

// resultPrint writes out what a completed handshake's Result tells, bytes
// included, so that two moments can be compared.
func resultPrint(r *handshake.Result) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "version %x suite %x group %x scheme %v alpn %q sni %q shape %v resumed %v\n",
		r.Version, r.SuiteID(), r.Group, r.PeerScheme, r.ALPN, r.ServerName, r.Shape, r.DidResume)
	for i, der := range r.PeerChain {
		fmt.Fprintf(&b, "chain %d %x\n", i, der)
	}
	for i, c := range r.PeerCerts {
		fmt.Fprintf(&b, "cert %d %x\n", i, c.Raw)
	}
	fmt.Fprintf(&b, "ocsp %x scts %x\n", r.OCSPResponse, r.SCTs)
	fmt.Fprintf(&b, "randoms %x %x\n", r.ClientRandom, r.ServerRandom)
	fmt.Fprintf(&b, "secrets %x %x %x %x master %x\n", r.ClientTraffic, r.ServerTraffic, r.Exporter, r.Resumption, r.Master12)
	if ch := r.ClientHello(); ch != nil {
		ja4, raw := fingerprint.JA4(ch, 't')
		fmt.Fprintf(&b, "ja4 %s %s\n", ja4, raw)
	}
	return b.String()
}

// TestReleasedHandshakeKeepsResult: an engine's handshake memory is
// cleared and handed to the next engine once the handshake is done
// (ReleaseHandshake). Nothing the engine keeps after its handshake may
// live there: a pair's results hold what the handshake established (the
// chains, staple, timestamps and protocol the test knows), and read the
// same after more handshakes of the same version, with other keys and
// other certificates, have run in the memory they gave back.
func TestReleasedHandshakeKeepsResult(t *testing.T) {
	staple, scts := []byte{0x30, 0x03, 0x0a, 0x01, 0x00}, [][]byte{[]byte("sct one"), []byte("sct two")}
	alice := aliceLeaf(t)
	configure := func(c, s *handshake.Config, l *testpki.Leaf, mutual bool) {
		s.GetCertificate = func(*handshake.HelloInfo) (*handshake.Certificate, error) {
			return &handshake.Certificate{Chain: l.Chain, Key: l.Key, OCSPStaple: staple, SCTs: scts}, nil
		}
		if mutual {
			s.ClientAuth = handshake.RequireClientAuth
			withClientCert(t, c)
		}
		c.NextProtos, s.NextProtos = []string{"h2", "http/1.1"}, []string{"http/1.1"}
	}
	for _, tc := range []struct {
		name    string
		configs func(kt testpki.KeyType) (c, s *handshake.Config)
	}{
		{"TLS 1.3", func(kt testpki.KeyType) (c, s *handshake.Config) {
			return clientConfig(), serverConfig(t, kt)
		}},
		{"TLS 1.2", func(kt testpki.KeyType) (c, s *handshake.Config) {
			clk := newClock()
			return client12(clk), server12(t, kt, clk)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			leaf := testLeaf(t, testpki.ECDSAP256)
			ccfg, scfg := tc.configs(testpki.ECDSAP256)
			configure(ccfg, scfg, leaf, true)
			c1, s1 := handshakeEngines(t, ccfg, scfg)
			check := func(when string) {
				t.Helper()
				cr, sr := c1.Result(), s1.Result()
				if !equalChains(cr.PeerChain, leaf.Chain) || !equalChains(sr.PeerChain, alice.Chain) {
					t.Errorf("%s: the peer chains are not the certificates sent", when)
				}
				if !bytes.Equal(cr.OCSPResponse, staple) || !equalChains(cr.SCTs, scts) || cr.ALPN != "http/1.1" || sr.ALPN != "http/1.1" {
					t.Errorf("%s: staple %x, timestamps %q, ALPN %q and %q", when, cr.OCSPResponse, cr.SCTs, cr.ALPN, sr.ALPN)
				}
			}
			check("after the handshake")
			client, server := resultPrint(c1.Result()), resultPrint(s1.Result())
			// More handshakes of the same version, in the memory the
			// first pair gave back: other keys, another certificate.
			for range 2 {
				c, s := tc.configs(testpki.RSA2048)
				configure(c, s, testLeaf(t, testpki.RSA2048), false)
				handshakeEngines(t, c, s)
			}
			check("after other handshakes reused the memory")
			if got := resultPrint(c1.Result()); got != client {
				t.Errorf("the client's result changed after its memory was reused:\nbefore %s\nafter  %s", client, got)
			}
			if got := resultPrint(s1.Result()); got != server {
				t.Errorf("the server's result changed after its memory was reused:\nbefore %s\nafter  %s", server, got)
			}
		})
	}
}

func equalChains(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// TestObservedHandshakeNotReused: an observer may keep the messages its
// events carry, and some live in the handshake's memory; an engine with
// an observer leaves that memory to the collector instead of handing it to
// the next handshake.
func TestObservedHandshakeNotReused(t *testing.T) {
	var kept []any
	var printed []string
	observe := func(e handshake.Event) {
		if e.Message != nil {
			kept = append(kept, e.Message)
			printed = append(printed, fmt.Sprintf("%+v", e.Message))
		}
	}
	c, s := clientConfig(), serverConfig(t, testpki.ECDSAP256)
	c.Observe, s.Observe = observe, observe
	handshakeEngines(t, c, s)
	if len(kept) == 0 {
		t.Fatal("the observer saw no message")
	}
	// Handshakes without an observer, which take pooled memory.
	for range 3 {
		handshakeEngines(t, clientConfig(), serverConfig(t, testpki.RSA2048))
	}
	for i, m := range kept {
		if got := fmt.Sprintf("%+v", m); got != printed[i] {
			t.Errorf("observed message %d (%T) changed after other handshakes:\nbefore %s\nafter  %s", i, m, printed[i], got)
		}
	}
}

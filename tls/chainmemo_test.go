package tls_test

import (
	"crypto/x509"
	"errors"
	"slices"
	"testing"
	"time"

	"lucid/internal/testpki"
	"lucid/tls"
)

// memoReuses counts the handshakes in l that reused a chain verification.
func memoReuses(l *eventLog) int {
	n := 0
	for _, name := range l.names(tls.EventDecision) {
		if name == "chain_verification" {
			n++
		}
	}
	return n
}

// A Config that verified a peer's chain in full judges the same chain on
// the next full handshake by rechecking it, on both sides of a mutual
// handshake; and after every change a verification depends on, its verdict
// is the one a Config that never saw the chain gives.
func TestChainMemoKeepsTheVerdict(t *testing.T) {
	changes := []struct {
		name   string
		change func(r *trustRig, ccfg, scfg *tls.Config, other *testpki.CA)
		// refused is the side whose verification now fails.
		refused string
	}{
		{"client certificate revoked", func(r *trustRig, ccfg, scfg *tls.Config, _ *testpki.CA) {
			crl, err := r.ca.RevocationList(r.alice)
			if err != nil {
				t.Fatal(err)
			}
			scfg.RevocationLists = []*x509.RevocationList{crl}
		}, "server"},
		{"client certificate expired", func(r *trustRig, _, _ *tls.Config, _ *testpki.CA) {
			r.clock.Advance(2 * time.Hour)
		}, "server"},
		{"client CA no longer trusted", func(r *trustRig, _, scfg *tls.Config, other *testpki.CA) {
			scfg.ClientCAs = other.Pool
		}, "server"},
		{"server root no longer trusted", func(r *trustRig, ccfg, _ *tls.Config, other *testpki.CA) {
			ccfg.RootCAs = other.Pool
		}, "client"},
		{"another server name", func(r *trustRig, ccfg, _ *tls.Config, _ *testpki.CA) {
			ccfg.ServerName = "elsewhere.example"
		}, "client"},
	}
	other, err := testpki.NewCA("Another Root", testpki.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range changes {
		t.Run(ch.name, func(t *testing.T) {
			r := newTrustRig(t, time.Now().Add(time.Hour))
			// No session cache and no tickets: every connection is a full
			// handshake, so only the memo can spare a verification.
			scfg := r.serverConfig(t)
			scfg.SessionTicketsDisabled = true
			ccfg := r.clientConfig(t, nil, true)
			var cw, sw eventLog
			ccfg.Observer, scfg.Observer = cw.add, sw.add

			first := connectTrust(t, ccfg, scfg)
			first.mustConnect(t, "first connection", false)
			if memoReuses(&cw) != 0 || memoReuses(&sw) != 0 {
				t.Fatalf("the first connection reused a verification (client %d, server %d)", memoReuses(&cw), memoReuses(&sw))
			}
			second := connectTrust(t, ccfg, scfg)
			second.mustConnect(t, "second connection", false)
			if memoReuses(&cw) != 1 || memoReuses(&sw) != 1 {
				t.Fatalf("the second connection reused %d verifications on the client and %d on the server, want 1 and 1", memoReuses(&cw), memoReuses(&sw))
			}
			if !sameChains(second.client.VerifiedChains, first.client.VerifiedChains) ||
				!sameChains(second.server.VerifiedChains, first.server.VerifiedChains) {
				t.Fatal("the rechecked chains differ from the verified ones")
			}

			ch.change(r, ccfg, scfg, other)
			got := connectTrust(t, ccfg, scfg)
			// The same change applied to Configs that never met the chain.
			fresh := connectTrust(t, ccfg.Clone(), scfg.Clone())
			gotErr, freshErr := got.clientErr, fresh.clientErr
			if ch.refused == "server" {
				gotErr, freshErr = got.serverErr, fresh.serverErr
			}
			if gotErr == nil {
				t.Fatalf("the %s accepted the chain after the change", ch.refused)
			}
			var a, b tls.AlertError
			if !errors.As(gotErr, &a) || !errors.As(freshErr, &b) || a != b {
				t.Fatalf("after the change the %s refused with %v; a fresh Config refuses with %v", ch.refused, gotErr, freshErr)
			}
		})
	}
}

// A different chain for the same name is verified in full, not matched to
// the one remembered.
func TestChainMemoIsPerChain(t *testing.T) {
	r := newTrustRig(t, time.Now().Add(time.Hour))
	second, err := r.ca.Issue(testpki.LeafOptions{Names: []string{"localhost"}, NotAfter: time.Now().AddDate(0, 1, 0)})
	if err != nil {
		t.Fatal(err)
	}
	scfg := &tls.Config{Certificates: []tls.Certificate{keyPair(t, r.server)}, SessionTicketsDisabled: true}
	ccfg := r.clientConfig(t, nil, false)
	var cw eventLog
	ccfg.Observer = cw.add
	connectTrust(t, ccfg, scfg).mustConnect(t, "first leaf", false)
	scfg2 := &tls.Config{Certificates: []tls.Certificate{keyPair(t, second)}, SessionTicketsDisabled: true}
	o := connectTrust(t, ccfg, scfg2)
	o.mustConnect(t, "second leaf", false)
	if memoReuses(&cw) != 0 {
		t.Fatalf("a new leaf was judged by the memo (%d reuses)", memoReuses(&cw))
	}
	if !slices.Equal(o.client.PeerCertificates[0].Raw, second.Cert.Raw) {
		t.Fatal("the client did not see the second leaf")
	}
	connectTrust(t, ccfg, scfg2).mustConnect(t, "second leaf again", false)
	if memoReuses(&cw) != 1 {
		t.Fatalf("the second leaf's second connection reused %d verifications, want 1", memoReuses(&cw))
	}
}

// With ChainMemoDisabled every full handshake verifies the chain in full;
// and chains handed to a callback are the connection's own: a callback
// that writes into them changes nothing for the next connection.
func TestChainMemoOffAndOwnChains(t *testing.T) {
	r := newTrustRig(t, time.Now().Add(time.Hour))
	scfg := &tls.Config{Certificates: []tls.Certificate{keyPair(t, r.server)}, SessionTicketsDisabled: true}
	ccfg := r.clientConfig(t, nil, false)
	var cw eventLog
	ccfg.Observer = cw.add
	ccfg.ChainMemoDisabled = true
	for range 2 {
		connectTrust(t, ccfg, scfg).mustConnect(t, "memo off", false)
	}
	if memoReuses(&cw) != 0 {
		t.Fatalf("with the memo off, %d handshakes reused a verification", memoReuses(&cw))
	}

	ccfg.ChainMemoDisabled = false
	ccfg.VerifyPeerCertificate = func(_ [][]byte, chains [][]*x509.Certificate) error {
		for _, ch := range chains {
			for i := range ch {
				ch[i] = nil
			}
		}
		return nil
	}
	// Were the memo's chains the callback's, the second connection
	// would find them scribbled over, fail the recheck and verify anew.
	for range 3 {
		connectTrust(t, ccfg, scfg).mustConnect(t, "callback that scribbles", false)
	}
	if memoReuses(&cw) != 2 {
		t.Fatalf("%d of the 3 connections reused a verification, want 2", memoReuses(&cw))
	}
}

package handshake_test

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	"lucid/internal/handshake"
	"lucid/internal/session"
	"lucid/internal/suites"
	"lucid/internal/testpki"
)

// The server admits each session against its configuration of the moment.
// These tests seal tickets over states a real server could have issued
// earlier, under another policy or at another time, and offer them from a
// client that has no reason to doubt them: only the server's own checks
// stand between the ticket and a resumption.

// admitCase is a ticket state and a server policy, and what must happen.
type admitCase struct {
	name   string
	ticket func(st *session.State)
	server func(s *handshake.Config)
	resume bool
	// peer is whether a resumed server reports the session's chain.
	peer bool
}

func admitCases(t *testing.T, clk *clock) []admitCase {
	expired, err := testCA(t).Issue(testpki.LeafOptions{Names: []string{"alice"}, Client: true,
		NotBefore: clk.Now().Add(-48 * time.Hour), NotAfter: clk.Now().Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	bob, err := testCA(t).Issue(testpki.LeafOptions{Names: []string{"bob"}, Client: true,
		NotBefore: clk.Now().Add(-48 * time.Hour), NotAfter: time.Now().AddDate(1, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	require := func(s *handshake.Config) { s.ClientAuth = handshake.RequireClientAuth }
	verifying := func(s *handshake.Config) {
		require(s)
		s.VerifyClient = func(handshake.PeerChain) (*handshake.Verification, error) {
			// The parsed certificates are left for the engine to fill.
			v := &handshake.Verification{}
			v.Chains = append(v.Chains, nil)
			return v, nil
		}
	}
	return []admitCase{
		{name: "public endpoint", resume: true},
		{name: "client auth required", server: require, resume: true, peer: true},
		{name: "client auth requested, no certificate", server: func(s *handshake.Config) { s.ClientAuth = handshake.RequestClientAuth },
			ticket: func(st *session.State) { st.PeerCerts, st.Verified = nil, false }, resume: true},
		{name: "client auth required, no certificate", server: require,
			ticket: func(st *session.State) { st.PeerCerts, st.Verified = nil, false }},
		{name: "authenticated 7 days ago", ticket: func(st *session.State) { st.AuthTime = clk.Now().Add(-session.MaxLifetime - time.Second) }},
		{name: "authenticated before the configured lifetime", server: func(s *handshake.Config) { s.TicketLifetime = time.Hour },
			ticket: func(st *session.State) { st.AuthTime = clk.Now().Add(-time.Hour - time.Second) }},
		{name: "client certificate expired", server: require, ticket: func(st *session.State) { st.PeerCerts = expired.Chain }},
		{name: "unverified chain, verifying server", server: verifying, ticket: func(st *session.State) { st.Verified = false }},
		{name: "verified chain, verifying server", server: verifying, resume: true, peer: true},
		// Bob's session, and bob revoked since; the full handshake
		// that follows is alice's.
		{name: "chain refused today", ticket: func(st *session.State) { st.PeerCerts = bob.Chain }, server: func(s *handshake.Config) {
			require(s)
			s.VerifyClient = func(pc handshake.PeerChain) (*handshake.Verification, error) {
				chain := pc.DER
				if bytes.Equal(chain[0], bob.Chain[0]) {
					return nil, errors.New("revoked since")
				}
				return &handshake.Verification{}, nil
			}
		}},
	}
}

// aliceLeaf is a client leaf valid for the test clock and beyond.
func aliceLeaf(t *testing.T) *testpki.Leaf {
	t.Helper()
	return testClientLeaf(t)
}

var testAlice struct {
	leaf *testpki.Leaf
	err  error
}

func testClientLeaf(t *testing.T) *testpki.Leaf {
	t.Helper()
	testPKI.mu.Lock()
	defer testPKI.mu.Unlock()
	if testAlice.leaf == nil && testAlice.err == nil {
		testAlice.leaf, testAlice.err = testCA(t).Issue(testpki.LeafOptions{Names: []string{"alice"}, Client: true,
			NotBefore: newClock().Now().Add(-24 * time.Hour), NotAfter: time.Now().AddDate(1, 0, 0)})
	}
	if testAlice.err != nil {
		t.Fatal(testAlice.err)
	}
	return testAlice.leaf
}

// withClientCert makes a client present alice when asked, so that a
// declined session's full handshake can succeed.
func withClientCert(t *testing.T, c *handshake.Config) {
	l := aliceLeaf(t)
	c.GetClientCertificate = func(*handshake.CertRequest) (*handshake.Certificate, error) {
		return &handshake.Certificate{Chain: l.Chain, Key: l.Key}, nil
	}
}

// ticketStates are the server's record of a session (the ticket) and the
// client's, as a real pair would hold them: each names its peer.
func ticketStates(t *testing.T, clk *clock, version uint16) (server, client *session.State) {
	server = &session.State{
		Version: version, Suite: 0xc02b, Secret: bytes.Repeat([]byte{9}, 48),
		CreatedAt: clk.Now().Add(-time.Minute), AuthTime: clk.Now().Add(-time.Minute), Lifetime: 2 * time.Hour,
		ServerName: testHost, EMS: true, PeerCerts: aliceLeaf(t).Chain, Verified: true, AgeAdd: 77,
	}
	if version == v13 {
		server.Suite, server.EMS, server.Secret = suites.TLS_AES_128_GCM_SHA256, false, bytes.Repeat([]byte{9}, 32)
	}
	client = server.Clone()
	client.PeerCerts, client.Verified = testLeaf(t, testpki.ECDSAP256).Chain, false
	return server, client
}

func TestServerAdmitsSessions(t *testing.T) {
	for _, version := range []uint16{v12, v13} {
		clk := newClock()
		for _, tc := range admitCases(t, clk) {
			t.Run(fmt.Sprintf("%s/%s", versionLabel(version), tc.name), func(t *testing.T) {
				st, mine := ticketStates(t, clk, version)
				if tc.ticket != nil {
					tc.ticket(st)
				}
				var ccfg, scfg *handshake.Config
				if version == v12 {
					ccfg, scfg = client12(clk), server12(t, testpki.ECDSAP256, clk)
					ccfg.TicketsWanted = true
				} else {
					ccfg, scfg = clientConfig(), serverConfig(t, testpki.ECDSAP256)
					ccfg.Now, scfg.Now = clk.Now, clk.Now
				}
				scfg.Tickets = ticketSealer(t, 1)
				var declined []error
				scfg.Observe = func(e handshake.Event) {
					if e.Name == "session" && e.Err != nil {
						declined = append(declined, e.Err)
					}
				}
				if tc.server != nil {
					tc.server(scfg)
				}
				withClientCert(t, ccfg)
				ccfg.Session = &handshake.ClientSession{State: mine, Ticket: forgedTicket(t, st)}
				cv := newRConv(t, ccfg, scfg)
				cv.mustRun()
				cr, sr := cv.c.e.Result(), cv.s.e.Result()
				if cr.DidResume != tc.resume || sr.DidResume != tc.resume {
					t.Fatalf("resumed: client %v, server %v; want %v (server declined: %v)", cr.DidResume, sr.DidResume, tc.resume, declined)
				}
				if !tc.resume {
					if len(declined) == 0 {
						t.Fatalf("the server declined the session without saying why")
					}
					return
				}
				if got := sr.PeerChain != nil; got != tc.peer {
					t.Fatalf("resumed server reports a peer chain: %v, want %v", got, tc.peer)
				}
				if tc.peer && (len(sr.PeerCerts) == 0 || sr.PeerCerts[0].Subject.CommonName != "alice") {
					t.Fatalf("resumed server's parsed peer: %d certificates", len(sr.PeerCerts))
				}
				if !sr.AuthTime.Equal(st.AuthTime.Truncate(time.Second)) {
					t.Fatalf("resumed server's AuthTime %v, want the session's %v", sr.AuthTime, st.AuthTime)
				}
			})
		}
	}
}

func versionLabel(v uint16) string {
	if v == v13 {
		return "tls13"
	}
	return "tls12"
}

// A ticket issued on a resumption keeps the session's authentication time
// and identity, whatever the resuming server's policy reports, and lives
// no longer than 7 days from that time.
func TestReissuedTicketKeepsIdentity(t *testing.T) {
	for _, version := range []uint16{v12, v13} {
		t.Run(versionLabel(version), func(t *testing.T) {
			clk := newClock()
			st, mine := ticketStates(t, clk, version)
			// Authenticated 6 days and 23 hours ago; made a minute ago.
			left := time.Hour
			st.AuthTime = clk.Now().Add(-session.MaxLifetime + left)
			mine.AuthTime = st.AuthTime
			var ccfg, scfg *handshake.Config
			if version == v12 {
				ccfg, scfg = client12(clk), server12(t, testpki.ECDSAP256, clk)
				ccfg.TicketsWanted = true
			} else {
				ccfg, scfg = clientConfig(), serverConfig(t, testpki.ECDSAP256)
				ccfg.Now, scfg.Now = clk.Now, clk.Now
			}
			sealer := ticketSealer(t, 1)
			scfg.Tickets = sealer
			var got []*handshake.ClientSession
			ccfg.OnSession = func(cs *handshake.ClientSession) { got = append(got, cs) }
			ccfg.Session = &handshake.ClientSession{State: mine, Ticket: forgedTicket(t, st)}
			cv := newRConv(t, ccfg, scfg)
			cv.mustRun()
			if !cv.s.e.Result().DidResume {
				t.Fatal("not resumed")
			}
			var ticket []byte
			var lifetime uint32
			if version == v13 {
				if len(cv.tickets13) != 1 {
					t.Fatalf("%d tickets", len(cv.tickets13))
				}
				ticket, lifetime = cv.tickets13[0].Ticket, cv.tickets13[0].Lifetime
				cs, err := handshake.SessionFromTicket(cv.c.e.Result(), cv.tickets13[0], clk.Now(), testHost)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, cs)
			} else {
				if len(got) != 1 || got[0].Ticket == nil {
					t.Fatalf("client learned %d sessions", len(got))
				}
				ticket, lifetime = got[0].Ticket, uint32(got[0].State.Lifetime/time.Second)
			}
			if lifetime == 0 || time.Duration(lifetime)*time.Second > left {
				t.Errorf("re-issued ticket lives %d s; the session has %v left", lifetime, left)
			}
			plain, err := sealer.Open(ticket)
			if err != nil {
				t.Fatal(err)
			}
			re, err := session.Unmarshal(plain)
			if err != nil {
				t.Fatal(err)
			}
			if !re.AuthTime.Equal(st.AuthTime.Truncate(time.Second)) || !re.Verified || len(re.PeerCerts) != 1 || !bytes.Equal(re.PeerCerts[0], st.PeerCerts[0]) {
				t.Errorf("re-issued ticket: authenticated %v, verified %v, %d peer certificates; want the session's %v, true, alice",
					re.AuthTime, re.Verified, len(re.PeerCerts), st.AuthTime)
			}
			if cs := got[len(got)-1].State; !cs.AuthTime.Equal(mine.AuthTime) {
				t.Errorf("client's new session authenticated %v, want the resumed session's %v", cs.AuthTime, mine.AuthTime)
			}
		})
	}
}

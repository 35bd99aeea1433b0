package handshake_test

import (
	"crypto/x509"
	"testing"
	"time"

	"lucid/internal/handshake"
	"lucid/internal/testpki"
)

// verifierOf returns a verifier that accepts any chain and reports chains
// as its verification, counting its calls.
func verifierOf(chains [][]*x509.Certificate, calls *int) func(handshake.PeerChain) (*handshake.Verification, error) {
	return recordingVerifierOf(chains, calls, nil)
}

// recordingVerifierOf is verifierOf that also keeps, in known, the chains
// the engine handed it as verified earlier (a session's).
func recordingVerifierOf(chains [][]*x509.Certificate, calls *int, known *[][]*x509.Certificate) func(handshake.PeerChain) (*handshake.Verification, error) {
	return func(pc handshake.PeerChain) (*handshake.Verification, error) {
		*calls++
		if known != nil {
			*known = pc.Verified
		}
		return &handshake.Verification{Chains: chains}, nil
	}
}

// TestResumptionProvesThePeerAgain: a resumed connection reports the peer
// as today's verifiers judged the chain its session recorded (the proof
// admission mints), never the verification of the day the session was
// made.
func TestResumptionProvesThePeerAgain(t *testing.T) {
	server, client := testLeaf(t, testpki.ECDSAP256), aliceLeaf(t)
	thenServer := [][]*x509.Certificate{{server.Cert}}
	thenClient := [][]*x509.Certificate{{client.Cert}}
	todayServer := [][]*x509.Certificate{{server.Cert}}
	todayClient := [][]*x509.Certificate{{client.Cert}}
	for _, version := range []uint16{v12, v13} {
		t.Run(versionLabel(version), func(t *testing.T) {
			clk := newClock()
			sealer := ticketSealer(t, 5)
			var sessions []*handshake.ClientSession
			var peerCalls, clientCalls int
			var handedToClient [][]*x509.Certificate
			configs := func(serverChains, clientChains [][]*x509.Certificate) (*handshake.Config, *handshake.Config) {
				ccfg, scfg := clientConfig(), serverConfig(t, testpki.ECDSAP256)
				if version == v12 {
					ccfg, scfg = client12(clk), server12(t, testpki.ECDSAP256, clk)
				}
				ccfg.Now, scfg.Now = clk.Now, clk.Now
				ccfg.TicketsWanted = true
				ccfg.OnSession = func(cs *handshake.ClientSession) { sessions = append(sessions, cs) }
				scfg.Tickets, scfg.TicketLifetime = sealer, time.Hour
				scfg.ClientAuth = handshake.RequireClientAuth
				withClientCert(t, ccfg)
				ccfg.VerifyPeer = recordingVerifierOf(serverChains, &peerCalls, &handedToClient)
				scfg.VerifyClient = verifierOf(clientChains, &clientCalls)
				return ccfg, scfg
			}
			ccfg, scfg := configs(thenServer, thenClient)
			cv := newRConv(t, ccfg, scfg)
			cv.mustRun()
			cs := lastSession(t, cv, sessions, clk)

			clk.Advance(time.Minute)
			peerCalls, clientCalls = 0, 0
			ccfg, scfg = configs(todayServer, todayClient)
			ccfg.Session = cs
			cv = newRConv(t, ccfg, scfg)
			cv.mustRun()
			cr, sr := cv.c.e.Result(), cv.s.e.Result()
			if !cr.DidResume || !sr.DidResume {
				t.Fatalf("did not resume")
			}
			if peerCalls != 1 || clientCalls != 1 {
				t.Errorf("resumption ran the client's verifier %d times and the server's %d, want once each", peerCalls, clientCalls)
			}
			// The client's session is its own, kept in memory: its
			// verifier is handed the chains the first handshake
			// verified, to recheck rather than verify again.
			if len(handedToClient) != 1 || &handedToClient[0][0] != &thenServer[0][0] {
				t.Errorf("the client's verifier was handed %v as the session's verified chains, want the first handshake's", handedToClient)
			}
			if len(cr.VerifiedChains) != 1 || &cr.VerifiedChains[0][0] != &todayServer[0][0] {
				t.Errorf("resumed client reports chains other than today's verification")
			}
			if len(sr.VerifiedChains) != 1 || &sr.VerifiedChains[0][0] != &todayClient[0][0] {
				t.Errorf("resumed server reports chains other than today's verification")
			}
			if len(sr.PeerCerts) != len(client.Chain) || !sr.PeerCerts[0].Equal(client.Cert) {
				t.Errorf("resumed server reports %d client certificates", len(sr.PeerCerts))
			}
		})
	}
}

// lastSession is the session the client can resume after cv: a TLS 1.2
// one from OnSession, a TLS 1.3 one from the server's ticket.
func lastSession(t *testing.T, cv *rconv, sessions []*handshake.ClientSession, clk *clock) *handshake.ClientSession {
	t.Helper()
	if cv.c.e.Version() == v12 {
		if len(sessions) == 0 {
			t.Fatal("no TLS 1.2 session")
		}
		return sessions[len(sessions)-1]
	}
	if len(cv.tickets13) != 1 {
		t.Fatalf("%d TLS 1.3 tickets", len(cv.tickets13))
	}
	cs, err := handshake.SessionFromTicket(cv.c.e.Result(), cv.tickets13[0], clk.Now(), testHost)
	if err != nil || cs == nil {
		t.Fatalf("SessionFromTicket: %v", err)
	}
	return cs
}

// TestLeafFromTheVerification: the engine keeps the certificates its verifier
// parsed, leaf included, rather than parsing them again.
func TestLeafFromTheVerification(t *testing.T) {
	for _, version := range []uint16{v12, v13} {
		t.Run(versionLabel(version), func(t *testing.T) {
			ccfg, scfg := clientConfig(), serverConfig(t, testpki.ECDSAP256)
			if version == v12 {
				ccfg, scfg = client12(nil), server12(t, testpki.ECDSAP256, nil)
			}
			var parsed []*x509.Certificate
			ccfg.VerifyPeer = func(pc handshake.PeerChain) (*handshake.Verification, error) {
				chain := pc.DER
				parsed = nil
				for _, der := range chain {
					c, err := x509.ParseCertificate(der)
					if err != nil {
						return nil, err
					}
					parsed = append(parsed, c)
				}
				return &handshake.Verification{Certs: parsed}, nil
			}
			cv := newRConv(t, ccfg, scfg)
			cv.mustRun()
			cr := cv.c.e.Result()
			if len(parsed) == 0 || len(cr.PeerCerts) != len(parsed) || cr.PeerCerts[0] != parsed[0] {
				t.Fatalf("the client reports certificates other than those its verifier parsed")
			}
		})
	}
}

package handshake_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"lucid/internal/alert"
	"lucid/internal/handshake"
	"lucid/internal/kex"
	"lucid/internal/keys"
	"lucid/internal/session"
	"lucid/internal/suites"
	"lucid/internal/testpki"
	"lucid/internal/wire"
)

// ---- TLS 1.2 ----

// resume12Env is a TLS 1.2 client and server that can be run repeatedly,
// the client keeping the last session it learned.
type resume12Env struct {
	t        *testing.T
	clk      *clock
	kt       testpki.KeyType
	sessions []*handshake.ClientSession
	// ids and tickets are the server's resumption state.
	ids     *session.ServerCache
	tickets *session.Sealer
	// configure, if set, adjusts both configs of the next run.
	lifetime time.Duration
}

func newResume12(t *testing.T, kt testpki.KeyType, ids bool, tickets bool) *resume12Env {
	env := &resume12Env{t: t, clk: newClock(), kt: kt, lifetime: time.Hour}
	if ids {
		env.ids = session.NewServerCache(16, 24*time.Hour)
	}
	if tickets {
		env.tickets = ticketSealer(t, 1)
	}
	return env
}

func (env *resume12Env) configs() (*handshake.Config, *handshake.Config) {
	ccfg, scfg := client12(env.clk), server12(env.t, env.kt, env.clk)
	ccfg.TicketsWanted = true
	ccfg.OnSession = func(cs *handshake.ClientSession) { env.sessions = append(env.sessions, cs) }
	scfg.SessionIDs, scfg.Tickets, scfg.TicketLifetime = env.ids, env.tickets, env.lifetime
	return ccfg, scfg
}

func (env *resume12Env) last() *handshake.ClientSession {
	env.t.Helper()
	if len(env.sessions) == 0 {
		env.t.Fatalf("client learned no session")
	}
	return env.sessions[len(env.sessions)-1]
}

// run runs one handshake, offering session cs, after adjusting the
// configs with fn, and checks the outcome.
func (env *resume12Env) run(cs *handshake.ClientSession, fn func(c, s *handshake.Config), wantResume bool, suite uint16) *rconv {
	t := env.t
	t.Helper()
	ccfg, scfg := env.configs()
	ccfg.Session = cs
	if fn != nil {
		fn(ccfg, scfg)
	}
	n := len(env.sessions)
	cv := newRConv(t, ccfg, scfg)
	cv.mustRun()
	cr, sr := check12(t, cv, suite)
	if cr.DidResume != wantResume || sr.DidResume != wantResume {
		t.Fatalf("DidResume: client %v, server %v, want %v", cr.DidResume, sr.DidResume, wantResume)
	}
	sent := types(cv.s.sent)
	if wantResume {
		if bytes.Contains([]byte(sent), []byte("Certificate")) || bytes.Contains([]byte(sent), []byte("KeyExchange")) {
			t.Errorf("resumed server sent %s", sent)
		}
		if got, want := types(cv.c.sent), typeList(wire.TypeClientHello, wire.TypeFinished); got != want {
			t.Errorf("resumed client sent %s, want %s", got, want)
		}
		if !bytes.Equal(cr.Master12, cs.State.Secret) {
			t.Errorf("resumed master secret is not the session's")
		}
		if len(cr.PeerChain) == 0 || !bytes.Equal(cr.PeerChain[0], testLeaf(t, env.kt).Chain[0]) {
			t.Errorf("resumed client lost the server's chain")
		}
	} else {
		if cs != nil && bytes.Equal(cr.Master12, cs.State.Secret) {
			t.Errorf("full handshake reused the offered master secret")
		}
		if !bytes.Contains([]byte(sent), []byte("Certificate")) {
			t.Errorf("full handshake server sent %s", sent)
		}
	}
	if len(env.sessions) != n+1 {
		t.Errorf("OnSession called %d times, want once", len(env.sessions)-n)
	}
	return cv
}

func TestTLS12ResumeBySessionID(t *testing.T) {
	for _, tc := range []struct {
		kt    testpki.KeyType
		suite uint16
	}{
		{testpki.ECDSAP256, 0xc02b},
		{testpki.Ed25519, 0xcca9},
		{testpki.RSA2048, 0xc030},
		{testpki.RSA2048, 0x009c},
		{testpki.RSA2048, 0xc013},
	} {
		t.Run(fmt.Sprintf("%s/%04x", tc.kt, tc.suite), func(t *testing.T) {
			env := newResume12(t, tc.kt, true, false)
			only := func(c, s *handshake.Config) { c.Suites12, s.Suites12 = []uint16{tc.suite}, []uint16{tc.suite} }
			first := env.run(nil, only, false, tc.suite)
			cs := env.last()
			if len(cs.SessionID) != 32 || cs.Ticket != nil || cs.State.Version != v12 || cs.State.Suite != tc.suite || !cs.State.EMS {
				t.Fatalf("session: ID %x, ticket %x, state %+v", cs.SessionID, cs.Ticket, cs.State)
			}
			if got, want := types(first.s.sent), "ServerHello"; !bytes.HasPrefix([]byte(got), []byte(want)) {
				t.Errorf("server sent %s", got)
			}
			// A session must not be born expired: the public client
			// cache drops sessions past CreatedAt+Lifetime.
			if !cs.State.CreatedAt.Equal(env.clk.Now()) || !cs.State.CreatedAt.Add(cs.State.Lifetime).After(env.clk.Now()) {
				t.Errorf("session by ID created %v with lifetime %v at %v: expired at birth", cs.State.CreatedAt, cs.State.Lifetime, env.clk.Now())
			}
			env.clk.Advance(time.Minute)
			cv := env.run(cs, only, true, tc.suite)
			if got, want := types(cv.s.sent), typeList(wire.TypeServerHello, wire.TypeFinished); got != want {
				t.Errorf("resumed server sent %s, want %s", got, want)
			}
			if !bytes.Equal(cv.hellos[0].SessionID, cs.SessionID) {
				t.Errorf("ClientHello session ID %x, want the session's %x", cv.hellos[0].SessionID, cs.SessionID)
			}
			// Abbreviated: the server's CCS and Finished come first.
			if cv.s.ccs != 1 || cv.c.ccs != 1 {
				t.Errorf("ccs: client %d, server %d", cv.c.ccs, cv.s.ccs)
			}
			// No key exchange and no signature on resumption: both sides
			// report the group and the scheme of the original handshake.
			fr, cr, sr := first.c.e.Result(), cv.c.e.Result(), cv.s.e.Result()
			wantGroup, wantScheme := fr.Group, fr.PeerScheme
			if suites.Lookup12(tc.suite).KeyExchange == suites.RSAKeyTransport {
				wantGroup, wantScheme = 0, 0
			} else if wantGroup == 0 || wantScheme == 0 {
				t.Fatalf("full handshake reports group %#04x, scheme %v", wantGroup, wantScheme)
			}
			if cr.Group != wantGroup || sr.Group != wantGroup || cr.PeerScheme != wantScheme {
				t.Errorf("resumed: groups %#04x/%#04x, client's peer scheme %v; want %#04x and %v", cr.Group, sr.Group, cr.PeerScheme, wantGroup, wantScheme)
			}
			// The session is remembered again, with the same ID.
			if again := env.last(); !bytes.Equal(again.SessionID, cs.SessionID) {
				t.Errorf("session after resumption has ID %x, want %x", again.SessionID, cs.SessionID)
			}
			// And resumes a second time.
			env.clk.Advance(time.Minute)
			env.run(env.last(), only, true, tc.suite)
		})
	}
}

func TestTLS12ResumeByTicket(t *testing.T) {
	for _, tc := range []struct {
		kt    testpki.KeyType
		suite uint16
	}{
		{testpki.ECDSAP256, 0xc02b},
		{testpki.ECDSAP384, 0xc02c},
		{testpki.RSA2048, 0xcca8},
		{testpki.RSA2048, 0x002f},
	} {
		t.Run(fmt.Sprintf("%s/%04x", tc.kt, tc.suite), func(t *testing.T) {
			env := newResume12(t, tc.kt, false, true)
			only := func(c, s *handshake.Config) { c.Suites12, s.Suites12 = []uint16{tc.suite}, []uint16{tc.suite} }
			first := env.run(nil, only, false, tc.suite)
			wantFirst := []uint8{wire.TypeServerHello, wire.TypeCertificate, wire.TypeServerKeyExchange, wire.TypeServerHelloDone, wire.TypeNewSessionTicket, wire.TypeFinished}
			if suites.Lookup12(tc.suite).KeyExchange == suites.RSAKeyTransport {
				wantFirst = append(wantFirst[:2], wantFirst[3:]...)
			}
			if got := types(first.s.sent); got != types(wantFirst) {
				t.Errorf("server sent %s, want %s", got, types(wantFirst))
			}
			cs := env.last()
			if len(cs.Ticket) == 0 || cs.State.Lifetime != time.Hour {
				t.Fatalf("session: ticket of %d bytes, lifetime %v", len(cs.Ticket), cs.State.Lifetime)
			}
			env.clk.Advance(time.Minute)
			cv := env.run(cs, only, true, tc.suite)
			if got, want := types(cv.s.sent), typeList(wire.TypeServerHello, wire.TypeNewSessionTicket, wire.TypeFinished); got != want {
				t.Errorf("resumed server sent %s, want %s", got, want)
			}
			if !bytes.Equal(cv.hellos[0].SessionTicket, cs.Ticket) {
				t.Errorf("ClientHello does not carry the ticket")
			}
			if len(cv.hellos[0].SessionID) == 0 {
				t.Errorf("ClientHello offering a ticket has no session ID to detect resumption by (RFC 5077 §3.4)")
			}
			next := env.last()
			if bytes.Equal(next.Ticket, cs.Ticket) || !bytes.Equal(next.State.Secret, cs.State.Secret) {
				t.Errorf("renewed session: same ticket %v, same secret %v", bytes.Equal(next.Ticket, cs.Ticket), bytes.Equal(next.State.Secret, cs.State.Secret))
			}
			env.clk.Advance(time.Minute)
			env.run(next, only, true, tc.suite)
		})
	}
}

func TestTLS12TicketKeyRotation(t *testing.T) {
	env := newResume12(t, testpki.ECDSAP256, false, true) // sealer [K1]
	env.run(nil, nil, false, 0xc02b)
	cs := env.last()
	env.tickets = ticketSealer(t, 2, 1) // [K2, K1]
	env.run(cs, nil, true, 0xc02b)
	renewed := env.last()
	env.tickets = ticketSealer(t, 2) // [K2]: K1 is gone
	env.run(cs, nil, false, 0xc02b)
	// The ticket renewed under [K2, K1] was sealed with K2.
	env.run(renewed, nil, true, 0xc02b)
}

func TestTLS12NoResumption(t *testing.T) {
	type mode struct {
		name         string
		ids, tickets bool
	}
	for _, m := range []mode{{"session ID", true, false}, {"ticket", false, true}, {"both", true, true}} {
		for _, tc := range []struct {
			name   string
			before func(env *resume12Env)
			fn     func(c, s *handshake.Config)
			resume bool
			suite  uint16
		}{
			{name: "control", resume: true},
			{name: "just within the lifetime", before: func(env *resume12Env) { env.clk.Advance(59 * time.Minute) }, resume: true},
			{name: "expired", before: func(env *resume12Env) { env.clk.Advance(61 * time.Minute) }},
			{name: "clock went back", before: func(env *resume12Env) { env.clk.Advance(-time.Hour) }},
			{name: "another server name", fn: func(c, s *handshake.Config) { c.ServerName = "other.example.test" }},
			{name: "no server name", fn: func(c, s *handshake.Config) { c.ServerName = "" }},
			{name: "suite no longer offered", fn: func(c, s *handshake.Config) { c.Suites12 = []uint16{0xc02c} }, suite: 0xc02c},
			{name: "suite no longer enabled by the server", fn: func(c, s *handshake.Config) { s.Suites12 = []uint16{0xcca9} }, suite: 0xcca9},
		} {
			t.Run(m.name+"/"+tc.name, func(t *testing.T) {
				env := newResume12(t, testpki.ECDSAP256, m.ids, m.tickets)
				env.run(nil, nil, false, 0xc02b)
				cs := env.last()
				if tc.before != nil {
					tc.before(env)
				}
				suite := tc.suite
				if suite == 0 {
					suite = 0xc02b
				}
				env.run(cs, tc.fn, tc.resume, suite)
			})
		}
	}
}

// TestTLS12ServerSessionCacheMaxAge: the cache's own age bound also ends
// resumption by session ID.
func TestTLS12ServerSessionCacheMaxAge(t *testing.T) {
	env := newResume12(t, testpki.ECDSAP256, true, false)
	env.ids = session.NewServerCache(16, 10*time.Minute)
	env.run(nil, nil, false, 0xc02b)
	cs := env.last()
	env.clk.Advance(9 * time.Minute)
	env.run(cs, nil, true, 0xc02b)
	env.clk.Advance(2 * time.Minute)
	env.run(cs, nil, false, 0xc02b)
}

// TestTLS12ResumedKeyLog: a resumed TLS 1.2 handshake has a new key block
// but the old master secret; both sides must log it under the new client
// random, or a key log cannot decrypt the resumed connection.
func TestTLS12ResumedKeyLog(t *testing.T) {
	for _, m := range []struct {
		name         string
		ids, tickets bool
	}{{"session ID", true, false}, {"ticket", false, true}} {
		t.Run(m.name, func(t *testing.T) {
			env := newResume12(t, testpki.ECDSAP256, m.ids, m.tickets)
			env.run(nil, nil, false, 0xc02b)
			var clientLog, serverLog []string
			cv := env.run(env.last(), func(c, s *handshake.Config) {
				c.KeyLog = func(label string, cr, secret []byte) {
					clientLog = append(clientLog, fmt.Sprintf("%s %x %x", label, cr, secret))
				}
				s.KeyLog = func(label string, cr, secret []byte) {
					serverLog = append(serverLog, fmt.Sprintf("%s %x %x", label, cr, secret))
				}
			}, true, 0xc02b)
			r := cv.c.e.Result()
			want := fmt.Sprintf("CLIENT_RANDOM %x %x", r.ClientRandom, r.Master12)
			if len(serverLog) != 1 || serverLog[0] != want {
				t.Errorf("server key log %q, want [%q]", serverLog, want)
			}
			if len(clientLog) != 1 || clientLog[0] != want {
				t.Errorf("client key log %q, want [%q]", clientLog, want)
			}
		})
	}
}

// TestTLS12ClientRejectsResumptionWithOtherSuite: a server that echoes the
// session ID but names another suite is lying about the session.
func TestTLS12ClientRejectsResumptionWithOtherSuite(t *testing.T) {
	env := newResume12(t, testpki.ECDSAP256, true, false)
	env.run(nil, nil, false, 0xc02b)
	cs := env.last()
	ccfg, scfg := env.configs()
	ccfg.Session = cs
	cv := newRConv(t, ccfg, scfg)
	cv.tamper = at(true, wire.TypeServerHello, 0, mutServerHello(t, func(m *wire.ServerHello) { m.CipherSuite = 0xc02c }))
	wantRFail(t, cv.run(), "client", wire.TypeServerHello, alert.IllegalParameter)
}

// ---- TLS 1.3 ----

// resume13Env runs TLS 1.3 handshakes against servers sharing a sealer.
type resume13Env struct {
	t          *testing.T
	cclk, sclk *clock
	sealer     *session.Sealer
	kt         testpki.KeyType
}

func newResume13(t *testing.T) *resume13Env {
	return &resume13Env{t: t, cclk: newClock(), sclk: newClock(), sealer: ticketSealer(t, 7), kt: testpki.ECDSAP256}
}

func (env *resume13Env) configs() (*handshake.Config, *handshake.Config) {
	ccfg, scfg := clientConfig(), serverConfig(env.t, env.kt)
	ccfg.Now, scfg.Now = env.cclk.Now, env.sclk.Now
	scfg.Tickets, scfg.TicketLifetime = env.sealer, 2*time.Hour
	return ccfg, scfg
}

func (env *resume13Env) advance(d time.Duration) {
	env.cclk.Advance(d)
	env.sclk.Advance(d)
}

// run runs one TLS 1.3 handshake and returns the conversation and the
// session from the ticket the server issued.
func (env *resume13Env) run(fn func(c, s *handshake.Config)) (*rconv, *handshake.ClientSession) {
	t := env.t
	t.Helper()
	ccfg, scfg := env.configs()
	if fn != nil {
		fn(ccfg, scfg)
	}
	cv := newRConv(t, ccfg, scfg)
	cv.mustRun()
	cr, _ := check13(t, cv)
	if len(cv.tickets13) != 1 {
		t.Fatalf("server issued %d tickets, want 1", len(cv.tickets13))
	}
	cs, err := handshake.SessionFromTicket(cr, cv.tickets13[0], env.cclk.Now(), ccfg.ServerName)
	if err != nil || cs == nil {
		t.Fatalf("SessionFromTicket: %v, %v", cs, err)
	}
	return cv, cs
}

func offering(cs *handshake.ClientSession) func(c, s *handshake.Config) {
	return func(c, s *handshake.Config) { c.Session = cs }
}

func wantResumed13(t *testing.T, cv *rconv, cs *handshake.ClientSession, resumed bool) {
	t.Helper()
	cr, sr := cv.c.e.Result(), cv.s.e.Result()
	if cr.DidResume != resumed || sr.DidResume != resumed {
		t.Fatalf("DidResume: client %v, server %v, want %v", cr.DidResume, sr.DidResume, resumed)
	}
	want := []uint8{wire.TypeServerHello, wire.TypeEncryptedExtensions, wire.TypeFinished, wire.TypeNewSessionTicket}
	if !resumed {
		want = []uint8{wire.TypeServerHello, wire.TypeEncryptedExtensions, wire.TypeCertificate, wire.TypeCertificateVerify, wire.TypeFinished, wire.TypeNewSessionTicket}
	}
	if cr.DidHRR {
		want = append([]uint8{wire.TypeServerHello}, want...)
	}
	if got := types(cv.s.sent); got != types(want) {
		t.Errorf("server sent %s, want %s", got, types(want))
	}
	if resumed {
		// No CertificateVerify on resumption: the scheme reported is the
		// one the server signed with when the session was made.
		if cr.PeerScheme == 0 || uint16(cr.PeerScheme) != cs.State.PeerScheme {
			t.Errorf("resumed client reports signature scheme %v, session has %#04x", cr.PeerScheme, cs.State.PeerScheme)
		}
		if len(cr.PeerChain) == 0 || !bytes.Equal(cr.PeerChain[0], cs.State.PeerCerts[0]) {
			t.Errorf("resumed client lost the server's chain")
		}
		if cr.Group == 0 || cr.Group != sr.Group {
			t.Errorf("psk_dhe_ke: Group client %s, server %s", kex.Name(cr.Group), kex.Name(sr.Group))
		}
	} else if cr.PeerScheme == 0 {
		t.Errorf("full handshake without a signature scheme")
	}
}

func TestTLS13Resume(t *testing.T) {
	for _, id := range allSuites {
		t.Run(suites.Lookup13(id).Name, func(t *testing.T) {
			env := newResume13(t)
			only := func(c, s *handshake.Config) { c.CipherSuites = []uint16{id} }
			first, cs := env.run(only)
			if cs.State.Version != v13 || cs.State.Suite != id || cs.State.Lifetime != 2*time.Hour || cs.State.ServerName != testHost {
				t.Errorf("session state %+v", cs.State)
			}
			env.advance(time.Minute)
			cv, next := env.run(func(c, s *handshake.Config) { only(c, s); c.Session = cs })
			wantResumed13(t, cv, cs, true)
			if got, want := types(cv.c.sent), typeList(wire.TypeClientHello, wire.TypeFinished); got != want {
				t.Errorf("client sent %s, want %s", got, want)
			}
			ch := cv.hellos[0]
			if len(ch.PSKIdentities) != 1 || !bytes.Equal(ch.PSKIdentities[0].Identity, cs.Ticket) {
				t.Errorf("ClientHello does not offer the ticket")
			}
			if bytes.Equal(cv.c.e.Result().ClientTraffic, first.c.e.Result().ClientTraffic) {
				t.Errorf("resumed handshake reuses the first one's traffic secret")
			}
			// The ticket issued on the resumed connection resumes too.
			env.advance(time.Minute)
			cv, _ = env.run(func(c, s *handshake.Config) { only(c, s); c.Session = next })
			wantResumed13(t, cv, next, true)
		})
	}
}

func TestTLS13ResumeAfterHelloRetryRequest(t *testing.T) {
	env := newResume13(t)
	_, cs := env.run(nil)
	env.advance(time.Minute)
	cv, _ := env.run(func(c, s *handshake.Config) {
		c.Session = cs
		s.Groups = []uint16{kex.P384}
	})
	if !cv.c.e.Result().DidHRR {
		t.Fatalf("no HelloRetryRequest")
	}
	wantResumed13(t, cv, cs, true)
	if len(cv.hellos) != 2 {
		t.Fatalf("server read %d ClientHellos", len(cv.hellos))
	}
	a, b := cv.hellos[0], cv.hellos[1]
	if len(a.PSKBinders) != 1 || len(b.PSKBinders) != 1 || bytes.Equal(a.PSKBinders[0], b.PSKBinders[0]) {
		t.Errorf("binder not recomputed for the second ClientHello")
	}
	if cv.c.e.Result().Group != kex.P384 {
		t.Errorf("group %s, want P-384", kex.Name(cv.c.e.Result().Group))
	}
}

// TestTLS13HelloRetryRequestChangesHash: a HelloRetryRequest for a suite of
// another hash than the ticket's leaves the PSK out of the second
// ClientHello, and the handshake is a full one.
func TestTLS13HelloRetryRequestChangesHash(t *testing.T) {
	env := newResume13(t)
	_, cs := env.run(func(c, s *handshake.Config) { c.CipherSuites = []uint16{suites.TLS_AES_128_GCM_SHA256} })
	env.advance(time.Minute)
	cv, _ := env.run(func(c, s *handshake.Config) {
		c.Session = cs
		s.Groups = []uint16{kex.P384}
		s.CipherSuites = []uint16{suites.TLS_AES_256_GCM_SHA384}
	})
	wantResumed13(t, cv, cs, false)
	if len(cv.hellos) != 2 || len(cv.hellos[1].PSKIdentities) != 0 {
		t.Errorf("second ClientHello still offers a SHA-256 PSK to a SHA-384 suite")
	}
}

func TestTLS13TamperedBinder(t *testing.T) {
	for _, hrr := range []bool{false, true} {
		t.Run(fmt.Sprintf("hrr=%v", hrr), func(t *testing.T) {
			env := newResume13(t)
			_, cs := env.run(nil)
			env.advance(time.Minute)
			ccfg, scfg := env.configs()
			ccfg.Session = cs
			n := 0
			if hrr {
				scfg.Groups = []uint16{kex.P384}
				n = 1
			}
			cv := newRConv(t, ccfg, scfg)
			cv.tamper = at(false, wire.TypeClientHello, n, mutClientHello(t, func(m *wire.ClientHello) { m.PSKBinders[0][3] ^= 0x10 }))
			wantRFail(t, cv.run(), "server", wire.TypeClientHello, alert.DecryptError)
		})
	}
}

func TestTLS13TicketAge(t *testing.T) {
	for _, tc := range []struct {
		name   string
		skew   time.Duration
		resume bool
	}{
		{"in step", 0, true},
		{"client 5s ahead", 5 * time.Second, true},
		{"client 5min ahead", 5 * time.Minute, false},
		{"client 3min behind", -3 * time.Minute, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newResume13(t)
			_, cs := env.run(nil)
			env.advance(10 * time.Minute)
			env.cclk.Advance(tc.skew)
			cv, _ := env.run(offering(cs))
			if len(cv.hellos[0].PSKIdentities) != 1 {
				t.Fatalf("client did not offer the ticket")
			}
			wantResumed13(t, cv, cs, tc.resume)
		})
	}
}

func TestTLS13NoResumption(t *testing.T) {
	for _, tc := range []struct {
		name    string
		before  func(env *resume13Env)
		fn      func(cs *handshake.ClientSession) func(c, s *handshake.Config)
		offered bool
	}{
		{name: "expired: not offered", before: func(env *resume13Env) { env.advance(2*time.Hour + time.Second) }},
		{name: "another server name: not offered", fn: func(cs *handshake.ClientSession) func(c, s *handshake.Config) {
			return func(c, s *handshake.Config) { c.Session, c.ServerName = cs, "other.example.test" }
		}},
		// The client's record of the name is changed, not the ticket's:
		// the server's own check must refuse it.
		{name: "ticket for another server name", offered: true, fn: func(cs *handshake.ClientSession) func(c, s *handshake.Config) {
			return func(c, s *handshake.Config) {
				moved := *cs
				moved.State = cs.State.Clone()
				moved.State.ServerName = "other.example.test"
				c.Session, c.ServerName = &moved, "other.example.test"
			}
		}},
		{name: "other ticket key", offered: true, fn: func(cs *handshake.ClientSession) func(c, s *handshake.Config) {
			return func(c, s *handshake.Config) { c.Session, s.Tickets = cs, ticketSealer(t, 8) }
		}},
		{name: "no ticket key on the server", offered: true, fn: func(cs *handshake.ClientSession) func(c, s *handshake.Config) {
			return func(c, s *handshake.Config) { c.Session, s.Tickets = cs, nil }
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newResume13(t)
			_, cs := env.run(nil)
			env.advance(time.Minute)
			if tc.before != nil {
				tc.before(env)
			}
			fn := offering(cs)
			if tc.fn != nil {
				fn = tc.fn(cs)
			}
			ccfg, scfg := env.configs()
			fn(ccfg, scfg)
			cv := newRConv(t, ccfg, scfg)
			cv.mustRun()
			check13(t, cv)
			if got := len(cv.hellos[0].PSKIdentities) == 1; got != tc.offered {
				t.Errorf("ticket offered: %v, want %v", got, tc.offered)
			}
			cr, sr := cv.c.e.Result(), cv.s.e.Result()
			if cr.DidResume || sr.DidResume {
				t.Errorf("resumed")
			}
		})
	}
}

// TestTLS13SessionToTLS12Server: a TLS 1.3 session offered to a server
// limited to TLS 1.2 gives a full TLS 1.2 handshake.
func TestTLS13SessionToTLS12Server(t *testing.T) {
	env := newResume13(t)
	_, cs := env.run(nil)
	env.advance(time.Minute)
	ccfg, scfg := env.configs()
	ccfg.Session = cs
	ccfg.MinVersion, ccfg.MaxVersion = v12, v13
	ccfg.Suites12 = defaultSuites12()
	ccfg.TicketsWanted = true
	scfg.MinVersion, scfg.MaxVersion = v12, v12
	scfg.Suites12 = defaultSuites12()
	scfg.SessionIDs = session.NewServerCache(4, time.Hour)
	cv := newRConv(t, ccfg, scfg)
	cv.mustRun()
	cr, sr := check12(t, cv, 0xc02b)
	if cr.DidResume || sr.DidResume {
		t.Errorf("a TLS 1.3 session resumed a TLS 1.2 handshake")
	}
	if len(cv.hellos[0].PSKIdentities) != 1 {
		t.Errorf("the client did not offer its TLS 1.3 ticket")
	}
}

// TestTLS12SessionWhenTLS13Negotiated: a TLS 1.2 session is not used once
// the server chooses TLS 1.3.
func TestTLS12SessionWhenTLS13Negotiated(t *testing.T) {
	for _, m := range []struct {
		name         string
		ids, tickets bool
	}{{"session ID", true, false}, {"ticket", false, true}} {
		t.Run(m.name, func(t *testing.T) {
			env := newResume12(t, testpki.ECDSAP256, m.ids, m.tickets)
			env.run(nil, nil, false, 0xc02b)
			cs := env.last()
			ccfg, scfg := env.configs()
			ccfg.Session = cs
			ccfg.MaxVersion, scfg.MaxVersion = v13, v13
			if scfg.Tickets == nil {
				scfg.Tickets = ticketSealer(t, 1)
			}
			cv := newRConv(t, ccfg, scfg)
			cv.mustRun()
			cr, sr := check13(t, cv)
			if cr.DidResume || sr.DidResume {
				t.Errorf("a TLS 1.2 session resumed TLS 1.3")
			}
			if len(cv.hellos[0].PSKIdentities) != 0 {
				t.Errorf("a TLS 1.2 session was offered as a TLS 1.3 PSK")
			}
			if len(cv.tickets13) != 1 {
				t.Errorf("no TLS 1.3 ticket after the full handshake")
			}
		})
	}
}

// TestTLS13ResumePSKOnly: with PSKWithoutKeyExchange on both sides the
// resumed handshake uses psk_ke and no group.
func TestTLS13ResumePSKOnly(t *testing.T) {
	env := newResume13(t)
	both := func(c, s *handshake.Config) { c.PSKWithoutKeyExchange, s.PSKWithoutKeyExchange = true, true }
	_, cs := env.run(both)
	env.advance(time.Minute)
	cv, _ := env.run(func(c, s *handshake.Config) { both(c, s); c.Session = cs })
	cr, sr := cv.c.e.Result(), cv.s.e.Result()
	if !cr.DidResume || !sr.DidResume {
		t.Fatalf("psk_ke did not resume")
	}
	// No key exchange ran: both report the group the session was made
	// with.
	if cr.Group == 0 || cr.Group != cs.State.Group || sr.Group != cs.State.Group {
		t.Errorf("psk_ke reports groups %s / %s, session has %s", kex.Name(cr.Group), kex.Name(sr.Group), kex.Name(cs.State.Group))
	}
	// A server that does not allow psk_ke does a full handshake, and
	// issues no ticket the client could only use with psk_ke.
	env.advance(time.Minute)
	ccfg, scfg := env.configs()
	ccfg.PSKWithoutKeyExchange, ccfg.Session = true, cs
	cv = newRConv(t, ccfg, scfg)
	cv.mustRun()
	check13(t, cv)
	if cv.c.e.Result().DidResume || cv.s.e.Result().DidResume || len(cv.tickets13) != 0 {
		t.Errorf("server without psk_ke: resumed %v, %d tickets", cv.s.e.Result().DidResume, len(cv.tickets13))
	}
}

// TestTLS12ResumeFromClientAllowing13: a client that also offers TLS 1.3
// resumes its TLS 1.2 session with a server limited to TLS 1.2.
func TestTLS12ResumeFromClientAllowing13(t *testing.T) {
	for _, m := range []struct {
		name         string
		ids, tickets bool
	}{{"session ID", true, false}, {"ticket", false, true}} {
		t.Run(m.name, func(t *testing.T) {
			env := newResume12(t, testpki.ECDSAP256, m.ids, m.tickets)
			up := func(c, s *handshake.Config) { c.MaxVersion = v13 }
			env.run(nil, up, false, 0xc02b)
			cs := env.last()
			env.clk.Advance(time.Minute)
			env.run(cs, up, true, 0xc02b)
		})
	}
}

// forgedTicket seals st under the key of ticketSealer(t, 1).
func forgedTicket(t *testing.T, st *session.State) []byte {
	t.Helper()
	plain := st.Marshal()
	if plain == nil {
		t.Fatalf("state does not marshal: %v", st.Validate())
	}
	ticket, err := ticketSealer(t, 1).Seal(randReader{}, plain)
	if err != nil {
		t.Fatal(err)
	}
	return ticket
}

type randReader struct{}

func (randReader) Read(b []byte) (int, error) {
	for i := range b {
		b[i] = byte(i*7 + 3)
	}
	return len(b), nil
}

// TestForgedSessions offers tickets the server's own key sealed over states
// it must not resume.
func TestForgedSessions(t *testing.T) {
	clk := newClock()
	base := func() *session.State {
		return &session.State{
			Version: v12, Suite: 0xc02b, Secret: bytes.Repeat([]byte{9}, 48),
			CreatedAt: clk.Now().Add(-time.Minute), AuthTime: clk.Now().Add(-time.Minute), Lifetime: time.Hour,
			ServerName: testHost, EMS: true, PeerCerts: testLeaf(t, testpki.ECDSAP256).Chain,
		}
	}
	t.Run("control", func(t *testing.T) {
		env := newResume12(t, testpki.ECDSAP256, false, true)
		env.clk = clk
		st := base()
		env.run(&handshake.ClientSession{State: st, Ticket: forgedTicket(t, st)}, nil, true, 0xc02b)
	})
	t.Run("TLS 1.2 ticket without EMS", func(t *testing.T) {
		env := newResume12(t, testpki.ECDSAP256, false, true)
		env.clk = clk
		st := base()
		st.EMS = false
		env.run(&handshake.ClientSession{State: base(), Ticket: forgedTicket(t, st)}, nil, false, 0xc02b)
	})
	t.Run("TLS 1.3 state in a TLS 1.2 ticket", func(t *testing.T) {
		env := newResume12(t, testpki.ECDSAP256, false, true)
		env.clk = clk
		st := base()
		st.Version, st.Suite, st.EMS = v13, suites.TLS_AES_128_GCM_SHA256, false
		env.run(&handshake.ClientSession{State: base(), Ticket: forgedTicket(t, st)}, nil, false, 0xc02b)
	})
	t.Run("client's session lacks EMS, server resumes", func(t *testing.T) {
		// RFC 7627 §5.3: a client must not resume a session without
		// the extended master secret, whatever the server says.
		ccfg, scfg := client12(clk), server12(t, testpki.ECDSAP256, clk)
		scfg.Tickets = ticketSealer(t, 1)
		ccfg.TicketsWanted = true
		st := base()
		mine := base()
		mine.EMS = false
		ccfg.Session = &handshake.ClientSession{State: mine, Ticket: forgedTicket(t, st)}
		cv := newRConv(t, ccfg, scfg)
		wantRFail(t, cv.run(), "client", wire.TypeServerHello, alert.HandshakeFailure)
	})
	t.Run("TLS 1.2 state as a TLS 1.3 PSK", func(t *testing.T) {
		env := newResume13(t)
		env.cclk, env.sclk = clk, clk
		env.sealer = ticketSealer(t, 1)
		st := base()
		mine := base()
		mine.Version, mine.Suite = v13, suites.TLS_AES_128_GCM_SHA256
		ccfg, scfg := env.configs()
		ccfg.Session = &handshake.ClientSession{State: mine, Ticket: forgedTicket(t, st)}
		cv := newRConv(t, ccfg, scfg)
		cv.mustRun()
		cr, sr := check13(t, cv)
		if len(cv.hellos[0].PSKIdentities) != 1 || cr.DidResume || sr.DidResume {
			t.Errorf("offered %d, resumed %v/%v", len(cv.hellos[0].PSKIdentities), cr.DidResume, sr.DidResume)
		}
	})
}

func TestSessionFromTicketLimits(t *testing.T) {
	env := newResume13(t)
	first, _ := env.run(nil)
	r := first.c.e.Result()
	nst := *first.tickets13[0]
	nst.Lifetime = 0
	if cs, err := handshake.SessionFromTicket(r, &nst, env.cclk.Now(), testHost); cs != nil || err != nil {
		t.Errorf("lifetime 0: %v, %v; want nothing", cs, err)
	}
	nst.Lifetime = uint32(7*24*3600 + 1)
	_, err := handshake.SessionFromTicket(r, &nst, env.cclk.Now(), testHost)
	wantAlert(t, err, alert.IllegalParameter)
	nst.Lifetime = uint32(7 * 24 * 3600)
	if cs, err := handshake.SessionFromTicket(r, &nst, env.cclk.Now(), testHost); cs == nil || err != nil {
		t.Errorf("lifetime of 7 days: %v, %v", cs, err)
	}
	// A ticket as long as NewSessionTicket allows could never fit in a
	// ClientHello: it is not kept.
	nst.Ticket = make([]byte, 0xffff)
	if cs, err := handshake.SessionFromTicket(r, &nst, env.cclk.Now(), testHost); cs != nil || err != nil {
		t.Errorf("a %d-byte ticket: %v, %v; want nothing", len(nst.Ticket), cs, err)
	}
}

// TestOversizeTicketNotOffered: a session whose ticket is too long for a
// ClientHello (one a ClientSessionCache handed back, since SessionFromTicket
// no longer keeps such tickets) is not offered; the client makes a full
// handshake instead of building a hello that cannot be encoded. It used
// to slice the unencodable hello past its end and panic.
func TestOversizeTicketNotOffered(t *testing.T) {
	env := newResume13(t)
	_, cs := env.run(nil)
	for _, n := range []int{16<<10 + 1, 65000} {
		big := *cs
		big.Ticket = make([]byte, n)
		cv, _ := env.run(offering(&big))
		if len(cv.hellos[0].PSKIdentities) != 0 {
			t.Errorf("a %d-byte ticket was offered", n)
		}
		wantResumed13(t, cv, &big, false)
	}
}

// TestTLS12OversizeTicketNotKept: an RFC 5077 NewSessionTicket may carry
// 65,535 bytes, more than a ClientHello offering it could. A client keeps
// no ticket longer than maxOfferedTicket (16 KiB), so it never offers
// one. The server's ticket grows past the bound honestly:
// it records the client's certificate, here one with 900 names.
func TestTLS12OversizeTicketNotKept(t *testing.T) {
	names := make([]string, 900)
	for i := range names {
		names[i] = fmt.Sprintf("name-%04d.client.example", i)
	}
	big, err := testCA(t).Issue(testpki.LeafOptions{Names: names, Client: true,
		NotBefore: newClock().Now().Add(-24 * time.Hour), NotAfter: newClock().Now().AddDate(1, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	env := newResume12(t, testpki.ECDSAP256, false, true)
	ccfg, scfg := env.configs()
	scfg.ClientAuth = handshake.RequireClientAuth
	ccfg.GetClientCertificate = func(*handshake.CertRequest) (*handshake.Certificate, error) {
		return &handshake.Certificate{Chain: big.Chain, Key: big.Key}, nil
	}
	cv := newRConv(t, ccfg, scfg)
	ticketLen := -1
	cv.tamper = func(m Msg) [][]byte {
		if m.ToClient && m.Type == wire.TypeNewSessionTicket {
			nst, err := wire.ParseNewSessionTicket12(m.Bytes[wire.HeaderLen:])
			if err != nil {
				t.Errorf("server's NewSessionTicket: %v", err)
			} else {
				ticketLen = len(nst.Ticket)
			}
		}
		return [][]byte{m.Bytes}
	}
	cv.mustRun()
	if ticketLen <= 16<<10 {
		t.Fatalf("the server's ticket is %d bytes; the test needs one over 16 KiB", ticketLen)
	}
	// Without its ticket and with no session ID (this server issues
	// none), nothing is left to resume by: no session reaches the cache.
	for _, cs := range env.sessions {
		if len(cs.Ticket) != 0 {
			t.Errorf("the client kept a %d-byte ticket", len(cs.Ticket))
		}
	}
	if len(env.sessions) != 0 {
		t.Errorf("the client reported a session it cannot resume")
	}
}

// TestTLS13PSKHelloWithoutCertificateExtensions: RFC 8446 §9.2 requires
// signature_algorithms and supported_groups only of a ClientHello without
// pre_shared_key; a psk_ke ClientHello needs no key_share either. The test
// strips them from a resuming ClientHello and recomputes its binder; the
// server must not refuse the hello (the client, whose transcript no longer
// matches, derives other handshake keys and fails to open the server's
// first protected record).
func TestTLS13PSKHelloWithoutCertificateExtensions(t *testing.T) {
	for _, tc := range []struct {
		name   string
		pskKE  bool
		strip  func(m *wire.ClientHello)
		resume bool
	}{
		{name: "no signature_algorithms", strip: func(m *wire.ClientHello) {
			m.SignatureSchemes, m.SignatureSchemesCert = nil, nil
		}},
		{name: "psk_ke without supported_groups and key_share", pskKE: true, strip: func(m *wire.ClientHello) {
			m.SupportedGroups, m.KeyShares, m.HasKeyShare = nil, nil, false
		}},
		{name: "psk_ke without any of them", pskKE: true, strip: func(m *wire.ClientHello) {
			m.SupportedGroups, m.KeyShares, m.HasKeyShare = nil, nil, false
			m.SignatureSchemes, m.SignatureSchemesCert = nil, nil
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newResume13(t)
			psk := func(c, s *handshake.Config) { c.PSKWithoutKeyExchange, s.PSKWithoutKeyExchange = tc.pskKE, tc.pskKE }
			_, cs := env.run(psk)
			env.advance(time.Minute)
			ccfg, scfg := env.configs()
			psk(ccfg, scfg)
			ccfg.Session = cs
			su := suites.Lookup13(cs.State.Suite)
			cv := newRConv(t, ccfg, scfg)
			cv.tamper = at(false, wire.TypeClientHello, 0, mutClientHello(t, func(m *wire.ClientHello) {
				tc.strip(m)
				full := m.Marshal()
				h := su.Hash.New()
				h.Write(full[:len(full)-m.BindersLen()])
				m.PSKBinders[0] = keys.FinishedMAC(su.Hash, keys.NewEarlySecret(su.Hash, cs.State.Secret).BinderKey(true), h.Sum(nil))
			}))
			f := cv.run()
			if f != nil && f.who == "server" {
				t.Fatalf("server refused the resuming ClientHello at %s: %v (alert %s)", msgName(f.typ), f.err, alert.Of(f.err))
			}
			if !cv.s.e.Result().DidResume {
				t.Errorf("server did not resume")
			}
			wantRFail(t, f, "client", wire.TypeEncryptedExtensions, alert.BadRecordMAC)
		})
	}
}

// RFC 8446 §4.1.2: after a HelloRetryRequest the client may drop only PSKs
// the chosen suite cannot use; dropping one the server would resume is an
// inconsistent second ClientHello.
func TestTLS13SecondHelloDropsPSK(t *testing.T) {
	env := newResume13(t)
	_, cs := env.run(nil)
	env.advance(time.Minute)
	ccfg, scfg := env.configs()
	ccfg.Session = cs
	scfg.Groups = []uint16{kex.P384}
	cv := newRConv(t, ccfg, scfg)
	cv.tamper = at(false, wire.TypeClientHello, 1, mutClientHello(t, func(m *wire.ClientHello) {
		m.PSKIdentities, m.PSKBinders = nil, nil
	}))
	wantRFail(t, cv.run(), "server", wire.TypeClientHello, alert.IllegalParameter)
}

// RFC 8446 §9.2: a second ClientHello without key_share is
// missing_extension, not merely a wrong share.
func TestSecondHelloWithoutKeyShare(t *testing.T) {
	ccfg, scfg := clientConfig(), serverConfig(t, testpki.ECDSAP256)
	scfg.Groups = []uint16{kex.P384}
	cv := newRConv(t, ccfg, scfg)
	cv.tamper = at(false, wire.TypeClientHello, 1, mutClientHello(t, func(m *wire.ClientHello) {
		m.HasKeyShare, m.KeyShares = false, nil
	}))
	wantRFail(t, cv.run(), "server", wire.TypeClientHello, alert.MissingExtension)
}

// A server that issues a ticket sends no session ID and caches nothing:
// the session lives in the ticket alone (RFC 5077 §3.3).
func TestTLS12TicketWithoutSessionID(t *testing.T) {
	env := newResume12(t, testpki.ECDSAP256, true, true)
	ccfg, scfg := env.configs()
	cv := newRConv(t, ccfg, scfg)
	var sh *wire.ServerHello
	cv.tamper = func(m Msg) [][]byte {
		if m.ToClient && m.Type == wire.TypeServerHello {
			var err error
			if sh, err = wire.ParseServerHello(m.Bytes[wire.HeaderLen:]); err != nil {
				t.Fatal(err)
			}
		}
		return [][]byte{m.Bytes}
	}
	cv.mustRun()
	if sh == nil || len(sh.SessionID) != 0 {
		t.Fatalf("ServerHello with a ticket: %+v", sh)
	}
	if cs := env.last(); cs.Ticket == nil || len(cs.SessionID) != 0 {
		t.Errorf("client session: ticket %x, ID %x", cs.Ticket, cs.SessionID)
	}
}

// SCTs in a resumption's ServerHello certify nothing of that handshake
// (RFC 6962 §3.3.1): the client ignores them.
func TestTLS12ResumptionIgnoresSCTs(t *testing.T) {
	env := newResume12(t, testpki.ECDSAP256, false, true)
	env.run(nil, nil, false, 0xc02b)
	cs := env.last()
	env.clk.Advance(time.Minute)
	ccfg, scfg := env.configs()
	ccfg.Session = cs
	cv := newRConv(t, ccfg, scfg)
	// Editing the ServerHello breaks the Finished check later; what
	// matters is how the client took the ServerHello.
	cv.tamper = sh12(func(m *wire.ServerHello) { m.SCTs = [][]byte{[]byte("sct")} })(t)
	cv.run()
	if r := cv.c.e.Result(); !r.DidResume || r.SCTs != nil {
		t.Errorf("resumed %v, SCTs %q", r.DidResume, r.SCTs)
	}
}

package tls_test

// Session resumption: TLS 1.2 by session ticket (RFC 5077) and by session ID
// (RFC 5246 §7.3), TLS 1.3 by ticket (RFC 8446 §2.2, §4.6.1), between Lucid,
// crypto/tls and the openssl tools; ticket key rotation; and the cases where
// a session must not resume: across versions, across server names, under a
// key the server no longer holds.
//
// Every case makes a first connection with a full handshake and a second
// that offers its session, each moving 1 MiB both ways (i12Connect,
// i12OsslSession), and checks DidResume on both sides where it is visible
// (for openssl: "Reused" in s_client's report, "Reused session-id" in
// s_server's), the mechanism on the wire, and that a resumed client still
// reports the server's certificates.

import (
	"bytes"
	stdtls "crypto/tls"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"lucid/internal/testpki"
	"lucid/tls"
)

// rsCache is a client session cache that counts the sessions it is given.
// With anyName it hands out the newest session whatever name is asked
// for, as a careless cache shared between servers would: the server must
// then refuse a session made for another name.
type rsCache struct {
	mu      sync.Mutex
	inner   tls.ClientSessionCache
	anyName bool
	puts    int
	last    *tls.ClientSessionState
}

func newRSCache() *rsCache { return &rsCache{inner: tls.NewLRUClientSessionCache(8)} }

func (c *rsCache) Get(key string) (*tls.ClientSessionState, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.anyName {
		return c.last, c.last != nil
	}
	return c.inner.Get(key)
}

func (c *rsCache) Put(key string, cs *tls.ClientSessionState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cs != nil {
		c.puts++
		c.last = cs
	}
	c.inner.Put(key, cs)
}

func (c *rsCache) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.puts
}

// rsMustStore fails the test unless the first connection gave the client a
// session to resume.
func rsMustStore(t *testing.T, c *rsCache, version uint16) {
	t.Helper()
	if c.count() == 0 {
		if version == tls.VersionTLS13 {
			t.Fatal("the client stored no session after a full TLS 1.3 handshake (NewSessionTicket not turned into a session)")
		}
		t.Fatal("the client stored no session after a full TLS 1.2 handshake")
	}
}

// rsMechanism names how a resumption is offered and accepted.
type rsMechanism int

const (
	rsTicket12 rsMechanism = iota
	rsSessionID12
	rsTicket13
)

func (m rsMechanism) String() string {
	return [...]string{"tls12-ticket", "tls12-session-id", "tls13-ticket"}[m]
}

func (m rsMechanism) version() uint16 {
	if m == rsTicket13 {
		return tls.VersionTLS13
	}
	return tls.VersionTLS12
}

// offered reports whether a ClientHello offers a session by m.
func (m rsMechanism) offered(h i12Hellos) bool {
	switch m {
	case rsTicket12:
		return len(h.ch.SessionTicket) > 0
	case rsSessionID12:
		return len(h.ch.SessionTicket) == 0 && len(h.ch.SessionID) > 0
	}
	return len(h.ch.PSKIdentities) > 0
}

// checkWire checks on the wire that the second connection resumed by m.
func (m rsMechanism) checkWire(t *testing.T, h i12Hellos) {
	t.Helper()
	if !m.offered(h) {
		t.Errorf("the resuming ClientHello does not offer a session by %v (ticket %d bytes, session ID %d bytes, %d PSK identities)",
			m, len(h.ch.SessionTicket), len(h.ch.SessionID), len(h.ch.PSKIdentities))
	}
	switch m {
	case rsTicket12, rsSessionID12:
		// RFC 5246 §7.4.1.3, RFC 5077 §3.4: the server echoes the ID.
		if len(h.sh.SessionID) == 0 || !bytes.Equal(h.sh.SessionID, h.ch.SessionID) {
			t.Errorf("a resuming TLS 1.2 ServerHello's session ID %x does not echo the client's %x", h.sh.SessionID, h.ch.SessionID)
		}
	case rsTicket13:
		if !h.sh.HasPSK || h.sh.SelectedIdentity != 0 {
			t.Errorf("TLS 1.3 ServerHello: pre_shared_key %v, identity %d; want identity 0", h.sh.HasPSK, h.sh.SelectedIdentity)
		}
	}
}

// rsCheckPeerCert checks that the client still reports the server's leaf.
func rsCheckPeerCert(t *testing.T, s i12State, leaf *testpki.Leaf) {
	t.Helper()
	if len(s.peerCerts) == 0 {
		t.Errorf("client (%s) reports no PeerCertificates after resuming", s.impl)
	} else if !bytes.Equal(s.peerCerts[0].Raw, leaf.Cert.Raw) {
		t.Errorf("client (%s): PeerCertificates[0] is %v, not the server's leaf", s.impl, s.peerCerts[0].DNSNames)
	}
}

// TestResume resumes sessions between Lucid and crypto/tls: by TLS 1.2
// ticket, by TLS 1.2 session ID (Lucid only: crypto/tls keeps no
// server-side cache, and its client resumes only by ticket) and by TLS 1.3
// ticket.
func TestResume(t *testing.T) {
	f := iopFixtures(t)
	leaf := f.leaves[testpki.ECDSAP256]
	type pairing struct {
		name                     string
		lucidClient, lucidServer bool
		mechanisms               []rsMechanism
	}
	pairings := []pairing{
		{"lucid-lucid", true, true, []rsMechanism{rsTicket12, rsSessionID12, rsTicket13}},
		{"lucid-client/crypto-tls-server", true, false, []rsMechanism{rsTicket12, rsTicket13}},
		{"crypto-tls-client/lucid-server", false, true, []rsMechanism{rsTicket12, rsTicket13}},
	}
	for _, p := range pairings {
		for _, m := range p.mechanisms {
			t.Run(m.String()+"/"+p.name, func(t *testing.T) {
				t.Parallel()
				v := m.version()
				var client, server i12Maker
				var cache *rsCache
				if p.lucidClient {
					cache = newRSCache()
					cfg := i12LucidClient(f)
					cfg.ClientSessionCache = cache
					cfg.MaxVersion = v
					client = i12Lucid(cfg, true)
				} else {
					cfg := i12StdClient(f)
					cfg.ClientSessionCache = stdtls.NewLRUClientSessionCache(8)
					cfg.MaxVersion = v
					client = i12Std(cfg, true)
				}
				if p.lucidServer {
					cfg := i12LucidServer(t, leaf)
					cfg.SessionTicketsDisabled = m == rsSessionID12
					server = i12Lucid(cfg, false)
				} else {
					server = i12Std(i12StdServer(leaf), false)
				}

				r1 := i12Connect(t, client, server)
				r1.must(t)
				r1.check(t, v, 0, false)
				if cache != nil {
					rsMustStore(t, cache, v)
				}
				if h := r1.hellos(t); m == rsSessionID12 && h.sh.TicketSupported {
					t.Error("a server with SessionTicketsDisabled promised a ticket")
				}

				r2 := i12Connect(t, client, server)
				r2.must(t)
				r2.check(t, v, r1.client.suite, true)
				m.checkWire(t, r2.hellos(t))
				rsCheckPeerCert(t, r2.client, leaf)
			})
		}
	}
}

// TestResumeOpenSSL resumes sessions with openssl: s_client saves its
// session with -sess_out and offers it with -sess_in to a Lucid server;
// a Lucid client resumes with one s_server over two connections.
func TestResumeOpenSSL(t *testing.T) {
	iopOpensslPath(t)
	f := iopFixtures(t)
	leaf := f.leaves[testpki.ECDSAP256]
	for _, m := range []rsMechanism{rsTicket12, rsSessionID12, rsTicket13} {
		vflag, vname := "-tls1_2", "TLSv1.2"
		if m == rsTicket13 {
			vflag, vname = "-tls1_3", "TLSv1.3"
		}

		t.Run(m.String()+"/openssl-s_client/lucid-server", func(t *testing.T) {
			t.Parallel()
			cfg := i12LucidServer(t, leaf)
			// A server without tickets falls back to its session-ID
			// cache, whatever the client asks for.
			cfg.SessionTicketsDisabled = m == rsSessionID12
			sess := filepath.Join(t.TempDir(), "session.pem")

			p1, raw1 := i12StartSClient(t, i12SClientArgs(t, f, vflag, "-sess_out", sess)...)
			r1 := i12OsslSession(t, p1, raw1, false, cfg, "")
			out1 := i12OsslEnd(t, p1)
			if r1.err != nil {
				t.Fatalf("first handshake: %v; s_client: %s", r1.err, iopLastLines(out1, 8))
			}
			if r1.state.DidResume {
				t.Error("Lucid server: the first connection reports DidResume")
			}
			iopCheckContains(t, "the first s_client's report", r1.info, "New, "+vname)
			if m == rsSessionID12 && r1.hellos(t, false).sh.TicketSupported {
				t.Error("a server with SessionTicketsDisabled promised a ticket")
			}
			if _, err := os.Stat(sess); err != nil {
				t.Fatalf("s_client -sess_out wrote no session: %v; s_client: %s", err, iopLastLines(out1, 8))
			}

			p2, raw2 := i12StartSClient(t, i12SClientArgs(t, f, vflag, "-sess_in", sess)...)
			r2 := i12OsslSession(t, p2, raw2, false, cfg, "")
			out2 := i12OsslEnd(t, p2)
			if r2.err != nil {
				t.Fatalf("second handshake: %v; s_client: %s", r2.err, iopLastLines(out2, 8))
			}
			if !r2.state.DidResume {
				t.Error("Lucid server: the connection with -sess_in did not resume")
			}
			iopCheckContains(t, "the second s_client's report", r2.info, "Reused, "+vname)
			if m != rsTicket13 {
				// A TLS 1.2 session is printed with the report; a TLS 1.3
				// one arrives after it, with the tickets.
				iopCheckContains(t, "the second s_client's report", r2.info, "Protocol  : "+vname, "Extended master secret: yes")
			}
			m.checkWire(t, r2.hellos(t, false))
		})

		t.Run(m.String()+"/lucid-client/openssl-s_server", func(t *testing.T) {
			t.Parallel()
			args := i12SServerArgs(t, leaf, vflag)
			if m == rsSessionID12 {
				args = append(args, "-no_ticket")
			}
			p, next := i12StartSServer(t, 2, args...)
			cache := newRSCache()
			cfg := i12LucidClient(f)
			cfg.ClientSessionCache = cache
			cfg.MaxVersion = m.version()

			r1 := i12OsslSession(t, p, next(), true, cfg, "LUCID-PAYLOAD-1:")
			if r1.err != nil {
				t.Fatalf("first handshake: %v; s_server: %s", r1.err, iopLastLines(i12OsslEnd(t, p), 8))
			}
			if r1.state.DidResume || strings.Contains(r1.info, "Reused session-id") {
				t.Errorf("the first connection resumed: Lucid %v, s_server %q", r1.state.DidResume, r1.info)
			}
			rsMustStore(t, cache, m.version())

			r2 := i12OsslSession(t, p, next(), true, cfg, "LUCID-PAYLOAD-2:")
			out := i12OsslEnd(t, p)
			if r2.err != nil {
				t.Fatalf("second handshake: %v; s_server: %s", r2.err, iopLastLines(out, 8))
			}
			if !r2.state.DidResume {
				t.Error("Lucid client: the second connection did not resume")
			}
			if n := strings.Count(r2.info, "Reused session-id"); n != 1 {
				t.Errorf("s_server reported %d resumptions over two connections, want 1:\n%s", n, r2.info)
			}
			if v := r2.state.Version; v != m.version() {
				t.Errorf("Lucid client: resumed under %s, want %s", tls.VersionName(v), tls.VersionName(m.version()))
			}
			m.checkWire(t, r2.hellos(t, true))
			rsCheckPeerCert(t, i12State{impl: "Lucid", peerCerts: r2.state.PeerCertificates}, leaf)
		})
	}
}

// TestResumeTicketKeyRotation: server A seals with K1; server B, holding
// [K2, K1], seals with K2 and still opens K1's tickets; server C, holding
// only K2, cannot and runs a full handshake.
func TestResumeTicketKeyRotation(t *testing.T) {
	f := iopFixtures(t)
	leaf := f.leaves[testpki.ECDSAP256]
	k1 := [32]byte{'k', 'e', 'y', '-', '1'}
	k2 := [32]byte{'k', 'e', 'y', '-', '2'}
	for _, m := range []rsMechanism{rsTicket12, rsTicket13} {
		t.Run(m.String(), func(t *testing.T) {
			t.Parallel()
			v := m.version()
			server := func(keys ...[32]byte) i12Maker {
				cfg := i12LucidServer(t, leaf)
				if err := cfg.SetSessionTicketKeys(keys); err != nil {
					t.Fatalf("SetSessionTicketKeys: %v", err)
				}
				return i12Lucid(cfg, false)
			}
			a, b, c := server(k1), server(k2, k1), server(k2)
			client := func(cache tls.ClientSessionCache) i12Maker {
				cfg := i12LucidClient(f)
				cfg.ClientSessionCache, cfg.MaxVersion = cache, v
				return i12Lucid(cfg, true)
			}

			first := newRSCache()
			r1 := i12Connect(t, client(first), a)
			r1.must(t)
			r1.check(t, v, 0, false)
			rsMustStore(t, first, v)
			sealedK1, ok := first.Get("localhost")
			if !ok {
				t.Fatal("the client's cache has no session for localhost")
			}
			// B and C each get the session A sealed under K1, in caches
			// of their own, so that a ticket B issues cannot reach C.
			withK1 := func() tls.ClientSessionCache {
				cc := tls.NewLRUClientSessionCache(4)
				cc.Put("localhost", sealedK1)
				return cc
			}

			r2 := i12Connect(t, client(withK1()), b)
			r2.must(t)
			r2.check(t, v, 0, true)
			m.checkWire(t, r2.hellos(t))
			rsCheckPeerCert(t, r2.client, leaf)

			r3 := i12Connect(t, client(withK1()), c)
			r3.must(t)
			r3.check(t, v, 0, false)
			if !m.offered(r3.hellos(t)) {
				t.Errorf("the client did not offer the K1 ticket to server C by %v", m)
			}
		})
	}
}

// TestResumeNeverCrosses checks sessions that must not resume: a TLS 1.3
// session offered to a server limited to TLS 1.2, a TLS 1.2 session offered
// to a server that negotiates TLS 1.3, and a session for one server name
// offered under another. The servers share ticket keys, so that only the
// rule, not a missing key, can stop the resumption.
func TestResumeNeverCrosses(t *testing.T) {
	f := iopFixtures(t)
	leaf := f.leaves[testpki.ECDSAP256]
	key := [32]byte{'s', 'h', 'a', 'r', 'e', 'd'}
	server := func(t *testing.T, max uint16, leaves ...*testpki.Leaf) *tls.Config {
		cfg := i12LucidServer(t, leaves...)
		cfg.MaxVersion = max
		if err := cfg.SetSessionTicketKeys([][32]byte{key}); err != nil {
			t.Fatalf("SetSessionTicketKeys: %v", err)
		}
		return cfg
	}

	versionCases := []struct {
		name       string
		first      uint16 // the session's version
		secondMax  uint16 // the second server's MaxVersion
		secondWant uint16
	}{
		{"tls13-session/tls12-server", tls.VersionTLS13, tls.VersionTLS12, tls.VersionTLS12},
		{"tls12-session/tls13-server", tls.VersionTLS12, tls.VersionTLS13, tls.VersionTLS13},
	}
	for _, vc := range versionCases {
		t.Run(vc.name, func(t *testing.T) {
			t.Parallel()
			cache := newRSCache()
			c1 := i12LucidClient(f)
			c1.ClientSessionCache, c1.MaxVersion = cache, vc.first
			c2 := i12LucidClient(f)
			c2.ClientSessionCache = cache

			r1 := i12Connect(t, i12Lucid(c1, true), i12Lucid(server(t, vc.first, leaf), false))
			r1.must(t)
			r1.check(t, vc.first, 0, false)
			rsMustStore(t, cache, vc.first)

			r2 := i12Connect(t, i12Lucid(c2, true), i12Lucid(server(t, vc.secondMax, leaf), false))
			r2.must(t)
			r2.check(t, vc.secondWant, 0, false)
			h := r2.hellos(t)
			t.Logf("second ClientHello: ticket %d bytes, %d PSK identities", len(h.ch.SessionTicket), len(h.ch.PSKIdentities))
			if vc.first == tls.VersionTLS13 && len(h.ch.SessionTicket) > 0 {
				t.Error("the client offered its TLS 1.3 ticket as a TLS 1.2 session ticket")
			}
			if vc.first == tls.VersionTLS12 && len(h.ch.PSKIdentities) > 0 {
				t.Error("the client offered its TLS 1.2 session as a TLS 1.3 PSK")
			}
		})
	}

	for _, m := range []rsMechanism{rsTicket12, rsSessionID12, rsTicket13} {
		for _, anyName := range []bool{false, true} {
			name := m.String() + "/other-server-name/cache-by-name"
			if anyName {
				name = m.String() + "/other-server-name/cache-ignoring-names"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				cfg := server(t, tls.VersionTLS13, f.alpha, f.beta)
				cfg.SessionTicketsDisabled = m == rsSessionID12
				srv := i12Lucid(cfg, false)
				cache := newRSCache()
				cache.anyName = anyName
				client := func(name string) i12Maker {
					c := i12LucidClient(f)
					c.ServerName, c.ClientSessionCache, c.MaxVersion = name, cache, m.version()
					return i12Lucid(c, true)
				}

				r1 := i12Connect(t, client("alpha.test"), srv)
				r1.must(t)
				r1.check(t, m.version(), 0, false)
				rsMustStore(t, cache, m.version())

				// The same name resumes, which shows the session is good.
				r2 := i12Connect(t, client("alpha.test"), srv)
				r2.must(t)
				r2.check(t, m.version(), 0, true)
				rsCheckPeerCert(t, r2.client, f.alpha)

				r3 := i12Connect(t, client("beta.test"), srv)
				r3.must(t)
				r3.check(t, m.version(), 0, false)
				rsCheckPeerCert(t, r3.client, f.beta)
				t.Logf("ClientHello for beta.test offers a session: %v", m.offered(r3.hellos(t)))
			})
		}
	}
}

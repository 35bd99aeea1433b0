package tls_test

// Resumption keeps every guarantee of a full handshake: each one is checked
// against the Config of the moment — client authentication policy, roots,
// clock, revocation lists, callbacks — and a session that fails is declined
// for a full handshake, never resumed on the strength of what was true when
// it was made.

import (
	"crypto/rand"
	"crypto/x509"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"lucid/internal/testpki"
	"lucid/tls"
)

// trustClock is a clock both ends of a test can share and move.
type trustClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTrustClock() *trustClock { return &trustClock{t: time.Now()} }

func (c *trustClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *trustClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// resumeWay is one of the three ways to resume.
type resumeWay struct {
	name    string
	version uint16
	tickets bool
}

var resumeWays = []resumeWay{
	{"tls13-ticket", tls.VersionTLS13, true},
	{"tls12-ticket", tls.VersionTLS12, true},
	{"tls12-session-id", tls.VersionTLS12, false},
}

// server applies the way to a server Config.
func (w resumeWay) server(cfg *tls.Config) *tls.Config {
	cfg.MaxVersion = w.version
	cfg.SessionTicketsDisabled = !w.tickets
	return cfg
}

// trustRig is a CA with a long-lived server leaf and a client leaf alice,
// whose validity the test chooses.
type trustRig struct {
	ca     *testpki.CA
	server *testpki.Leaf
	alice  *testpki.Leaf
	clock  *trustClock
}

func newTrustRig(t *testing.T, aliceUntil time.Time) *trustRig {
	t.Helper()
	ca, err := testpki.NewCA("Resumption Trust Root", testpki.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := ca.Issue(testpki.LeafOptions{Names: []string{"localhost"}, NotAfter: time.Now().AddDate(0, 2, 0)})
	if err != nil {
		t.Fatal(err)
	}
	alice, err := ca.Issue(testpki.LeafOptions{Names: []string{"alice"}, Client: true, NotAfter: aliceUntil})
	if err != nil {
		t.Fatal(err)
	}
	return &trustRig{ca: ca, server: srv, alice: alice, clock: newTrustClock()}
}

// serverConfig is a server that requires and verifies client certificates.
func (r *trustRig) serverConfig(t *testing.T) *tls.Config {
	return &tls.Config{
		Certificates: []tls.Certificate{keyPair(t, r.server)},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    r.ca.Pool,
		Time:         r.clock.Now,
	}
}

// clientConfig is a client that trusts the rig's CA, with alice's
// certificate when withCert is set, and the given session cache.
func (r *trustRig) clientConfig(t *testing.T, cache tls.ClientSessionCache, withCert bool) *tls.Config {
	cfg := &tls.Config{RootCAs: r.ca.Pool, ServerName: "localhost", ClientSessionCache: cache, Time: r.clock.Now}
	if withCert {
		cfg.Certificates = []tls.Certificate{keyPair(t, r.alice)}
	}
	return cfg
}

// trustOutcome is what one connection showed on each side.
type trustOutcome struct {
	client, server       tls.ConnectionState
	clientErr, serverErr error
}

func connectTrust(t *testing.T, ccfg, scfg *tls.Config) trustOutcome {
	t.Helper()
	c, s := pair(t)
	client, server := tls.Client(c, ccfg), tls.Server(s, scfg)
	var o trustOutcome
	o.clientErr, o.serverErr = runPair(t, client, server)
	o.client, o.server = client.ConnectionState(), server.ConnectionState()
	return o
}

// mustConnect fails the test unless the connection worked and resumed (or
// not) as wanted on both sides.
func (o trustOutcome) mustConnect(t *testing.T, what string, resumed bool) {
	t.Helper()
	if o.clientErr != nil || o.serverErr != nil {
		t.Fatalf("%s: client error %v, server error %v", what, o.clientErr, o.serverErr)
	}
	if o.client.DidResume != resumed || o.server.DidResume != resumed {
		t.Fatalf("%s: client resumed %v, server %v; want %v", what, o.client.DidResume, o.server.DidResume, resumed)
	}
}

// mustFail fails the test unless the server refused the connection with
// alert want, after a full handshake.
func (o trustOutcome) mustFail(t *testing.T, what string, want tls.AlertError) {
	t.Helper()
	var a tls.AlertError
	if o.serverErr == nil || !errors.As(o.serverErr, &a) || a != want {
		t.Fatalf("%s: server error %v, want alert %v (client error %v)", what, o.serverErr, want, o.clientErr)
	}
	if o.server.DidResume {
		t.Fatalf("%s: the server resumed", what)
	}
}

// peerLeaf is the common name of a state's peer leaf, "" if none.
func peerLeaf(cs tls.ConnectionState) string {
	if len(cs.PeerCertificates) == 0 {
		return ""
	}
	return cs.PeerCertificates[0].Subject.CommonName
}

// sameChains compares verified chains certificate by certificate.
func sameChains(a, b [][]*x509.Certificate) bool {
	return slices.EqualFunc(a, b, func(x, y []*x509.Certificate) bool {
		return slices.EqualFunc(x, y, func(p, q *x509.Certificate) bool { return p.Equal(q) })
	})
}

// A client whose certificate is revoked after its session was made can
// resume no more: the server applies today's revocation lists to the
// session's chain, declines it, and the full handshake that follows
// refuses the certificate with certificate_revoked.
func TestResumptionRechecksRevocation(t *testing.T) {
	for _, way := range resumeWays {
		t.Run(way.name, func(t *testing.T) {
			r := newTrustRig(t, time.Now().AddDate(0, 1, 0))
			scfg := way.server(r.serverConfig(t))
			ccfg := r.clientConfig(t, tls.NewLRUClientSessionCache(4), true)

			full := connectTrust(t, ccfg, scfg)
			full.mustConnect(t, "first connection", false)
			resumed := connectTrust(t, ccfg, scfg)
			resumed.mustConnect(t, "second connection", true)
			// The resumed connection reports the peer exactly as the full
			// handshake did, verified chains included, on both sides.
			if peerLeaf(resumed.server) != "alice" || len(resumed.server.VerifiedChains) == 0 ||
				!sameChains(resumed.server.VerifiedChains, full.server.VerifiedChains) {
				t.Fatalf("resumed server reports peer %q with %d verified chains; the full handshake had %d",
					peerLeaf(resumed.server), len(resumed.server.VerifiedChains), len(full.server.VerifiedChains))
			}
			if len(resumed.client.VerifiedChains) == 0 || !sameChains(resumed.client.VerifiedChains, full.client.VerifiedChains) {
				t.Fatalf("resumed client reports %d verified chains; the full handshake had %d",
					len(resumed.client.VerifiedChains), len(full.client.VerifiedChains))
			}

			crl, err := r.ca.RevocationList(r.alice)
			if err != nil {
				t.Fatal(err)
			}
			scfg.RevocationLists = []*x509.RevocationList{crl}
			for i := range 2 {
				connectTrust(t, ccfg, scfg).mustFail(t, "after revocation", tls.AlertCertificateRevoked)
				_ = i
			}
		})
	}
}

// A session whose client certificate has since expired is declined, and
// the full handshake refuses the certificate.
func TestResumptionRechecksExpiry(t *testing.T) {
	for _, way := range resumeWays {
		t.Run(way.name, func(t *testing.T) {
			r := newTrustRig(t, time.Now().Add(time.Hour))
			scfg := way.server(r.serverConfig(t))
			ccfg := r.clientConfig(t, tls.NewLRUClientSessionCache(4), true)
			connectTrust(t, ccfg, scfg).mustConnect(t, "first connection", false)
			connectTrust(t, ccfg, scfg).mustConnect(t, "second connection", true)
			r.clock.Advance(2 * time.Hour)
			connectTrust(t, ccfg, scfg).mustFail(t, "after the client certificate expired", tls.AlertCertificateExpired)
		})
	}
}

// Each resumption re-issues a ticket, but the session behind it stays as
// old as its authentication: no chain of resumptions outlives 7 days from
// the full handshake (RFC 8446 §4.6.1).
func TestResumptionKeepsAuthenticationTime(t *testing.T) {
	for _, way := range resumeWays[:2] {
		t.Run(way.name, func(t *testing.T) {
			r := newTrustRig(t, time.Now().AddDate(0, 1, 0))
			scfg := way.server(r.serverConfig(t))
			ccfg := r.clientConfig(t, tls.NewLRUClientSessionCache(4), true)
			connectTrust(t, ccfg, scfg).mustConnect(t, "day 0", false)
			for day := 1; day <= 6; day++ {
				r.clock.Advance(24 * time.Hour)
				connectTrust(t, ccfg, scfg).mustConnect(t, "day "+string(rune('0'+day)), true)
			}
			r.clock.Advance(24*time.Hour + time.Minute)
			connectTrust(t, ccfg, scfg).mustConnect(t, "7 days after authenticating", false)
			r.clock.Advance(time.Hour)
			connectTrust(t, ccfg, scfg).mustConnect(t, "after a new full handshake", true)
		})
	}
}

// A session made on a public endpoint is not good for one that requires
// client certificates, whether the two share ticket keys on purpose or
// because one Config is a Clone of the other; and a session made with a
// certificate resumed on a public endpoint reports no peer there, yet keeps
// its identity for the next client-authenticating resumption.
func TestResumptionAcrossEndpoints(t *testing.T) {
	for _, way := range resumeWays[:2] {
		for _, share := range []string{"shared keys", "clone"} {
			t.Run(way.name+"/"+share, func(t *testing.T) {
				r := newTrustRig(t, time.Now().AddDate(0, 1, 0))
				public := way.server(&tls.Config{Certificates: []tls.Certificate{keyPair(t, r.server)}, Time: r.clock.Now})
				var private *tls.Config
				if share == "clone" {
					// A session from the public side makes the clone
					// carry the public Config's automatic keys.
					connectTrust(t, r.clientConfig(t, nil, false), public).mustConnect(t, "warm-up", false)
					private = public.Clone()
					private.ClientAuth, private.ClientCAs = tls.RequireAndVerifyClientCert, r.ca.Pool
				} else {
					var key [32]byte
					rand.Read(key[:])
					for _, cfg := range []*tls.Config{public} {
						if err := cfg.SetSessionTicketKeys([][32]byte{key}); err != nil {
							t.Fatal(err)
						}
					}
					private = way.server(r.serverConfig(t))
					if err := private.SetSessionTicketKeys([][32]byte{key}); err != nil {
						t.Fatal(err)
					}
				}

				anon := r.clientConfig(t, tls.NewLRUClientSessionCache(4), false)
				connectTrust(t, anon, public).mustConnect(t, "anonymous, public", false)
				connectTrust(t, anon, public).mustConnect(t, "anonymous, public again", true)
				want := tls.AlertCertificateRequired
				if way.version == tls.VersionTLS12 {
					want = tls.AlertHandshakeFailure
				}
				connectTrust(t, anon, private).mustFail(t, "anonymous session offered to the private endpoint", want)

				alice := r.clientConfig(t, tls.NewLRUClientSessionCache(4), true)
				connectTrust(t, alice, private).mustConnect(t, "alice, private", false)
				o := connectTrust(t, alice, public)
				o.mustConnect(t, "alice's session on the public endpoint", true)
				if o.server.PeerCertificates != nil || o.server.VerifiedChains != nil {
					t.Fatalf("public endpoint, which asks for no certificate, reports peer %q", peerLeaf(o.server))
				}
				o = connectTrust(t, alice, private)
				o.mustConnect(t, "alice back on the private endpoint", true)
				if peerLeaf(o.server) != "alice" || len(o.server.VerifiedChains) == 0 {
					t.Fatalf("private endpoint resumed with peer %q and %d verified chains", peerLeaf(o.server), len(o.server.VerifiedChains))
				}
			})
		}
	}
}

// Clone gives the copy its own resumption state and slices: setting ticket
// keys on one leaves the other's alone.
func TestCloneSharesNoState(t *testing.T) {
	r := newTrustRig(t, time.Now().AddDate(0, 1, 0))
	orig := &tls.Config{Certificates: []tls.Certificate{keyPair(t, r.server)}, NextProtos: []string{"h2", "http/1.1"}}
	var k1, k2 [32]byte
	k1[0], k2[0] = 1, 2
	if err := orig.SetSessionTicketKeys([][32]byte{k1}); err != nil {
		t.Fatal(err)
	}
	clone := orig.Clone()
	clone.NextProtos[0] = "spdy/3"
	if orig.NextProtos[0] != "h2" {
		t.Fatalf("changing the clone's NextProtos changed the original's to %q", orig.NextProtos[0])
	}
	// Before either changes keys, they resume each other's sessions.
	both := r.clientConfig(t, tls.NewLRUClientSessionCache(4), false)
	connectTrust(t, both, orig).mustConnect(t, "original", false)
	connectTrust(t, both, clone).mustConnect(t, "clone, with the original's keys", true)

	if err := clone.SetSessionTicketKeys([][32]byte{k2}); err != nil {
		t.Fatal(err)
	}
	a := r.clientConfig(t, tls.NewLRUClientSessionCache(4), false)
	connectTrust(t, a, orig).mustConnect(t, "original", false)
	connectTrust(t, a, orig).mustConnect(t, "original again", true)
	connectTrust(t, a, clone).mustConnect(t, "original's session on the re-keyed clone", false)
	b := r.clientConfig(t, tls.NewLRUClientSessionCache(4), false)
	connectTrust(t, b, clone).mustConnect(t, "clone", false)
	connectTrust(t, b, orig).mustConnect(t, "clone's session on the original", false)
}

// The server hands each resumption's chain to VerifyPeerCertificate, as
// after a full handshake, and declines the session when it objects; the
// full handshake that follows calls it again.
func TestResumptionRunsVerifyPeerCertificate(t *testing.T) {
	for _, way := range resumeWays {
		t.Run(way.name, func(t *testing.T) {
			r := newTrustRig(t, time.Now().AddDate(0, 1, 0))
			scfg := way.server(r.serverConfig(t))
			var mu sync.Mutex
			var calls []int // verified chains seen, per call
			refuse := map[int]bool{}
			scfg.VerifyPeerCertificate = func(raw [][]byte, chains [][]*x509.Certificate) error {
				mu.Lock()
				defer mu.Unlock()
				calls = append(calls, len(chains))
				if refuse[len(calls)] {
					return errors.New("not today")
				}
				return nil
			}
			var connMu sync.Mutex
			var seen []tls.ConnectionState
			scfg.VerifyConnection = func(cs tls.ConnectionState) error {
				connMu.Lock()
				defer connMu.Unlock()
				seen = append(seen, cs)
				return nil
			}
			ccfg := r.clientConfig(t, tls.NewLRUClientSessionCache(4), true)
			connectTrust(t, ccfg, scfg).mustConnect(t, "first", false)
			connectTrust(t, ccfg, scfg).mustConnect(t, "second", true)
			if len(calls) != 2 || calls[1] == 0 {
				t.Fatalf("VerifyPeerCertificate calls (verified chains each): %v, want two with chains", calls)
			}
			if len(seen) != 2 || !seen[1].DidResume || peerLeaf(seen[1]) != "alice" || len(seen[1].VerifiedChains) == 0 {
				t.Fatalf("VerifyConnection on resumption saw resumed %v, peer %q", len(seen) == 2 && seen[1].DidResume, peerLeaf(seen[len(seen)-1]))
			}
			mu.Lock()
			refuse[3] = true
			mu.Unlock()
			connectTrust(t, ccfg, scfg).mustConnect(t, "third, session refused by the callback", false)
			if len(calls) != 4 {
				t.Fatalf("VerifyPeerCertificate called %d times, want 4 (the refused session, then the full handshake)", len(calls))
			}
		})
	}
}

// clientDeclines records why a client declined its session.
func clientDeclines(cfg *tls.Config) func() []string {
	var mu sync.Mutex
	var out []string
	cfg.Observer = func(e tls.Event) {
		if e.Name == "session" && e.Err != nil {
			mu.Lock()
			out = append(out, e.Err.Error())
			mu.Unlock()
		}
	}
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(out)
	}
}

// A client re-checks its session before offering it: one made without
// verification, or whose server chain does not verify under today's
// roots, name and clock, is never resumed.
func TestClientResumptionRechecksTrust(t *testing.T) {
	for _, way := range resumeWays {
		t.Run(way.name, func(t *testing.T) {
			r := newTrustRig(t, time.Now().AddDate(0, 1, 0))
			scfg := way.server(&tls.Config{Certificates: []tls.Certificate{keyPair(t, r.server)}, Time: r.clock.Now})
			cache := tls.NewLRUClientSessionCache(4)

			insecure := &tls.Config{InsecureSkipVerify: true, ServerName: "localhost", ClientSessionCache: cache, Time: r.clock.Now}
			connectTrust(t, insecure, scfg).mustConnect(t, "InsecureSkipVerify", false)
			connectTrust(t, insecure, scfg).mustConnect(t, "InsecureSkipVerify again", true)
			verifying := r.clientConfig(t, cache, false)
			declines := clientDeclines(verifying)
			connectTrust(t, verifying, scfg).mustConnect(t, "verifying, with the InsecureSkipVerify session in the cache", false)
			if d := declines(); len(d) != 1 || !strings.Contains(d[0], "not verified when the session was made") {
				t.Fatalf("client declined the session for %q, want once for having been made without verification", d)
			}

			// A session made under one root is not resumed under
			// another: the full handshake then fails verification.
			connectTrust(t, verifying, scfg).mustConnect(t, "verifying again", true)
			other, err := testpki.NewCA("Another Root", testpki.ECDSAP256)
			if err != nil {
				t.Fatal(err)
			}
			stranger := r.clientConfig(t, cache, false)
			stranger.RootCAs = other.Pool
			declines = clientDeclines(stranger)
			o := connectTrust(t, stranger, scfg)
			var a tls.AlertError
			if !errors.As(o.clientErr, &a) || a != tls.AlertUnknownCA || o.client.DidResume {
				t.Fatalf("client with other roots: error %v, resumed %v; want unknown_ca from a full handshake", o.clientErr, o.client.DidResume)
			}
			if d := declines(); len(d) != 1 {
				t.Fatalf("client with other roots declined %q, want once", d)
			}
		})
	}
}

// A client does not offer a session whose server certificate has expired,
// even with InsecureSkipVerify, nor one made for another server name.
func TestClientSkipsExpiredAndMisnamedSessions(t *testing.T) {
	for _, way := range resumeWays {
		t.Run(way.name, func(t *testing.T) {
			ca, err := testpki.NewCA("Expiry Root", testpki.ECDSAP256)
			if err != nil {
				t.Fatal(err)
			}
			leaf, err := ca.Issue(testpki.LeafOptions{Names: []string{"localhost", "other.test"}, NotAfter: time.Now().Add(time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			serverClock, clientClock := newTrustClock(), newTrustClock()
			scfg := way.server(&tls.Config{Certificates: []tls.Certificate{keyPair(t, leaf)}, Time: serverClock.Now})
			cache := &rsCache{inner: tls.NewLRUClientSessionCache(4)}
			ccfg := &tls.Config{InsecureSkipVerify: true, ServerName: "localhost", ClientSessionCache: cache, Time: clientClock.Now}
			connectTrust(t, ccfg, scfg).mustConnect(t, "first", false)
			connectTrust(t, ccfg, scfg).mustConnect(t, "second", true)

			// A cache that hands out the last session whatever the name.
			cache.anyName = true
			named := ccfg.Clone()
			named.ServerName = "other.test"
			declines := clientDeclines(named)
			connectTrust(t, named, scfg).mustConnect(t, "another name", false)
			if d := declines(); len(d) != 1 || !strings.Contains(d[0], "other.test") {
				t.Fatalf("client declined %q, want once for the server name", d)
			}
			cache.anyName = false

			clientClock.Advance(2 * time.Hour)
			declines = clientDeclines(ccfg)
			connectTrust(t, ccfg, scfg).mustConnect(t, "after the server certificate expired", false)
			if d := declines(); len(d) != 1 || !strings.Contains(d[0], "expired") {
				t.Fatalf("client declined %q, want once for the expired certificate", d)
			}
		})
	}
}

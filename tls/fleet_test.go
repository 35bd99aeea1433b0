package tls_test

// Servers of one fleet sharing a SessionStore (RFC 8446 §8, RFC 5077,
// RFC 5246 §7.4.1.2): a session from one resumes on another, which says
// who issued it; a 0-RTT replay to another server is refused; a store that
// fails costs resumption and early data, never the handshake. The store
// here is in memory; tls/redisstore's tests run the same against Redis.

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"lucid/internal/testpki"
	"lucid/internal/teststore"
	"lucid/internal/testwait"
	"lucid/tls"
)

// fleetServer is one server of a fleet: its own Config, the fleet's store.
func fleetServer(t *testing.T, f *lucidFixture, store tls.SessionStore, id string, log *eventLog) *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{f.lucidCert(t)}, SessionStore: store, ServerID: id, Observer: log.add}
}

// decisions returns the details of the named decision events.
func decisions(l *eventLog, name string) string {
	var out []string
	for _, e := range l.snapshot() {
		if e.Kind == tls.EventDecision && e.Name == name {
			out = append(out, e.Detail)
		}
	}
	return strings.Join(out, "\n")
}

func TestFleetResumesOnAnotherServer(t *testing.T) {
	f := newLucidFixture(t, "ecdsa-p256")
	for _, m := range resumeWays {
		t.Run(m.name, func(t *testing.T) {
			store := teststore.New()
			var la, lb eventLog
			a, b := fleetServer(t, f, store, "edge-a", &la), fleetServer(t, f, store, "edge-b", &lb)
			m.server(a)
			m.server(b)
			client := &tls.Config{RootCAs: f.ca.Pool, ServerName: "localhost", MaxVersion: m.version,
				ClientSessionCache: tls.NewLRUClientSessionCache(4)}

			_, first := shapeRun(t, client, a)
			if first.DidResume {
				t.Fatal("the first connection resumed")
			}
			cs, ss := shapeRun(t, client, b)
			if !cs.DidResume || !ss.DidResume {
				t.Fatalf("server B did not resume A's session (client %v, server %v); B's decisions:\n%s",
					cs.DidResume, ss.DidResume, decisions(&lb, "resumption"))
			}
			if ss.SessionIssuer != "edge-a" || !ss.SessionFromStore {
				t.Errorf("B reports issuer %q, from store %v; want edge-a, true", ss.SessionIssuer, ss.SessionFromStore)
			}
			if d := decisions(&lb, "resumption"); !strings.Contains(d, `issued by "edge-a", through the fleet's shared session store`) {
				t.Errorf("B's resumption decision does not say where the session came from:\n%s", d)
			}
			store.Mu.Lock()
			puts := store.Puts
			store.Mu.Unlock()
			if !m.tickets != (puts > 0) {
				t.Errorf("%d sessions put in the store; want some only for session IDs", puts)
			}
			// And back: the session B issued resumes on A. A resumed
			// TLS 1.2 session ID names the same session as before, so
			// its issuer is still A; a ticket was new, from B.
			want := "edge-b"
			if !m.tickets {
				want = "edge-a"
			}
			if _, ss := shapeRun(t, client, a); !ss.DidResume || ss.SessionIssuer != want {
				t.Errorf("A resumed %v a session issued by %q; want true, %s", ss.DidResume, ss.SessionIssuer, want)
			}
		})
	}
}

// Without the store's keys a server still completes full handshakes, and
// says why it issued no ticket; when the store comes back, so does
// resumption.
func TestFleetStoreDown(t *testing.T) {
	f := newLucidFixture(t, "ecdsa-p256")
	for _, m := range resumeWays {
		t.Run(m.name, func(t *testing.T) {
			store := teststore.New()
			var l eventLog
			srv := fleetServer(t, f, store, "edge-a", &l)
			m.server(srv)
			cache := tls.NewLRUClientSessionCache(4)
			client := &tls.Config{RootCAs: f.ca.Pool, ServerName: "localhost", MaxVersion: m.version, ClientSessionCache: cache}

			store.SetDown(true)
			shapeRun(t, client, srv)
			if _, ss := shapeRun(t, client, srv); ss.DidResume {
				t.Fatal("resumed while the store was down")
			}
			if d := decisions(&l, "session_store"); !strings.Contains(d, "teststore: down") {
				t.Errorf("no session_store decision names the failure:\n%s", d)
			}

			store.SetDown(false)
			shapeRun(t, client, srv)
			if _, ss := shapeRun(t, client, srv); !ss.DidResume {
				t.Error("did not resume once the store was back")
			}
		})
	}
}

// A TLS 1.2 session the store hands back under another session ID, or
// too long, is not resumed.
func TestFleetStoredSessionChecks(t *testing.T) {
	f := newLucidFixture(t, "ecdsa-p256")
	store := teststore.New()
	var l eventLog
	srv := fleetServer(t, f, store, "edge-a", &l)
	srv.SessionTicketsDisabled = true
	client := func() *tls.Config {
		return &tls.Config{RootCAs: f.ca.Pool, ServerName: "localhost", MaxVersion: tls.VersionTLS12,
			ClientSessionCache: tls.NewLRUClientSessionCache(4)}
	}
	c1, c2 := client(), client()
	shapeRun(t, c1, srv)
	shapeRun(t, c2, srv)
	store.Mu.Lock()
	if len(store.Sessions) != 2 {
		store.Mu.Unlock()
		t.Fatalf("%d sessions stored, want 2", len(store.Sessions))
	}
	var ids []string
	for id := range store.Sessions {
		ids = append(ids, id)
	}
	store.Sessions[ids[0]], store.Sessions[ids[1]] = store.Sessions[ids[1]], store.Sessions[ids[0]]
	store.Mu.Unlock()
	for i, c := range []*tls.Config{c1, c2} {
		if _, ss := shapeRun(t, c, srv); ss.DidResume {
			t.Errorf("client %d resumed the session stored under the other's ID", i+1)
		}
	}

	c3 := client()
	shapeRun(t, c3, srv)
	store.Mu.Lock()
	store.Oversize = true
	store.Mu.Unlock()
	if _, ss := shapeRun(t, c3, srv); ss.DidResume {
		t.Error("resumed from an oversized store answer")
	}
	if d := decisions(&l, "session_store"); !strings.Contains(d, "more than 65535") {
		t.Errorf("the oversized answer is not reported:\n%s", d)
	}
}

// A client that offers TLS 1.3 sends a random legacy_session_id, which a
// server speaking TLS 1.2 would take for a session to look up: a fleet
// server sees from its tag that it never issued it and asks the store
// nothing. Its own IDs are looked up.
func TestFleetLooksUpOnlyItsSessionIDs(t *testing.T) {
	f := newLucidFixture(t, "ecdsa-p256")
	store := teststore.New()
	var l eventLog
	srv := fleetServer(t, f, store, "edge-a", &l)
	srv.MaxVersion, srv.SessionTicketsDisabled = tls.VersionTLS12, true
	for range 3 {
		cs, _ := shapeRun(t, &tls.Config{RootCAs: f.ca.Pool, ServerName: "localhost"}, srv)
		if cs.Version != tls.VersionTLS12 {
			t.Fatalf("negotiated %s", tls.VersionName(cs.Version))
		}
	}
	store.Mu.Lock()
	gets, puts := store.Gets, store.Puts
	store.Mu.Unlock()
	if gets != 0 || puts != 3 {
		t.Fatalf("%d lookups and %d sessions stored for 3 clients offering random session IDs; want 0 and 3", gets, puts)
	}
	client := &tls.Config{RootCAs: f.ca.Pool, ServerName: "localhost", ClientSessionCache: tls.NewLRUClientSessionCache(4)}
	shapeRun(t, client, srv)
	if _, ss := shapeRun(t, client, srv); !ss.DidResume {
		t.Fatal("the fleet's own session ID did not resume")
	}
	store.Mu.Lock()
	defer store.Mu.Unlock()
	if store.Gets != 1 {
		t.Errorf("%d lookups for one resumption, want 1", store.Gets)
	}
}

// A first flight with early data accepted by one server of the fleet,
// replayed to another, is refused there by the shared guard; with the
// store down, early data is refused (fail closed) while the handshake goes
// on in 1-RTT.
func TestFleetEarlyDataReplayToAnotherServer(t *testing.T) {
	store := teststore.New()
	ed := newEDFixture(t, 1024)
	ed.server.SessionStore, ed.server.ServerID = store, "edge-a"
	ed.run(t, "first", "x")
	flight := acceptedFlight(t, ed)

	var lb eventLog
	b := &tls.Config{Certificates: ed.server.Certificates, MaxEarlyData: 1024, SessionStore: store, ServerID: "edge-b", Observer: lb.add}
	c2, s2 := pair(t)
	server2 := tls.Server(s2, b)
	replayed := make(chan string, 1)
	go func() {
		buf := make([]byte, 100)
		n, _ := server2.Read(buf)
		replayed <- string(buf[:n])
	}()
	if _, err := c2.Write(flight); err != nil {
		t.Fatal(err)
	}
	hdr := make([]byte, 5)
	if _, err := io.ReadFull(c2, hdr); err != nil || hdr[0] != 22 {
		t.Fatalf("B's answer to the replay starts %x, %v; want a handshake record", hdr, err)
	}
	c2.Close()
	if g := testwait.Recv(t, replayed, "server B to give up on the replay"); g != "" {
		t.Fatalf("server B delivered the replayed early data %q", g)
	}
	if d := decisions(&lb, "early_data"); !strings.Contains(d, "rejected 0-RTT data: replay") {
		t.Errorf("B's early_data decisions:\n%s", d)
	}
	if d := decisions(&lb, "resumption"); !strings.Contains(d, `issued by "edge-a"`) {
		t.Errorf("B's resumption decisions:\n%s", d)
	}

	// The guard unreachable: early data is refused, the data still
	// arrives after the handshake.
	ed.run(t, "warm", "x") // a fresh ticket in the client's cache
	store.Mu.Lock()
	store.Admitted = map[string]bool{}
	store.Mu.Unlock()
	guardDown := &guardOnlyDown{Store: store}
	ed.server.SessionStore = guardDown
	r := ed.run(t, "hello", "x")
	if r.server.EarlyData.Accepted || !r.server.DidResume {
		t.Errorf("with the guard down: early data accepted %v, resumed %v; want false, true", r.server.EarlyData.Accepted, r.server.DidResume)
	}
	checkChunks(t, r.chunks, "", "hellox")
}

// guardOnlyDown is a store whose anti-replay guard does not answer.
type guardOnlyDown struct{ *teststore.Store }

func (g *guardOnlyDown) Admit(ctx context.Context, id []byte, now, until time.Time) error {
	return teststore.ErrDown
}

// A ServerID longer than a session can record is refused at the
// handshake, not silently dropped from every ticket.
func TestFleetServerIDTooLong(t *testing.T) {
	f := newLucidFixture(t, "ecdsa-p256")
	srv := &tls.Config{Certificates: []tls.Certificate{f.lucidCert(t)}, ServerID: strings.Repeat("x", 65)}
	c, s := pair(t)
	defer c.Close()
	go tls.Client(c, &tls.Config{RootCAs: f.ca.Pool, ServerName: "localhost"}).Handshake()
	err := tls.Server(s, srv).Handshake()
	if err == nil || !strings.Contains(err.Error(), "ServerID") {
		t.Fatalf("handshake with a 65-byte ServerID: %v", err)
	}
}

// A fleet shares sessions, never trust: a session whose client
// certificate server A verified is checked again by server B against B's
// own ClientCAs, which do not include A's CA, and declined; B's full
// handshake then gets no certificate it could accept.
func TestFleetSharesNoTrust(t *testing.T) {
	for _, way := range resumeWays {
		t.Run(way.name, func(t *testing.T) {
			r := newTrustRig(t, time.Now().AddDate(0, 1, 0))
			other, err := testpki.NewCA("Another Root", testpki.ECDSAP256)
			if err != nil {
				t.Fatal(err)
			}
			store := teststore.New()
			var lb eventLog
			a := way.server(r.serverConfig(t))
			b := way.server(r.serverConfig(t))
			a.SessionStore, a.ServerID = store, "edge-a"
			b.SessionStore, b.ServerID, b.ClientCAs, b.Observer = store, "edge-b", other.Pool, lb.add
			ccfg := r.clientConfig(t, tls.NewLRUClientSessionCache(4), true)

			connectTrust(t, ccfg, a).mustConnect(t, "full handshake with A", false)
			connectTrust(t, ccfg, a).mustConnect(t, "resumption on A", true)
			// B names its own CA in CertificateRequest, so the client,
			// whose certificate is from another, sends none.
			o := connectTrust(t, ccfg, b)
			if o.server.DidResume || o.serverErr == nil || !strings.Contains(o.serverErr.Error(), "sent no certificate") {
				t.Fatalf("B resumed %v, server error %v; want a refused full handshake", o.server.DidResume, o.serverErr)
			}
			declined := false
			for _, e := range lb.snapshot() {
				declined = declined || e.Kind == tls.EventCheck && e.Name == "session" && e.Err != nil
			}
			if !declined {
				t.Error("B's events do not show the session declined")
			}
		})
	}
}

package tls_test

// 0-RTT between Lucid client and server (RFC 8446 §2.3, §4.2.10, §8): data
// accepted and told apart from 1-RTT data, rejected for each reason the
// client or server can see, re-sent or reported as the client chose, never
// offered after a HelloRetryRequest, and a replayed first flight refused
// by the server's guard.

import (
	"bytes"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"

	"lucid/internal/testwait"
	"lucid/tls"
)

// edChunk is what one server Read returned, and whether the server was
// in early data when it returned.
type edChunk struct {
	data  string
	early bool
}

// edResult is what one connection of an early-data test saw.
type edResult struct {
	client, server tls.ConnectionState
	chunks         []edChunk
	writeN         int
	writeErr       error
}

// edFixture is a server Config and a client Config that resume each
// other's sessions, with a record of the server's early_data decisions.
type edFixture struct {
	server, client *tls.Config
	mu             sync.Mutex
	decisions      []string
	// readFrom has the client send its first message through ReadFrom
	// rather than Write.
	readFrom bool
}

func newEDFixture(t *testing.T, maxEarly uint32) *edFixture {
	f := newLucidFixture(t, "ecdsa-p256")
	ed := &edFixture{}
	ed.server = &tls.Config{Certificates: []tls.Certificate{f.lucidCert(t)}, MaxEarlyData: maxEarly,
		Observer: func(e tls.Event) {
			if e.Kind == tls.EventDecision && e.Name == "early_data" {
				ed.mu.Lock()
				ed.decisions = append(ed.decisions, e.Detail)
				ed.mu.Unlock()
			}
		}}
	ed.client = &tls.Config{RootCAs: f.ca.Pool, ServerName: "localhost", ClientSessionCache: tls.NewLRUClientSessionCache(4), SendEarlyData: true}
	return ed
}

func (ed *edFixture) decided() string {
	ed.mu.Lock()
	defer ed.mu.Unlock()
	return strings.Join(ed.decisions, "\n")
}

// run makes one connection: the client writes first (its one chance of
// early data), then after the server's answer writes second; the server
// reads both, noting which reads were early data, and answers each.
func (ed *edFixture) run(t *testing.T, first, second string) edResult {
	t.Helper()
	c, s := pair(t)
	server := tls.Server(s, ed.server)
	client := tls.Client(c, ed.client)
	type serverSide struct {
		chunks []edChunk
		state  tls.ConnectionState
		err    error
	}
	done := make(chan serverSide, 1)
	go func() {
		var out serverSide
		defer func() { done <- out }()
		if out.err = server.Handshake(); out.err != nil {
			return
		}
		for _, want := range []int{len(first), len(second)} {
			got := 0
			for got < want {
				b := make([]byte, 64<<10)
				n, err := server.Read(b)
				if n > 0 {
					out.chunks = append(out.chunks, edChunk{string(b[:n]), server.InEarlyData()})
				}
				if err != nil {
					out.err = err
					return
				}
				got += n
			}
			if _, out.err = server.Write([]byte("ok")); out.err != nil {
				return
			}
		}
		out.state = server.ConnectionState()
		server.Close()
	}()
	var r edResult
	if ed.readFrom {
		var n int64
		n, r.writeErr = client.ReadFrom(strings.NewReader(first))
		r.writeN = int(n)
	} else {
		r.writeN, r.writeErr = client.Write([]byte(first))
	}
	if errors.Is(r.writeErr, tls.ErrEarlyDataRejected) {
		// The application sends it again itself, after the handshake.
		if _, err := client.Write([]byte(first)); err != nil {
			t.Fatalf("client write after ErrEarlyDataRejected: %v", err)
		}
	} else if r.writeErr != nil {
		t.Fatalf("client's first write: %v", r.writeErr)
	}
	for _, msg := range []string{"", second} {
		if msg != "" {
			if _, err := client.Write([]byte(msg)); err != nil {
				t.Fatalf("client's second write: %v", err)
			}
		}
		ok := make([]byte, 2)
		if _, err := io.ReadFull(client, ok); err != nil || string(ok) != "ok" {
			t.Fatalf("client read %q, %v", ok, err)
		}
	}
	r.client = client.ConnectionState()
	out := testwait.Recv(t, done, "the server to read both messages")
	client.Close()
	if out.err != nil {
		t.Fatalf("server: %v", out.err)
	}
	r.server, r.chunks = out.state, out.chunks
	return r
}

// checkChunks checks that the server read want as early data first and
// the rest as 1-RTT data, no Read mixing the two.
func checkChunks(t *testing.T, chunks []edChunk, early, late string) {
	t.Helper()
	var gotEarly, gotLate strings.Builder
	for i, c := range chunks {
		if c.early {
			if gotLate.Len() > 0 {
				t.Errorf("read %d is early data after 1-RTT data", i)
			}
			gotEarly.WriteString(c.data)
		} else {
			gotLate.WriteString(c.data)
		}
	}
	if gotEarly.String() != early {
		t.Errorf("server read %q as early data, want %q", gotEarly.String(), early)
	}
	if gotLate.String() != late {
		t.Errorf("server read %q as 1-RTT data, want %q", gotLate.String(), late)
	}
}

func TestEarlyDataAccepted(t *testing.T) {
	ed := newEDFixture(t, 1024)
	r := ed.run(t, "GET / first", "then")
	if r.client.EarlyData.Offered || r.client.EarlyData.Reason != tls.EarlyDataNoSession {
		t.Fatalf("first connection: client early data %+v, want not offered for want of a session", r.client.EarlyData)
	}
	checkChunks(t, r.chunks, "", "GET / firstthen")

	var clientLog, serverLog bytes.Buffer
	ed.client.KeyLogWriter, ed.server.KeyLogWriter = &clientLog, &serverLog
	r = ed.run(t, "GET / early", "late")
	for name, log := range map[string]string{"client": clientLog.String(), "server": serverLog.String()} {
		if !strings.Contains(log, "CLIENT_EARLY_TRAFFIC_SECRET ") {
			t.Errorf("the %s's key log has no CLIENT_EARLY_TRAFFIC_SECRET:\n%s", name, log)
		}
	}
	if a, b := earlyLine(clientLog.String()), earlyLine(serverLog.String()); a == "" || a != b {
		t.Errorf("the two sides log different early secrets:\n%s\n%s", a, b)
	}
	if !r.client.DidResume || !r.client.EarlyData.Accepted || r.client.EarlyData.Reason != "" {
		t.Fatalf("client: resumed %v, early data %+v", r.client.DidResume, r.client.EarlyData)
	}
	if !r.server.EarlyData.Accepted || !r.server.HandshakeComplete {
		t.Fatalf("server: early data %+v, complete %v", r.server.EarlyData, r.server.HandshakeComplete)
	}
	if r.writeN != len("GET / early") {
		t.Errorf("first write reported %d bytes", r.writeN)
	}
	checkChunks(t, r.chunks, "GET / early", "late")
	for name, st := range map[string]tls.ConnectionState{"client": r.client, "server": r.server} {
		if st.Shape != tls.ShapeTLS13PSKEarlyData {
			t.Errorf("%s shape %s, want %s", name, st.Shape, tls.ShapeTLS13PSKEarlyData)
		}
	}
	if !strings.Contains(ed.decided(), "accepted up to 1024 bytes") {
		t.Errorf("server decisions:\n%s", ed.decided())
	}
}

// A first write longer than the ticket allows goes partly as early data,
// the rest after the handshake, in order.
func TestEarlyDataBeyondTheLimit(t *testing.T) {
	ed := newEDFixture(t, 100)
	ed.run(t, "hello", "x")
	long := strings.Repeat("0123456789", 30)
	r := ed.run(t, long, "x")
	if !r.server.EarlyData.Accepted || r.writeN != len(long) {
		t.Fatalf("early data %+v, write %d", r.server.EarlyData, r.writeN)
	}
	checkChunks(t, r.chunks, long[:100], long[100:]+"x")
}

func TestEarlyDataRejected(t *testing.T) {
	for _, tc := range []struct {
		name string
		// change alters the Configs between the connection that gets
		// the ticket and the one that resumes it.
		change                   func(ed *edFixture)
		report                   bool
		fullHandshake            bool // the session is not resumed
		clientReason, srvReason  string
		clientOffers, serverSees bool
	}{
		{name: "ticket forbids", change: func(ed *edFixture) {}, clientReason: tls.EarlyDataTicketForbids, srvReason: tls.EarlyDataNotOffered},
		{name: "alpn mismatch, client side", change: func(ed *edFixture) {
			ed.client.NextProtos = []string{"http/1.1", "h2"}
		}, clientReason: tls.EarlyDataALPNMismatch, srvReason: tls.EarlyDataNotOffered},
		{name: "alpn mismatch, server side", change: func(ed *edFixture) {
			ed.server.NextProtos = []string{"http/1.1", "h2"}
			ed.client.NextProtos = []string{"h2", "http/1.1"}
		}, clientOffers: true, clientReason: tls.EarlyDataPeerDeclined, srvReason: tls.EarlyDataALPNMismatch},
		{name: "alpn mismatch, reported", report: true, change: func(ed *edFixture) {
			ed.server.NextProtos = []string{"http/1.1", "h2"}
			ed.client.NextProtos = []string{"h2", "http/1.1"}
		}, clientOffers: true, clientReason: tls.EarlyDataPeerDeclined, srvReason: tls.EarlyDataALPNMismatch},
		{name: "disabled on the server", change: func(ed *edFixture) {
			ed.server.MaxEarlyData = 0
		}, clientOffers: true, clientReason: tls.EarlyDataPeerDeclined, srvReason: tls.EarlyDataDisabled},
		{name: "client asked for certificates", change: func(ed *edFixture) {
			ed.server.ClientAuth = tls.RequestClientCert
		}, clientOffers: true, clientReason: tls.EarlyDataPeerDeclined, srvReason: tls.EarlyDataClientAuth},
		{name: "server declines the session", change: func(ed *edFixture) {
			// New ticket keys: the old ticket no longer opens, so the
			// server runs a full handshake and reads no early data.
			if err := ed.server.SetSessionTicketKeys([][32]byte{{1}}); err != nil {
				panic(err)
			}
		}, fullHandshake: true, clientOffers: true, clientReason: tls.EarlyDataNoSession, srvReason: tls.EarlyDataNoSession},
		{name: "server declines the session, reported", report: true, change: func(ed *edFixture) {
			if err := ed.server.SetSessionTicketKeys([][32]byte{{2}}); err != nil {
				panic(err)
			}
		}, fullHandshake: true, clientOffers: true, clientReason: tls.EarlyDataNoSession, srvReason: tls.EarlyDataNoSession},
		{name: "hello retry request", change: func(ed *edFixture) {
			ed.server.CurvePreferences = []tls.CurveID{tls.CurveP384}
		}, clientOffers: true, clientReason: tls.EarlyDataHelloRetryRequest, srvReason: tls.EarlyDataHelloRetryRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			max := uint32(512)
			if tc.name == "ticket forbids" {
				max = 0
			}
			ed := newEDFixture(t, max)
			if tc.name != "ticket forbids" {
				ed.server.NextProtos = []string{"h2"}
				ed.client.NextProtos = []string{"h2"}
			}
			ed.run(t, "first", "x")
			if tc.name == "ticket forbids" {
				ed.server.MaxEarlyData = 512
			}
			tc.change(ed)
			ed.client.ReportRejectedEarlyData = tc.report
			r := ed.run(t, "GET /", "x")
			for name, st := range map[string]tls.EarlyDataState{"client": r.client.EarlyData, "server": r.server.EarlyData} {
				if st.Accepted {
					t.Errorf("%s: early data accepted", name)
				}
				if st.Offered != tc.clientOffers {
					t.Errorf("%s: offered %v, want %v", name, st.Offered, tc.clientOffers)
				}
			}
			if r.client.EarlyData.Reason != tc.clientReason || r.server.EarlyData.Reason != tc.srvReason {
				t.Errorf("reasons: client %q, server %q; want %q, %q", r.client.EarlyData.Reason, r.server.EarlyData.Reason, tc.clientReason, tc.srvReason)
			}
			switch {
			case tc.report && tc.clientOffers:
				if !errors.Is(r.writeErr, tls.ErrEarlyDataRejected) || r.writeN != 0 {
					t.Errorf("reported rejection: write %d, %v", r.writeN, r.writeErr)
				}
			default:
				if r.writeErr != nil || r.writeN != len("GET /") {
					t.Errorf("write %d, %v", r.writeN, r.writeErr)
				}
			}
			// Re-sent (by Lucid or the application): read once, in 1-RTT.
			checkChunks(t, r.chunks, "", "GET /x")
			if r.client.DidResume == tc.fullHandshake || !r.client.HandshakeComplete {
				t.Errorf("client resumed %v, complete %v", r.client.DidResume, r.client.HandshakeComplete)
			}
			if tc.fullHandshake && (r.client.Shape != tls.ShapeTLS13Full || r.server.Shape != tls.ShapeTLS13Full) {
				t.Errorf("shapes: client %v, server %v; want %v", r.client.Shape, r.server.Shape, tls.ShapeTLS13Full)
			}
		})
	}
}

// recordingConn keeps what the client writes until it first reads: its
// first flight, ClientHello and early data together.
type recordingConn struct {
	net.Conn
	mu      sync.Mutex
	flight  bytes.Buffer
	reading bool
}

func (r *recordingConn) Write(b []byte) (int, error) {
	r.mu.Lock()
	if !r.reading {
		r.flight.Write(b)
	}
	r.mu.Unlock()
	return r.Conn.Write(b)
}

func (r *recordingConn) Read(b []byte) (int, error) {
	r.mu.Lock()
	r.reading = true
	r.mu.Unlock()
	return r.Conn.Read(b)
}

// An attacker who captured a client's first flight sends it again on a
// new connection: the guard refuses the early data, the server goes on
// in 1-RTT (it answers with its flight), and the early bytes are never
// delivered to the application.
// acceptedFlight makes one connection whose early data ("POST /pay") the
// server reads, and returns the client's first flight as the wire carried
// it: ClientHello and early data, for a replay.
func acceptedFlight(t *testing.T, ed *edFixture) []byte {
	t.Helper()
	c, s := pair(t)
	rec := &recordingConn{Conn: c}
	server := tls.Server(s, ed.server)
	client := tls.Client(rec, ed.client)
	got := make(chan string, 1)
	go func() {
		b := make([]byte, 100)
		n, _ := server.Read(b)
		got <- string(b[:n])
		server.Close()
	}()
	if _, err := client.Write([]byte("POST /pay")); err != nil {
		t.Fatal(err)
	}
	if g := testwait.Recv(t, got, "the original early data"); g != "POST /pay" {
		t.Fatalf("server read %q", g)
	}
	client.Close()
	rec.mu.Lock()
	flight := bytes.Clone(rec.flight.Bytes())
	rec.mu.Unlock()
	return flight
}

func TestEarlyDataReplayRefused(t *testing.T) {
	ed := newEDFixture(t, 1024)
	ed.run(t, "first", "x")

	flight := acceptedFlight(t, ed)

	c2, s2 := pair(t)
	server2 := tls.Server(s2, ed.server)
	type readResult struct {
		data string
		err  error
	}
	replayed := make(chan readResult, 1)
	go func() {
		b := make([]byte, 100)
		n, err := server2.Read(b)
		replayed <- readResult{string(b[:n]), err}
	}()
	if _, err := c2.Write(flight); err != nil {
		t.Fatal(err)
	}
	// The server answers with its whole flight, as in any 1-RTT
	// resumption; the attacker, without the keys, can only hang up.
	hdr := make([]byte, 5)
	if _, err := io.ReadFull(c2, hdr); err != nil || hdr[0] != 22 {
		t.Fatalf("server's answer to the replay starts %x, %v; want a handshake record", hdr, err)
	}
	c2.Close()
	res := testwait.Recv(t, replayed, "the server to give up on the replay")
	if res.data != "" || res.err == nil {
		t.Fatalf("the replayed early data reached the application: %q, %v", res.data, res.err)
	}
	if d := ed.decided(); !strings.Contains(d, "rejected 0-RTT data: replay") {
		t.Errorf("server decisions:\n%s", d)
	}
}

// A Config and its Clone resume each other's tickets, so the early data
// one accepted is a replay to the other.
func TestEarlyDataReplayAcrossClones(t *testing.T) {
	ed := newEDFixture(t, 1024)
	ed.run(t, "first", "x")
	clone := ed.server.Clone()

	flight := acceptedFlight(t, ed)

	c2, s2 := pair(t)
	var mu sync.Mutex
	var reasons []string
	clone.Observer = func(e tls.Event) {
		if e.Kind == tls.EventDecision && e.Name == "early_data" {
			mu.Lock()
			reasons = append(reasons, e.Detail)
			mu.Unlock()
		}
	}
	server2 := tls.Server(s2, clone)
	replayed := make(chan string, 1)
	go func() {
		b := make([]byte, 100)
		n, _ := server2.Read(b)
		replayed <- string(b[:n])
	}()
	if _, err := c2.Write(flight); err != nil {
		t.Fatal(err)
	}
	hdr := make([]byte, 5)
	if _, err := io.ReadFull(c2, hdr); err != nil {
		t.Fatal(err)
	}
	c2.Close()
	if g := testwait.Recv(t, replayed, "the clone to give up on the replay"); g != "" {
		t.Fatalf("the clone delivered the replayed early data %q", g)
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(strings.Join(reasons, "\n"), "rejected 0-RTT data: replay") {
		t.Errorf("clone decisions: %q", reasons)
	}
}

func earlyLine(log string) string {
	for _, l := range strings.Split(log, "\n") {
		if strings.HasPrefix(l, "CLIENT_EARLY_TRAFFIC_SECRET ") {
			return l
		}
	}
	return ""
}

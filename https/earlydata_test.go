package https_test

// HTTP over 0-RTT (RFC 8470) between https.Transport and https.Server:
// a resumed GET is served from early data with Early-Data: 1, a POST in
// early data is answered 425 without running its handler and the client
// sends it again after the handshake, and the captured first flight,
// replayed on a new connection, does not run the handler again.

import (
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"lucid/https"
	"lucid/internal/testproxy"
	"lucid/internal/testwait"
	"lucid/tls"
)

// earlyServer is an https.Server accepting 0-RTT, with counts of what its
// handler ran and a record of the early_data decisions.
type earlyServer struct {
	srv       *https.Server
	addr      string
	mu        sync.Mutex
	runs      map[string]int // "METHOD path" -> handler runs
	early     map[string]int // of those, runs with Early-Data: 1
	complete  map[string]bool
	decisions []string
	release   func() // called when the server judged an early request
}

func newEarlyServer(t *testing.T, disableH2 bool) *earlyServer {
	f := getFixture(t)
	es := &earlyServer{runs: map[string]int{}, early: map[string]int{}, complete: map[string]bool{}}
	cfg := &tls.Config{Certificates: []tls.Certificate{f.server}, MaxEarlyData: 16384,
		Observer: func(e tls.Event) {
			if e.Kind == tls.EventDecision && e.Name == "early_data" {
				es.mu.Lock()
				es.decisions = append(es.decisions, e.Detail)
				es.mu.Unlock()
			}
		}}
	es.srv = &https.Server{TLSConfig: cfg, DisableHTTP2: disableH2,
		EarlyDataAllowed: func(r *http.Request) bool {
			es.mu.Lock()
			rel := es.release
			es.mu.Unlock()
			if rel != nil {
				defer rel()
			}
			return https.SafeEarlyRequest(r)
		},
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			key := r.Method + " " + r.URL.Path
			cs, _ := https.ConnectionState(r)
			es.mu.Lock()
			es.runs[key]++
			if r.Header.Get("Early-Data") == "1" {
				es.early[key]++
			}
			es.complete[key] = cs.HandshakeComplete && r.TLS != nil && r.TLS.HandshakeComplete
			es.mu.Unlock()
			if https.IsEarly(r) != (r.Header.Get("Early-Data") == "1") {
				http.Error(w, "IsEarly disagrees with the header", 500)
				return
			}
			io.WriteString(w, key)
		})}
	es.addr = start(t, es.srv)
	return es
}

func (es *earlyServer) count(key string) (runs, early int) {
	es.mu.Lock()
	defer es.mu.Unlock()
	return es.runs[key], es.early[key]
}

func (es *earlyServer) decided() string {
	es.mu.Lock()
	defer es.mu.Unlock()
	return strings.Join(es.decisions, " | ")
}

func TestEarlyDataHTTP(t *testing.T) {
	for _, tc := range []struct {
		name  string
		proto https.Protocol
	}{{"HTTP1", https.ProtocolHTTP1}, {"HTTP2", https.ProtocolHTTP2}, {"Auto", https.ProtocolAuto}} {
		t.Run(tc.name, func(t *testing.T) { testEarlyDataHTTP(t, tc.proto) })
	}
}

func testEarlyDataHTTP(t *testing.T, proto https.Protocol) {
	f := getFixture(t)
	es := newEarlyServer(t, false)
	proxy := testproxy.New(t, es.addr)
	cache := tls.NewLRUClientSessionCache(4)
	tr := &https.Transport{Protocol: proto,
		TLSConfig: &tls.Config{RootCAs: f.ca.Pool, ServerName: "localhost", ClientSessionCache: cache, SendEarlyData: true}}
	defer tr.CloseIdleConnections()
	base := "https://" + proxy.Addr()

	// A first connection makes the session; it carries no early data.
	var infos []https.ConnInfo
	var imu sync.Mutex
	trace := func(req *http.Request) *http.Request {
		return req.WithContext(https.TraceConnection(req.Context(), func(ci https.ConnInfo) {
			imu.Lock()
			infos = append(infos, ci)
			imu.Unlock()
		}))
	}
	if resp, body := get(t, tr, base+"/first"); resp.StatusCode != 200 || body != "GET /first" {
		t.Fatalf("first GET: %s %q", resp.Status, body)
	}
	ctx := testwait.Context(t)
	if !testwait.Until(ctx, func() bool { _, ok := cache.Get("localhost"); return ok }) {
		t.Fatal("no session ticket arrived")
	}
	tr.CloseIdleConnections()

	// A GET on a resumed connection goes out as early data and is served
	// before the handshake completes.
	es.mu.Lock()
	es.release = proxy.Hold(t)
	es.mu.Unlock()
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/read", nil)
	resp, err := tr.RoundTrip(trace(req))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "GET /read" {
		t.Fatalf("early GET: %s %q", resp.Status, body)
	}
	if runs, early := es.count("GET /read"); runs != 1 || early != 1 {
		t.Fatalf("early GET: handler ran %d times, %d with Early-Data: 1; want 1 and 1 (decisions: %s)", runs, early, es.decided())
	}
	imu.Lock()
	if len(infos) != 1 || !infos[0].Deferred || !infos[0].State.EarlyData.Accepted || !infos[0].State.DidResume {
		t.Fatalf("early GET: connection infos %+v", infos)
	}
	infos = nil
	imu.Unlock()
	flight := proxy.FirstFlight()

	// A POST in early data is refused with 425 before its handler runs,
	// and sent again after the handshake.
	tr.CloseIdleConnections()
	es.mu.Lock()
	es.release = proxy.Hold(t)
	es.mu.Unlock()
	req, _ = http.NewRequestWithContext(ctx, "POST", base+"/write", strings.NewReader("state change"))
	resp, err = tr.RoundTrip(trace(req))
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "POST /write" {
		t.Fatalf("early POST: %s %q", resp.Status, body)
	}
	es.mu.Lock()
	complete := es.complete["POST /write"]
	es.mu.Unlock()
	if runs, early := es.count("POST /write"); runs != 1 || early != 0 || !complete {
		t.Fatalf("early POST: handler ran %d times, %d early, handshake complete %v; want once, after the handshake", runs, early, complete)
	}
	imu.Lock()
	if len(infos) != 2 || !infos[0].State.EarlyData.Accepted || infos[0].EarlyRetry || !infos[1].EarlyRetry {
		t.Fatalf("early POST: connection infos %+v", infos)
	}
	imu.Unlock()

	// The GET's first flight, replayed on a new connection, is refused
	// by the guard: the handler does not run again.
	before := strings.Count(es.decided(), "rejected")
	c, err := net.Dial("tcp", es.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write(flight); err != nil {
		t.Fatal(err)
	}
	if !testwait.Until(ctx, func() bool { return strings.Count(es.decided(), "rejected") > before }) {
		t.Fatalf("no early_data decision for the replay: %s", es.decided())
	}
	if d := es.decided(); !strings.Contains(d, "replay") {
		t.Fatalf("the replay was not refused as one: %s", d)
	}
	t.Logf("decisions: %s", es.decided())
	if runs, _ := es.count("GET /read"); runs != 1 {
		t.Fatalf("after the replay the handler ran %d times, want 1", runs)
	}
}

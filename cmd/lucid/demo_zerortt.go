package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"lucid/internal/record"
	"lucid/internal/wire"
	"lucid/tls"
	"lucid/trace"
)

// The 0-RTT replay attack (RFC 8446 §8). Every other record of TLS is
// bound to its connection by keys both ends contributed to and by sequence
// numbers (attack B). Early data is not: its key comes from the resumed
// session's PSK and the ClientHello alone, so the client's first flight,
// sent again on a new connection, decrypts again. Only the server can
// refuse it, by remembering which ClientHellos it accepted early data
// from (Config.EarlyDataGuard). The demo counts how often its handler
// runs for the early request: once is the only right answer.

// demoMaxEarlyData is how much early data the demo's server accepts; its
// tickets carry the limit.
const demoMaxEarlyData = 16384

// zeroRTT is what the 0-RTT replay attack saw.
type zeroRTT struct {
	// accepted: the client's ConnectionState says the server accepted
	// its early data. early: the server read the request before the
	// client's Finished (Conn.InEarlyData). served is the request line
	// it answered.
	accepted, early bool
	served          string
	// flight is the client's first flight as the wiretap recorded it:
	// the ClientHello and the early data. answer is what the server sent
	// back to the replay.
	flight, answer []*tapRecord
	// acceptDecision is the server's early_data decision on the
	// client's own resumption; decision its decision on the replay,
	// such as "rejected 0-RTT data: replay; ...".
	acceptDecision, decision string
	// timeline is the server's events on the replayed connection as
	// trace.Timeline prints them, without the time column (it changes
	// from run to run).
	timeline []string
	// runs counts the handler's runs for requests on the resumed
	// connections: the client's one early request and its replay.
	runs int
	// replayErr is the server's error on the replayed connection.
	replayErr error
}

// flightConn notes how many bytes its client wrote before it first read:
// its first flight. A client sending early data writes the ClientHello and
// the early data, then waits for the server; that pause is what tells an
// attacker where the flight ends.
type flightConn struct {
	net.Conn
	mu      sync.Mutex
	written int
	flight  int // -1 until the first Read
}

func (c *flightConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	c.mu.Lock()
	if c.flight < 0 {
		c.written += n
	}
	c.mu.Unlock()
	return n, err
}

func (c *flightConn) Read(b []byte) (int, error) {
	c.mu.Lock()
	if c.flight < 0 {
		c.flight = c.written
	}
	c.mu.Unlock()
	return c.Conn.Read(b)
}

func (c *flightConn) flightLen() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.flight
}

// earlyServed is what the demo's server did on one connection.
type earlyServed struct {
	err     error
	request []byte
	early   bool // the request was read as early data
	state   tls.ConnectionState
}

// earlyServer accepts connections one at a time and answers one request
// on each, counting the handler's runs.
type earlyServer struct {
	ln   net.Listener
	runs atomic.Int32
}

// serve accepts the next connection, in a goroutine; observe, if set,
// receives that connection's events.
func (es *earlyServer) serve(observe func(tls.Event)) <-chan earlyServed {
	done := make(chan earlyServed, 1)
	go func() { done <- es.serveOne(observe) }()
	return done
}

func (es *earlyServer) serveOne(observe func(tls.Event)) (r earlyServed) {
	c, err := es.ln.Accept()
	if err != nil {
		return earlyServed{err: err}
	}
	tc := c.(*tls.Conn)
	defer tc.Close()
	if observe != nil {
		tc.SetObserver(observe)
	}
	tc.SetDeadline(time.Now().Add(demoTimeout))
	// With early data accepted, Handshake returns before the client's
	// Finished, and the request is read in early data.
	if r.err = tc.Handshake(); r.err != nil {
		return r
	}
	var raw bytes.Buffer
	req, err := http.ReadRequest(bufio.NewReader(io.TeeReader(tc, &raw)))
	r.request, r.early = raw.Bytes(), tc.InEarlyData()
	if err != nil {
		r.err = err
		return r
	}
	// The handler: the side effect a replay would repeat.
	es.runs.Add(1)
	body := fmt.Sprintf("Hello from Lucid: you asked for %s.\n", req.URL.Path)
	resp := "HTTP/1.1 200 OK\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		fmt.Sprintf("Content-Length: %d\r\n", len(body)) +
		"Connection: close\r\n\r\n" + body
	if _, r.err = io.WriteString(tc, resp); r.err != nil {
		return r
	}
	// Read on until the client hangs up, so that the client's Finished
	// is read and the state below is the completed handshake's.
	if _, err := tc.Read(make([]byte, 1)); err != nil && !errors.Is(err, io.EOF) {
		r.err = err
	}
	r.state = tc.ConnectionState()
	return r
}

// eventLog keeps one connection's events.
type eventLog struct {
	mu     sync.Mutex
	events []tls.Event
}

func (l *eventLog) observe(e tls.Event) {
	l.mu.Lock()
	l.events = append(l.events, e)
	l.mu.Unlock()
}

func (l *eventLog) all() []tls.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]tls.Event(nil), l.events...)
}

// timelineLines renders events as trace.Timeline does, without its time
// column.
func timelineLines(events []tls.Event) ([]string, error) {
	var b bytes.Buffer
	tl := trace.NewTimeline(&b, trace.TimelineOptions{})
	for _, e := range events {
		tl.Observe(e)
	}
	if err := tl.Err(); err != nil {
		return nil, err
	}
	// Each line starts with the time ("    0.123ms") and two spaces, or
	// as many spaces before a seed step's label.
	const timeCol = 13
	var out []string
	for _, l := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
		if len(l) > timeCol {
			l = l[timeCol:]
		}
		out = append(out, l)
	}
	return out, nil
}

// earlyDecision returns the detail of the early_data decision in events.
func earlyDecision(events []tls.Event) string {
	for _, e := range events {
		if e.Kind == tls.EventDecision && e.Name == "early_data" {
			return e.Detail
		}
	}
	return ""
}

// replay0rtt runs the 0-RTT replay: a full handshake that leaves the
// client a ticket allowing early data, a resumption that sends the request
// as early data through the wiretap, and the wiretap's replay of that
// first flight on a new connection.
func (s *story) replay0rtt() (*attack, error) {
	// 0-RTT exists only in TLS 1.3, and its suites are not
	// Config.CipherSuites' business, whatever --tls and --kx say.
	server := s.serverConfig(s.cert, tls.VersionTLS13)
	server.CipherSuites = nil
	server.MaxEarlyData = demoMaxEarlyData
	server.EarlyDataGuard = s.opts.earlyGuard
	client := s.clientConfig(nil, tls.VersionTLS13)
	client.CipherSuites = nil
	client.ClientSessionCache = tls.NewLRUClientSessionCache(1)
	client.SendEarlyData = true
	// Lucid sends no early data inside Encrypted Client Hello, so with
	// --ech this attack goes without it (the client sends GREASE).
	client.EncryptedClientHelloConfigList = nil

	ln, err := tls.Listen("tcp", "127.0.0.1:0", server)
	if err != nil {
		return nil, fmt.Errorf("starting the server: %w", err)
	}
	defer ln.Close()
	es := &earlyServer{ln: ln}
	z := &zeroRTT{}
	a := &attack{name: "replay0rtt", z: z, o: &outcome{serverAddr: ln.Addr().String()}}

	// 1. A full handshake, straight to the server: the ticket.
	done := es.serve(nil)
	err = earlyClient(ln.Addr().String(), client)
	r1 := <-done
	if err == nil {
		err = r1.err
	}
	if err != nil {
		a.problem = fmt.Errorf("the first, full connection failed: %w", err)
		return a, nil
	}
	es.runs.Store(0)

	// 2. The resumption, through the wiretap, with the request in 0-RTT.
	tap, err := startWiretap(ln.Addr().String(), tapForward)
	if err != nil {
		return nil, fmt.Errorf("starting the wiretap: %w", err)
	}
	a.o.tapAddr = tap.addr()
	tap.run()
	var accepting eventLog
	done = es.serve(accepting.observe)
	raw, err := net.DialTimeout("tcp", tap.addr(), demoTimeout)
	if err != nil {
		tap.close()
		ln.Close()
		<-done
		return nil, fmt.Errorf("connecting to the wiretap: %w", err)
	}
	fc := &flightConn{Conn: raw, flight: -1}
	tc := tls.Client(fc, client)
	tc.SetDeadline(time.Now().Add(demoTimeout))
	a.o.response, a.o.exchangeErr = clientExchange(tc)
	a.o.client = tc.ConnectionState()
	tc.Close()
	r2 := <-done
	tap.close()
	z.accepted = a.o.client.EarlyData.Accepted
	z.early, z.served = r2.early, firstLine(r2.request)
	z.acceptDecision = earlyDecision(accepting.all())
	a.o.request = r2.request
	recs, _ := tap.snapshot()
	z.flight = firstFlight(recs, fc.flightLen())
	switch {
	case a.o.exchangeErr != nil || r2.err != nil:
		a.problem = fmt.Errorf("the 0-RTT connection failed: client %v, server %v", a.o.exchangeErr, r2.err)
		return a, nil
	case !z.accepted:
		a.problem = fmt.Errorf("the server did not accept the client's early data (%s)", a.o.client.EarlyData.Reason)
		return a, nil
	case !z.early:
		a.problem = errors.New("the server did not read the request as early data")
		return a, nil
	case len(z.flight) < 2 || z.flight[0].typ != record.TypeHandshake || z.flight[len(z.flight)-1].typ != record.TypeApplicationData:
		a.problem = fmt.Errorf("the wiretap did not record a first flight of ClientHello and early data (%d records)", len(z.flight))
		return a, nil
	}
	if ch := parseClientHelloRecord(z.flight[0].raw); ch == nil || !ch.EarlyData {
		a.problem = errors.New("the first flight's ClientHello does not offer early data")
		return a, nil
	}

	// 3. The replay: the recorded flight, byte for byte, on a new
	// connection to the same server.
	var events eventLog
	done = es.serve(events.observe)
	z.answer, a.relayErr = replayFlight(ln.Addr().String(), z.flight)
	r3 := <-done
	z.replayErr = r3.err
	a.o.serverErr = r3.err
	z.runs = int(es.runs.Load())
	evs := events.all()
	z.decision = earlyDecision(evs)
	if z.timeline, err = timelineLines(evs); err != nil {
		return nil, fmt.Errorf("rendering the timeline: %w", err)
	}
	a.alert = alertName(r3.err)
	switch {
	case z.runs != 1:
		a.problem = fmt.Errorf("the handler ran %d times for the one request the client sent in 0-RTT: the replay was executed", z.runs)
	case len(r3.request) > 0:
		a.problem = fmt.Errorf("the server read %d bytes of the replayed early data", len(r3.request))
	case r3.err == nil:
		a.problem = errors.New("the server completed the replayed handshake")
	case !strings.HasPrefix(z.decision, "rejected 0-RTT data: "+tls.EarlyDataReplay+";"):
		a.problem = fmt.Errorf("the server's early_data decision on the replay was %q, want a rejection as a replay", z.decision)
	case len(z.answer) == 0 || z.answer[0].typ != record.TypeHandshake || z.answer[0].note != wire.MessageName(wire.TypeServerHello):
		a.problem = errors.New("the server did not go on with a ServerHello in 1-RTT")
	default:
		a.stopped = true
	}
	return a, nil
}

// earlyClient makes one connection straight to addr, sends the request
// and reads the response.
func earlyClient(addr string, cfg *tls.Config) error {
	raw, err := net.DialTimeout("tcp", addr, demoTimeout)
	if err != nil {
		return err
	}
	tc := tls.Client(raw, cfg)
	defer tc.Close()
	tc.SetDeadline(time.Now().Add(demoTimeout))
	_, err = clientExchange(tc)
	return err
}

// firstFlight returns the client's records that make up its first n bytes.
func firstFlight(recs []*tapRecord, n int) []*tapRecord {
	var out []*tapRecord
	sum := 0
	for _, r := range recs {
		if !r.fromClient {
			continue
		}
		if sum+len(r.raw) > n {
			break
		}
		sum += len(r.raw)
		out = append(out, r)
	}
	if sum != n {
		return nil
	}
	return out
}

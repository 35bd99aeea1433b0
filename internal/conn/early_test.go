package conn_test

import (
	"bytes"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"lucid/internal/alert"
	"lucid/internal/conn"
	"lucid/internal/handshake"
	"lucid/internal/record"
	"lucid/internal/session"
	"lucid/internal/version"
	"lucid/internal/wire"
)

// earlyClock is the time of every 0-RTT test and fuzz run: tickets made
// and offered at it are fresh whenever the test runs.
var earlyClock = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// onceGuard admits each id once, as tls.MemoryEarlyDataGuard does.
type onceGuard struct {
	mu   sync.Mutex
	seen map[string]bool
}

func (g *onceGuard) admit(id []byte, now, until time.Time) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.seen == nil {
		g.seen = map[string]bool{}
	}
	if g.seen[string(id)] {
		return handshake.ErrEarlyDataReplay
	}
	g.seen[string(id)] = true
	return nil
}

// earlyServer is a server configuration that issues tickets allowing
// maxEarly bytes of 0-RTT data, under a fixed ticket key and clock.
func earlyServer(t testing.TB, maxEarly uint32) *handshake.Config {
	_, scfg := configs(t, version.TLS13)
	sealer, err := session.NewSealer([]session.TicketKey{{1, 2, 3}})
	if err != nil {
		t.Fatal(err)
	}
	g := &onceGuard{}
	scfg.Tickets, scfg.MaxEarlyData, scfg.AdmitEarlyData = sealer, maxEarly, g.admit
	scfg.Now = func() time.Time { return earlyClock }
	return scfg
}

// earlySession runs a full handshake with scfg and returns the session
// the client learned from its ticket.
func earlySession(t testing.TB, scfg *handshake.Config) *handshake.ClientSession {
	ccfg, _ := configs(t, version.TLS13)
	ccfg.TicketsWanted = true
	ccfg.Now = scfg.Now
	var got *handshake.ClientSession
	ccfg.OnSession = func(cs *handshake.ClientSession) { got = cs }
	newPairWith(t, ccfg, scfg).mustRun()
	if got == nil {
		t.Fatal("the client learned no session")
	}
	return got
}

// earlyClient resumes cs and offers 0-RTT data.
func earlyClient(t testing.TB, cs *handshake.ClientSession) *handshake.Config {
	ccfg, _ := configs(t, version.TLS13)
	ccfg.Session, ccfg.SendEarlyData, ccfg.TicketsWanted = cs, true, true
	ccfg.Now = func() time.Time { return earlyClock }
	ccfg.VerifyPeer = nil
	return ccfg
}

// The server reads 0-RTT data before the handshake is done, as early data,
// and leaves early data with the client's Finished.
func TestEarlyDataInTheCore(t *testing.T) {
	scfg := earlyServer(t, 64)
	cs := earlySession(t, scfg)
	if cs.State.MaxEarlyData != 64 {
		t.Fatalf("the ticket allows %d bytes of early data, want 64", cs.State.MaxEarlyData)
	}
	p := newPairWith(t, earlyClient(t, cs), scfg)
	if room := p.client.EarlyDataRoom(); room != 64 {
		t.Fatalf("EarlyDataRoom = %d, want 64", room)
	}
	if n, err := p.client.WriteEarly(bytes.Repeat([]byte("e"), 100)); n != 64 || err != nil {
		t.Fatalf("WriteEarly took %d, %v; want the ticket's 64", n, err)
	}
	if n, err := p.client.WriteEarly([]byte("more")); n != 0 || err == nil {
		t.Fatalf("WriteEarly past the limit took %d, %v", n, err)
	}
	p.collect()
	if err := feed(p.server, &p.toServer); err != nil {
		t.Fatal(err)
	}
	if p.server.HandshakeDone() || !p.server.InEarlyData() || !p.server.ReadingEarlyData() {
		t.Fatalf("server: done %v, in early data %v", p.server.HandshakeDone(), p.server.InEarlyData())
	}
	if got := readAll(p.server); string(got) != string(bytes.Repeat([]byte("e"), 64)) {
		t.Fatalf("server read %q as early data", got)
	}
	// 0.5-RTT: the server may write before the client's Finished.
	p.write(p.server, []byte("half"))
	p.mustRun()
	if !p.server.HandshakeDone() || p.server.InEarlyData() {
		t.Fatalf("server after the client's Finished: done %v, in early data %v", p.server.HandshakeDone(), p.server.InEarlyData())
	}
	if got := readAll(p.client); string(got) != "half" {
		t.Fatalf("client read %q", got)
	}
	for name, c := range map[string]*conn.Core{"client": p.client, "server": p.server} {
		r := c.Result()
		if !r.EarlyData.Accepted || r.Shape != handshake.ShapeTLS13PSKEarlyData {
			t.Errorf("%s: early data %+v, shape %s", name, r.EarlyData, r.Shape)
		}
	}
}

// RFC 8446 §4.2.10: more early data than the ticket allows ends the
// connection with unexpected_message; the client here believes its ticket
// allows more than it does.
func TestEarlyDataOverTheLimit(t *testing.T) {
	scfg := earlyServer(t, 16)
	cs := earlySession(t, scfg)
	cs.State.MaxEarlyData = 1000
	p := newPairWith(t, earlyClient(t, cs), scfg)
	if _, err := p.client.WriteEarly(make([]byte, 17)); err != nil {
		t.Fatal(err)
	}
	p.collect()
	err := feed(p.server, &p.toServer)
	if alert.Of(err) != alert.UnexpectedMessage {
		t.Fatalf("server: %v, want unexpected_message", err)
	}
}

// EndOfEarlyData where none is expected, after the handshake, is
// unexpected_message.
func TestEndOfEarlyDataUnexpected(t *testing.T) {
	scfg := earlyServer(t, 16)
	cs := earlySession(t, scfg)
	p := newPairWith(t, earlyClient(t, cs), scfg)
	p.mustRun()
	if err := p.client.SealRecord(record.TypeHandshake, (&wire.EndOfEarlyData{}).Marshal()); err != nil {
		t.Fatal(err)
	}
	p.collect()
	if err := feed(p.server, &p.toServer); alert.Of(err) != alert.UnexpectedMessage {
		t.Fatalf("server: %v, want unexpected_message", err)
	}
}

// A replay of the same first flight: the guard refuses, the early data is
// skipped, and the server goes on in 1-RTT.
func TestEarlyDataReplayInTheCore(t *testing.T) {
	scfg := earlyServer(t, 64)
	cs := earlySession(t, scfg)
	p := newPairWith(t, earlyClient(t, cs), scfg)
	p.client.WriteEarly([]byte("pay once"))
	p.collect()
	flight := bytes.Clone(p.toServer)
	p.mustRun()
	if got := readAll(p.server); string(got) != "pay once" {
		t.Fatalf("server read %q", got)
	}

	s := conn.New(conn.Config{Engine: scfg})
	in := bytes.Clone(flight)
	if err := feed(s, &in); err != nil {
		t.Fatalf("the replay: %v", err)
	}
	r := s.Result()
	if r.EarlyData.Accepted || r.EarlyData.Reason != handshake.EarlyReplay || s.InEarlyData() {
		t.Fatalf("the replay's early data: %+v", r.EarlyData)
	}
	if len(readAll(s)) != 0 {
		t.Fatal("the replayed early data was delivered")
	}
	if !s.Pending() {
		t.Fatal("the server did not answer the replayed ClientHello with its flight")
	}
}

// earlyFlight is a client's whole stream for a 0-RTT resumption against a
// server made by earlyServer: its first flight with early data, and its
// EndOfEarlyData, Finished and 1-RTT data.
func earlyFlight(t testing.TB, scfg *handshake.Config, early []byte) (first, rest []byte) {
	cs := earlySession(t, scfg)
	p := newPairWith(t, earlyClient(t, cs), scfg)
	p.client.WriteEarly(early)
	p.collect()
	first = bytes.Clone(p.toServer)
	if err := feed(p.server, &p.toServer); err != nil {
		t.Fatal(err)
	}
	p.collect()
	if err := feed(p.client, &p.toClient); err != nil {
		t.Fatal(err)
	}
	p.write(p.client, []byte("late"))
	p.collect()
	return first, bytes.Clone(p.toServer)
}

// FuzzServerEarlyData feeds a server that accepts 0-RTT data a
// resumption's client stream with early data, cut, spliced, repeated and
// corrupted as the fuzzer likes: it must never panic, never read more early
// data than the ticket allows, never return early data once the client's
// Finished is in, and fail only with an alert.
func FuzzServerEarlyData(f *testing.F) {
	scfg := earlyServer(f, 64)
	first, rest := earlyFlight(f, scfg, []byte("GET / early"))
	f.Add(append(bytes.Clone(first), rest...), uint8(0))
	f.Add(bytes.Clone(first), uint8(7))
	// The first flight twice: a replay within the same stream.
	f.Add(append(bytes.Clone(first), first...), uint8(3))
	// The rest without the early data, and the early data after the rest.
	f.Add(append(bytes.Clone(rest), first...), uint8(1))
	full, _ := earlyFlight(f, scfg, bytes.Repeat([]byte("x"), 64))
	f.Add(full, uint8(63))
	f.Fuzz(func(t *testing.T, in []byte, piece uint8) {
		cfg := *scfg
		g := &onceGuard{}
		cfg.AdmitEarlyData = g.admit
		s := conn.New(conn.Config{Engine: &cfg})
		size := int(piece)%64 + 1
		early, afterDone := 0, false
		buf := make([]byte, 256)
		var err error
		for len(in) > 0 && err == nil {
			n := copy(s.InputSpace(), in[:min(size, len(in))])
			s.Received(n)
			in = in[n:]
			for {
				var done bool
				done, err = s.Process()
				inEarly := s.InEarlyData()
				for {
					m := s.ReadApp(buf)
					if m == 0 {
						break
					}
					if inEarly {
						if afterDone {
							t.Fatal("early data after the handshake completed")
						}
						early += m
					}
				}
				afterDone = afterDone || s.HandshakeDone()
				if err != nil || !done {
					break
				}
			}
		}
		if limit := int(s.Result().EarlyData.Limit); early > limit || early > 64 {
			t.Fatalf("read %d bytes of early data, the ticket allows %d", early, limit)
		}
		var ra *conn.RemoteAlert
		var ae *alert.Error
		if err != nil && !errors.Is(err, io.EOF) && !errors.As(err, &ra) && !errors.As(err, &ae) {
			t.Fatalf("failure without an alert: %v", err)
		}
	})
}

// The fuzz target's main seed reaches what it is meant to test: early data
// accepted and read, and EndOfEarlyData, under the early key, taken; the
// client's Finished was made for another server's key share, so a fresh
// server fails there, past the early-data paths.
func TestEarlyFlightSeedIsAccepted(t *testing.T) {
	scfg := earlyServer(t, 64)
	first, rest := earlyFlight(t, scfg, []byte("GET / early"))
	cfg := *scfg
	g := &onceGuard{}
	cfg.AdmitEarlyData = g.admit
	s := conn.New(conn.Config{Engine: &cfg})
	if err := feed(s, &first); err != nil {
		t.Fatal(err)
	}
	if r := s.Result(); !r.EarlyData.Accepted || !s.ReadingEarlyData() {
		t.Fatalf("early data %+v", r.EarlyData)
	}
	if got := readAll(s); string(got) != "GET / early" {
		t.Fatalf("read %q", got)
	}
	err := feed(s, &rest)
	if s.ReadingEarlyData() || alert.Of(err) != alert.BadRecordMAC {
		t.Fatalf("after the rest: reading early data %v, %v", s.ReadingEarlyData(), err)
	}
}

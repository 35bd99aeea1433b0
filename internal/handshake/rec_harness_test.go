package handshake_test

// This file is a second in-memory harness, for conversations that may be
// TLS 1.2 as well as TLS 1.3. Unlike harness_test.go it runs every message
// written under a key through a real record layer: TLS 1.2 keys arrive as
// ready-made record.Sealer/Opener values, TLS 1.3 ones as secrets from which
// the harness builds record.AEAD13. A message written under a key is sealed
// by the writer's Sealer and opened by the reader's Opener, so a key the two
// sides disagree on fails the conversation. TLS 1.2 change_cipher_spec
// records are handed to Engine.ChangeCipherSpec; TLS 1.3 compatibility
// ones are dropped, as the record layer does. A TLS 1.3 NewSessionTicket
// arriving after the client is done is kept, not handed to the engine, the
// way the public Conn handles it.

import (
	"bytes"
	crand "crypto/rand"
	"testing"
	"time"

	"lucid/internal/alert"
	"lucid/internal/handshake"
	"lucid/internal/record"
	"lucid/internal/session"
	"lucid/internal/signature"
	"lucid/internal/suites"
	"lucid/internal/testpki"
	"lucid/internal/wire"
)

const (
	v12 = handshake.VersionTLS12
	v13 = handshake.VersionTLS13
)

// clock is a settable time source for Config.Now.
type clock struct{ t time.Time }

func newClock() *clock { return &clock{t: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time          { return c.t }
func (c *clock) Advance(d time.Duration) { c.t = c.t.Add(d) }

// defaultSuites12 is what the public package enables when no suite is
// named: the non-legacy TLS 1.2 suites in Lucid's order.
func defaultSuites12() []uint16 {
	var out []uint16
	for _, s := range suites.TLS12 {
		if !s.Legacy {
			out = append(out, s.ID)
		}
	}
	return out
}

// client12 is a client limited to TLS 1.2 with Lucid's default TLS 1.2
// suites and signature schemes.
func client12(clk *clock) *handshake.Config {
	c := clientConfig()
	c.MinVersion, c.MaxVersion = v12, v12
	c.Suites12 = defaultSuites12()
	c.Schemes = signature.Default12
	if clk != nil {
		c.Now = clk.Now
	}
	return c
}

// server12 is a server limited to TLS 1.2 with a kt certificate.
func server12(t testing.TB, kt testpki.KeyType, clk *clock) *handshake.Config {
	c := serverConfig(t, kt)
	c.MinVersion, c.MaxVersion = v12, v12
	c.Suites12 = defaultSuites12()
	c.Schemes = signature.Default12
	if clk != nil {
		c.Now = clk.Now
	}
	return c
}

// endpoint is one engine and its record layer state.
type endpoint struct {
	name string
	e    *handshake.Engine
	// seal and open are the current protections; nil is plaintext.
	seal record.Sealer
	open record.Opener
	// wrEpoch and rdEpoch count key changes, so that each protected
	// message can be checked to be read at the epoch it was written in.
	wrEpoch, rdEpoch int
	// sent lists the handshake message types this side wrote (after
	// tampering), ccs the change_cipher_spec records.
	sent []uint8
	ccs  int
	// keyActs counts SetReadKey/SetWriteKey actions.
	keyActs int
}

// record12 is one record in flight.
type record12 struct {
	toClient bool
	ccs      bool
	// ccs12 is a TLS 1.2 change_cipher_spec (the writer had chosen 1.2);
	// others are compatibility records that the reader drops.
	ccs12 bool
	typ   uint8
	plain []byte // the handshake message, for the failure report
	rec   []byte // sealed record, nil when written in the clear
	epoch int
}

// rfail is where a conversation stopped.
type rfail struct {
	who string
	err error
	// typ is the handshake message type that failed, or 0xff for a
	// change_cipher_spec.
	typ uint8
}

// rconv is a conversation on the record harness.
type rconv struct {
	t    testing.TB
	c, s *endpoint
	// tamper, as in harness_test.go, replaces each handshake message as
	// it is written with the messages it returns.
	tamper func(m Msg) [][]byte
	seen   map[[2]int]int
	// hellos are the ClientHellos the server read, tickets13 the TLS 1.3
	// NewSessionTickets the client received after its handshake.
	hellos    []*wire.ClientHello
	tickets13 []*wire.NewSessionTicket
	// queue is the records still in flight.
	queue []record12
	// plain turns record protection off: messages travel in the clear
	// whatever keys are installed, for tests that forge a message the
	// record layer would already have refused.
	plain bool
}

func newRConv(t testing.TB, ccfg, scfg *handshake.Config) *rconv {
	return &rconv{
		t:    t,
		c:    &endpoint{name: "client", e: handshake.NewClient(ccfg)},
		s:    &endpoint{name: "server", e: handshake.NewServer(scfg)},
		seen: map[[2]int]int{},
	}
}

// apply carries out one batch of actions from one side.
func (cv *rconv) apply(from *endpoint, acts []handshake.Action) {
	t := cv.t
	t.Helper()
	toClient := from == cv.s
	for _, a := range acts {
		switch a.Kind {
		case handshake.SendHandshake:
			rest := a.Data
			for len(rest) > 0 {
				typ, n, ok := wire.Header(rest)
				if !ok || len(rest) < wire.HeaderLen+n {
					t.Fatalf("%s: SendHandshake data does not split into whole messages", from.name)
				}
				msg := append([]byte(nil), rest[:wire.HeaderLen+n]...)
				rest = rest[wire.HeaderLen+n:]
				dir := 0
				if toClient {
					dir = 1
				}
				k := [2]int{dir, int(typ)}
				msgs := [][]byte{msg}
				if cv.tamper != nil {
					msgs = cv.tamper(Msg{ToClient: toClient, Type: typ, N: cv.seen[k], Bytes: append([]byte(nil), msg...)})
				}
				cv.seen[k]++
				for _, m := range msgs {
					cv.write(from, toClient, m)
				}
			}
		case handshake.SendChangeCipherSpec:
			from.ccs++
			cv.queue = append(cv.queue, record12{toClient: toClient, ccs: true, ccs12: from.e.Version() == v12, typ: 0xff})
		case handshake.SetReadKey, handshake.SetWriteKey:
			from.keyActs++
			// Both versions hand over protection ready to use.
			var p any
			if a.Kind == handshake.SetReadKey {
				if a.Opener == nil || a.Sealer != nil {
					t.Fatalf("%s: SetReadKey without exactly an Opener: %+v", from.name, a)
				}
				p = a.Opener
			} else {
				if a.Sealer == nil || a.Opener != nil {
					t.Fatalf("%s: SetWriteKey without exactly a Sealer: %+v", from.name, a)
				}
				p = a.Sealer
			}
			if a.Kind == handshake.SetReadKey {
				from.open = p.(record.Opener)
				from.rdEpoch++
			} else {
				from.seal = p.(record.Sealer)
				from.wrEpoch++
			}
		case handshake.Flush:
		default:
			t.Errorf("%s: unknown action kind %d", from.name, a.Kind)
		}
	}
}

// write puts one handshake message on the wire, sealed if a key is in force.
func (cv *rconv) write(from *endpoint, toClient bool, m []byte) {
	t := cv.t
	t.Helper()
	r := record12{toClient: toClient, typ: m[0], plain: m, epoch: from.wrEpoch}
	from.sent = append(from.sent, m[0])
	if from.seal != nil && !cv.plain {
		rec, err := from.seal.Seal(nil, record.TypeHandshake, m, 0)
		if err != nil {
			t.Fatalf("%s: sealing %s: %v", from.name, wire.MessageName(m[0]), err)
		}
		r.rec = rec
	}
	cv.queue = append(cv.queue, r)
}

// start runs the client's Start.
func (cv *rconv) start() *rfail {
	acts, err := cv.c.e.Start()
	if err != nil {
		return &rfail{"client", err, wire.TypeClientHello}
	}
	cv.apply(cv.c, acts)
	return nil
}

// step delivers the next record. It returns false when nothing is left.
func (cv *rconv) step() (bool, *rfail) {
	t := cv.t
	t.Helper()
	if len(cv.queue) == 0 {
		return false, nil
	}
	r := cv.queue[0]
	cv.queue = cv.queue[1:]
	to := cv.s
	if r.toClient {
		to = cv.c
	}
	if r.ccs {
		if !r.ccs12 {
			return true, nil // TLS 1.3 compatibility record
		}
		acts, err := to.e.ChangeCipherSpec()
		if err != nil {
			return true, &rfail{to.name, err, 0xff}
		}
		cv.apply(to, acts)
		return true, nil
	}
	msg := r.plain
	if r.rec != nil {
		if to.open == nil {
			t.Fatalf("%s: %s arrives protected, but no read key is installed", to.name, wire.MessageName(r.typ))
		}
		if to.rdEpoch != r.epoch {
			t.Errorf("%s reads %s at key epoch %d, written at %d", to.name, wire.MessageName(r.typ), to.rdEpoch, r.epoch)
		}
		typ, plain, err := to.open.Open(append([]byte(nil), r.rec...))
		if err != nil {
			// Keys that disagree fail here, at the record layer, as a real
			// connection would: report it like an engine failure.
			return true, &rfail{to.name, err, r.typ}
		}
		if typ != record.TypeHandshake || !bytes.Equal(plain, r.plain) {
			t.Fatalf("%s: %s record opened to type %d and different bytes", to.name, wire.MessageName(r.typ), typ)
		}
		msg = plain
	} else if to.open != nil && !cv.plain {
		t.Errorf("%s reads %s in the clear while a read key is installed", to.name, wire.MessageName(r.typ))
	}
	if to == cv.c && to.e.Done() && to.e.Version() == v13 && r.typ == wire.TypeNewSessionTicket {
		nst, err := wire.ParseNewSessionTicket(msg[wire.HeaderLen:])
		if err != nil {
			t.Fatalf("ParseNewSessionTicket: %v", err)
		}
		cv.tickets13 = append(cv.tickets13, nst)
		return true, nil
	}
	if to == cv.s && r.typ == wire.TypeClientHello {
		if ch, err := wire.ParseClientHello(msg[wire.HeaderLen:]); err == nil {
			cv.hellos = append(cv.hellos, ch)
		}
	}
	acts, err := to.e.Handle(msg)
	if err != nil {
		if acts != nil {
			t.Errorf("%s: Handle returned actions with an error", to.name)
		}
		return true, &rfail{to.name, err, r.typ}
	}
	cv.apply(to, acts)
	return true, nil
}

// run starts the client and delivers records until none are left or an
// engine fails.
func (cv *rconv) run() *rfail {
	cv.t.Helper()
	if f := cv.start(); f != nil {
		return f
	}
	for {
		more, f := cv.step()
		if f != nil {
			return f
		}
		if !more {
			return nil
		}
	}
}

// mustRun runs the conversation, requires both sides done, and checks
// that application data flows both ways under the final keys.
func (cv *rconv) mustRun() {
	t := cv.t
	t.Helper()
	if f := cv.run(); f != nil {
		t.Fatalf("%s failed at %s: %v (alert %s)", f.who, wire.MessageName(f.typ), f.err, alert.Of(f.err))
	}
	if !cv.c.e.Done() || !cv.s.e.Done() {
		t.Fatalf("conversation ended with client done=%v, server done=%v", cv.c.e.Done(), cv.s.e.Done())
	}
	cv.checkRecords()
}

// checkRecords seals application data with each side's write protection
// and opens it with the other side's read protection.
func (cv *rconv) checkRecords() {
	t := cv.t
	t.Helper()
	for _, p := range []struct {
		from, to *endpoint
		data     string
	}{{cv.c, cv.s, "GET / HTTP/1.1\r\n\r\n"}, {cv.s, cv.c, "HTTP/1.1 200 OK\r\n\r\n"}} {
		if p.from.seal == nil || p.to.open == nil {
			t.Fatalf("%s→%s: no protection installed (sealer %v, opener %v)", p.from.name, p.to.name, p.from.seal != nil, p.to.open != nil)
		}
		if p.from.rdEpoch == 0 || p.from.wrEpoch != p.to.rdEpoch {
			t.Errorf("%s→%s: write epoch %d, read epoch %d", p.from.name, p.to.name, p.from.wrEpoch, p.to.rdEpoch)
		}
		for i := range 3 {
			rec, err := p.from.seal.Seal(nil, record.TypeApplicationData, []byte(p.data), 0)
			if err != nil {
				t.Fatalf("%s: Seal: %v", p.from.name, err)
			}
			if bytes.Contains(rec, []byte(p.data)) {
				t.Errorf("%s→%s: application data travels in the clear", p.from.name, p.to.name)
			}
			typ, plain, err := p.to.open.Open(rec)
			if err != nil {
				t.Fatalf("%s→%s record %d: %v", p.from.name, p.to.name, i, err)
			}
			if typ != record.TypeApplicationData || string(plain) != p.data {
				t.Fatalf("%s→%s: got type %d %q", p.from.name, p.to.name, typ, plain)
			}
		}
		// A flipped bit must not open.
		rec, err := p.from.seal.Seal(nil, record.TypeApplicationData, []byte(p.data), 0)
		if err != nil {
			t.Fatal(err)
		}
		rec[len(rec)-1] ^= 1
		if _, _, err := p.to.open.Open(rec); err == nil {
			t.Errorf("%s→%s: a tampered record opened", p.from.name, p.to.name)
		}
	}
}

// types names a list of message types, for comparisons and messages.
func types(ts []uint8) string {
	var b bytes.Buffer
	for i, t := range ts {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(wire.MessageName(t))
	}
	return b.String()
}

func typeList(ts ...uint8) string { return types(ts) }

// wantRFail checks that the conversation failed on side who, at message
// type typ, with alert want.
func wantRFail(t testing.TB, f *rfail, who string, typ uint8, want alert.Description) {
	t.Helper()
	if f == nil {
		t.Fatalf("handshake succeeded, want %s to fail with %s", who, want)
	}
	if f.who != who || f.typ != typ {
		t.Fatalf("%s failed at %s (%v), want %s to fail at %s with %s", f.who, msgName(f.typ), f.err, who, msgName(typ), want)
	}
	wantAlert(t, f.err, want)
}

func msgName(typ uint8) string {
	if typ == 0xff {
		return "change_cipher_spec"
	}
	return wire.MessageName(typ)
}

// check12 checks that a finished TLS 1.2 conversation agrees on everything
// it established.
func check12(t testing.TB, cv *rconv, suite uint16) (cr, sr *handshake.Result) {
	t.Helper()
	cr, sr = cv.c.e.Result(), cv.s.e.Result()
	if cr.Version != v12 || sr.Version != v12 || cv.c.e.Version() != v12 || cv.s.e.Version() != v12 {
		t.Errorf("Version: client %#04x, server %#04x, want 0x0303", cr.Version, sr.Version)
	}
	want := suites.Lookup12(suite)
	if cr.Suite12 != want || sr.Suite12 != want || cr.Suite != nil || sr.Suite != nil {
		t.Errorf("Suite12: client %v, server %v, want %s", name12(cr.Suite12), name12(sr.Suite12), want.Name)
	}
	if cr.SuiteID() != suite || sr.SuiteID() != suite {
		t.Errorf("SuiteID: client %#04x, server %#04x", cr.SuiteID(), sr.SuiteID())
	}
	if len(cr.Master12) != 48 || !bytes.Equal(cr.Master12, sr.Master12) {
		t.Errorf("Master12: client %x, server %x", cr.Master12, sr.Master12)
	}
	if cr.ClientRandom != sr.ClientRandom || cr.ServerRandom != sr.ServerRandom {
		t.Errorf("randoms differ: client %x/%x, server %x/%x", cr.ClientRandom, cr.ServerRandom, sr.ClientRandom, sr.ServerRandom)
	}
	if cr.ClientRandom == ([32]byte{}) || cr.ServerRandom == ([32]byte{}) {
		t.Errorf("a random is all zero")
	}
	if cr.DidResume != sr.DidResume {
		t.Errorf("DidResume: client %v, server %v", cr.DidResume, sr.DidResume)
	}
	if cr.ALPN != sr.ALPN {
		t.Errorf("ALPN: client %q, server %q", cr.ALPN, sr.ALPN)
	}
	if len(cr.PeerChain) == 0 {
		t.Errorf("client Result has no PeerChain")
	}
	if cr.ClientTraffic != nil || cr.Resumption != nil || sr.ClientTraffic != nil {
		t.Errorf("TLS 1.2 Result carries TLS 1.3 secrets")
	}
	if !cr.DidResume && want.KeyExchange != suites.RSAKeyTransport {
		if cr.Group == 0 || cr.Group != sr.Group {
			t.Errorf("Group: client %#04x, server %#04x", cr.Group, sr.Group)
		}
		if cr.PeerScheme == 0 {
			t.Errorf("client Result has no PeerScheme")
		}
	}
	return cr, sr
}

func name12(s *suites.Suite12) string {
	if s == nil {
		return "nil"
	}
	return s.Name
}

// check13 checks that a finished TLS 1.3 conversation agrees.
func check13(t testing.TB, cv *rconv) (cr, sr *handshake.Result) {
	t.Helper()
	cr, sr = cv.c.e.Result(), cv.s.e.Result()
	if cr.Version != v13 || sr.Version != v13 {
		t.Errorf("Version: client %#04x, server %#04x, want 0x0304", cr.Version, sr.Version)
	}
	if cr.Suite == nil || cr.Suite != sr.Suite || cr.Suite12 != nil || sr.Suite12 != nil {
		t.Fatalf("Suite: client %v, server %v", cr.Suite, sr.Suite)
	}
	if cr.DidResume != sr.DidResume || cr.DidHRR != sr.DidHRR {
		t.Errorf("DidResume client %v server %v; DidHRR client %v server %v", cr.DidResume, sr.DidResume, cr.DidHRR, sr.DidHRR)
	}
	size := cr.Suite.Hash.Size()
	for _, p := range []struct {
		name string
		c, s []byte
	}{
		{"ClientTraffic", cr.ClientTraffic, sr.ClientTraffic},
		{"ServerTraffic", cr.ServerTraffic, sr.ServerTraffic},
		{"Exporter", cr.Exporter, sr.Exporter},
		{"Resumption", cr.Resumption, sr.Resumption},
	} {
		if len(p.c) != size || !bytes.Equal(p.c, p.s) {
			t.Errorf("%s: client %x, server %x", p.name, p.c, p.s)
		}
	}
	if cr.Master12 != nil || sr.Master12 != nil {
		t.Errorf("TLS 1.3 Result carries a TLS 1.2 master secret")
	}
	return cr, sr
}

// ticketSealer returns a Sealer over the given keys.
func ticketSealer(t testing.TB, ks ...byte) *session.Sealer {
	t.Helper()
	var list []session.TicketKey
	for _, k := range ks {
		var key session.TicketKey
		for i := range key {
			key[i] = k
		}
		list = append(list, key)
	}
	s, err := session.NewSealer(list)
	if err != nil {
		t.Fatalf("NewSealer: %v", err)
	}
	return s
}

// splitMessages returns the handshake messages among actions.
func splitMessages(t testing.TB, acts []handshake.Action) [][]byte {
	t.Helper()
	var out [][]byte
	for _, a := range acts {
		if a.Kind != handshake.SendHandshake {
			continue
		}
		rest := a.Data
		for len(rest) > 0 {
			_, n, ok := wire.Header(rest)
			if !ok || len(rest) < wire.HeaderLen+n {
				t.Fatalf("SendHandshake data does not split")
			}
			out = append(out, rest[:wire.HeaderLen+n])
			rest = rest[wire.HeaderLen+n:]
		}
	}
	return out
}

func randomBytes(t testing.TB, n int) []byte {
	b := make([]byte, n)
	if _, err := crand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

package handshake_test

// This file is a second in-memory harness, for conversations that may be
// TLS 1.2 as well as TLS 1.3. Unlike harness_test.go, which hands whole
// messages from engine to engine, it runs each side as an internal/conn
// core, the record layer tls.Conn runs on, and only moves records between
// the two: framing, protection, change_cipher_spec and alert policy, key
// changes and post-handshake messages are the real ones. A key the two
// sides disagree on fails the conversation where a connection would fail.
// Tampering goes through the core's rewrite hook, which frames each
// message on its own, so every record names the message it carries.

import (
	"bytes"
	crand "crypto/rand"
	"testing"
	"time"

	"lucid/internal/alert"
	"lucid/internal/conn"
	"lucid/internal/handshake"
	"lucid/internal/record"
	"lucid/internal/session"
	"lucid/internal/signature"
	"lucid/internal/suites"
	"lucid/internal/testpki"
	"lucid/internal/version"
	"lucid/internal/wire"
)

const (
	v12 = version.TLS12
	v13 = version.TLS13
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

// endpoint is one side of a conversation: a connection core and what the
// harness saw it do.
type endpoint struct {
	name string
	core *conn.Core
	// e is the engine behind core, for checks on the engine itself.
	e *handshake.Engine
	// wrEpoch and rdEpoch count key changes in each direction, keyActs
	// all of them.
	wrEpoch, rdEpoch, keyActs int
	// sent lists the handshake message types this side wrote (after
	// tampering), ccs the change_cipher_spec records.
	sent []uint8
	ccs  int
	// pending is what each record sealed since the harness last took the
	// output carries, in order; msgs the handshake messages the rewrite
	// hook let through and not yet all sealed, off how much of msgs[0] is.
	pending []record12
	msgs    [][]byte
	off     int
	// alerts are the alerts this side sent.
	alerts []alert.Description
}

// record12 is one record in flight.
type record12 struct {
	toClient bool
	ccs      bool
	// ccs12 is a TLS 1.2 change_cipher_spec (the writer had chosen 1.2);
	// others are compatibility records that the reader drops.
	ccs12 bool
	// typ is the type of the handshake message the record carries (the
	// rewrite hook frames each message on its own), 0xff for a
	// change_cipher_spec, typeOther for anything else; msg is that
	// message.
	typ uint8
	msg []byte
	rec []byte
}

const typeOther = 0xfe

// rfail is where a conversation stopped.
type rfail struct {
	who string
	err error
	// typ is the handshake message type that failed, or 0xff for a
	// change_cipher_spec.
	typ uint8
	// sent are the alerts the failing side sent; clear says the engines
	// were driven without a record layer, which sends none.
	sent  []alert.Description
	clear bool
}

// rconv is a conversation between two connection cores, each with the
// record layer tls.Conn runs on; the harness only moves their records
// from one to the other, one at a time, in the order they were written.
type rconv struct {
	t    testing.TB
	c, s *endpoint
	// tamper, as in harness_test.go, replaces each handshake message as
	// it is written with the messages it returns. It runs in the writer's
	// rewrite hook, after the writer's engine has put the original in its
	// transcript and before the record layer protects it.
	tamper func(m Msg) [][]byte
	seen   map[[2]int]int
	// hellos are the ClientHellos the server read, tickets13 the TLS 1.3
	// NewSessionTickets the client took after its handshake.
	hellos    []*wire.ClientHello
	tickets13 []*wire.NewSessionTicket
	// queue is the records still in flight.
	queue []record12
}

func newRConv(t testing.TB, ccfg, scfg *handshake.Config) *rconv {
	cv := &rconv{
		t:    t,
		c:    &endpoint{name: "client"},
		s:    &endpoint{name: "server"},
		seen: map[[2]int]int{},
	}
	for _, ep := range []*endpoint{cv.c, cv.s} {
		cfg := conn.Config{Client: ep == cv.c, Engine: scfg, Observe: cv.observer(ep), RewriteHandshake: cv.rewriter(ep)}
		if cfg.Client {
			cfg.Engine = ccfg
		}
		ep.core = conn.New(cfg)
		ep.e = ep.core.Engine()
	}
	return cv
}

// rewriter is from's rewrite hook: it applies tamper and notes what is
// sent.
func (cv *rconv) rewriter(from *endpoint) func([]byte) [][]byte {
	return func(msg []byte) [][]byte {
		// The harness keeps what was sent; msg is the engine's memory.
		msg = bytes.Clone(msg)
		toClient := from == cv.s
		dir := 0
		if toClient {
			dir = 1
		}
		k := [2]int{dir, int(msg[0])}
		msgs := [][]byte{msg}
		if cv.tamper != nil {
			msgs = cv.tamper(Msg{ToClient: toClient, Type: msg[0], N: cv.seen[k], Bytes: append([]byte(nil), msg...)})
		}
		cv.seen[k]++
		for _, m := range msgs {
			if len(m) == 0 {
				cv.t.Fatalf("%s: tamper returned an empty message", from.name)
			}
			from.sent = append(from.sent, m[0])
		}
		from.msgs = append(from.msgs, msgs...)
		return msgs
	}
}

// observer is from's record-level event sink: it labels each record with
// what it carries and counts key changes.
func (cv *rconv) observer(from *endpoint) func(conn.Event) {
	return func(e conn.Event) {
		switch e.Kind {
		case conn.KeyInstalled:
			from.keyActs++
			if e.Outbound {
				from.wrEpoch = e.Epoch
			} else {
				from.rdEpoch = e.Epoch
			}
		case conn.AlertSent:
			from.alerts = append(from.alerts, e.Alert)
		case conn.RecordSent:
			r := record12{toClient: from == cv.s, typ: typeOther}
			switch e.ContentType {
			case record.TypeChangeCipherSpec:
				from.ccs++
				r.ccs, r.ccs12, r.typ = true, from.core.Version() == v12, 0xff
			case record.TypeHandshake:
				if len(from.msgs) == 0 {
					cv.t.Errorf("%s: a handshake record no message accounts for", from.name)
					break
				}
				r.msg = from.msgs[0]
				r.typ = r.msg[0]
				from.off += e.Length
				if from.off >= len(r.msg) {
					from.msgs, from.off = from.msgs[1:], 0
				}
			}
			from.pending = append(from.pending, r)
		}
	}
}

// collect queues the records from has sealed, each with its label.
func (cv *rconv) collect(from *endpoint) {
	t := cv.t
	t.Helper()
	out := from.core.TakeOutput()
	rest := out
	for i := range from.pending {
		if len(rest) < record.HeaderLen {
			t.Fatalf("%s: %d records sealed, %d in the output", from.name, len(from.pending), i)
		}
		n := record.HeaderLen + (int(rest[3])<<8 | int(rest[4]))
		from.pending[i].rec = append([]byte(nil), rest[:n]...)
		rest = rest[n:]
	}
	if len(rest) != 0 {
		t.Fatalf("%s: %d bytes of output no record event accounts for", from.name, len(rest))
	}
	cv.queue = append(cv.queue, from.pending...)
	from.pending = nil
	from.core.ReturnOutput(out)
}

// feed hands b to to's core and processes every whole record in it.
func feed(to *conn.Core, b []byte) error {
	for len(b) > 0 {
		n := copy(to.InputSpace(), b)
		to.Received(n)
		b = b[n:]
		for {
			more, err := to.Process()
			if err != nil {
				return err
			}
			if !more {
				break
			}
		}
	}
	return nil
}

// start runs the client's Start.
func (cv *rconv) start() *rfail {
	if err := cv.c.core.Start(); err != nil {
		return &rfail{who: "client", err: err, typ: wire.TypeClientHello, sent: cv.c.alerts}
	}
	cv.collect(cv.c)
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
	if to == cv.s && r.typ == wire.TypeClientHello {
		if ch, err := wire.ParseClientHello(r.msg[wire.HeaderLen:]); err == nil {
			cv.hellos = append(cv.hellos, ch)
		}
	}
	ticket := to == cv.c && r.typ == wire.TypeNewSessionTicket && to.core.HandshakeDone() && to.core.Version() == v13
	if err := feed(to.core, r.rec); err != nil {
		return true, &rfail{who: to.name, err: err, typ: r.typ, sent: to.alerts}
	}
	if ticket {
		nst, err := wire.ParseNewSessionTicket(r.msg[wire.HeaderLen:])
		if err != nil {
			t.Fatalf("the client took a NewSessionTicket the harness cannot parse: %v", err)
		}
		cv.tickets13 = append(cv.tickets13, nst)
	}
	cv.collect(to)
	return true, nil
}

// run starts the client and delivers records until none are left or a
// side fails.
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
		t.Fatalf("%s failed at %s: %v (alert %s)", f.who, msgName(f.typ), f.err, alert.Of(f.err))
	}
	if !cv.c.core.HandshakeDone() || !cv.s.core.HandshakeDone() {
		t.Fatalf("conversation ended with client done=%v, server done=%v", cv.c.core.HandshakeDone(), cv.s.core.HandshakeDone())
	}
	cv.checkRecords()
}

// checkRecords sends application data each way through the cores, then a
// record with a flipped bit, which must not open.
func (cv *rconv) checkRecords() {
	t := cv.t
	t.Helper()
	dirs := []struct {
		from, to *endpoint
		data     string
	}{{cv.c, cv.s, "GET / HTTP/1.1\r\n\r\n"}, {cv.s, cv.c, "HTTP/1.1 200 OK\r\n\r\n"}}
	seal := func(from *endpoint, data string) []byte {
		t.Helper()
		if n, err := from.core.WriteApp([]byte(data)); err != nil || n != len(data) {
			t.Fatalf("%s: WriteApp: %d, %v", from.name, n, err)
		}
		return append([]byte(nil), from.core.TakeOutput()...)
	}
	for _, p := range dirs {
		if p.from.wrEpoch == 0 || p.from.rdEpoch == 0 || p.from.wrEpoch != p.to.rdEpoch {
			t.Errorf("%s→%s: write epoch %d, read epoch %d", p.from.name, p.to.name, p.from.wrEpoch, p.to.rdEpoch)
		}
		for i := range 3 {
			rec := seal(p.from, p.data)
			if bytes.Contains(rec, []byte(p.data)) {
				t.Errorf("%s→%s: application data travels in the clear", p.from.name, p.to.name)
			}
			if err := feed(p.to.core, rec); err != nil {
				t.Fatalf("%s→%s record %d: %v", p.from.name, p.to.name, i, err)
			}
			buf := make([]byte, 2*len(p.data))
			if n := p.to.core.ReadApp(buf); string(buf[:n]) != p.data {
				t.Fatalf("%s→%s: read %q", p.from.name, p.to.name, buf[:n])
			}
		}
	}
	// A flipped bit must not open. The reader fails and stops writing,
	// so both records are sealed first.
	var flipped [2][]byte
	for i, p := range dirs {
		flipped[i] = seal(p.from, p.data)
		flipped[i][len(flipped[i])-1] ^= 1
	}
	for i, p := range dirs {
		if err := feed(p.to.core, flipped[i]); alert.Of(err) != alert.BadRecordMAC {
			t.Errorf("%s→%s: a tampered record: %v, want bad_record_mac", p.from.name, p.to.name, err)
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
	// The failing side's record layer sealed that alert for the peer.
	if !f.clear && (len(f.sent) != 1 || f.sent[0] != want) {
		t.Errorf("%s sent alerts %v, want just %s", who, f.sent, want)
	}
}

func msgName(typ uint8) string {
	switch typ {
	case 0xff:
		return "change_cipher_spec"
	case typeOther:
		return "a record of another type"
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

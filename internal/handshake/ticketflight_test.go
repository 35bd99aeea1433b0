package handshake_test

import (
	"bytes"
	"testing"
	"time"

	"lucid/internal/alert"
	"lucid/internal/handshake"
	"lucid/internal/keys"
	"lucid/internal/testpki"
	"lucid/internal/wire"
)

// When a TLS 1.3 server sends its tickets (RFC 8446 §4.6.1): with its
// Finished when the rest of the transcript is known in advance, after the
// client's Finished when a client certificate or EndOfEarlyData may still
// join it.

// answer is one message the server engine handled and what it sent back,
// with the level of the write key each message went under.
type answer struct {
	got   uint8
	sent  []uint8
	under []handshake.Level
}

// sentMsg is one handshake message an engine wrote.
type sentMsg struct {
	typ   uint8
	b     []byte
	under handshake.Level
}

// split carries out the send and write-key actions of one batch for an
// engine writing under *wr, and returns the messages it sent.
func split(t *testing.T, acts []handshake.Action, wr *handshake.Level) []sentMsg {
	t.Helper()
	var out []sentMsg
	for _, a := range acts {
		switch a.Kind {
		case handshake.SetWriteKey:
			*wr = a.Level
		case handshake.SendHandshake:
			for rest := a.Data; len(rest) > 0; {
				typ, n, ok := wire.Header(rest)
				if !ok || len(rest) < wire.HeaderLen+n {
					t.Fatalf("SendHandshake data does not split into whole messages")
				}
				out = append(out, sentMsg{typ: typ, b: append([]byte(nil), rest[:wire.HeaderLen+n]...), under: *wr})
				rest = rest[wire.HeaderLen+n:]
			}
		}
	}
	return out
}

// serverAnswers runs a conversation between the engines of cv in order
// and returns, first, what the server sent when the ClientHello started
// it, then its answer to each message after it; and the failure of
// either engine, if any. cv.tamper, if set, may change one message on its
// way.
// completedAnswers is serverAnswers for a conversation that must not fail.
func completedAnswers(t *testing.T, cv *conv) []answer {
	t.Helper()
	as, f := serverAnswers(t, cv)
	if f != nil {
		t.Fatalf("%s failed: %v", f.side.name, f.err)
	}
	return as
}

func serverAnswers(t *testing.T, cv *conv) ([]answer, *failure) {
	t.Helper()
	acts, err := cv.c.e.Start()
	if err != nil {
		t.Fatalf("client Start: %v", err)
	}
	type queued struct {
		toClient bool
		m        sentMsg
	}
	var cwr, swr handshake.Level
	var queue []queued
	for _, m := range split(t, acts, &cwr) {
		queue = append(queue, queued{false, m})
	}
	seen := map[[2]int]int{}
	var out []answer
	for len(queue) > 0 {
		q := queue[0]
		queue = queue[1:]
		to, wr := cv.s, &swr
		if q.toClient {
			to, wr = cv.c, &cwr
		}
		b := q.m.b
		if cv.tamper != nil {
			dir := 0
			if q.toClient {
				dir = 1
			}
			k := [2]int{dir, int(q.m.typ)}
			msgs := cv.tamper(Msg{ToClient: q.toClient, Type: q.m.typ, N: seen[k], Bytes: append([]byte(nil), b...)})
			seen[k]++
			if len(msgs) != 1 {
				t.Fatalf("tamper returned %d messages", len(msgs))
			}
			b = msgs[0]
		}
		acts, err := to.e.Handle(b)
		if err != nil {
			return out, &failure{to, err}
		}
		sent := split(t, acts, wr)
		if to == cv.s {
			a := answer{got: q.m.typ}
			for _, m := range sent {
				a.sent, a.under = append(a.sent, m.typ), append(a.under, m.under)
			}
			out = append(out, a)
		}
		for _, m := range sent {
			queue = append(queue, queued{to == cv.s, m})
		}
	}
	return out, nil
}

// answerTo returns what the server sent in answer to message typ.
func answerTo(t *testing.T, as []answer, typ uint8) []uint8 {
	t.Helper()
	for _, a := range as {
		if a.got == typ {
			return a.sent
		}
	}
	t.Fatalf("the server handled no %s", wire.MessageName(typ))
	return nil
}

// wantServerFlights fails unless the server answered the ClientHello with
// first and the client's Finished with afterFinished ("" for nothing).
func wantServerFlights(t *testing.T, label string, as []answer, first, afterFinished string) {
	t.Helper()
	if got := types(answerTo(t, as, wire.TypeClientHello)); got != first {
		t.Errorf("%sfirst flight %s, want %s", label, got, first)
	}
	if got := types(answerTo(t, as, wire.TypeFinished)); got != afterFinished {
		t.Errorf("%safter the client's Finished the server sent %s, want %q", label, got, afterFinished)
	}
}

func ticketConfigs(t *testing.T) (*handshake.Config, *handshake.Config) {
	ccfg, scfg := clientConfig(), serverConfig(t, testpki.ECDSAP256)
	clk := newClock()
	ccfg.Now, scfg.Now = clk.Now, clk.Now
	ccfg.TicketsWanted = true
	scfg.Tickets, scfg.TicketLifetime = ticketSealer(t, 9), time.Hour
	return ccfg, scfg
}

// TestTicketsInFirstFlight: a server that asks for no certificate sends its
// ticket with its Finished, in the full handshake and in a resumption,
// and nothing after the client's Finished; the shape both ends report
// says so, and the ticket resumes.
func TestTicketsInFirstFlight(t *testing.T) {
	ccfg, scfg := ticketConfigs(t)
	var sessions []*handshake.ClientSession
	ccfg.OnSession = func(cs *handshake.ClientSession) { sessions = append(sessions, cs) }
	for i, want := range []handshake.Shape{handshake.ShapeTLS13Full, handshake.ShapeTLS13PSK} {
		if i > 0 {
			ccfg.Session = sessions[len(sessions)-1]
		}
		cv := newConv(t, ccfg, scfg)
		as, f := serverAnswers(t, cv)
		if f != nil {
			t.Fatalf("%s: %s failed: %v", want, f.side.name, f.err)
		}
		flight := typeList(wire.TypeServerHello, wire.TypeEncryptedExtensions, wire.TypeCertificate, wire.TypeCertificateVerify, wire.TypeFinished, wire.TypeNewSessionTicket)
		if i > 0 {
			flight = typeList(wire.TypeServerHello, wire.TypeEncryptedExtensions, wire.TypeFinished, wire.TypeNewSessionTicket)
		}
		wantServerFlights(t, want.String()+": ", as, flight, "")
		// The ticket goes under the application key the server
		// installs at the end of the flight.
		if a := as[0]; a.under[len(a.under)-1] != handshake.LevelApplication || a.under[len(a.under)-2] != handshake.LevelHandshake {
			t.Errorf("%s: the flight's last messages go under %v", want, a.under)
		}
		cr, sr := cv.c.e.Result(), cv.s.e.Result()
		if !cv.c.e.Done() || !cv.s.e.Done() || cr.Shape != want || sr.Shape != want {
			t.Fatalf("done %v/%v, shapes %s/%s, want %s", cv.c.e.Done(), cv.s.e.Done(), cr.Shape, sr.Shape, want)
		}
		if !bytes.Equal(cr.Resumption, sr.Resumption) || len(sr.Resumption) == 0 {
			t.Errorf("%s: resumption secrets differ: client %x, server %x", want, cr.Resumption, sr.Resumption)
		}
		if len(sessions) != i+1 {
			t.Fatalf("%s: the client learned %d sessions, want %d", want, len(sessions), i+1)
		}
	}
	ccfg.Session = sessions[len(sessions)-1]
	cv := newConv(t, ccfg, scfg)
	cv.mustRun()
	if !cv.s.e.Result().DidResume {
		t.Errorf("the ticket from the resumption's first flight did not resume")
	}
}

// TestTicketsAfterClientFinished: a server that asked for a client
// certificate, or accepted 0-RTT data, does not know the rest of the
// transcript, and sends its ticket after the client's Finished.
func TestTicketsAfterClientFinished(t *testing.T) {
	t.Run("client auth", func(t *testing.T) {
		ccfg, scfg := ticketConfigs(t)
		scfg.ClientAuth = handshake.RequireClientAuth
		withClientCert(t, ccfg)
		cv := newConv(t, ccfg, scfg)
		as := completedAnswers(t, cv)
		wantServerFlights(t, "", as,
			typeList(wire.TypeServerHello, wire.TypeEncryptedExtensions, wire.TypeCertificateRequest, wire.TypeCertificate, wire.TypeCertificateVerify, wire.TypeFinished),
			typeList(wire.TypeNewSessionTicket))
		if s := cv.s.e.Result().Shape; s != handshake.ShapeTLS13ClientAuth {
			t.Errorf("shape %s", s)
		}
	})
	t.Run("0-RTT accepted", func(t *testing.T) {
		ccfg, scfg := ticketConfigs(t)
		scfg.MaxEarlyData = 1024
		scfg.AdmitEarlyData = func([]byte, time.Time, time.Time) error { return nil }
		var sessions []*handshake.ClientSession
		ccfg.OnSession = func(cs *handshake.ClientSession) { sessions = append(sessions, cs) }
		newConv(t, ccfg, scfg).mustRun()
		if len(sessions) != 1 || sessions[0].State.MaxEarlyData != 1024 {
			t.Fatalf("sessions %v", sessions)
		}
		ccfg.Session, ccfg.SendEarlyData = sessions[0], true
		cv := newConv(t, ccfg, scfg)
		as := completedAnswers(t, cv)
		if !cv.s.e.Result().EarlyData.Accepted {
			t.Fatalf("the server did not accept the 0-RTT data")
		}
		wantServerFlights(t, "", as, typeList(wire.TypeServerHello, wire.TypeEncryptedExtensions, wire.TypeFinished), typeList(wire.TypeNewSessionTicket))
		if got := answerTo(t, as, wire.TypeEndOfEarlyData); len(got) != 0 {
			t.Errorf("after EndOfEarlyData the server sent %s", types(got))
		}
		if s := cv.s.e.Result().Shape; s != handshake.ShapeTLS13PSKEarlyData {
			t.Errorf("shape %s", s)
		}
	})
	t.Run("no tickets", func(t *testing.T) {
		ccfg, scfg := ticketConfigs(t)
		scfg.Tickets = nil
		cv := newConv(t, ccfg, scfg)
		as := completedAnswers(t, cv)
		wantServerFlights(t, "", as, typeList(wire.TypeServerHello, wire.TypeEncryptedExtensions, wire.TypeCertificate, wire.TypeCertificateVerify, wire.TypeFinished), "")
	})
}

// TestEarlyTicketWrongFinished: the server sent its ticket before the
// client's Finished, and a wrong Finished still fails the handshake with
// decrypt_error, leaving the server with no resumption secret. The ticket
// holds the PSK of the transcript the server expected, so it resumes only
// for a holder of that transcript's secrets; a client whose own
// transcript differs derives another PSK, and its offer fails on the
// binder without resuming.
func TestEarlyTicketWrongFinished(t *testing.T) {
	ccfg, scfg := ticketConfigs(t)
	var sessions []*handshake.ClientSession
	ccfg.OnSession = func(cs *handshake.ClientSession) { sessions = append(sessions, cs) }
	cv := newConv(t, ccfg, scfg)
	cv.tamper = at(false, wire.TypeFinished, 0, mutFinished(t, func(m *wire.Finished) { m.VerifyData[0] ^= 1 }))
	as, f := serverAnswers(t, cv)
	if f == nil || f.side != cv.s {
		t.Fatalf("the server did not fail on a wrong client Finished: %v", f)
	}
	wantAlert(t, f.err, alert.DecryptError)
	if got, want := types(answerTo(t, as, wire.TypeClientHello)), typeList(wire.TypeServerHello, wire.TypeEncryptedExtensions, wire.TypeCertificate, wire.TypeCertificateVerify, wire.TypeFinished, wire.TypeNewSessionTicket); got != want {
		t.Fatalf("first flight %s, want %s", got, want)
	}
	if cv.s.e.Done() || len(cv.s.e.Result().Resumption) != 0 || cv.s.e.Result().Shape != handshake.ShapeNone {
		t.Errorf("the failed server is done %v with resumption secret %x, shape %s", cv.s.e.Done(), cv.s.e.Result().Resumption, cv.s.e.Result().Shape)
	}
	if len(sessions) != 1 {
		t.Fatalf("the client learned %d sessions from the first flight, want 1", len(sessions))
	}
	// The client here computed the right Finished, which the network
	// changed: its session's PSK is the one the ticket names. A client
	// that computed a wrong one has another resumption secret, so
	// another PSK for the same ticket.
	wrong := *sessions[0]
	st := *wrong.State
	other := bytes.Repeat([]byte{0x5a}, len(st.Secret))
	st.Secret = keys.ResumptionPSK(cv.c.e.Result().Suite.Hash, other, []byte{0})
	wrong.State = &st
	ccfg.Session = &wrong
	cv = newConv(t, ccfg, scfg)
	f = cv.run()
	if f == nil || f.side != cv.s {
		t.Fatalf("the server accepted a ticket offered with another PSK: %v", f)
	}
	wantAlert(t, f.err, alert.DecryptError)
	if cv.s.e.Result().DidResume && cv.s.e.Done() {
		t.Errorf("the server resumed")
	}
}

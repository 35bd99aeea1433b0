package handshake_test

import (
	"bytes"
	"testing"
	"time"

	"lucid/internal/handshake"
	"lucid/internal/kex"
	"lucid/internal/testpki"
	"lucid/internal/version"
	"lucid/internal/wire"
)

// handshakeEngines runs one handshake between fresh engines, passing whole
// messages with no record layer: the engines' own cost, for benchmarks.
// Like the record layer, it releases each engine's handshake memory once
// the engine is done and its last actions are carried out. It returns the
// engines.
func handshakeEngines(b testing.TB, ccfg, scfg *handshake.Config) (client, server *handshake.Engine) {
	c, s, _ := runEngines(b, ccfg, scfg)
	return c, s
}

// runEngines is handshakeEngines, also returning the messages that arrived
// for an engine already done: a TLS 1.3 server's tickets.
func runEngines(b testing.TB, ccfg, scfg *handshake.Config) (client, server *handshake.Engine, late [][]byte) {
	c, s := handshake.NewClient(ccfg), handshake.NewServer(scfg)
	type item struct {
		to  *handshake.Engine
		msg []byte // nil: a TLS 1.2 change_cipher_spec
	}
	var queue []item
	push := func(from *handshake.Engine, acts []handshake.Action) {
		to := s
		if from == s {
			to = c
		}
		for _, a := range acts {
			switch a.Kind {
			case handshake.SendHandshake:
				for rest := a.Data; len(rest) > 0; {
					_, n, _ := wire.Header(rest)
					// A copy, as a record layer's would be: the engine
					// keeps what it is handed, and the sender reuses its
					// flight's array on its next call.
					queue = append(queue, item{to, bytes.Clone(rest[:wire.HeaderLen+n])})
					rest = rest[wire.HeaderLen+n:]
				}
			case handshake.SendChangeCipherSpec:
				if from.Version() == version.TLS12 {
					queue = append(queue, item{to: to})
				}
			}
		}
	}
	acts, err := c.Start()
	if err != nil {
		b.Fatal(err)
	}
	push(c, acts)
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		if it.to.Done() {
			late = append(late, it.msg) // a TLS 1.3 ticket, read after the handshake
			continue
		}
		if it.msg == nil {
			acts, err = it.to.ChangeCipherSpec()
		} else {
			acts, err = it.to.Handle(it.msg)
		}
		if err != nil {
			b.Fatal(err)
		}
		push(it.to, acts)
		if it.to.Done() {
			it.to.ReleaseHandshake()
		}
	}
	if !c.Done() || !s.Done() {
		b.Fatal("handshake did not complete")
	}
	return c, s, late
}

// BenchmarkEngines measures a handshake through both engines, which
// includes following the shape table and, in TLS 1.2, expanding the key
// block on each side: full handshakes, and a TLS 1.2 ticket resumption,
// where what is left is mostly the engines' own work and their
// allocations.
func BenchmarkEngines(b *testing.B) {
	b.Run("tls13-full", func(b *testing.B) {
		ccfg, scfg := clientConfig(), serverConfig(b, testpki.ECDSAP256)
		b.ReportAllocs()
		for b.Loop() {
			handshakeEngines(b, ccfg, scfg)
		}
	})
	b.Run("tls13-resume", func(b *testing.B) {
		// psk_dhe_ke over X25519, as the compare table's row.
		ccfg, scfg := clientConfig(), serverConfig(b, testpki.ECDSAP256)
		ccfg.Groups = []uint16{kex.X25519}
		scfg.Tickets, scfg.TicketLifetime = ticketSealer(b, 1), time.Hour
		benchResumption(b, ccfg, scfg, ticket13Session(b, ccfg, scfg))
	})
	b.Run("tls12-ecdhe", func(b *testing.B) {
		clk := newClock()
		ccfg, scfg := client12(clk), server12(b, testpki.ECDSAP256, clk)
		b.ReportAllocs()
		for b.Loop() {
			handshakeEngines(b, ccfg, scfg)
		}
	})
	b.Run("tls12-ticket", func(b *testing.B) {
		// A resumption has no asymmetric cryptography: what is left is
		// mostly the engines' own work.
		clk := newClock()
		ccfg, scfg := client12(clk), server12(b, testpki.ECDSAP256, clk)
		scfg.Tickets, scfg.TicketLifetime = ticketSealer(b, 1), time.Hour
		ccfg.TicketsWanted = true
		var first *handshake.ClientSession
		ccfg.OnSession = func(cs *handshake.ClientSession) {
			if first == nil {
				first = cs
			}
		}
		handshakeEngines(b, ccfg, scfg)
		if first == nil {
			b.Fatal("the full handshake left no session")
		}
		benchResumption(b, ccfg, scfg, first)
	})
}

// ticket13Session runs a full TLS 1.3 handshake between the engines and
// returns the session of the one ticket the server sent after it.
func ticket13Session(tb testing.TB, ccfg, scfg *handshake.Config) *handshake.ClientSession {
	tb.Helper()
	c, _, late := runEngines(tb, ccfg, scfg)
	if len(late) != 1 {
		tb.Fatalf("the full handshake left %d late messages, want one ticket", len(late))
	}
	nst, err := wire.ParseNewSessionTicket(late[0][wire.HeaderLen:])
	if err != nil {
		tb.Fatal(err)
	}
	cs, err := handshake.SessionFromTicket(c.Result(), nst, time.Now(), ccfg.ServerName)
	if err != nil || cs == nil {
		tb.Fatalf("SessionFromTicket: %v, %v", cs, err)
	}
	return cs
}

// benchResumption measures handshakes offering cs, once one has shown
// that they resume it.
func benchResumption(b *testing.B, ccfg, scfg *handshake.Config, cs *handshake.ClientSession) {
	ccfg.Session = cs
	if c, _ := handshakeEngines(b, ccfg, scfg); !c.Result().DidResume {
		b.Fatal("the session was not resumed")
	}
	b.ReportAllocs()
	for b.Loop() {
		handshakeEngines(b, ccfg, scfg)
	}
}

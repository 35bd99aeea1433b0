package handshake_test

import (
	"testing"
	"time"

	"lucid/internal/handshake"
	"lucid/internal/session"
	"lucid/internal/testpki"
)

// TestNilNowUsesWallClock runs every path that reads the clock, issuing
// and resuming sessions of both versions, with engines whose Config sets
// no Now: Config documents the wall clock as the default, and a path that
// called Now directly panicked instead.
func TestNilNowUsesWallClock(t *testing.T) {
	t.Run("TLS 1.3 ticket", func(t *testing.T) {
		ccfg, scfg := clientConfig(), serverConfig(t, testpki.ECDSAP256)
		scfg.Tickets, scfg.TicketLifetime = ticketSealer(t, 1), time.Hour
		cs := ticket13Session(t, ccfg, scfg)
		if age := time.Since(cs.State.CreatedAt); age < 0 || age > time.Hour {
			t.Errorf("the ticket's session was made %v ago by the wall clock", age)
		}
		ccfg.Session = cs
		if c, s := handshakeEngines(t, ccfg, scfg); !c.Result().DidResume || !s.Result().DidResume {
			t.Error("the ticket was not resumed")
		}
	})
	for _, ids := range []bool{false, true} {
		name := "TLS 1.2 ticket"
		if ids {
			name = "TLS 1.2 session ID"
		}
		t.Run(name, func(t *testing.T) {
			ccfg, scfg := client12(nil), server12(t, testpki.ECDSAP256, nil)
			if ids {
				scfg.SessionIDs = session.NewServerCache(4, time.Hour)
			} else {
				scfg.Tickets, scfg.TicketLifetime = ticketSealer(t, 1), time.Hour
				ccfg.TicketsWanted = true
			}
			var got *handshake.ClientSession
			ccfg.OnSession = func(cs *handshake.ClientSession) { got = cs }
			handshakeEngines(t, ccfg, scfg)
			if got == nil {
				t.Fatal("the full handshake left no session")
			}
			ccfg.Session = got
			if c, s := handshakeEngines(t, ccfg, scfg); !c.Result().DidResume || !s.Result().DidResume {
				t.Error("the session was not resumed")
			}
		})
	}
}

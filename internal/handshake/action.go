package handshake

import (
	"lucid/internal/alert"
	"lucid/internal/record"
	"lucid/internal/suites"
	"lucid/internal/wire"
)

// Kind says what an Action asks of the record layer.
type Kind uint8

// The actions an engine can ask for, in the order they must be carried out.
const (
	// SendHandshake writes Data (one or more whole handshake messages)
	// under the current write protection.
	SendHandshake Kind = iota
	// SendChangeCipherSpec writes a change_cipher_spec record under the
	// current write protection: in the clear, the TLS 1.3 middlebox
	// compatibility record (RFC 8446 §D.4) or TLS 1.2's (RFC 5246 §7.1).
	SendChangeCipherSpec
	// SetReadKey switches incoming protection to Opener.
	SetReadKey
	// SetWriteKey switches outgoing protection to Sealer.
	SetWriteKey
	// Flush asks that everything written so far leave now: the peer
	// needs this flight before it can answer.
	Flush
	// SendWarning writes a warning-level alert (Alert), as TLS 1.2 does to
	// refuse renegotiation (RFC 5746 §4.2, §4.4).
	SendWarning
	// UpdateReadKey moves incoming protection to the next TLS 1.3
	// traffic secret, after the peer's KeyUpdate (RFC 8446 §4.6.3).
	UpdateReadKey
	// UpdateWriteKey asks for a TLS 1.3 KeyUpdate in answer to the peer's
	// request (RFC 8446 §4.6.3); the connection sends it, unless it has
	// already answered since it last sent application data.
	UpdateWriteKey
)

// Level names which traffic secret a key change installs, for events.
type Level uint8

// Key levels of TLS 1.3.
const (
	LevelInitial Level = iota
	LevelHandshake
	LevelApplication
	// LevelEarly is the client's 0-RTT key (client_early_traffic_secret,
	// RFC 8446 §7.1); numbered last so the others keep their values.
	LevelEarly
)

// String names the level as the key log and events do.
func (l Level) String() string {
	switch l {
	case LevelHandshake:
		return "handshake"
	case LevelApplication:
		return "application"
	case LevelEarly:
		return "early"
	}
	return "initial"
}

// Action is one step the engine asks the connection to take. Both versions
// hand over record protection ready to use.
type Action struct {
	Kind Kind
	Data []byte
	// Opener and Sealer are the new protection of SetReadKey and
	// SetWriteKey; KeyLen is its key's length, for events.
	Opener record.Opener
	Sealer record.Sealer
	KeyLen int
	Level  Level
	// Traffic is the TLS 1.3 traffic secret behind Opener or Sealer,
	// which KeyUpdate moves on from; zero in TLS 1.2.
	Traffic Traffic
	// Alert is SendWarning's alert.
	Alert alert.Description
}

// outbox collects the actions one call into an engine produces.
type outbox struct {
	actions []Action
	// spare is the array the last take handed out, which the next call
	// into the engine fills again: a caller carries out one call's
	// actions before it makes the next (Engine.Handle).
	spare []Action
	// spareFlight is the buffer of a flight the last take handed out,
	// which the next flight fills again, for the same reason. It starts
	// as the handshake memory's own room (live.flights).
	spareFlight []byte
	// nextFlight is the room expectFlight asked for, if more than usual.
	nextFlight int
	err        error // a key that could not be built; reported by take's caller
}

// Sizes the outbox starts with: most calls into an engine produce a few
// actions, and most flights fit the buffer or need one doubling, where
// growing from nothing would allocate at every doubling.
const (
	actionsCap = 4
	flightCap  = 512
	// flightsRoom is the first flight buffer an engine's handshake
	// memory carries (live.flights).
	flightsRoom = 3 << 10
)

func (o *outbox) add(a Action) {
	if o.actions == nil {
		if o.spare != nil {
			// The last call's actions go before the array is reused:
			// they held keys and traffic secrets nothing needs now.
			clear(o.spare)
			o.actions, o.spare = o.spare[:0], nil
		} else {
			o.actions = make([]Action, 0, actionsCap)
		}
	}
	o.actions = append(o.actions, a)
}

// flight returns the SendHandshake action that messages are appended to:
// consecutive messages share one action so they can share records.
func (o *outbox) flight() *Action {
	if n := len(o.actions); n > 0 && o.actions[n-1].Kind == SendHandshake {
		return &o.actions[n-1]
	}
	need := max(flightCap, o.nextFlight)
	o.nextFlight = 0
	var data []byte
	// A flight after a key change in the same call (a TLS 1.3 server's
	// encrypted one after its ServerHello) goes on in the room the
	// earlier flight left: its bytes are done, and appending past their
	// length cannot touch them.
	for i := len(o.actions) - 1; i >= 0; i-- {
		if a := &o.actions[i]; a.Kind == SendHandshake {
			if cap(a.Data)-len(a.Data) >= need {
				data = a.Data[len(a.Data):len(a.Data)]
			}
			break
		}
	}
	if data == nil && cap(o.spareFlight) >= need {
		data = o.spareFlight
		o.spareFlight = nil
	}
	if data == nil {
		data = make([]byte, 0, need)
	}
	o.add(Action{Kind: SendHandshake, Data: data})
	return &o.actions[len(o.actions)-1]
}

// expectFlight asks that the next flight start with room for n bytes,
// for a sender that knows its messages will be longer than most (a
// server's certificate chain), so the flight is not grown as it is built.
func (o *outbox) expectFlight(n int) {
	o.nextFlight = max(o.nextFlight, n)
}

// appendMessage marshals m straight onto the flight and returns its
// bytes, which stay valid (if not in place) after later appends.
func (o *outbox) appendMessage(m message) []byte {
	f := o.flight()
	start := len(f.Data)
	f.Data = m.AppendMarshal(f.Data)
	if len(f.Data) == start {
		// wire leaves out a message it cannot encode (a field past its
		// length limit); sending nothing in its place would leave the
		// peer waiting, or answering what came next.
		o.fail(alert.New(alert.InternalError, "the %s to send does not encode", wire.MessageName(m.Type())))
	}
	return f.Data[start:]
}

func (o *outbox) ccs() { o.add(Action{Kind: SendChangeCipherSpec}) }

func (o *outbox) flush() { o.add(Action{Kind: Flush}) }

func (o *outbox) warning(d alert.Description) {
	o.add(Action{Kind: SendWarning, Alert: d})
}

func (o *outbox) updateReadKey() { o.add(Action{Kind: UpdateReadKey}) }

func (o *outbox) updateWriteKey() { o.add(Action{Kind: UpdateWriteKey}) }

// readKey installs the TLS 1.3 traffic secret for incoming records.
func (o *outbox) readKey(s *suites.Suite, secret []byte, l Level) {
	t := Traffic{Suite: s, Secret: secret}
	p, err := t.Protection()
	if err != nil {
		o.fail(err)
		return
	}
	o.add(Action{Kind: SetReadKey, Opener: p, Traffic: t, Level: l, KeyLen: s.KeyLen})
}

// writeKey installs the TLS 1.3 traffic secret for outgoing records.
func (o *outbox) writeKey(s *suites.Suite, secret []byte, l Level) {
	t := Traffic{Suite: s, Secret: secret}
	p, err := t.Protection()
	if err != nil {
		o.fail(err)
		return
	}
	o.add(Action{Kind: SetWriteKey, Sealer: p, Traffic: t, Level: l, KeyLen: s.KeyLen})
}

// readHandshakeKey is readKey at LevelHandshake, returning the peer's
// finished_key, or nil when the protection could not be built (the
// outbox then holds the error).
func (o *outbox) readHandshakeKey(s *suites.Suite, secret []byte) (finishedKey []byte) {
	t := Traffic{Suite: s, Secret: secret}
	p, finishedKey, err := t.handshakeProtection()
	if err != nil {
		o.fail(err)
		return nil
	}
	o.add(Action{Kind: SetReadKey, Opener: p, Traffic: t, Level: LevelHandshake, KeyLen: s.KeyLen})
	return finishedKey
}

// writeHandshakeKey is writeKey at LevelHandshake, returning this side's
// finished_key, or nil as readHandshakeKey does.
func (o *outbox) writeHandshakeKey(s *suites.Suite, secret []byte) (finishedKey []byte) {
	t := Traffic{Suite: s, Secret: secret}
	p, finishedKey, err := t.handshakeProtection()
	if err != nil {
		o.fail(err)
		return nil
	}
	o.add(Action{Kind: SetWriteKey, Sealer: p, Traffic: t, Level: LevelHandshake, KeyLen: s.KeyLen})
	return finishedKey
}

func (o *outbox) readProtection(p record.Opener, keyLen int) {
	o.add(Action{Kind: SetReadKey, Opener: p, Level: LevelApplication, KeyLen: keyLen})
}

func (o *outbox) writeProtection(p record.Sealer, keyLen int) {
	o.add(Action{Kind: SetWriteKey, Sealer: p, Level: LevelApplication, KeyLen: keyLen})
}

func (o *outbox) fail(err error) {
	if o.err == nil {
		o.err = err
	}
}

// take hands the pending actions to the caller and empties the box, or
// reports the first key that could not be built.
func (o *outbox) take() ([]Action, error) {
	a, err := o.actions, o.err
	o.actions, o.err = nil, nil
	if a != nil {
		o.spare = a
		for i := range a {
			if a[i].Kind == SendHandshake && cap(a[i].Data) > cap(o.spareFlight) {
				o.spareFlight = a[i].Data[:0]
			}
		}
	}
	if err != nil {
		return nil, err
	}
	return a, nil
}

package handshake

import (
	"lucid/internal/alert"
	"lucid/internal/record"
	"lucid/internal/suites"
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
)

// String names the level as the key log and events do.
func (l Level) String() string {
	switch l {
	case LevelHandshake:
		return "handshake"
	case LevelApplication:
		return "application"
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
	err     error // a key that could not be built; reported by take's caller
}

func (o *outbox) send(msg []byte) {
	// Consecutive messages share one action so they can share records.
	if n := len(o.actions); n > 0 && o.actions[n-1].Kind == SendHandshake {
		o.actions[n-1].Data = append(o.actions[n-1].Data, msg...)
		return
	}
	o.actions = append(o.actions, Action{Kind: SendHandshake, Data: append([]byte(nil), msg...)})
}

func (o *outbox) ccs() { o.actions = append(o.actions, Action{Kind: SendChangeCipherSpec}) }

func (o *outbox) flush() { o.actions = append(o.actions, Action{Kind: Flush}) }

func (o *outbox) warning(d alert.Description) {
	o.actions = append(o.actions, Action{Kind: SendWarning, Alert: d})
}

func (o *outbox) updateReadKey() { o.actions = append(o.actions, Action{Kind: UpdateReadKey}) }

func (o *outbox) updateWriteKey() { o.actions = append(o.actions, Action{Kind: UpdateWriteKey}) }

// readKey installs the TLS 1.3 traffic secret for incoming records.
func (o *outbox) readKey(s *suites.Suite, secret []byte, l Level) {
	t := Traffic{Suite: s, Secret: secret}
	p, err := t.Protection()
	if err != nil {
		o.fail(err)
		return
	}
	o.actions = append(o.actions, Action{Kind: SetReadKey, Opener: p, Traffic: t, Level: l, KeyLen: s.KeyLen})
}

// writeKey installs the TLS 1.3 traffic secret for outgoing records.
func (o *outbox) writeKey(s *suites.Suite, secret []byte, l Level) {
	t := Traffic{Suite: s, Secret: secret}
	p, err := t.Protection()
	if err != nil {
		o.fail(err)
		return
	}
	o.actions = append(o.actions, Action{Kind: SetWriteKey, Sealer: p, Traffic: t, Level: l, KeyLen: s.KeyLen})
}

func (o *outbox) readProtection(p record.Opener, keyLen int) {
	o.actions = append(o.actions, Action{Kind: SetReadKey, Opener: p, Level: LevelApplication, KeyLen: keyLen})
}

func (o *outbox) writeProtection(p record.Sealer, keyLen int) {
	o.actions = append(o.actions, Action{Kind: SetWriteKey, Sealer: p, Level: LevelApplication, KeyLen: keyLen})
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
	if err != nil {
		return nil, err
	}
	return a, nil
}

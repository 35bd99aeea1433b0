package handshake

import (
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
	// SendChangeCipherSpec writes the middlebox-compatibility
	// change_cipher_spec record, always in the clear (RFC 8446 §D.4).
	SendChangeCipherSpec
	// SetReadKey switches incoming protection to Secret under Suite.
	SetReadKey
	// SetWriteKey switches outgoing protection to Secret under Suite.
	SetWriteKey
	// Flush asks that everything written so far leave now: the peer
	// needs this flight before it can answer.
	Flush
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

// Action is one step the engine asks the connection to take.
type Action struct {
	Kind   Kind
	Data   []byte
	Suite  *suites.Suite // TLS 1.3: the connection derives keys from Secret
	Secret []byte
	Level  Level
	// TLS 1.2 keys arrive ready to use.
	Opener record.Opener
	Sealer record.Sealer
	// KeyLen is the TLS 1.2 record key's length, for events.
	KeyLen int
}

// outbox collects the actions one call into an engine produces.
type outbox struct {
	actions []Action
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

func (o *outbox) readKey(s *suites.Suite, secret []byte, l Level) {
	o.actions = append(o.actions, Action{Kind: SetReadKey, Suite: s, Secret: secret, Level: l})
}

func (o *outbox) writeKey(s *suites.Suite, secret []byte, l Level) {
	o.actions = append(o.actions, Action{Kind: SetWriteKey, Suite: s, Secret: secret, Level: l})
}

// take hands the pending actions to the caller and empties the box.
func (o *outbox) take() []Action {
	a := o.actions
	o.actions = nil
	return a
}

func (o *outbox) readProtection(p record.Opener, keyLen int) {
	o.actions = append(o.actions, Action{Kind: SetReadKey, Opener: p, Level: LevelApplication, KeyLen: keyLen})
}

func (o *outbox) writeProtection(p record.Sealer, keyLen int) {
	o.actions = append(o.actions, Action{Kind: SetWriteKey, Sealer: p, Level: LevelApplication, KeyLen: keyLen})
}

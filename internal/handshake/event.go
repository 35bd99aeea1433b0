package handshake

import (
	"time"

	"lucid/internal/wire"
)

// EventKind classifies an Event.
type EventKind uint8

// Event kinds. The transparency layer renders these; engines only report.
const (
	MessageSent EventKind = iota
	MessageReceived
	KeyInstalled
	Check
	Decision
)

// String names the kind for timelines.
func (k EventKind) String() string {
	switch k {
	case MessageSent:
		return "sent"
	case MessageReceived:
		return "received"
	case KeyInstalled:
		return "key"
	case Check:
		return "check"
	case Decision:
		return "decision"
	}
	return "event"
}

// Event is one observable step of a handshake. It carries public values
// only: names, lengths and choices, never key material.
type Event struct {
	Kind    EventKind
	Time    time.Time
	Name    string // message name, key label or check name
	Length  int
	Detail  string
	Message any // the decoded message for MessageSent/MessageReceived
	Err     error
}

func (c *Config) emit(e Event) {
	if c.Observe == nil {
		return
	}
	if c.Now != nil {
		e.Time = c.Now()
	}
	c.Observe(e)
}

func (c *Config) emitMessage(kind EventKind, typ uint8, length int, msg any) {
	if c.Observe == nil {
		return
	}
	c.emit(Event{Kind: kind, Name: wire.MessageName(typ), Length: length, Message: msg})
}

package conn

import (
	"lucid/internal/alert"
	"lucid/internal/handshake"
)

// EventKind classifies what a Core reports; the handshake engine reports
// its own steps through handshake.Config.Observe.
type EventKind uint8

// The record-level steps a Core reports.
const (
	RecordSent EventKind = iota
	RecordReceived
	AlertSent
	AlertReceived
	KeyInstalled
	Decision
	// MessageSent is a post-handshake message the Core writes itself: a
	// KeyUpdate, whose decoded form is in Message.
	MessageSent
)

// Event is one record-level step of a connection: public values only
// (types, lengths, sequence numbers, key levels), never key material.
type Event struct {
	Kind EventKind
	// ContentType, Seq and Length describe a record; Length also sizes
	// skipped early data.
	ContentType uint8
	Seq         uint64
	Length      int
	// Epoch counts key changes in the record's or key's direction.
	Epoch int
	// Outbound says the step is this side's (a record or key it writes).
	Outbound bool
	// Level and KeyLen describe an installed key.
	Level  handshake.Level
	KeyLen int
	// Alert is the alert sent or received.
	Alert alert.Description
	// Name and Detail name and explain a Decision.
	Name   string
	Detail string
	// Message is MessageSent's message.
	Message any
}

func (c *Core) emit(e Event) {
	if c.observe != nil {
		c.observe(e)
	}
}

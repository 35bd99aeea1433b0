package handshake

import (
	"fmt"
	"time"

	"lucid/internal/session"
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

// EventName names a check or a decision an engine reports. The values are
// the names timelines, JSON traces and the inspection page already show,
// so they never change.
type EventName string

// The checks (Check events) the engines report.
const (
	// CheckCertificateChain: the client checked the server's chain.
	CheckCertificateChain EventName = "certificate_chain"
	// CheckCertificateVerify: the client checked the server's TLS 1.3
	// CertificateVerify signature over the transcript.
	CheckCertificateVerify EventName = "certificate_verify"
	// CheckServerKeyExchange: the client checked the signature over a TLS
	// 1.2 server's ECDHE parameters.
	CheckServerKeyExchange EventName = "server_key_exchange"
	// CheckClientCertificateChain: the server checked the client's chain.
	CheckClientCertificateChain EventName = "client_certificate_chain"
	// CheckClientCertificateVerify: the server checked the client's
	// CertificateVerify signature.
	CheckClientCertificateVerify EventName = "client_certificate_verify"
	// CheckServerFinished and CheckClientFinished: the peer's Finished
	// matched the transcript.
	CheckServerFinished EventName = "server_finished"
	CheckClientFinished EventName = "client_finished"
	// CheckSession: a session offered for resumption was declined.
	CheckSession EventName = "session"
)

// The decisions (Decision events) the engines report.
const (
	// DecisionHelloRetry: the server asked for another ClientHello.
	DecisionHelloRetry EventName = "hello_retry"
	// DecisionResumption: the handshake resumes a session.
	DecisionResumption EventName = "resumption"
	// DecisionCipherSuite: the TLS 1.2 server chose its suite.
	DecisionCipherSuite EventName = "cipher_suite"
	// DecisionServerName: the server read the client's server_name
	// other than as sent (an IP address literal names no host).
	DecisionServerName EventName = "server_name"
	// DecisionEarlyData: 0-RTT data offered, accepted or rejected, and
	// why (earlydata.go names the reasons).
	DecisionEarlyData EventName = "early_data"
)

// finishedCheck is the check of the Finished that side sent.
func finishedCheck(from Side) EventName {
	if from == SideClient {
		return CheckClientFinished
	}
	return CheckServerFinished
}

// Event is one observable step of a handshake. It carries public values
// only: names, lengths and choices, never key material.
type Event struct {
	Kind EventKind
	Time time.Time
	// Name is the message name for MessageSent and MessageReceived, an
	// EventName for Check and Decision.
	Name    string
	Length  int
	Detail  string
	Message any // the decoded message for MessageSent/MessageReceived
	Err     error
}

func (c *Config) emit(e Event) {
	if c.Observe == nil {
		return
	}
	// An event's time is the configured clock's; without one it stays
	// zero rather than reading the wall clock for every event (tls
	// stamps its events itself).
	if c.Now != nil {
		e.Time = c.Now()
	}
	c.Observe(e)
}

// check reports a check that passed (err nil, detail saying what was
// established) or failed.
func (c *Config) check(name EventName, detail string, err error) {
	if c.Observe == nil {
		return
	}
	c.emit(Event{Kind: Check, Name: string(name), Detail: detail, Err: err})
}

// decide reports a decision and what was chosen.
func (c *Config) decide(name EventName, detail string) {
	if c.Observe == nil {
		return
	}
	c.emit(Event{Kind: Decision, Name: string(name), Detail: detail})
}

// sessionOrigin is what a server's resumption decision adds about where
// the session came from: who issued it and whether through a fleet's
// shared store; "" when there is nothing to add.
func (c *Config) sessionOrigin(st *session.State) string {
	if c.Observe == nil {
		return ""
	}
	var s string
	if st.Issuer != "" {
		s = fmt.Sprintf(", issued by %q", st.Issuer)
	}
	if c.SharedSessions {
		s += ", through the fleet's shared session store"
	}
	return s
}

func (c *Config) emitMessage(kind EventKind, typ uint8, length int, msg any) {
	if c.Observe == nil {
		return
	}
	c.emit(Event{Kind: kind, Name: wire.MessageName(typ), Length: length, Message: msg})
}

package handshake

import (
	"time"

	"lucid/internal/alert"
	"lucid/internal/version"
	"lucid/internal/wire"
)

// After the handshake the engine still answers the handshake messages a
// connection may carry (RFC 8446 §4.6, RFC 5246 §7.4.1.1), at the same
// gate: anything else is unexpected_message.

// afterConfig is what an engine keeps of its Config once the handshake
// completes: what the messages that may follow it need, and no more.
// A client's server name is its result's (client.go, client12.go).
type afterConfig struct {
	observe   func(Event)
	now       func() time.Time
	onSession func(*ClientSession)
}

func afterConfigOf(c *Config) afterConfig {
	return afterConfig{observe: c.Observe, now: c.Now, onSession: c.OnSession}
}

// config is a Config holding what a was kept from, for the checks and
// events the post-handshake messages share with the handshake's.
func (e *Engine) afterConfig() Config {
	a := &e.after
	return Config{Observe: a.observe, Now: a.now, OnSession: a.onSession, ServerName: e.result.ServerName}
}

// afterHandshake handles one post-handshake message.
func (e *Engine) afterHandshake(msg []byte) ([]Action, error) {
	typ, n, ok := wire.Header(msg)
	if !ok || n != len(msg)-wire.HeaderLen {
		return nil, alert.New(alert.DecodeError, "handshake message framing is inconsistent")
	}
	cfg := e.afterConfig()
	var out outbox
	var err error
	if e.result.Version == version.TLS12 {
		err = e.refuseRenegotiation(&cfg, &out, typ, msg)
	} else {
		err = e.afterHandshake13(&cfg, &out, typ, msg)
	}
	if err != nil {
		e.failed = true
		return nil, err
	}
	return out.take()
}

// afterHandshake13 handles KeyUpdate (RFC 8446 §4.6.3) in both roles and
// NewSessionTicket (§4.6.1) in a client's.
func (e *Engine) afterHandshake13(cfg *Config, out *outbox, typ uint8, msg []byte) error {
	switch {
	case typ == wire.TypeKeyUpdate:
		ku, err := receive(cfg, typ, msg, wire.TypeKeyUpdate, wire.ParseKeyUpdate)
		if err != nil {
			return err
		}
		// The new key protects the next record; a request is answered
		// with an update of our own.
		out.updateReadKey()
		if ku.RequestUpdate {
			out.updateWriteKey()
		}
		return nil
	case typ == wire.TypeNewSessionTicket && e.isClient:
		nst, err := receive(cfg, typ, msg, wire.TypeNewSessionTicket, wire.ParseNewSessionTicket)
		if err != nil {
			return err
		}
		cs, err := SessionFromTicket(&e.result, nst, cfg.now(), cfg.ServerName)
		if err != nil {
			return err
		}
		if cs != nil && cfg.OnSession != nil {
			cfg.OnSession(cs)
		}
		return nil
	}
	want := "KeyUpdate"
	if e.isClient {
		want = "KeyUpdate or NewSessionTicket"
	}
	return alert.New(alert.UnexpectedMessage, "received %s after the handshake, where only %s may come", wire.MessageName(typ), want)
}

// refuseRenegotiation answers a TLS 1.2 renegotiation attempt — a
// HelloRequest to a client, a ClientHello to a server — with a
// no_renegotiation warning (RFC 5746 §4.2, §4.4); the connection carries
// on. Nothing else may arrive after a TLS 1.2 handshake.
func (e *Engine) refuseRenegotiation(cfg *Config, out *outbox, typ uint8, msg []byte) error {
	if e.isClient && typ == wire.TypeHelloRequest {
		// RFC 5246 §7.4.1.1: HelloRequest is empty; anything in it is a
		// malformed message, refused before it is answered.
		if _, err := receive(cfg, typ, msg, wire.TypeHelloRequest, wire.ParseHelloRequest); err != nil {
			return err
		}
	}
	if (e.isClient && typ == wire.TypeHelloRequest) || (!e.isClient && typ == wire.TypeClientHello) {
		cfg.emit(Event{Kind: Decision, Name: "renegotiation", Detail: "refused " + wire.MessageName(typ) + " with a no_renegotiation warning"})
		out.warning(alert.NoRenegotiation)
		return nil
	}
	return alert.New(alert.UnexpectedMessage, "%s after a TLS 1.2 handshake", wire.MessageName(typ))
}

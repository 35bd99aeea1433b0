package conn

import (
	"errors"
	"io"

	"lucid/internal/alert"
	"lucid/internal/handshake"
	"lucid/internal/record"
	"lucid/internal/version"
)

// Config is what a Core needs besides the engine's configuration.
type Config struct {
	// Client says which role the Core plays.
	Client bool
	// Engine configures the handshake engine.
	Engine *handshake.Config
	// RecordPadding, when positive, pads every protected TLS 1.3 record
	// to a multiple of that many bytes (RFC 8446 §5.4), within the
	// peer's record_size_limit.
	RecordPadding int
	// MaxFragment, when positive, caps the data each record this side
	// sends carries, handshake records included; values below 64 count
	// as 64 and above 2^14 as 2^14. The peer's record_size_limit, once
	// negotiated (Engine.RecordSizeLimit), caps protected records too.
	MaxFragment int
	// Observe receives record-level events; nil costs nothing.
	Observe func(Event)
	// RewriteHandshake, when set, is handed each handshake message this
	// side sends before it is framed, and returns what to send instead,
	// each message in records of its own: a hook for tests and the BoGo
	// shim's misbehaving-peer flags (rewrite.go). tls.Conn never sets it.
	// msg lives in the engine's handshake memory, which is reused once
	// the handshake completes: a hook that keeps it keeps a copy.
	RewriteHandshake func(msg []byte) [][]byte
}

// Core is one connection's protocol state. See the package comment for
// how it is driven.
type Core struct {
	engine  *handshake.Engine
	observe func(Event)
	rewrite func([]byte) [][]byte
	// padding is Config.RecordPadding, at most MaxPlaintext+1: a larger
	// multiple pads every record to the full size all the same, and
	// would only make the output buffer reserve more than a record.
	padding int32
	// maxFragment is Config.MaxFragment within [minFragment,
	// MaxPlaintext], 0 when unset.
	maxFragment int32

	// The halves hold the rest of the Core's settings where their fields
	// pack: in.client, out.maxEarly. Every held connection carries a Core.
	in  inbound
	out outbound
}

// inbound is the read half: bytes from the network not yet a whole
// record, the current protection, reassembly of handshake messages, and
// decrypted application data.
type inbound struct {
	opener  record.Opener
	traffic handshake.Traffic // TLS 1.3: what KeyUpdate moves on from
	// buf is the pooled buffer raw and data live in, nil while both are
	// empty (buffers.go).
	buf *[]byte
	// raw is the bytes received and not yet processed: a window of buf
	// that reaches to its end, so what follows it is room to read into.
	raw []byte
	hs  reassembly // handshake bytes not yet a whole message
	// data is decrypted application data not yet read. A record is
	// opened in place, so data is usually a window of buf before raw;
	// dataInBuf says so, and buf stays until data is read.
	data []byte
	// into is the caller's buffer while ProcessInto runs; once a record
	// is opened into it, opened is set and into is that record's data.
	into []byte
	err  error // sticky: io.EOF after close_notify, or the fatal error

	// earlySkipped counts the bytes of 0-RTT data skipped so far, and
	// earlyRead the plaintext bytes read under the early key (early.go);
	// neither may pass a limit that fits 32 bits.
	earlySkipped, earlyRead uint32

	// The fields below are sized to their bounds, since every held
	// connection carries them. epoch counts key changes, for events only.
	epoch int32
	// Limits on progress-free records (limits.go); each resets when a
	// record carries application data, and none passes its limit by
	// more than one.
	empties, warns, ccs, updates uint8

	dataInBuf bool
	opened    bool
	// streaming says the last record was a large one: the next read
	// takes a buffer with room for several (buffers.go).
	streaming bool
	// peerFinished says the handshake engine has taken the peer's
	// last handshake message.
	peerFinished bool
	// gotMessage says a whole handshake message has arrived; for a
	// server that is the first ClientHello.
	gotMessage bool
	// skippingEarly says a server is skipping the client's 0-RTT data,
	// which it did not accept (RFC 8446 §4.2.10).
	skippingEarly bool
	// secondHello says the next ClientHello answers a HelloRetryRequest:
	// the client sends no 0-RTT data after it, so nothing is skipped.
	secondHello bool
	// early says the client's early key is in force (a server that
	// accepted 0-RTT data, until EndOfEarlyData).
	early bool
	// client says which role the Core plays.
	client bool
}

// outbound is the write half: the current protection and the records
// sealed but not yet handed out.
type outbound struct {
	sealer  record.Sealer
	traffic handshake.Traffic
	// buf holds sealed records not yet taken, nil when there are none;
	// lent is the buffer TakeOutput handed out last, until ReturnOutput
	// gives it back to the pool (buffers.go).
	buf, lent *[]byte
	err       error // sticky: after a fatal alert nothing more is sent
	epoch     int32 // key changes so far, for events only
	// earlySent counts the plaintext bytes of 0-RTT data sealed under
	// the client's early key (early.go), within the session's 32-bit
	// limit.
	earlySent uint32
	// maxEarly is the server's configured max_early_data_size, which
	// bounds the 0-RTT data it skips when it does not accept it.
	maxEarly uint32
	closed   bool // close_notify sealed
	// answered is set when a KeyUpdate went out in answer to a request
	// and cleared by the next application data: RFC 8446 §4.6.3 asks a
	// side that stays silent to answer many requests with one update.
	answered bool
	// flushed says the first flight has been handed out: only the first
	// ClientHello may carry record version 0x0301 (RFC 8446 §5.1).
	flushed bool
	// early says the client's early key is in force.
	early bool
}

// The unprotected openers and sealers every Core starts with. They hold
// nothing but a record version, and are shared: never change one, put
// the other in its place (plainAfterFirst).
var (
	plainIn = &record.Plain{}
	plain10 = &record.Plain{Version: version.TLS10}
	plain12 = &record.Plain{Version: version.TLS12}
)

// plainAfterFirst moves an unprotected sealer to 0x0303: RFC 8446 §5.1
// keeps 0x0301 for the first ClientHello alone.
func (c *Core) plainAfterFirst() {
	if _, ok := c.out.sealer.(*record.Plain); ok {
		c.out.sealer = plain12
	}
}

// New returns a Core for one connection. A client's Core needs Start
// before anything else.
func New(cfg Config) *Core {
	c := &Core{padding: int32(min(max(cfg.RecordPadding, 0), record.MaxPlaintext+1)), observe: cfg.Observe, rewrite: cfg.RewriteHandshake}
	c.in.client = cfg.Client
	if cfg.MaxFragment > 0 {
		c.maxFragment = int32(min(max(cfg.MaxFragment, minFragment), record.MaxPlaintext))
	}
	if cfg.Engine != nil {
		c.out.maxEarly = cfg.Engine.MaxEarlyData
	}
	if cfg.Client {
		c.engine = handshake.NewClient(cfg.Engine)
	} else {
		c.engine = handshake.NewServer(cfg.Engine)
	}
	c.in.opener = plainIn
	// RFC 8446 §5.1: the first ClientHello may carry 0x0301 for the
	// benefit of middleboxes; everything after uses 0x0303.
	c.out.sealer = plain10
	if !cfg.Client {
		c.out.sealer = plain12
	}
	return c
}

// Start builds a client's first flight; for a server it does nothing.
func (c *Core) Start() error {
	if !c.in.client {
		return nil
	}
	actions, err := c.engine.Start()
	if err != nil {
		return c.fail(err)
	}
	if err := c.perform(actions, 0); err != nil {
		return c.fail(err)
	}
	return nil
}

// HandshakeDone reports whether the handshake has completed.
func (c *Core) HandshakeDone() bool { return c.engine.Done() }

// Result is what the handshake established; valid once HandshakeDone.
func (c *Core) Result() *handshake.Result { return c.engine.Result() }

// Version is the version negotiated so far, 0 before it is known.
func (c *Core) Version() uint16 { return c.engine.Version() }

// ReadErr is the read side's sticky error: io.EOF once the peer sent
// close_notify, the fatal error after one, nil otherwise.
func (c *Core) ReadErr() error { return c.in.err }

// WriteErr is the write side's sticky error.
func (c *Core) WriteErr() error { return c.out.err }

// Fail ends the connection with the alert err carries (internal_error if
// none), as when a check outside the Core, such as the application's
// VerifyConnection, refuses the handshake. It returns err as the Core
// reports it.
func (c *Core) Fail(err error) error { return c.fail(err) }

// fail seals the alert err carries, unless an alert went out already, and
// makes err sticky on both halves: RFC 8446 §6.2, nothing is sent after a
// fatal alert.
func (c *Core) fail(err error) error {
	var ae *alert.Error
	if !errors.As(err, &ae) {
		ae = &alert.Error{Desc: alert.InternalError, Err: err}
		err = ae
	}
	if c.out.err == nil {
		c.sealAlert(ae.Desc)
		c.out.err = err
	}
	if c.in.err == nil || c.in.err == io.EOF {
		c.in.err = err
	}
	return err
}

package tls

import (
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"lucid/internal/alert"
	"lucid/internal/handshake"
	"lucid/internal/keys"
	"lucid/internal/record"
	"lucid/internal/suites"
)

// Limits on what a peer can make us do without progress (DESIGN: limits as
// policy). Each counter resets when a record carries real data.
const (
	maxEmptyRecords   = 32
	maxWarningAlerts  = 4
	maxCCSRecords     = 1
	maxKeyUpdatesIdle = 32
	// keyUpdateAfter is how many records we protect under one key before
	// rotating it; far below AES-GCM's 2^24.5 limit (RFC 8446 §5.5).
	keyUpdateAfter = 1 << 23
)

// Conn is a TLS connection over a net.Conn, like crypto/tls's Conn. Read and
// Write may be called from different goroutines; the handshake runs on the
// first of Handshake, Read or Write.
type Conn struct {
	conn     net.Conn
	isClient bool
	config   *Config

	handshakeMu   sync.Mutex
	handshakeErr  error
	handshakeDone atomic.Bool
	engine        *handshake.Engine
	result        *handshake.Result
	// observer receives events; Config.Observer unless SetObserver
	// replaced it.
	observer func(Event)
	// onSession stores sessions a TLS 1.3 server's tickets describe.
	onSession func(*handshake.ClientSession)

	in  inbound
	out outbound
}

// inbound is the read half: raw bytes from the network, the current
// protection, reassembly of handshake messages and decrypted data.
type inbound struct {
	sync.Mutex
	opener       record.Opener
	suite        *suites.Suite
	secret       []byte
	raw          []byte // bytes read from the network, not yet a whole record
	hs           []byte // handshake bytes not yet a whole message
	data         []byte // decrypted application data not yet returned
	dataBuf      []byte // backing store for data, reused record after record
	err          error  // sticky: io.EOF after close_notify, or the fatal error
	epoch        int    // key changes so far, for events
	empties      int
	warns        int
	ccs          int
	updates      int
	peerFinished bool
	// gotMessage says a whole handshake message has arrived; for a server
	// that is the first ClientHello.
	gotMessage bool
	// skippingEarly says a server is skipping the client's 0-RTT data,
	// which it did not accept (RFC 8446 §4.2.10); earlySkipped counts the
	// bytes skipped so far.
	skippingEarly bool
	earlySkipped  int
}

// outbound is the write half.
type outbound struct {
	sync.Mutex
	sealer record.Sealer
	suite  *suites.Suite
	secret []byte
	buf    []byte // records sealed but not yet written
	err    error  // sticky: after a fatal alert or close_notify nothing more is sent
	closed bool   // close_notify sent
	epoch  int    // key changes so far, for events
	// answered is set when a KeyUpdate went out in answer to a request
	// and cleared by the next application data: RFC 8446 §4.6.3 asks a
	// side that stays silent to answer many requests with one update.
	answered bool
}

func newConn(c net.Conn, config *Config, isClient bool) *Conn {
	if config == nil {
		config = &Config{}
	}
	tc := &Conn{conn: c, config: config, isClient: isClient, observer: config.Observer}
	tc.in.opener = &record.Plain{}
	// RFC 8446 §5.1: the first ClientHello may carry 0x0301 for the
	// benefit of middleboxes; everything after uses 0x0303.
	tc.out.sealer = &record.Plain{Version: VersionTLS10}
	if !isClient {
		tc.out.sealer = &record.Plain{Version: VersionTLS12}
	}
	return tc
}

// LocalAddr returns the local network address.
func (c *Conn) LocalAddr() net.Addr { return c.conn.LocalAddr() }

// RemoteAddr returns the remote network address.
func (c *Conn) RemoteAddr() net.Addr { return c.conn.RemoteAddr() }

// SetDeadline sets the read and write deadlines of the underlying connection.
func (c *Conn) SetDeadline(t time.Time) error { return c.conn.SetDeadline(t) }

// SetReadDeadline sets the read deadline of the underlying connection.
func (c *Conn) SetReadDeadline(t time.Time) error { return c.conn.SetReadDeadline(t) }

// SetWriteDeadline sets the write deadline of the underlying connection. A
// write that times out leaves the TLS state corrupt: later writes fail.
func (c *Conn) SetWriteDeadline(t time.Time) error { return c.conn.SetWriteDeadline(t) }

// NetConn returns the underlying connection. Writing to it directly
// corrupts the TLS session.
func (c *Conn) NetConn() net.Conn { return c.conn }

// fill reads from the network until raw holds at least n bytes.
func (c *Conn) fill(n int) error {
	for len(c.in.raw) < n {
		if cap(c.in.raw)-len(c.in.raw) < 4096 && cap(c.in.raw) < n+4096 {
			grown := make([]byte, len(c.in.raw), n+record.MaxCiphertext+record.HeaderLen)
			copy(grown, c.in.raw)
			c.in.raw = grown
		}
		m, err := c.conn.Read(c.in.raw[len(c.in.raw):cap(c.in.raw)])
		c.in.raw = c.in.raw[:len(c.in.raw)+m]
		if err != nil && len(c.in.raw) < n {
			if errors.Is(err, io.EOF) && len(c.in.raw) > 0 {
				return io.ErrUnexpectedEOF
			}
			return err
		}
	}
	return nil
}

// readRecord reads and opens one record and acts on its content. It returns
// after one record so callers can check for the progress they wait for.
// Called with c.in locked.
func (c *Conn) readRecord() error {
	if c.in.err != nil {
		return c.in.err
	}
	if err := c.fill(record.HeaderLen); err != nil {
		return c.failRead(err)
	}
	hdr, err := record.ParseHeader(c.in.raw[:record.HeaderLen])
	if err != nil {
		if !c.handshakeDone.Load() && len(c.in.hs) == 0 && c.result == nil {
			var h [5]byte
			copy(h[:], c.in.raw)
			err = &alert.Error{Desc: alert.Of(err), Err: RecordHeaderError{Msg: err.Error(), RecordHeader: h}}
		}
		return c.fatal(err)
	}
	// RFC 5246 §6.2.1: a TLS 1.2 record names the version in use; once
	// the hellos have settled it, every record says 0x0303. (RFC 8446
	// §5.1 has TLS 1.3 ignore the field, so it is not checked there.)
	if c.engine != nil && c.engine.Version() == VersionTLS12 && hdr.Version != VersionTLS12 {
		return c.fatal(alert.New(alert.ProtocolVersion, "record version 0x%04x in a TLS 1.2 connection", hdr.Version))
	}
	if err := c.fill(record.HeaderLen + hdr.Length); err != nil {
		return c.failRead(err)
	}
	n := record.HeaderLen + hdr.Length
	rec := c.in.raw[:n]
	defer c.consume(n)

	// TLS 1.2's change_cipher_spec is a protocol message: it switches the
	// read keys, and only where the engine expects it.
	if hdr.Type == record.TypeChangeCipherSpec && c.engine != nil && c.engine.Version() == VersionTLS12 {
		return c.changeCipherSpec12(rec)
	}
	// RFC 8446 §5: an unprotected change_cipher_spec of one byte 0x01 may
	// arrive after the first ClientHello and before the peer's Finished,
	// and is dropped; anything else is fatal. RFC 8446 §5.1: it may not
	// split a handshake message either.
	if hdr.Type == record.TypeChangeCipherSpec {
		if len(c.in.hs) > 0 {
			return c.fatal(alert.New(alert.UnexpectedMessage, "change_cipher_spec inside a fragmented handshake message"))
		}
		if !c.isClient && !c.in.gotMessage {
			return c.fatal(alert.New(alert.UnexpectedMessage, "change_cipher_spec before the ClientHello"))
		}
		if c.in.peerFinished || hdr.Length != 1 || rec[record.HeaderLen] != 1 || c.in.ccs >= maxCCSRecords {
			return c.fatal(alert.New(alert.UnexpectedMessage, "unexpected change_cipher_spec record"))
		}
		c.in.ccs++
		return nil
	}
	if c.plainAlertBeforeClientKeys(hdr) {
		if c.observer != nil {
			c.recordEvent(EventRecordReceived, record.TypeAlert, 0, hdr.Length, 0)
			c.observe(Event{Kind: EventDecision, Name: "plaintext_alert", Length: hdr.Length, Detail: "read an alert the client sent in the clear, before its handshake keys"})
		}
		return c.handleAlert(rec[record.HeaderLen:])
	}
	_, plain := c.in.opener.(*record.Plain)
	// RFC 8446 §5.1: no record of another type between the fragments of a
	// handshake message. In the clear the type is known before anything
	// is opened, so this holds for declined 0-RTT data too; change_cipher_spec
	// was judged above and alerts are judged in handleAlert.
	if plain && len(c.in.hs) > 0 && hdr.Type == record.TypeApplicationData {
		return c.fatal(alert.New(alert.UnexpectedMessage, "application data inside a fragmented handshake message"))
	}
	// RFC 8446 §4.2.10: 0-RTT data the server declined is skipped: after a
	// HelloRetryRequest, as the application_data records that arrive
	// before the second ClientHello (judged by their header alone, since
	// they are protected), otherwise as the records that fail to decrypt
	// under the handshake key.
	if c.in.skippingEarly && plain && hdr.Type == record.TypeApplicationData {
		return c.skipEarlyData(hdr.Length)
	}
	seq := c.in.opener.Seq()
	typ, payload, err := c.in.opener.Open(rec)
	if c.in.skippingEarly && !plain {
		if err != nil && alert.Of(err) == alert.BadRecordMAC {
			return c.skipEarlyData(hdr.Length)
		}
		if err == nil {
			c.in.skippingEarly = false
		}
	}
	if err != nil {
		return c.fatal(err)
	}
	if plain && typ == record.TypeApplicationData {
		return c.fatal(alert.New(alert.UnexpectedMessage, "application data before the handshake protected it"))
	}
	if len(payload) == 0 && typ != record.TypeApplicationData {
		// RFC 8446 §5.1: zero-length handshake and alert fragments are
		// forbidden.
		return c.fatal(alert.New(alert.UnexpectedMessage, "empty %s record", record.TypeName(typ)))
	}
	if c.observer != nil {
		c.recordEvent(EventRecordReceived, typ, seq, len(payload), c.in.epoch)
	}
	// RFC 8446 §5.1: "Handshake messages MUST NOT be interleaved with
	// other record types." Alerts are judged in handleAlert.
	if typ == record.TypeApplicationData && len(c.in.hs) > 0 {
		return c.fatal(alert.New(alert.UnexpectedMessage, "application data inside a fragmented handshake message"))
	}
	switch typ {
	case record.TypeAlert:
		return c.handleAlert(payload)
	case record.TypeHandshake:
		c.in.hs = append(c.in.hs, payload...)
		return c.handleHandshakeBytes()
	case record.TypeApplicationData:
		if !c.handshakeDone.Load() && (c.engine == nil || !c.engine.Done()) {
			return c.fatal(alert.New(alert.UnexpectedMessage, "application data before the handshake finished"))
		}
		if len(payload) == 0 {
			c.in.empties++
			if c.in.empties > maxEmptyRecords {
				return c.fatal(alert.New(alert.UnexpectedMessage, "too many empty records"))
			}
			return nil
		}
		c.in.empties, c.in.warns, c.in.updates = 0, 0, 0
		if len(c.in.data) == 0 {
			// Reuse the buffer once drained: the steady state allocates
			// nothing per record.
			c.in.data = c.in.dataBuf[:0]
		}
		c.in.data = append(c.in.data, payload...)
		if cap(c.in.data) > cap(c.in.dataBuf) {
			c.in.dataBuf = c.in.data[:0]
		}
		return nil
	}
	return c.fatal(alert.New(alert.UnexpectedMessage, "record of type %d inside protection", typ))
}

// plainAlertBeforeClientKeys reports whether a TLS 1.3 server should read
// the record with header hdr as an alert in the clear although it expects
// the client's handshake key. RFC 8446 §A.1 notes that a client may send
// the alerts that follow the server's flight unprotected, before it
// installs its handshake keys; OpenSSL does when it refuses our
// certificate. Read as a protected record it would fail as bad_record_mac
// and hide the client's reason. The rule is narrow: an alert record of
// exactly 2 bytes, which no AEAD record can be (a tag alone is 16), and
// only before any record under the client's handshake key has opened,
// since a client that has protected once never goes back to the clear.
func (c *Conn) plainAlertBeforeClientKeys(hdr record.Header) bool {
	if c.isClient || hdr.Type != record.TypeAlert || hdr.Length != 2 || c.engine == nil || c.engine.Done() {
		return false
	}
	o, ok := c.in.opener.(*record.AEAD13)
	return ok && o.Seq() == 0
}

// maxEarlySkip bounds the 0-RTT data a server skips, counted in protected
// record bytes. Lucid never offers 0-RTT, so a client sending early data did
// so on a ticket from elsewhere or in error; 16 KiB, BoringSSL's bound too,
// is what RFC 8446 §4.2.10's "configured max_early_data_size" amounts to
// here.
const maxEarlySkip = record.MaxPlaintext

// skipEarlyData drops a record of n bytes of declined 0-RTT data, or fails
// once more than maxEarlySkip bytes have been skipped.
func (c *Conn) skipEarlyData(n int) error {
	c.in.earlySkipped += n
	if c.in.earlySkipped > maxEarlySkip {
		return c.fatal(alert.New(alert.UnexpectedMessage, "more 0-RTT data than the %d bytes a server that declined it skips", maxEarlySkip))
	}
	if c.observer != nil {
		c.observe(Event{Kind: EventDecision, Name: "early_data", Length: n, Detail: "skipped a 0-RTT record the server does not read"})
	}
	return nil
}

// consume drops n bytes of raw input, keeping what follows for the next
// record.
func (c *Conn) consume(n int) {
	rest := copy(c.in.raw, c.in.raw[n:])
	c.in.raw = c.in.raw[:rest]
}

func (c *Conn) handleAlert(p []byte) error {
	if len(p) != 2 {
		return c.fatal(alert.New(alert.DecodeError, "alert record of %d bytes", len(p)))
	}
	desc := alert.Description(p[1])
	if c.observer != nil {
		c.alertEvent(EventAlertReceived, desc)
	}
	// RFC 5246 §7.2, RFC 8446 §6: AlertLevel is warning(1) or fatal(2);
	// anything else is not an alert this protocol defines.
	if p[0] != 1 && p[0] != 2 {
		return c.fatal(alert.New(alert.IllegalParameter, "alert with unknown level %d", p[0]))
	}
	// Until the version is settled a warning is read as TLS 1.2 reads it:
	// a TLS 1.2 server may send unrecognized_name before its ServerHello.
	tls13 := c.engine != nil && c.engine.Version() == VersionTLS13
	// RFC 8446 §6: in TLS 1.3 only close_notify and user_canceled may be
	// sent as warnings; the alerts of §6.2 MUST be sent as fatal. A
	// warning-level one breaks that rule: the record is malformed.
	if tls13 && p[0] == 1 && desc != alert.CloseNotify && desc != alert.UserCanceled {
		return c.fatal(alert.New(alert.DecodeError, "TLS 1.3 alert %s sent at warning level", desc))
	}
	// RFC 8446 §5.1: no record of another type between the fragments of a
	// handshake message. A fatal alert is the peer giving up, which
	// nothing may answer (§6.2), so it is reported below as what it is;
	// an alert the connection would survive is refused.
	if len(c.in.hs) > 0 && (desc == alert.CloseNotify || desc == alert.UserCanceled || (!tls13 && p[0] == 1)) {
		return c.fatal(alert.New(alert.UnexpectedMessage, "%s alert inside a fragmented handshake message", desc))
	}
	switch {
	case desc == alert.CloseNotify:
		c.in.err = io.EOF
		return io.EOF
	case desc == alert.UserCanceled || (!tls13 && p[0] == 1):
		// TLS 1.2 warnings (no_renegotiation, say) are not fatal;
		// RFC 8446 §6.1: user_canceled is followed by close_notify.
		// Either way a peer cannot send them without end.
		c.in.warns++
		if c.in.warns > maxWarningAlerts {
			return c.fatal(alert.New(alert.UnexpectedMessage, "too many warning alerts"))
		}
		return nil
	}
	// RFC 8446 §6: in TLS 1.3 every other alert is fatal, whatever its level.
	err := &Error{Alert: AlertError(desc), Remote: true}
	c.in.err = err
	c.out.Lock()
	c.out.err = err
	c.out.Unlock()
	c.shutdown()
	return err
}

// handleHandshakeBytes hands every whole message in c.in.hs to the engine
// or, after the handshake, to the post-handshake handler.
func (c *Conn) handleHandshakeBytes() error {
	for {
		typ, n, ok := wireHeader(c.in.hs)
		if !ok {
			return nil
		}
		if n > maxHandshakeMessage {
			return c.fatal(alert.New(alert.DecodeError, "handshake message %d of %d bytes exceeds the %d-byte limit", typ, n, maxHandshakeMessage))
		}
		if len(c.in.hs) < 4+n {
			return nil
		}
		msg := c.in.hs[:4+n]
		c.in.gotMessage = true
		var err error
		if c.engine != nil && !c.engine.Done() {
			err = c.runEngine(msg)
		} else {
			err = c.postHandshake(msg)
		}
		c.in.hs = c.in.hs[4+n:]
		if len(c.in.hs) == 0 {
			c.in.hs = nil
		}
		if err != nil {
			return err
		}
	}
}

// failRead records an I/O error on the read side.
func (c *Conn) failRead(err error) error {
	// A deadline that passes is not the end of the connection: the bytes
	// read so far stay buffered and a later Read carries on, as net/http's
	// keep-alive relies on. Anything else is final.
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return err
	}
	if c.in.err == nil {
		c.in.err = err
	}
	return err
}

// shutdown ends the connection after a fatal alert: the write side closes,
// so the peer reads the alert and then end of stream, but the socket stays
// open for reading until Close. Closing it at once would make the kernel
// answer any data still in flight with a reset, which can destroy the
// alert before the peer reads it.
func (c *Conn) shutdown() {
	if cw, ok := c.conn.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
		return
	}
	c.conn.Close()
}

// fatal sends the alert err carries, closes the connection and makes err
// sticky on both halves (RFC 8446 §6.2: nothing is sent after a fatal alert).
func (c *Conn) fatal(err error) error {
	e := localError(err)
	c.out.Lock()
	if c.out.err == nil {
		c.sendAlertLocked(alert.Description(e.Alert))
		c.out.err = e
	}
	c.out.Unlock()
	c.in.err = e
	c.shutdown()
	return e
}

// sendAlertLocked writes an alert under the current protection; c.out must
// be locked.
func (c *Conn) sendAlertLocked(d alert.Description) error {
	level := byte(2)
	if d == alert.CloseNotify || d == alert.UserCanceled || d == alert.NoRenegotiation {
		level = 1
	}
	if c.observer != nil {
		c.alertEvent(EventAlertSent, d)
	}
	if err := c.sealLocked(record.TypeAlert, []byte{level, byte(d)}); err != nil {
		return err
	}
	return c.flushLocked()
}

// sealLocked protects payload as records of at most MaxPlaintext bytes.
func (c *Conn) sealLocked(typ uint8, payload []byte) error {
	for first := true; first || len(payload) > 0; first = false {
		n := min(len(payload), record.MaxPlaintext)
		pad := 0
		if p := c.config.RecordPadding; p > 0 {
			if _, prot := c.out.sealer.(*record.AEAD13); prot {
				pad = (p - (n+1)%p) % p
				pad = min(pad, record.MaxPlaintext-n)
			}
		}
		if c.observer != nil {
			c.recordEvent(EventRecordSent, typ, c.out.sealer.Seq(), n, c.out.epoch)
		}
		var err error
		c.out.buf, err = c.out.sealer.Seal(c.out.buf, typ, payload[:n], pad)
		if err != nil {
			return err
		}
		payload = payload[n:]
	}
	return nil
}

func (c *Conn) flushLocked() error {
	if len(c.out.buf) == 0 {
		return nil
	}
	_, err := c.conn.Write(c.out.buf)
	c.out.buf = c.out.buf[:0]
	if err != nil && c.out.err == nil {
		c.out.err = err
	}
	return err
}

// setReadKey installs new incoming protection. RFC 8446 §5.1: a handshake
// message must not span a key change.
func (c *Conn) setReadKey(s *suites.Suite, secret []byte, pending int) error {
	if pending > 0 {
		return alert.New(alert.UnexpectedMessage, "handshake message spans a key change")
	}
	if s == nil {
		return nil
	}
	p, err := protection(s, secret)
	if err != nil {
		return err
	}
	c.in.opener, c.in.suite, c.in.secret = p, s, secret
	return nil
}

func (c *Conn) setWriteKeyLocked(s *suites.Suite, secret []byte) error {
	p, err := protection(s, secret)
	if err != nil {
		return err
	}
	c.out.sealer, c.out.suite, c.out.secret = p, s, secret
	return nil
}

func protection(s *suites.Suite, secret []byte) (*record.AEAD13, error) {
	key, iv := keys.TrafficKey(s.Hash, secret, s.KeyLen)
	aead, err := s.NewAEAD(key)
	if err != nil {
		return nil, err
	}
	return record.NewAEAD13(aead, iv), nil
}

// changeCipherSpec12 hands a TLS 1.2 change_cipher_spec to the engine
// (RFC 5246 §7.1). Called with c.in locked.
func (c *Conn) changeCipherSpec12(rec []byte) error {
	_, payload, err := c.in.opener.Open(rec)
	if err != nil {
		return c.fatal(err)
	}
	if len(payload) != 1 || payload[0] != 1 {
		return c.fatal(alert.New(alert.DecodeError, "change_cipher_spec is not the single byte 1"))
	}
	if len(c.in.hs) > 0 {
		return c.fatal(alert.New(alert.UnexpectedMessage, "change_cipher_spec inside a handshake message"))
	}
	if c.engine.Done() {
		return c.fatal(alert.New(alert.UnexpectedMessage, "change_cipher_spec after the handshake (renegotiation is refused)"))
	}
	actions, err := c.engine.ChangeCipherSpec()
	if err != nil {
		return c.fatal(err)
	}
	if err := c.perform(actions, 0); err != nil {
		return c.fatal(err)
	}
	return nil
}

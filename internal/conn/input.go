package conn

import (
	"io"
	"math"

	"lucid/internal/alert"
	"lucid/internal/handshake"
	"lucid/internal/record"
	"lucid/internal/version"
	"lucid/internal/wire"
)

// Need is how many more bytes the next record needs before Process can
// take it; 0 means a whole record (or a header Process will refuse) is
// buffered.
func (c *Core) Need() int {
	raw := c.in.raw
	if len(raw) < record.HeaderLen {
		return record.HeaderLen - len(raw)
	}
	hdr, err := record.ParseHeader(raw[:record.HeaderLen])
	if err != nil {
		return 0 // Process refuses it, without waiting for a body
	}
	return max(record.HeaderLen+hdr.Length-len(raw), 0)
}

// InputSpace is room to read network bytes into, at least as much as the
// next record still needs. Report what was read with Received; until then
// the Core holds a buffer, which Release gives back if nothing was read.
func (c *Core) InputSpace() []byte {
	in := &c.in
	need := max(c.Need(), 1)
	if in.buf == nil {
		// A peer that sends small records (requests, answers, a
		// handshake) gets a small buffer; one that streams full records
		// gets room for several, to read them in few calls.
		size := smallBuf
		if in.streaming {
			size = inputBuf
		}
		in.buf = getBuf(max(size, need))
		in.raw = (*in.buf)[:0]
	}
	if cap(in.raw)-len(in.raw) >= max(need, smallBuf) {
		return in.raw[len(in.raw):cap(in.raw)]
	}
	// Move what is buffered to the front, so the room behind it is as
	// large as the buffer allows; unread data that shares the buffer is
	// moved out first (only a caller that processes records without
	// reading their data meets this).
	if in.dataInBuf && len(in.data) > 0 {
		in.data = append([]byte(nil), in.data...)
	}
	in.dataInBuf = false
	buf := *in.buf
	if cap(buf) < len(in.raw)+need {
		// The next record does not fit, or whole records fill the
		// buffer and yet the caller wants room: a larger one.
		want := len(in.raw) + need
		if in.streaming {
			want = max(want, inputBuf)
		}
		grown := getBuf(want)
		buf = append(*grown, in.raw...)
		putBuf(in.buf)
		in.buf = grown
	} else {
		buf = buf[:copy(buf[:cap(buf)], in.raw)]
	}
	in.raw = buf
	return in.raw[len(in.raw):cap(in.raw)]
}

// Received reports that n bytes were read into the slice InputSpace
// returned.
func (c *Core) Received(n int) {
	c.in.raw = c.in.raw[:len(c.in.raw)+n]
	c.Release()
}

// Release gives the input buffer back to the pool if it holds nothing: a
// caller about to wait for the network calls it after InputSpace, so an
// idle connection holds no buffer.
func (c *Core) Release() {
	in := &c.in
	if in.buf == nil || len(in.raw) > 0 || (in.dataInBuf && len(in.data) > 0) {
		return
	}
	putBuf(in.buf)
	in.buf, in.raw = nil, nil
	if in.dataInBuf {
		in.data, in.dataInBuf = nil, false
	}
}

// Partial reports whether some bytes of a record have arrived but not all
// of it: the stream ending there is a truncation, not a clean end.
func (c *Core) Partial() bool { return len(c.in.raw) > 0 }

// ReadApp copies decrypted application data into b and reports how much.
func (c *Core) ReadApp(b []byte) int {
	n := copy(b, c.in.data)
	c.Consume(n)
	return n
}

// PeekApp is the decrypted application data waiting to be read, in the
// Core's own buffer: for a caller that hands it on (io.WriterTo) rather
// than copying it out. It stays valid until Consume or Process.
func (c *Core) PeekApp() []byte { return c.in.data }

// Consume drops the first n bytes of the data PeekApp returned.
func (c *Core) Consume(n int) {
	c.in.data = c.in.data[n:]
	if len(c.in.data) == 0 {
		c.Release()
	}
}

// Buffered is how much decrypted application data waits to be read.
func (c *Core) Buffered() int { return len(c.in.data) }

// Process handles the next record, if a whole one is buffered, and reports
// whether it did. Its error is sticky: io.EOF after close_notify, a
// *RemoteAlert after the peer's fatal alert, or the *alert.Error whose
// alert is already sealed into the output.
func (c *Core) Process() (bool, error) {
	_, done, err := c.ProcessInto(nil)
	return done, err
}

// ProcessInto is Process for a caller about to read application data into
// b: when no data waits to be read and b has room for the whole record,
// the record is opened straight into b, and n is how much application
// data it holds there (ReadApp then has none of it). Anything else in b
// after the call is scratch, as io.Reader allows.
func (c *Core) ProcessInto(b []byte) (n int, done bool, err error) {
	c.in.into, c.in.opened = nil, false
	if len(c.in.data) == 0 && len(b) > 0 {
		c.in.into = b
	}
	done, err = c.process()
	if c.in.opened {
		n = len(c.in.into)
	}
	c.in.into, c.in.opened = nil, false
	return n, done, err
}

func (c *Core) process() (bool, error) {
	if c.in.err != nil {
		return false, c.in.err
	}
	if c.Need() > 0 {
		return false, nil
	}
	raw := c.in.raw
	hdr, err := record.ParseHeader(raw[:record.HeaderLen])
	if err != nil {
		if !c.engine.Done() && !c.in.gotMessage && c.in.hs.pending() == 0 {
			// Nothing has been read yet: perhaps not TLS at all.
			he := &HeaderError{Err: err}
			copy(he.Header[:], raw)
			return true, c.failWith(err, he)
		}
		return true, c.fail(err)
	}
	n := record.HeaderLen + hdr.Length
	c.in.streaming = hdr.Length >= streamingRecord
	// The record is done with once processed, whatever the outcome:
	// what follows it is the next one.
	c.in.raw = raw[n:]
	err = c.record(hdr, raw[:n])
	c.Release()
	return true, err
}

// failWith is fail for err, reported to the caller as shown.
func (c *Core) failWith(err, shown error) error {
	c.fail(err)
	c.in.err = shown
	return shown
}

// record acts on one whole record.
func (c *Core) record(hdr record.Header, rec []byte) error {
	// RFC 5246 §6.2.1: a TLS 1.2 record names the version in use; once
	// the hellos have settled it, every record says 0x0303. (RFC 8446
	// §5.1 has TLS 1.3 ignore the field, so it is not checked there.)
	if c.engine.Version() == version.TLS12 && hdr.Version != version.TLS12 {
		return c.fail(alert.New(alert.ProtocolVersion, "record version 0x%04x in a TLS 1.2 connection", hdr.Version))
	}
	if hdr.Type == record.TypeChangeCipherSpec {
		return c.changeCipherSpec(hdr, rec)
	}
	if c.plainAlertBeforeClientKeys(hdr) {
		c.emit(Event{Kind: RecordReceived, ContentType: record.TypeAlert, Length: hdr.Length})
		c.emit(Event{Kind: Decision, Name: "plaintext_alert", Length: hdr.Length, Detail: "read an alert the client sent in the clear, before its handshake keys"})
		return c.alert(rec[record.HeaderLen:])
	}
	_, plain := c.in.opener.(*record.Plain)
	// RFC 8446 §5.1: no record of another type between the fragments of a
	// handshake message. In the clear the type is known before anything
	// is opened, so this holds for declined 0-RTT data too;
	// change_cipher_spec was judged above and alerts are judged in alert.
	if plain && c.in.hs.pending() > 0 && hdr.Type == record.TypeApplicationData {
		return c.fail(alert.New(alert.UnexpectedMessage, "application data inside a fragmented handshake message"))
	}
	// RFC 8446 §4.2.10: 0-RTT data the server declined is skipped: after a
	// HelloRetryRequest, as the application_data records that arrive
	// before the second ClientHello (judged by their header alone, since
	// they are protected), otherwise as the records that fail to decrypt
	// under the handshake key.
	if c.in.skippingEarly && plain && hdr.Type == record.TypeApplicationData {
		return c.skipEarlyData(hdr.Length)
	}
	if err := wake(c.in.opener, c.in.traffic); err != nil {
		return c.fail(err)
	}
	seq := c.in.opener.Seq()
	var typ uint8
	var payload []byte
	var err error
	if o, ok := c.in.opener.(record.IntoOpener); ok && len(c.in.into) >= len(rec)-record.HeaderLen {
		// Limit the AEAD to the caller's b: it has room for the body,
		// so nothing is allocated and nothing beyond b is touched.
		into := c.in.into
		typ, payload, err = o.OpenInto(into[:0:len(into)], rec)
	} else {
		typ, payload, err = c.in.opener.Open(rec)
	}
	if c.in.skippingEarly && !plain {
		if err != nil && alert.Of(err) == alert.BadRecordMAC {
			return c.skipEarlyData(hdr.Length)
		}
		if err == nil {
			c.in.skippingEarly = false
		}
	}
	if err == nil && !plain {
		err = c.checkReceivedSize(hdr.Length, len(payload))
	}
	if err != nil {
		return c.fail(err)
	}
	if plain && typ == record.TypeApplicationData {
		return c.fail(alert.New(alert.UnexpectedMessage, "application data before the handshake protected it"))
	}
	if len(payload) == 0 && typ != record.TypeApplicationData {
		// RFC 8446 §5.1: zero-length handshake and alert fragments are
		// forbidden.
		return c.fail(alert.New(alert.UnexpectedMessage, "empty %s record", record.TypeName(typ)))
	}
	c.emit(Event{Kind: RecordReceived, ContentType: typ, Seq: seq, Length: len(payload), Epoch: int(c.in.epoch)})
	// RFC 8446 §5.1: "Handshake messages MUST NOT be interleaved with
	// other record types." Alerts are judged in alert.
	if typ == record.TypeApplicationData && c.in.hs.pending() > 0 {
		return c.fail(alert.New(alert.UnexpectedMessage, "application data inside a fragmented handshake message"))
	}
	switch typ {
	case record.TypeAlert:
		return c.alert(payload)
	case record.TypeHandshake:
		c.in.hs.add(payload)
		return c.handshakeMessages()
	case record.TypeApplicationData:
		return c.applicationData(payload)
	}
	return c.fail(alert.New(alert.UnexpectedMessage, "record of type %d inside protection", typ))
}

// applicationData keeps a record's data for ReadApp.
func (c *Core) applicationData(payload []byte) error {
	if c.in.early {
		if err := c.earlyData(len(payload)); err != nil {
			return c.fail(err)
		}
	} else if !c.engine.Done() {
		return c.fail(alert.New(alert.UnexpectedMessage, "application data before the handshake finished"))
	}
	if len(payload) == 0 {
		c.in.empties++
		if c.in.empties > maxEmptyRecords {
			return c.fail(alert.New(alert.UnexpectedMessage, "too many empty records"))
		}
		return nil
	}
	c.in.empties, c.in.warns, c.in.updates = 0, 0, 0
	if c.in.into != nil && len(payload) > 0 && &payload[0] == &c.in.into[0] {
		// Opened into the caller's buffer: the data is already where
		// it is wanted.
		c.in.into, c.in.opened = payload, true
		return nil
	}
	if len(c.in.data) == 0 {
		// The record was opened in place: its data is read from there,
		// with no copy.
		c.in.data, c.in.dataInBuf = payload, true
		return nil
	}
	// Data not yet read, which only a caller that processes records
	// without reading them leaves: join it with this record's.
	joined := make([]byte, 0, len(c.in.data)+len(payload))
	c.in.data = append(append(joined, c.in.data...), payload...)
	c.in.dataInBuf = false
	return nil
}

// changeCipherSpec handles a change_cipher_spec record. In TLS 1.2 it is a
// protocol message that switches the read keys, where the engine expects it
// (RFC 5246 §7.1). In TLS 1.3 (RFC 8446 §5) an unprotected one-byte 0x01
// may arrive after the first ClientHello and before the peer's Finished,
// and is dropped; anything else is fatal. Neither may split a handshake
// message (RFC 8446 §5.1).
func (c *Core) changeCipherSpec(hdr record.Header, rec []byte) error {
	if c.engine.Version() == version.TLS12 {
		_, payload, err := c.in.opener.Open(rec)
		if err != nil {
			return c.fail(err)
		}
		if len(payload) != 1 || payload[0] != 1 {
			return c.fail(alert.New(alert.DecodeError, "change_cipher_spec is not the single byte 1"))
		}
		if c.in.hs.pending() > 0 {
			return c.fail(alert.New(alert.UnexpectedMessage, "change_cipher_spec inside a handshake message"))
		}
		if c.engine.Done() {
			return c.fail(alert.New(alert.UnexpectedMessage, "change_cipher_spec after the handshake (renegotiation is refused)"))
		}
		actions, err := c.engine.ChangeCipherSpec()
		if err != nil {
			return c.fail(err)
		}
		if err := c.perform(actions, 0); err != nil {
			return c.fail(err)
		}
		return nil
	}
	if c.in.hs.pending() > 0 {
		return c.fail(alert.New(alert.UnexpectedMessage, "change_cipher_spec inside a fragmented handshake message"))
	}
	if !c.in.client && !c.in.gotMessage {
		return c.fail(alert.New(alert.UnexpectedMessage, "change_cipher_spec before the ClientHello"))
	}
	if c.in.peerFinished || hdr.Length != 1 || rec[record.HeaderLen] != 1 || int(c.in.ccs) >= c.ccsAllowed() {
		return c.fail(alert.New(alert.UnexpectedMessage, "unexpected change_cipher_spec record"))
	}
	c.in.ccs++
	return nil
}

// plainAlertBeforeClientKeys reports whether a TLS 1.3 server should read
// the record with header hdr as an alert in the clear although it expects
// the client's handshake key. RFC 8446 §A.1 notes that a client may send
// the alerts that follow the server's flight unprotected, before it
// installs its handshake keys; OpenSSL does when it refuses our
// certificate. Read as a protected record it would fail and hide the
// client's reason. The rule is narrow: an alert record of exactly 2
// bytes, which no AEAD record can be (a tag alone is 16), and only before
// any record under the client's handshake key has opened, since a client
// that has protected once never goes back to the clear.
func (c *Core) plainAlertBeforeClientKeys(hdr record.Header) bool {
	if c.in.client || hdr.Type != record.TypeAlert || hdr.Length != 2 || c.engine.Done() {
		return false
	}
	o, ok := c.in.opener.(*record.AEAD13)
	return ok && o.Seq() == 0
}

// skipEarlyData drops a record of n bytes of declined 0-RTT data, or fails
// once more than maxEarlySkip bytes have been skipped.
func (c *Core) skipEarlyData(n int) error {
	skipped := int(c.in.earlySkipped) + n
	// The count is kept in 32 bits, which also bounds it: a limit past
	// that (a max_early_data_size within a record's expansion of 4 GiB)
	// is held to it.
	if limit := min(c.earlySkipLimit(), math.MaxUint32); skipped > limit {
		return c.fail(alert.New(alert.UnexpectedMessage, "more 0-RTT data than the %d bytes a server that declined it skips", limit))
	}
	c.in.earlySkipped = uint32(skipped)
	c.emit(Event{Kind: Decision, Name: "early_data", Length: n, Detail: "skipped a 0-RTT record the server does not read"})
	return nil
}

// alert handles an alert record's payload.
func (c *Core) alert(p []byte) error {
	if len(p) != 2 {
		return c.fail(alert.New(alert.DecodeError, "alert record of %d bytes", len(p)))
	}
	desc := alert.Description(p[1])
	c.emit(Event{Kind: AlertReceived, Alert: desc})
	// RFC 5246 §7.2, RFC 8446 §6: AlertLevel is warning(1) or fatal(2);
	// anything else is not an alert this protocol defines.
	if p[0] != 1 && p[0] != 2 {
		return c.fail(alert.New(alert.IllegalParameter, "alert with unknown level %d", p[0]))
	}
	// Until the version is settled a warning is read as TLS 1.2 reads it:
	// a TLS 1.2 server may send unrecognized_name before its ServerHello.
	tls13 := c.engine.Version() == version.TLS13
	// RFC 8446 §6: in TLS 1.3 only close_notify and user_canceled may be
	// sent as warnings; the alerts of §6.2 MUST be sent as fatal. A
	// warning-level one breaks that rule: the record is malformed.
	if tls13 && p[0] == 1 && desc != alert.CloseNotify && desc != alert.UserCanceled {
		return c.fail(alert.New(alert.DecodeError, "TLS 1.3 alert %s sent at warning level", desc))
	}
	// RFC 8446 §5.1: no record of another type between the fragments of a
	// handshake message. A fatal alert is the peer giving up, which
	// nothing may answer (§6.2), so it is reported below as what it is;
	// an alert the connection would survive is refused.
	if c.in.hs.pending() > 0 && (desc == alert.CloseNotify || desc == alert.UserCanceled || (!tls13 && p[0] == 1)) {
		return c.fail(alert.New(alert.UnexpectedMessage, "%s alert inside a fragmented handshake message", desc))
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
			return c.fail(alert.New(alert.UnexpectedMessage, "too many warning alerts"))
		}
		return nil
	}
	// RFC 8446 §6: in TLS 1.3 every other alert is fatal, whatever its level.
	err := &RemoteAlert{Desc: desc}
	c.in.err, c.out.err = err, err
	return err
}

// handshakeMessages hands every whole message in the reassembly buffer to
// the engine: the handshake's, and after it the post-handshake messages.
func (c *Core) handshakeMessages() error {
	for {
		msg, err := c.in.hs.next()
		if err != nil {
			return c.fail(err)
		}
		if msg == nil {
			return nil
		}
		c.in.gotMessage = true
		if err := c.message(msg); err != nil {
			return err
		}
	}
}

// message feeds one handshake message to the engine and carries out what
// it asks.
func (c *Core) message(msg []byte) error {
	during := !c.engine.Done()
	actions, err := c.engine.Handle(msg)
	if err != nil {
		return c.fail(err)
	}
	pending := c.in.hs.pending()
	if during && pending > 0 && (c.engine.Done() || sends(actions)) {
		// The message ended the peer's flight: we answer it, or the
		// handshake is over. RFC 8446 §5.1 and RFC 5246 §7.4 leave no
		// place for more handshake data in that record; it would have to
		// carry over into the next flight or past a key change.
		return c.fail(alert.New(alert.UnexpectedMessage, "%d bytes of handshake data follow %s, which ends the peer's flight", pending, wire.MessageName(msg[0])))
	}
	if err := c.perform(actions, pending); err != nil {
		return c.fail(err)
	}
	if during && c.engine.Done() {
		// The actions are carried out: the handshake's memory can go
		// to the next one.
		c.engine.ReleaseHandshake()
	}
	if during && !c.in.client && msg[0] == wire.TypeClientHello {
		// A client whose 0-RTT data the server did not accept has
		// records to skip, until its second ClientHello if there is one
		// (which must not offer early data again).
		r := c.engine.Result()
		// Either hello may have announced early data: the one answered
		// (the inner one under ECH) or the one on the wire.
		offered := r.EarlyData.Offered || r.ClientHelloEarlyData()
		// After the second ClientHello nothing is 0-RTT data any more
		// (RFC 8446 §4.2.10: a client sends none after a
		// HelloRetryRequest): a record that fails to decrypt is then
		// bad_record_mac, not data to skip.
		c.in.skippingEarly = !c.in.secondHello && r.Version != version.TLS12 && offered && !r.EarlyData.Accepted
		c.in.secondHello = true
	}
	if c.engine.Done() {
		c.in.peerFinished = true
	}
	return nil
}

// sends reports whether actions answer with a handshake message.
func sends(actions []handshake.Action) bool {
	for _, a := range actions {
		if a.Kind == handshake.SendHandshake {
			return true
		}
	}
	return false
}

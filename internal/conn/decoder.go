package conn

import (
	"bytes"
	"errors"

	"lucid/internal/handshake"
	"lucid/internal/keys"
	"lucid/internal/record"
	"lucid/internal/suites"
	"lucid/internal/version"
	"lucid/internal/wire"
)

// A Decoder follows a connection from outside, as a wiretap holding the
// key log does (Wireshark's way with an NSS key log): it is fed the bytes
// each side sent, in the order they were captured, and yields every record
// opened and every whole handshake message, with the protection each came
// under. It frames records, reassembles handshake messages and opens
// records with the same code a Core uses, and installs keys where the
// protocol changes them: the handshake keys at ServerHello, the
// application keys at each side's Finished, the next key at a KeyUpdate
// (TLS 1.3), the key block at each side's change_cipher_spec (TLS 1.2).
//
// It checks nothing an endpoint checks beyond what it needs to follow the
// conversation; it never panics on bad input, and buffers at most one
// record and one handshake message per direction.
type Decoder struct {
	secret SecretFunc
	// dirs[0] is what the server sent, dirs[1] what the client sent.
	dirs [2]decodeDir

	version uint16
	hello   *wire.ClientHello
	server  *wire.ServerHello
	suite13 *suites.Suite
	suite12 *suites.Suite12
	tr      decodeTranscript
	// keyBlock12 is set once TLS 1.2's key block has been expanded, at
	// the first change_cipher_spec; each side's half waits for its own.
	keyBlock12 bool
}

// SecretFunc returns the secret the key log holds under label (NSS key log
// terms: CLIENT_HANDSHAKE_TRAFFIC_SECRET, CLIENT_TRAFFIC_SECRET_0, ...,
// CLIENT_RANDOM for TLS 1.2's master secret) for the connection whose
// ClientHello carried clientRandom, or nil.
type SecretFunc func(label string, clientRandom [32]byte) []byte

// decodeDir is one direction of the captured conversation.
type decodeDir struct {
	fromClient bool
	raw        []byte // bytes of a record not yet whole
	msgs       reassembly
	// opener is the protection in force; nil is the clear, or, when
	// protected is set, a key the key log did not hold.
	opener    record.Opener
	protected bool
	level     handshake.Level
	traffic   handshake.Traffic // TLS 1.3: what KeyUpdate moves on from
	label     string            // the key log label traffic came from
	updates   int               // KeyUpdates since label's secret
	next12    record.Opener     // TLS 1.2: this side's half of the key block
	finished  bool              // this side's Finished has been read
	epoch     int               // key changes, to catch a message spanning one
	err       error             // sticky: framing is lost
}

// DecodedRecord is one record of a capture.
type DecodedRecord struct {
	FromClient bool
	// Header is the record header as captured.
	Header record.Header
	// Protected says the record was sealed under a key; Level, Seq name
	// that key and the record's number under it.
	Protected bool
	Level     handshake.Level
	Seq       uint64
	// Type and Payload are the content type and plaintext inside; Payload
	// is nil when the record could not be opened.
	Type    uint8
	Payload []byte
	// Messages are the handshake messages this record completed.
	Messages []DecodedMessage
	// Keys are the keys derived from the key log after this record.
	Keys []DecodedKey
	// Err says why the record could not be opened: ErrNoKey, or the
	// record layer's alert error.
	Err error
}

// DecodedMessage is one whole handshake message of a capture.
type DecodedMessage struct {
	FromClient bool
	Type       uint8
	// Raw is the message, header and body.
	Raw []byte
	// Protected and Level describe the records that carried it.
	Protected bool
	Level     handshake.Level
	// HelloRetry marks a ServerHello that is a HelloRetryRequest.
	HelloRetry bool
	// Transcript is the handshake's transcript hash before this message
	// (RFC 8446 §4.4.1, RFC 5246 §7.4.9): what a CertificateVerify signs
	// and a Finished MACs. It is nil before the suite fixes the hash and
	// for messages after the handshake.
	Transcript []byte
	// Expected is, for a Finished, the verify_data re-computed from the key
	// log and Transcript; nil when the key log lacks the secret.
	Expected []byte
	// Err says why a hello the decoder needs could not be read.
	Err error
}

// Body is the message without its header.
func (m DecodedMessage) Body() []byte { return m.Raw[wire.HeaderLen:] }

// Name is the message's RFC name; a HelloRetryRequest is named as such.
func (m DecodedMessage) Name() string {
	if m.HelloRetry {
		return "HelloRetryRequest"
	}
	return wire.MessageName(m.Type)
}

// DecodedKey is record protection the decoder derived from the key log.
type DecodedKey struct {
	// FromClient says whose records it opens.
	FromClient bool
	Level      handshake.Level
	// Secret is the key log label it was derived from; Updates counts
	// the TLS 1.3 KeyUpdates since.
	Secret  string
	Updates int
	// Key and IV are the write key and IV; MACKey is TLS 1.2 CBC's.
	Key, IV, MACKey []byte
}

// ErrNoKey is a protected record whose key the key log did not hold.
var ErrNoKey = errors.New("conn: no key for this record in the key log")

// NewDecoder returns a Decoder that finds secrets with secret; nil finds
// none, which still follows the conversation up to its first protected
// record.
func NewDecoder(secret SecretFunc) *Decoder {
	d := &Decoder{secret: secret}
	d.dirs[1].fromClient = true
	return d
}

// Version is the version the ServerHello chose, 0 before it.
func (d *Decoder) Version() uint16 { return d.version }

// ClientHello is the last ClientHello read, nil before one.
func (d *Decoder) ClientHello() *wire.ClientHello { return d.hello }

// ServerHello is the ServerHello read, not a HelloRetryRequest; nil
// before one.
func (d *Decoder) ServerHello() *wire.ServerHello { return d.server }

// Suite13 is the TLS 1.3 suite chosen, nil if none.
func (d *Decoder) Suite13() *suites.Suite { return d.suite13 }

// Suite12 is the TLS 1.2 suite chosen, nil if none.
func (d *Decoder) Suite12() *suites.Suite12 { return d.suite12 }

func (d *Decoder) dir(fromClient bool) *decodeDir {
	if fromClient {
		return &d.dirs[1]
	}
	return &d.dirs[0]
}

// Feed takes bytes one side sent, continuing what it sent before, and
// returns the records they complete. Its error is sticky for that side:
// once a record header or a handshake message header is malformed the
// stream cannot be framed again, and no more of that side is decoded.
func (d *Decoder) Feed(fromClient bool, b []byte) ([]DecodedRecord, error) {
	dir := d.dir(fromClient)
	var out []DecodedRecord
	for dir.err == nil {
		want := record.HeaderLen
		if len(dir.raw) >= record.HeaderLen {
			// The header is checked before the body is buffered:
			// ParseHeader refuses more than one record's worth.
			hdr, err := record.ParseHeader(dir.raw[:record.HeaderLen])
			if err != nil {
				dir.err = err
				break
			}
			want += hdr.Length
			if len(dir.raw) == want {
				out = append(out, d.record(dir))
				dir.raw = dir.raw[:0]
				continue
			}
		}
		if len(b) == 0 {
			break
		}
		n := min(want-len(dir.raw), len(b))
		dir.raw = append(dir.raw, b[:n]...)
		b = b[n:]
	}
	return out, dir.err
}

// Partial reports whether a side's bytes end inside a record.
func (d *Decoder) Partial(fromClient bool) bool { return len(d.dir(fromClient).raw) > 0 }

// record decodes the whole record in dir.raw.
func (d *Decoder) record(dir *decodeDir) DecodedRecord {
	rec := dir.raw
	hdr, _ := record.ParseHeader(rec[:record.HeaderLen])
	out := DecodedRecord{FromClient: dir.fromClient, Header: hdr}
	var opener record.Opener = &record.Plain{}
	// RFC 8446 §5: TLS 1.3's change_cipher_spec is never protected; TLS
	// 1.2's is read under the protection in force, as a Core reads it.
	if dir.protected && !(hdr.Type == record.TypeChangeCipherSpec && d.version != version.TLS12) {
		out.Protected, out.Level = true, dir.level
		if dir.opener == nil {
			out.Err = ErrNoKey
			return out
		}
		opener = dir.opener
		out.Seq = opener.Seq()
	}
	typ, payload, err := opener.Open(rec)
	if err != nil {
		out.Err = err
		return out
	}
	if !out.Protected && typ == record.TypeApplicationData {
		// Application data is never sent in the clear: this is data
		// under a key the decoder does not have, such as 0-RTT's.
		out.Protected, out.Err = true, ErrNoKey
		return out
	}
	out.Type, out.Payload = typ, bytes.Clone(payload)
	switch typ {
	case record.TypeHandshake:
		dir.msgs.add(payload)
		d.messages(dir, &out)
	case record.TypeChangeCipherSpec:
		d.changeCipherSpec(dir, &out)
	}
	return out
}

// messages takes every whole message out of dir's reassembly.
func (d *Decoder) messages(dir *decodeDir, out *DecodedRecord) {
	epoch := dir.epoch
	for dir.err == nil {
		msg, err := dir.msgs.next()
		if err != nil {
			dir.err = err
			return
		}
		if msg == nil {
			// RFC 8446 §5.1: a message must not span a key change;
			// the rest of it would be read under the wrong key.
			if dir.epoch != epoch && dir.msgs.pending() > 0 {
				dir.err = errSpansKeyChange
			}
			return
		}
		m := DecodedMessage{FromClient: dir.fromClient, Type: msg[0], Raw: bytes.Clone(msg), Protected: out.Protected, Level: out.Level}
		d.message(dir, &m, out)
		out.Messages = append(out.Messages, m)
	}
}

// message learns what the conversation needs from m and installs the keys
// it brings.
func (d *Decoder) message(dir *decodeDir, m *DecodedMessage, out *DecodedRecord) {
	handshakeKeys := false
	switch m.Type {
	case wire.TypeClientHello:
		ch, err := wire.ParseClientHello(m.Body())
		if err != nil {
			m.Err = err
		} else if dir.fromClient {
			d.hello = ch
		}
	case wire.TypeServerHello:
		if dir.fromClient {
			break
		}
		sh, err := wire.ParseServerHello(m.Body())
		if err != nil {
			m.Err = err
			break
		}
		m.HelloRetry = sh.IsHelloRetryRequest()
		m.Err = d.serverHello(sh)
		handshakeKeys = !m.HelloRetry && d.version == version.TLS13
	}
	first := m.Type == wire.TypeFinished && !dir.finished
	dir.finished = dir.finished || first
	d.tr.message(d, m)
	if handshakeKeys {
		// Both sides move to their handshake keys, whether or not the
		// key log holds them.
		d.install13(d.dir(false), keys.LogServerHandshake, handshake.LevelHandshake, out)
		d.install13(d.dir(true), keys.LogClientHandshake, handshake.LevelHandshake, out)
	}
	if d.version != version.TLS13 {
		return
	}
	switch {
	case first:
		label := keys.LogServerTraffic
		if dir.fromClient {
			label = keys.LogClientTraffic
		}
		d.install13(dir, label, handshake.LevelApplication, out)
	case m.Type == wire.TypeKeyUpdate && dir.finished:
		d.update13(dir, out)
	}
}

// serverHello learns the version and suite.
func (d *Decoder) serverHello(sh *wire.ServerHello) error {
	v := sh.LegacyVersion
	if sh.SupportedVersion != 0 {
		v = sh.SupportedVersion
	}
	if sh.IsHelloRetryRequest() {
		// The suite is chosen already; it fixes the transcript's hash.
		d.suite13 = suites.Lookup13(sh.CipherSuite)
		return nil
	}
	d.server, d.version = sh, v
	if v == version.TLS13 {
		d.suite13 = suites.Lookup13(sh.CipherSuite)
		if d.suite13 == nil {
			return errUnknownSuite(sh.CipherSuite)
		}
		return nil
	}
	d.suite13 = nil
	d.suite12 = suites.Lookup12(sh.CipherSuite)
	if d.suite12 == nil {
		return errUnknownSuite(sh.CipherSuite)
	}
	return nil
}

// changeCipherSpec switches a TLS 1.2 side to its half of the key block.
func (d *Decoder) changeCipherSpec(dir *decodeDir, out *DecodedRecord) {
	if d.version != version.TLS12 || dir.protected {
		return
	}
	if dir.msgs.pending() > 0 {
		dir.err = errSpansKeyChange
		return
	}
	if !d.keyBlock12 {
		d.keyBlock12 = true
		d.expand12(out)
	}
	dir.opener, dir.protected, dir.level = dir.next12, true, handshake.LevelApplication
	dir.next12 = nil
	dir.epoch++
}

package main

import (
	"bytes"
	"crypto"
	"crypto/hmac"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"

	"lucid/internal/certcomp"
	"lucid/internal/conn"
	"lucid/internal/handshake"
	"lucid/internal/record"
	"lucid/internal/signature"
	"lucid/internal/suites"
	"lucid/internal/wire"
	"lucid/tls"
)

// The decoder does what Wireshark does with an NSS key log: it takes the
// wiretap's capture and the secrets the client logged and hands both to the
// connection core's passive decoder, which frames, reassembles and opens
// every record the way the two ends did and re-computes both Finished
// MACs; the demo re-checks the server's signature from the bytes alone. The demo narrates from what it finds, so the story is
// the capture's, not a script's.

// hsMessage is one handshake message from the capture.
type hsMessage struct {
	fromClient bool
	typ        uint8
	raw        []byte // header and body
	record     int    // the capture record that completed it
	encrypted  bool
	// transcript is the handshake's hash before the message, and expected
	// a Finished's MAC, as the decoder re-computed them.
	transcript, expected []byte
}

func (m hsMessage) body() []byte { return m.raw[wire.HeaderLen:] }

// derivedKey is a secret or a key, with where it came from.
type derivedKey struct {
	label string
	value []byte
	// from is how it was obtained: "key log" or the derivation.
	from string
}

// finishedCheck is one Finished message, re-computed.
type finishedCheck struct {
	fromClient bool
	record     int
	got, want  []byte
	// over names the handshake messages the MAC covers.
	over []string
}

func (f finishedCheck) ok() bool { return len(f.got) > 0 && hmac.Equal(f.got, f.want) }

// sigCheck is the server's handshake signature, re-verified.
type sigCheck struct {
	message string // CertificateVerify or ServerKeyExchange
	scheme  tls.SignatureScheme
	sigLen  int
	signed  string // what was signed, in words
	err     error
}

// notDecrypted is what a record holds that the key log did not open.
const notDecrypted = "could not be decrypted"

// decodedRecord is what a capture record held, once decrypted.
type decodedRecord struct {
	inner     string // what it holds, such as "Finished" or "application data"
	seq       uint64 // its sequence number under its key
	encrypted bool
	plain     []byte // application data, if any
}

// decoded is the capture, decrypted.
type decoded struct {
	version uint16
	suite13 *suites.Suite
	suite12 *suites.Suite12
	hello   *wire.ClientHello // the (last) ClientHello the handshake used
	// ech lists the capture's ClientHellos that carried an outer
	// encrypted_client_hello, GREASE or real, with the inner hello when
	// the story had the server's key to open it.
	ech     []*echHello
	sh      *wire.ServerHello
	hrr     bool
	msgs    []hsMessage
	records map[int]*decodedRecord
	secrets []derivedKey // from the key log
	keys    []derivedKey // record keys derived from them
	leaf    *x509.Certificate
	chain   int // certificates the server sent
	// certMsgLen is the server's certificate message as captured, header
	// included; certAlg and certUncompressedLen describe it when it was a
	// CompressedCertificate (the Certificate's length, header included).
	certMsgLen          int
	certAlg             uint16
	certUncompressedLen int
	sig                 *sigCheck
	// The key exchange, as the wiretap saw it.
	kxGroup        uint16
	clientShareLen int
	serverShareLen int
	encPreMaster   []byte // RSA key transport: the encrypted pre-master secret
	ems            bool   // TLS 1.2 extended master secret (RFC 7627)
	finished       []finishedCheck
	problems       []string // what could not be decoded
}

func (d *decoded) problem(format string, args ...any) {
	d.problems = append(d.problems, fmt.Sprintf(format, args...))
}

// hash is the transcript hash of the negotiated suite.
func (d *decoded) hash() crypto.Hash {
	if d.suite13 != nil {
		return d.suite13.Hash
	}
	if d.suite12 != nil {
		return d.suite12.PRF
	}
	return 0
}

// decodeCapture decrypts recs with the secrets in log, through the
// connection core's passive decoder, and re-checks what it finds. With
// ech, the server's ECH key, it first opens each encrypted ClientHello and
// gives the decoder the inner hello the handshake went on with.
func decodeCapture(recs []*tapRecord, log []keyLogEntry, ech *echOpener) *decoded {
	d := &decoded{records: map[int]*decodedRecord{}}
	dec := conn.NewDecoder(func(label string, clientRandom [32]byte) []byte {
		return logSecret(log, label, clientRandom[:])
	})
	var installed []conn.DecodedKey
	for _, r := range recs {
		dr := &decodedRecord{}
		d.records[r.n] = dr
		got, err := dec.Feed(r.fromClient, d.openRecord(ech, r))
		if r.typ == record.TypeChangeCipherSpec {
			dr.inner = "ChangeCipherSpec"
		}
		if len(got) != 1 {
			if dr.inner == "" {
				dr.inner = notDecrypted
			}
			if err == nil {
				err = fmt.Errorf("it holds %d whole records", len(got))
			}
			d.problem("record %d could not be framed: %v", r.n, err)
			continue
		}
		rec := got[0]
		installed = append(installed, rec.Keys...)
		if r.typ == record.TypeChangeCipherSpec {
			continue
		}
		if rec.Protected {
			dr.encrypted, dr.seq = true, rec.Seq
		}
		if rec.Err != nil {
			dr.inner = notDecrypted
			d.problem("record %d could not be decrypted: %v", r.n, rec.Err)
			continue
		}
		switch rec.Type {
		case record.TypeHandshake:
			dr.inner = strings.Join(d.handshakeMessages(dec, r, rec.Messages, log), ", ")
		case record.TypeApplicationData:
			dr.inner = "application data"
			dr.plain = rec.Payload
		case record.TypeAlert:
			dr.inner = "alert"
			if len(rec.Payload) == 2 {
				dr.inner = "alert " + strings.TrimPrefix(tls.AlertError(rec.Payload[1]).Error(), "tls: ")
			}
		default:
			dr.inner = fmt.Sprintf("content type %d", rec.Type)
		}
	}
	if d.hello == nil {
		d.hello = dec.ClientHello()
	}
	d.recordKeys(installed)
	d.checkFinished()
	return d
}

// handshakeMessages reads what the narration needs from the messages one
// record completed; it returns their names.
func (d *decoded) handshakeMessages(dec *conn.Decoder, r *tapRecord, msgs []conn.DecodedMessage, log []keyLogEntry) []string {
	var names []string
	for _, dm := range msgs {
		m := hsMessage{fromClient: r.fromClient, typ: dm.Type, raw: dm.Raw, record: r.n, encrypted: dm.Protected,
			transcript: dm.Transcript, expected: dm.Expected}
		d.msgs = append(d.msgs, m)
		names = append(names, dm.Name())
		if dm.Err != nil {
			d.problem("%s: %v", dm.Name(), dm.Err)
			continue
		}
		switch m.typ {
		case wire.TypeServerHello:
			if dm.HelloRetry {
				d.hrr = true
			} else if !r.fromClient {
				d.serverHello(dec, log)
			}
		case wire.TypeCertificate, wire.TypeCompressedCertificate:
			if !r.fromClient {
				d.certificate(m)
			}
		case wire.TypeServerKeyExchange:
			d.serverKeyExchange(m)
		case wire.TypeClientKeyExchange:
			d.clientKeyExchange(m)
		case wire.TypeCertificateVerify:
			if !r.fromClient {
				d.certificateVerify(m)
			}
		}
	}
	return names
}

// serverHello learns the version, the suite and the key exchange.
func (d *decoded) serverHello(dec *conn.Decoder, log []keyLogEntry) {
	d.sh, d.version, d.hello = dec.ServerHello(), dec.Version(), dec.ClientHello()
	if d.hello != nil {
		d.secrets = secretsFor(log, d.hello.Random[:])
	}
	d.suite13, d.suite12 = dec.Suite13(), dec.Suite12()
	if d.version != tls.VersionTLS13 {
		d.ems = d.sh.ExtendedMasterSecret
		return
	}
	d.kxGroup = d.sh.KeyShare.Group
	d.serverShareLen = len(d.sh.KeyShare.Data)
	if d.hello != nil {
		for _, ks := range d.hello.KeyShares {
			if ks.Group == d.kxGroup {
				d.clientShareLen = len(ks.Data)
			}
		}
	}
}

// recordKeys lists the record keys the decoder derived, in the order the
// story tells them: TLS 1.3's key and IV for each side's handshake and
// application secrets, TLS 1.2's key block as RFC 5246 §6.3 names it.
func (d *decoded) recordKeys(installed []conn.DecodedKey) {
	find := func(fromClient bool, level handshake.Level) *conn.DecodedKey {
		for i, k := range installed {
			if k.FromClient == fromClient && k.Level == level && k.Updates == 0 {
				return &installed[i]
			}
		}
		return nil
	}
	if d.version != tls.VersionTLS13 {
		c, s := find(true, handshake.LevelApplication), find(false, handshake.LevelApplication)
		if c == nil || s == nil {
			return
		}
		from := `PRF(master, "key expansion", server_random + client_random)`
		d.keys = append(d.keys,
			derivedKey{label: "client_write_key", value: c.Key, from: from},
			derivedKey{label: "server_write_key", value: s.Key, from: from},
			derivedKey{label: "client_write_IV", value: c.IV, from: from},
			derivedKey{label: "server_write_IV", value: s.IV, from: from})
		return
	}
	for _, side := range []bool{true, false} {
		for _, level := range []handshake.Level{handshake.LevelHandshake, handshake.LevelApplication} {
			k := find(side, level)
			if k == nil {
				continue
			}
			name := "server " + level.String()
			if side {
				name = "client " + level.String()
			}
			d.keys = append(d.keys,
				derivedKey{label: name + " key", value: k.Key, from: "HKDF-Expand-Label(" + k.Secret + `, "key")`},
				derivedKey{label: name + " iv", value: k.IV, from: "HKDF-Expand-Label(" + k.Secret + `, "iv")`})
		}
	}
}

// logSecret is the first secret the key log holds under label for the
// connection whose ClientHello carried clientRandom.
func logSecret(log []keyLogEntry, label string, clientRandom []byte) []byte {
	for _, e := range log {
		if e.label == label && bytes.Equal(e.clientRandom, clientRandom) {
			return e.secret
		}
	}
	return nil
}

// secretsFor picks the key log lines of the connection whose ClientHello
// carried clientRandom.
func secretsFor(log []keyLogEntry, clientRandom []byte) []derivedKey {
	var out []derivedKey
	for _, e := range log {
		if bytes.Equal(e.clientRandom, clientRandom) {
			out = append(out, derivedKey{label: e.label, value: e.secret, from: "key log"})
		}
	}
	return out
}

func (d *decoded) certificate(m hsMessage) {
	var der []byte
	d.certMsgLen = len(m.raw)
	if d.version == tls.VersionTLS13 {
		body := m.body()
		if m.typ == wire.TypeCompressedCertificate {
			// RFC 8879 §4: the chain is the decompressed Certificate body.
			cc, err := wire.ParseCompressedCertificate(body)
			if err == nil {
				body, err = certcomp.Decompress(cc.Algorithm, cc.Compressed, int(cc.UncompressedLength))
			}
			if err != nil {
				d.problem("CompressedCertificate: %v", err)
				return
			}
			d.certAlg, d.certUncompressedLen = cc.Algorithm, wire.HeaderLen+len(body)
		}
		c, err := wire.ParseCertificate(body)
		if err != nil || len(c.Entries) == 0 {
			d.problem("Certificate: %v", err)
			return
		}
		der, d.chain = c.Entries[0].Data, len(c.Entries)
	} else {
		c, err := wire.ParseCertificate12(m.body())
		if err != nil || len(c.Certificates) == 0 {
			d.problem("Certificate: %v", err)
			return
		}
		der, d.chain = c.Certificates[0], len(c.Certificates)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		d.problem("the server's certificate: %v", err)
		return
	}
	d.leaf = leaf
}

// certificateVerify re-verifies the TLS 1.3 server's signature over the
// transcript up to its Certificate (RFC 8446 §4.4.3).
func (d *decoded) certificateVerify(m hsMessage) {
	cv, err := wire.ParseCertificateVerify(m.body())
	if err != nil || d.leaf == nil || d.suite13 == nil || m.transcript == nil {
		d.problem("CertificateVerify could not be checked")
		return
	}
	content := signature.Content13("TLS 1.3, server CertificateVerify", m.transcript)
	d.sig = &sigCheck{
		message: "CertificateVerify",
		scheme:  tls.SignatureScheme(cv.Scheme),
		sigLen:  len(cv.Signature),
		signed:  "64 spaces, \"TLS 1.3, server CertificateVerify\", 0, and the hash of ClientHello..Certificate",
		err:     signature.VerifyFor(d.leaf.PublicKey, tls.VersionTLS13, signature.Scheme(cv.Scheme), content, cv.Signature),
	}
}

// serverKeyExchange re-verifies the TLS 1.2 server's signature over both
// randoms and its ECDHE parameters (RFC 8422 §5.4).
func (d *decoded) serverKeyExchange(m hsMessage) {
	ske, err := wire.ParseServerKeyExchangeECDHE(m.body())
	if err != nil || d.leaf == nil || d.hello == nil || d.sh == nil {
		d.problem("ServerKeyExchange could not be checked: %v", err)
		return
	}
	d.kxGroup = ske.Group
	d.serverShareLen = len(ske.PublicKey)
	msg := append(append(append([]byte(nil), d.hello.Random[:]...), d.sh.Random[:]...), ske.Params()...)
	d.sig = &sigCheck{
		message: "ServerKeyExchange",
		scheme:  tls.SignatureScheme(ske.Scheme),
		sigLen:  len(ske.Signature),
		signed:  "client random, server random and the server's ECDHE public key",
		err:     signature.VerifyFor(d.leaf.PublicKey, tls.VersionTLS12, signature.Scheme(ske.Scheme), msg, ske.Signature),
	}
}

func (d *decoded) clientKeyExchange(m hsMessage) {
	cke, err := wire.ParseClientKeyExchange(m.body())
	if err != nil || d.suite12 == nil {
		d.problem("ClientKeyExchange: %v", err)
		return
	}
	if d.suite12.KeyExchange == suites.RSAKeyTransport {
		if p, err := cke.EncryptedPreMaster(); err == nil {
			d.encPreMaster = p
		}
		return
	}
	if p, err := cke.ECDHEPoint(); err == nil {
		d.clientShareLen = len(p)
	}
}

// checkFinished lists both Finished messages with their MACs as the
// decoder re-computed them from the transcript and the logged secrets:
// TLS 1.3's HMAC under a key from each side's handshake traffic secret
// (RFC 8446 §4.4.4), TLS 1.2's PRF of the master secret (RFC 5246 §7.4.9).
func (d *decoded) checkFinished() {
	if d.hash() == 0 {
		return
	}
	for i, m := range d.msgs {
		if m.typ != wire.TypeFinished {
			continue
		}
		fc := finishedCheck{fromClient: m.fromClient, record: m.record, got: m.body(), want: m.expected}
		for _, p := range d.msgs[:i] {
			if d.version == tls.VersionTLS13 && p.typ == wire.TypeNewSessionTicket {
				continue
			}
			fc.over = append(fc.over, wire.MessageName(p.typ))
		}
		d.finished = append(d.finished, fc)
	}
}

// verifyProblems says what in the capture did not check out.
func (d *decoded) verifyProblems() error {
	var errs []error
	for _, p := range d.problems {
		errs = append(errs, errors.New(p))
	}
	if d.sig != nil && d.sig.err != nil {
		errs = append(errs, fmt.Errorf("the server's %s does not verify: %w", d.sig.message, d.sig.err))
	}
	if len(d.finished) != 2 {
		errs = append(errs, fmt.Errorf("found %d Finished messages in the capture, want 2", len(d.finished)))
	}
	for _, f := range d.finished {
		if !f.ok() {
			errs = append(errs, fmt.Errorf("a Finished MAC in record %d does not match its re-computation", f.record))
		}
	}
	return errors.Join(errs...)
}

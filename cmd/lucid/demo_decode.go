package main

import (
	"bytes"
	"crypto"
	"crypto/hmac"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"

	"lucid/internal/keys"
	"lucid/internal/record"
	"lucid/internal/signature"
	"lucid/internal/suites"
	"lucid/internal/wire"
	"lucid/tls"
)

// The decoder does what Wireshark does with an NSS key log: it takes the
// wiretap's capture and the secrets the client logged, derives the record
// keys the way both ends did, decrypts every record, and re-checks the
// handshake's proofs (the server's signature and both Finished MACs) from
// the bytes alone. The demo narrates from what it finds, so the story is
// the capture's, not a script's.

// hsMessage is one handshake message from the capture.
type hsMessage struct {
	fromClient bool
	typ        uint8
	raw        []byte // header and body
	record     int    // the capture record that completed it
	encrypted  bool
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
	hello   *wire.ClientHello // the (last) ClientHello
	sh      *wire.ServerHello
	hrr     bool
	msgs    []hsMessage
	records map[int]*decodedRecord
	secrets []derivedKey // from the key log
	keys    []derivedKey // record keys derived from them
	leaf    *x509.Certificate
	chain   int // certificates the server sent
	sig     *sigCheck
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

func (d *decoded) secret(label string) []byte {
	for _, k := range d.secrets {
		if k.label == label {
			return k.value
		}
	}
	return nil
}

// direction is one half of the conversation, as the decoder follows it.
type direction struct {
	opener record.Opener
	hs     []byte // handshake bytes not yet a whole message
	// next is the protection to switch to after this direction's
	// Finished (TLS 1.3).
	next record.Opener
}

// decodeCapture decrypts recs with the secrets in log.
func decodeCapture(recs []*tapRecord, log []keyLogEntry) *decoded {
	d := &decoded{records: map[int]*decodedRecord{}}
	client, server := &direction{}, &direction{}
	for _, r := range recs {
		dir := server
		if r.fromClient {
			dir = client
		}
		dr := &decodedRecord{}
		d.records[r.n] = dr
		if r.typ == recordChangeCipherSpec {
			dr.inner = "ChangeCipherSpec"
			if d.version == tls.VersionTLS12 {
				d.keys12(log, r.fromClient, dir)
			}
			continue
		}
		typ, payload := r.typ, r.raw[recordHeaderLen:]
		if dir.opener != nil {
			dr.encrypted = true
			dr.seq = dir.opener.Seq()
			t, p, err := dir.opener.Open(bytes.Clone(r.raw))
			if err != nil {
				dr.inner = notDecrypted
				d.problem("record %d could not be decrypted: %v", r.n, err)
				continue
			}
			typ, payload = t, p
		}
		switch typ {
		case recordHandshake:
			names := d.handshakeBytes(r, dir, client, server, payload, log)
			dr.inner = strings.Join(names, ", ")
		case recordApplicationData:
			dr.inner = "application data"
			dr.plain = payload
		case recordAlert:
			dr.inner = "alert"
			if len(payload) == 2 {
				dr.inner = "alert " + strings.TrimPrefix(tls.AlertError(payload[1]).Error(), "tls: ")
			}
		default:
			dr.inner = fmt.Sprintf("content type %d", typ)
		}
	}
	d.checkFinished()
	return d
}

// handshakeBytes reassembles handshake messages and acts on each; it
// returns their names.
func (d *decoded) handshakeBytes(r *tapRecord, dir, client, server *direction, payload []byte, log []keyLogEntry) []string {
	var names []string
	dir.hs = append(dir.hs, payload...)
	for {
		typ, n, ok := wire.Header(dir.hs)
		if !ok || len(dir.hs) < wire.HeaderLen+n {
			break
		}
		m := hsMessage{fromClient: r.fromClient, typ: typ, raw: bytes.Clone(dir.hs[:wire.HeaderLen+n]), record: r.n, encrypted: dir.opener != nil}
		dir.hs = dir.hs[wire.HeaderLen+n:]
		d.msgs = append(d.msgs, m)
		name := wire.MessageName(typ)
		switch typ {
		case wire.TypeClientHello:
			if ch, err := wire.ParseClientHello(m.body()); err == nil {
				d.hello = ch
			} else {
				d.problem("ClientHello: %v", err)
			}
		case wire.TypeServerHello:
			sh, err := wire.ParseServerHello(m.body())
			if err != nil {
				d.problem("ServerHello: %v", err)
				break
			}
			if sh.IsHelloRetryRequest() {
				d.hrr = true
				name = "HelloRetryRequest"
				break
			}
			d.sh = sh
			d.serverHello(client, server, log)
		case wire.TypeCertificate:
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
		case wire.TypeFinished:
			// TLS 1.3: after its Finished, a direction switches to its
			// application traffic keys.
			if dir.next != nil {
				dir.opener, dir.next = dir.next, nil
			}
		}
		names = append(names, name)
	}
	return names
}

// serverHello learns the version and suite, and in TLS 1.3 installs the
// handshake keys both ways.
func (d *decoded) serverHello(client, server *direction, log []keyLogEntry) {
	sh := d.sh
	d.version = sh.LegacyVersion
	if sh.SupportedVersion != 0 {
		d.version = sh.SupportedVersion
	}
	if d.hello != nil {
		d.secrets = secretsFor(log, d.hello.Random[:])
	}
	if d.version != tls.VersionTLS13 {
		d.suite12 = suites.Lookup12(sh.CipherSuite)
		d.ems = sh.ExtendedMasterSecret
		return
	}
	d.suite13 = suites.Lookup13(sh.CipherSuite)
	if d.suite13 == nil {
		d.problem("unknown TLS 1.3 suite %#04x", sh.CipherSuite)
		return
	}
	d.kxGroup = sh.KeyShare.Group
	d.serverShareLen = len(sh.KeyShare.Data)
	if d.hello != nil {
		for _, ks := range d.hello.KeyShares {
			if ks.Group == d.kxGroup {
				d.clientShareLen = len(ks.Data)
			}
		}
	}
	var ok bool
	client.opener, ok = d.keys13("CLIENT_HANDSHAKE_TRAFFIC_SECRET", "client handshake")
	client.next, _ = d.keys13("CLIENT_TRAFFIC_SECRET_0", "client application")
	server.opener, _ = d.keys13("SERVER_HANDSHAKE_TRAFFIC_SECRET", "server handshake")
	server.next, _ = d.keys13("SERVER_TRAFFIC_SECRET_0", "server application")
	if !ok {
		d.problem("the key log lacks the handshake secrets")
	}
}

// keys13 derives a TLS 1.3 traffic key and IV from a logged secret
// (RFC 8446 §7.3) and returns the protection they make.
func (d *decoded) keys13(label, name string) (record.Opener, bool) {
	secret := d.secret(label)
	if secret == nil {
		return nil, false
	}
	s := d.suite13
	key, iv := keys.TrafficKey(s.Hash, secret, s.KeyLen)
	d.keys = append(d.keys,
		derivedKey{label: name + " key", value: key, from: "HKDF-Expand-Label(" + label + `, "key")`},
		derivedKey{label: name + " iv", value: iv, from: "HKDF-Expand-Label(" + label + `, "iv")`})
	aead, err := s.NewAEAD(key)
	if err != nil {
		d.problem("%s: %v", name, err)
		return nil, false
	}
	return record.NewAEAD13(aead, iv), true
}

// keys12 expands the logged master secret into the TLS 1.2 key block
// (RFC 5246 §6.3) when one direction sends ChangeCipherSpec, and installs
// that direction's protection.
func (d *decoded) keys12(log []keyLogEntry, fromClient bool, dir *direction) {
	s := d.suite12
	master := d.secret("CLIENT_RANDOM")
	if s == nil || master == nil || d.hello == nil || d.sh == nil {
		d.problem("no TLS 1.2 master secret for this connection in the key log")
		return
	}
	if s.Mode == suites.ModeCBC {
		d.problem("%s records are not decrypted by the demo", s.Name)
		return
	}
	kb := keys.KeyBlock(s.PRF, master, d.hello.Random[:], d.sh.Random[:], 2*s.KeyLen+2*s.FixedIVLen)
	ck, sk := kb[:s.KeyLen], kb[s.KeyLen:2*s.KeyLen]
	civ, siv := kb[2*s.KeyLen:2*s.KeyLen+s.FixedIVLen], kb[2*s.KeyLen+s.FixedIVLen:]
	if len(d.keys) == 0 {
		from := `PRF(master, "key expansion", server_random + client_random)`
		d.keys = append(d.keys,
			derivedKey{label: "client_write_key", value: ck, from: from},
			derivedKey{label: "server_write_key", value: sk, from: from},
			derivedKey{label: "client_write_IV", value: civ, from: from},
			derivedKey{label: "server_write_IV", value: siv, from: from})
	}
	key, iv := sk, siv
	if fromClient {
		key, iv = ck, civ
	}
	aead, err := s.NewAEAD(key)
	if err != nil {
		d.problem("TLS 1.2 keys: %v", err)
		return
	}
	dir.opener = record.NewAEAD12(aead, iv)
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
	if d.version == tls.VersionTLS13 {
		c, err := wire.ParseCertificate(m.body())
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
	if err != nil || d.leaf == nil || d.suite13 == nil {
		d.problem("CertificateVerify could not be checked")
		return
	}
	th := d.transcript(len(d.msgs) - 1)
	content := signature.Content13("TLS 1.3, server CertificateVerify", th)
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

// transcript hashes the first n handshake messages of the connection the
// way TLS 1.3 does: a HelloRetryRequest replaces the first ClientHello by
// a message_hash of it (RFC 8446 §4.4.1). NewSessionTicket and KeyUpdate
// are after the handshake and never part of it.
func (d *decoded) transcript(n int) []byte {
	h := d.hash().New()
	for i, m := range d.msgs[:n] {
		if d.version == tls.VersionTLS13 && (m.typ == wire.TypeNewSessionTicket || m.typ == wire.TypeKeyUpdate) {
			continue
		}
		if i == 1 && m.typ == wire.TypeServerHello && len(m.body()) >= 34 && bytes.Equal(m.body()[2:34], wire.HelloRetryRequestRandom[:]) {
			first := h.Sum(nil)
			h.Reset()
			h.Write(wire.AppendHeader(nil, wire.TypeMessageHash, len(first)))
			h.Write(first)
		}
		h.Write(m.raw)
	}
	return h.Sum(nil)
}

// checkFinished re-computes both Finished MACs from the transcript and the
// logged secrets: TLS 1.3's HMAC under a key from each side's handshake
// traffic secret (RFC 8446 §4.4.4), TLS 1.2's PRF of the master secret
// (RFC 5246 §7.4.9).
func (d *decoded) checkFinished() {
	if d.hash() == 0 {
		return
	}
	for i, m := range d.msgs {
		if m.typ != wire.TypeFinished {
			continue
		}
		fc := finishedCheck{fromClient: m.fromClient, record: m.record, got: m.body()}
		for _, p := range d.msgs[:i] {
			if d.version == tls.VersionTLS13 && p.typ == wire.TypeNewSessionTicket {
				continue
			}
			fc.over = append(fc.over, wire.MessageName(p.typ))
		}
		th := d.transcript(i)
		if d.version == tls.VersionTLS13 {
			label := "SERVER_HANDSHAKE_TRAFFIC_SECRET"
			if m.fromClient {
				label = "CLIENT_HANDSHAKE_TRAFFIC_SECRET"
			}
			if s := d.secret(label); s != nil {
				fc.want = keys.FinishedMAC(d.hash(), s, th)
			}
		} else if master := d.secret("CLIENT_RANDOM"); master != nil {
			fc.want = keys.FinishedVerifyData12(d.hash(), master, m.fromClient, th)
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

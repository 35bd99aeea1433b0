package main

import (
	"bufio"
	"bytes"
	"crypto/x509"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"lucid/tls"
)

// demoOptions are the demo's settings.
type demoOptions struct {
	// ShowSecrets prints the secret values from the key log, not only
	// their labels and lengths.
	ShowSecrets bool

	// keyLog, if set, receives a copy of the main connection's NSS key
	// log, so a test can compare the secrets with what was printed.
	keyLog io.Writer
}

const (
	// demoTimeout bounds every connection of the demo, so that a
	// misbehaving peer stops it instead of hanging it.
	demoTimeout = 5 * time.Second
	demoHost    = "localhost"
	demoPath    = "/hello"
	// exporterLabel derives a value both ends compare to show they hold
	// the same keys (RFC 8446 §7.5); the value is never printed.
	exporterLabel = "EXPERIMENTAL lucid demo"
)

// demoRequest is what the client sends as application data.
var demoRequest = "GET " + demoPath + " HTTP/1.1\r\n" +
	"Host: " + demoHost + "\r\n" +
	"User-Agent: lucid-demo\r\n" +
	"Accept: text/plain\r\n" +
	"Connection: close\r\n\r\n"

// runDemo tells the seed's story live on 127.0.0.1 and writes it to w:
// a throwaway CA, a Lucid TLS server behind a wiretap relay, a Lucid client
// sending an HTTP request, then a tampered record, a replayed record and an
// impostor. It returns an error when something did not happen as the story
// says it must, so a broken stack cannot pass for a working one.
func runDemo(w io.Writer, opts demoOptions) error {
	start := time.Now()
	p := &printer{w: w}

	// Seed step 2 happens first in reality: the server needs a certificate
	// before anyone connects. It is narrated second, as the seed does.
	ca, err := newDemoCA("Lucid Demo CA", start)
	if err != nil {
		return fmt.Errorf("making the demo CA: %w", err)
	}
	cert, err := ca.issueServer([]string{demoHost}, []net.IP{net.IPv4(127, 0, 0, 1)}, start)
	if err != nil {
		return fmt.Errorf("issuing the server certificate: %w", err)
	}

	kl := &keyLog{tee: opts.keyLog}
	o, err := runScenario(scenario{cert: cert, roots: ca.pool, mode: tapForward, keyLog: kl})
	if err != nil {
		return err
	}
	if o.clientErr != nil {
		return fmt.Errorf("the demo's connection failed: %w", o.clientErr)
	}
	if o.serverErr != nil {
		return fmt.Errorf("the demo's server failed: %w", o.serverErr)
	}
	if o.exchangeErr != nil {
		return fmt.Errorf("the demo's HTTP exchange failed: %w", o.exchangeErr)
	}
	cs := o.client

	p.line("Lucid demo: one HTTPS request, step by step, live on 127.0.0.1.")
	p.line("Steps 1-8 follow the seed's flow; A-C are the attacks it warns of.")

	// 1. The client starts an HTTPS request.
	p.step(1, "The client starts an HTTPS request")
	p.line("   A browser would connect to port 443. Here all three parties run")
	p.line("   in this process, on loopback ports:")
	p.line("     server   %-16s a Lucid TLS server", o.serverAddr)
	p.line("     wiretap  %-16s a relay in the middle: it passes every", o.tapAddr)
	p.line("     %-25s byte on and writes down what it saw", "")
	p.line("     client   connects to the wiretap, asks for https://%s%s", demoHost, demoPath)
	if hello := o.tap.clientHello(); hello != nil {
		p.line("   The client's first message, ClientHello, travels in clear, so the")
		p.line("   wiretap can read what it offers:")
		p.list("versions", mapNames(hello.versions, tls.VersionName))
		p.list("cipher suites", mapNames(hello.suites, tls.CipherSuiteName))
		p.list("groups", mapNames(hello.groups, func(g uint16) string { return tls.CurveID(g).String() }))
		var shares []string
		for _, ks := range hello.keyShares {
			shares = append(shares, fmt.Sprintf("%s (%d bytes)", tls.CurveID(ks.group), ks.size))
		}
		p.list("key shares", shares)
		p.list("signatures", mapNames(hello.schemes, func(s uint16) string { return tls.SignatureScheme(s).String() }))
		if hello.serverName != "" {
			p.list("server name", []string{hello.serverName + " (SNI)"})
		}
		p.list("ALPN", hello.alpn)
		p.list("random", []string{fmt.Sprintf("%d bytes, fresh for this connection", len(hello.random))})
	} else {
		p.line("   (the wiretap could not parse the ClientHello)")
	}

	// 2. The server's certificate.
	leaf := cert.Leaf
	p.step(2, "The server has a certificate signed by a CA")
	p.line("   Made a moment ago, in memory only, gone when the demo exits:")
	p.line("     CA      %s  (%s, self-signed root)", ca.cert.Subject, publicKeyName(ca.cert.PublicKey))
	p.line("     server  %s  (%s, signed by the CA)", leaf.Subject, publicKeyName(leaf.PublicKey))
	p.line("   The server keeps the private key; the certificate carries the")
	p.line("   public key. The client trusts this CA and no other (RootCAs).")

	// 3. The server chooses and sends its certificate.
	p.step(3, "The server chooses, sends its certificate and signs")
	p.line("   ServerHello picks one of each from the client's offer:")
	p.kv("version", tls.VersionName(cs.Version))
	p.kv("cipher suite", tls.CipherSuiteName(cs.CipherSuite))
	p.kv("key exchange", cs.CurveID.String())
	alpn := cs.NegotiatedProtocol
	if alpn == "" {
		alpn = "(none)"
	}
	p.kv("ALPN", alpn)
	hrr := "no, the client's first key share was accepted"
	if cs.DidHelloRetryRequest {
		hrr = "yes, the server asked for another key share"
	}
	p.kv("hello retry", hrr)
	p.line("   Then it sends its certificate, and signs a hash of the handshake")
	p.line("   so far with its private key (CertificateVerify):")
	p.kv("signature", cs.SignatureScheme.String())

	// 4. The client checks the certificate.
	p.step(4, "The client checks the certificate")
	if len(cs.PeerCertificates) == 0 || len(cs.VerifiedChains) == 0 {
		return errors.New("the client reports no verified certificate chain")
	}
	peer := cs.PeerCertificates[0]
	p.kv("subject", peer.Subject.String())
	p.kv("names", certNames(peer))
	p.kv("issuer", peer.Issuer.String())
	p.kv("valid", fmt.Sprintf("%s to %s", fmtTime(peer.NotBefore), fmtTime(peer.NotAfter)))
	p.kv("public key", publicKeyName(peer.PublicKey))
	p.line("   Lucid's client checked all of this before going on:")
	var chain []string
	for _, c := range cs.VerifiedChains[0] {
		chain = append(chain, c.Subject.CommonName)
	}
	p.line("     ok  chain: %s (a trusted root)", strings.Join(chain, " <- "))
	p.line("     ok  dates: now, %s, is inside the validity period", fmtTime(time.Now()))
	p.line("     ok  name:  %q is one of the certificate's names", demoHost)
	p.line("     ok  CertificateVerify verifies with the certificate's key")
	p.line("   Any failure here ends the handshake with an alert (see C).")

	// 5. Key exchange.
	p.step(5, "A secret is agreed without being sent")
	p.line("   The seed's client encrypts a random with the server's public key")
	p.line("   (TLS 1.2's RSA key transport). TLS 1.3 does what the seed's DH")
	p.line("   remark suggests instead: each side sent a key share for")
	p.line("   %s and combined the other's with its own private", cs.CurveID)
	p.line("   part. Both got the same shared secret; it never crossed the")
	p.line("   wire, so even a stolen server key cannot decrypt a recording")
	p.line("   later (forward secrecy).")

	// 6. Key derivation.
	p.step(6, "Both sides derive the session keys")
	p.line("   HKDF mixes the shared secret with a hash of the handshake (which")
	p.line("   holds both randoms) into one secret per direction and phase.")
	p.line("   Config.KeyLogWriter received them (NSS key log format):")
	entries := kl.all()
	if len(entries) == 0 {
		return errors.New("the key log received no secrets")
	}
	for _, e := range entries {
		p.line("     %-32s %2d bytes", e.label, len(e.secret))
		if opts.ShowSecrets {
			p.line("       %x", e.secret)
		}
	}
	if !opts.ShowSecrets {
		p.line("   Values hidden: they decrypt this traffic (--show-secrets).")
	}
	if o.sameKeys {
		p.line("   Same keys on both ends: an exporter value (RFC 8446 §7.5)")
		p.line("   derived by client and server is equal (not printed).")
	} else {
		return errors.New("client and server exported different keying material")
	}
	p.line("   Each side's Finished message is a MAC over the whole handshake")
	p.line("   under these keys: a meddled-with handshake fails right there.")

	// 7. The encrypted request.
	p.step(7, "The client sends the HTTP request, encrypted")
	p.line("   Every record the wiretap saw (C->S client to server, S->C back):")
	p.records(o.tap, true)
	p.line("   The wiretap reads type, version and length; the last column of")
	p.line("   an encrypted record is what only the two ends know. Just the")
	p.line("   hellos cross in clear: after ServerHello everything, even the")
	p.line("   certificate, is application_data of some length. The header")
	p.line("   says TLS 1.2 (1.0 in the first ClientHello) on purpose: TLS 1.3")
	p.line("   keeps the old header for middleboxes (RFC 8446 §5.1).")
	target := o.tap.targetRecord()
	if target == nil {
		return errors.New("the wiretap did not see the request record")
	}
	p.line("   Record %d, the request, as the wiretap saw it:", target.n)
	p.hexdump(target.raw, 48)
	tag := 16 // every TLS 1.3 AEAD has a 16-byte tag
	p.line("   (%d bytes: 5 of header, %d of ciphertext = %d of HTTP + 1 of",
		len(target.raw), target.length-tag, len(o.request))
	p.line("   content type, %d of tag: the MAC that guards the record)", tag)
	p.line("   What the server read, after decrypting and checking the tag:")
	p.text(o.request)

	// 8. The response.
	p.step(8, "The server answers; the client decrypts")
	p.line("   The response crossed the wiretap encrypted the same way; the")
	p.line("   client decrypted it with the server-to-client key:")
	p.text(o.response)

	// A. Tampering.
	p.line("")
	p.line("Attacks: the wiretap stops being polite.")
	p.section("A", "Tampering: the wiretap flips one bit of the request")
	a, err := runScenario(scenario{cert: cert, roots: ca.pool, mode: tapFlipBit})
	if err != nil {
		return err
	}
	if a.clientErr != nil {
		return fmt.Errorf("attack A: handshake failed: %w", a.clientErr)
	}
	t := a.tap.targetRecord()
	if t == nil {
		return errors.New("attack A: the wiretap did not see the request record")
	}
	p.line("   It flips the lowest bit of the first ciphertext byte of record")
	p.line("   %d. TLS 1.3's ciphers encrypt by XOR with a keystream, so the", t.n)
	p.line("   server would decrypt \"FET %s\" instead of \"GET %s\", but", demoPath, demoPath)
	p.line("   the tag no longer matches, and the server refuses the record:")
	if !hasAlert(a.serverErr, tls.AlertBadRecordMAC) {
		return fmt.Errorf("attack A: the server should fail with bad_record_mac, got: %v", a.serverErr)
	}
	p.wrapped("server  ", "Read: "+a.serverErr.Error())
	p.wrapped("alert   ", alertLine(a.serverErr))
	if !hasAlert(a.exchangeErr, tls.AlertBadRecordMAC) {
		return fmt.Errorf("attack A: the client should see the peer's bad_record_mac, got: %v", a.exchangeErr)
	}
	p.wrapped("client  ", a.exchangeErr.Error())
	p.line("   The server read not one byte of the altered request.")

	// B. Replay.
	p.section("B", "Replay: the wiretap delivers the request twice")
	b, err := runScenario(scenario{cert: cert, roots: ca.pool, mode: tapReplay})
	if err != nil {
		return err
	}
	if b.clientErr != nil || b.serverErr != nil {
		return fmt.Errorf("attack B: the first copy should be served: client %v, server %v", b.clientErr, b.serverErr)
	}
	if !hasAlert(b.serverAfter, tls.AlertBadRecordMAC) {
		return fmt.Errorf("attack B: the copy should fail with bad_record_mac, got: %v", b.serverAfter)
	}
	p.line("   The copy is byte for byte the record the client sealed. But each")
	p.line("   record's nonce mixes in a 64-bit sequence number that both ends")
	p.line("   count and never send: the copy is opened as the next record,")
	p.line("   under the wrong nonce, and fails like a forgery:")
	p.wrapped("copy 1  ", fmt.Sprintf("sealed and opened as record 0: served %q", firstLine(b.request)))
	p.wrapped("copy 2  ", "opened as record 1: "+b.serverAfter.Error())
	p.line("   In TLS 1.3 the AEAD tag is the seed's MAC and the sequence")
	p.line("   number lives in the nonce: neither costs a byte on the wire.")

	// C. Impostor.
	p.section("C", "Impostor: a certificate for localhost from another CA")
	evil, err := newDemoCA("Impostor CA", start)
	if err != nil {
		return fmt.Errorf("making the impostor CA: %w", err)
	}
	evilCert, err := evil.issueServer([]string{demoHost}, []net.IP{net.IPv4(127, 0, 0, 1)}, start)
	if err != nil {
		return fmt.Errorf("issuing the impostor certificate: %w", err)
	}
	c, err := runScenario(scenario{cert: evilCert, roots: ca.pool, mode: tapForward})
	if err != nil {
		return err
	}
	if c.clientErr == nil {
		return errors.New("attack C: the client accepted the impostor's certificate")
	}
	var cve *tls.CertificateVerificationError
	if !errors.As(c.clientErr, &cve) || len(cve.UnverifiedCertificates) == 0 {
		return fmt.Errorf("attack C: expected a certificate verification error, got: %v", c.clientErr)
	}
	fake := cve.UnverifiedCertificates[0]
	p.line("   The wiretap sends the client to a server of its own, whose")
	p.line("   certificate names localhost too, but was signed by another CA:")
	p.kv("subject", fake.Subject.String())
	p.kv("names", certNames(fake))
	p.kv("issuer", fake.Issuer.String())
	p.line("   The client trusts only %s, so it refuses:", ca.cert.Subject.CommonName)
	p.wrapped("client  ", c.clientErr.Error())
	p.wrapped("alert   ", alertLine(c.clientErr))
	if c.serverErr != nil {
		p.wrapped("server  ", c.serverErr.Error())
	}
	p.line("   The seed's browser would show a warning and let the user go on")
	p.line("   (\"a security hole\", it says). Lucid's client just stops; no")
	p.line("   request was sent.")

	p.line("")
	p.line("Done in %.2fs. Nothing was written to disk; the CAs and keys die", time.Since(start).Seconds())
	p.line("with this process.")
	return p.err
}

// scenario is one connection of the demo: client -> wiretap -> server.
type scenario struct {
	cert   tls.Certificate
	roots  *x509.CertPool
	mode   tapMode
	keyLog io.Writer
}

// outcome is what each party of a scenario saw.
type outcome struct {
	serverAddr, tapAddr string
	tap                 *wiretap

	client      tls.ConnectionState
	clientErr   error  // the client's handshake
	exchangeErr error  // writing the request or reading the response
	response    []byte // the plaintext the client read

	serverErr   error  // the server's handshake or request read
	request     []byte // the plaintext the server read
	serverAfter error  // the server's read after answering (replay)
	sameKeys    bool   // client and server exported the same value
}

// runScenario runs one connection through a fresh wiretap. Its error is for
// setup failures; what happened on the connection is in the outcome.
func runScenario(sc scenario) (*outcome, error) {
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		Certificates: []tls.Certificate{sc.cert},
		NextProtos:   []string{"http/1.1"},
	})
	if err != nil {
		return nil, fmt.Errorf("starting the server: %w", err)
	}
	defer ln.Close()
	tap, err := startWiretap(ln.Addr().String(), sc.mode)
	if err != nil {
		return nil, fmt.Errorf("starting the wiretap: %w", err)
	}
	defer tap.close()
	o := &outcome{serverAddr: ln.Addr().String(), tapAddr: tap.addr(), tap: tap}

	hsDone := make(chan error, 1)
	srvDone := make(chan serverResult, 1)
	go func() { srvDone <- serveOne(ln, sc.mode, hsDone) }()

	raw, err := net.DialTimeout("tcp", tap.addr(), demoTimeout)
	if err != nil {
		ln.Close()
		<-srvDone
		return nil, fmt.Errorf("connecting to the wiretap: %w", err)
	}
	tc := tls.Client(raw, &tls.Config{
		RootCAs:      sc.roots,
		ServerName:   demoHost,
		NextProtos:   []string{"http/1.1"},
		KeyLogWriter: sc.keyLog,
	})
	tc.SetDeadline(time.Now().Add(demoTimeout))
	var clientExport []byte
	o.clientErr = tc.Handshake()
	if o.clientErr == nil {
		o.client = tc.ConnectionState()
		clientExport, _ = o.client.ExportKeyingMaterial(exporterLabel, nil, 32)
		// Once the server has the client's Finished, the wiretap has
		// passed it on: the client's next record is the request.
		if <-hsDone == nil {
			tap.arm()
			o.response, o.exchangeErr = clientExchange(tc)
		}
	}
	tc.Close()
	ln.Close()
	sr := <-srvDone
	o.serverErr, o.request, o.serverAfter = sr.err, sr.request, sr.after
	o.sameKeys = clientExport != nil && bytes.Equal(clientExport, sr.export)
	tap.close()
	return o, nil
}

type serverResult struct {
	err     error
	request []byte
	after   error
	export  []byte
}

// serveOne accepts one connection and answers one HTTP request on it. For
// the replay scenario it then reads on, as a keep-alive server would.
func serveOne(ln net.Listener, mode tapMode, hsDone chan<- error) (r serverResult) {
	c, err := ln.Accept()
	if err != nil {
		hsDone <- err
		return serverResult{err: err}
	}
	tc := c.(*tls.Conn)
	defer tc.Close()
	tc.SetDeadline(time.Now().Add(demoTimeout))
	err = tc.Handshake()
	hsDone <- err
	if err != nil {
		return serverResult{err: err}
	}
	st := tc.ConnectionState()
	r.export, _ = st.ExportKeyingMaterial(exporterLabel, nil, 32)

	var raw bytes.Buffer
	req, err := http.ReadRequest(bufio.NewReader(io.TeeReader(tc, &raw)))
	r.request = raw.Bytes()
	if err != nil {
		r.err = err
		return r
	}
	body := fmt.Sprintf("Hello from Lucid: you asked for %s over %s.\n", req.URL.Path, tls.VersionName(st.Version))
	resp := "HTTP/1.1 200 OK\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		fmt.Sprintf("Content-Length: %d\r\n", len(body)) +
		"Connection: close\r\n\r\n" + body
	if _, err := io.WriteString(tc, resp); err != nil {
		r.err = err
		return r
	}
	if mode == tapReplay {
		_, r.after = tc.Read(make([]byte, 1))
	}
	return r
}

// clientExchange sends the request and reads the whole response, returning
// the bytes the client read.
func clientExchange(tc *tls.Conn) ([]byte, error) {
	if _, err := io.WriteString(tc, demoRequest); err != nil {
		return nil, err
	}
	var raw bytes.Buffer
	resp, err := http.ReadResponse(bufio.NewReader(io.TeeReader(tc, &raw)), nil)
	if err != nil {
		return raw.Bytes(), err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return raw.Bytes(), err
}

// hasAlert reports whether err carries the alert a.
func hasAlert(err error, a tls.AlertError) bool {
	var got tls.AlertError
	return errors.As(err, &got) && got == a
}

// alertLine says which alert err carries and who sent it.
func alertLine(err error) string {
	var a tls.AlertError
	if !errors.As(err, &a) {
		return "(none)"
	}
	name := strings.TrimPrefix(a.Error(), "tls: ")
	var te *tls.Error
	if errors.As(err, &te) && te.Remote {
		return name + ", received from the peer"
	}
	return name + ", sent to the peer (errors.As finds tls.AlertError)"
}

// ---- the wiretap ----

// tapMode is what the wiretap does to the client's first application data
// record after arm().
type tapMode int

const (
	tapForward tapMode = iota // pass it on untouched
	tapFlipBit                // flip the lowest bit of its first ciphertext byte
	tapReplay                 // pass it on twice
)

const (
	recordHeaderLen        = 5
	recordChangeCipherSpec = 20
	recordAlert            = 21
	recordHandshake        = 22
	recordApplicationData  = 23
	handshakeClientHello   = 1
	handshakeServerHello   = 2
	handshakeHeaderLen     = 4
)

// tapRecord is one TLS record as the wiretap saw it.
type tapRecord struct {
	n          int // position in the capture, from 1
	fromClient bool
	typ        byte
	version    uint16
	length     int    // of the body, as the header says
	raw        []byte // header and body, as they arrived
	note       string // what the clear bytes say, if anything
}

// wiretap is a TCP relay that passes TLS records on one at a time, parsing
// each header and keeping a copy. It serves a single connection.
type wiretap struct {
	ln       net.Listener
	upstream string
	mode     tapMode
	done     chan struct{}

	mu      sync.Mutex
	records []*tapRecord
	armed   bool
	target  *tapRecord
}

func startWiretap(upstream string, mode tapMode) (*wiretap, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	t := &wiretap{ln: ln, upstream: upstream, mode: mode, done: make(chan struct{})}
	go t.serve()
	return t, nil
}

func (t *wiretap) addr() string { return t.ln.Addr().String() }

// arm marks the client's next application data record as the target.
func (t *wiretap) arm() {
	t.mu.Lock()
	t.armed = true
	t.mu.Unlock()
}

// close stops listening and waits for the relay to finish.
func (t *wiretap) close() {
	t.ln.Close()
	<-t.done
}

func (t *wiretap) serve() {
	defer close(t.done)
	client, err := t.ln.Accept()
	t.ln.Close()
	if err != nil {
		return
	}
	defer client.Close()
	server, err := net.DialTimeout("tcp", t.upstream, demoTimeout)
	if err != nil {
		return
	}
	defer server.Close()
	deadline := time.Now().Add(demoTimeout)
	client.SetDeadline(deadline)
	server.SetDeadline(deadline)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); t.pipe(client, server, true) }()
	go func() { defer wg.Done(); t.pipe(server, client, false) }()
	wg.Wait()
}

// pipe passes records from src to dst until src ends, then half-closes dst.
func (t *wiretap) pipe(src, dst net.Conn, fromClient bool) {
	defer func() {
		if tc, ok := dst.(*net.TCPConn); ok {
			tc.CloseWrite()
		} else {
			dst.Close()
		}
	}()
	for {
		hdr := make([]byte, recordHeaderLen)
		if n, err := io.ReadFull(src, hdr); err != nil {
			dst.Write(hdr[:n])
			return
		}
		rec := make([]byte, recordHeaderLen+int(binary.BigEndian.Uint16(hdr[3:5])))
		copy(rec, hdr)
		if n, err := io.ReadFull(src, rec[recordHeaderLen:]); err != nil {
			dst.Write(rec[:recordHeaderLen+n])
			return
		}
		for _, out := range t.observe(rec, fromClient) {
			if _, err := dst.Write(out); err != nil {
				return
			}
		}
	}
}

// observe records rec and returns what to send on in its place.
func (t *wiretap) observe(rec []byte, fromClient bool) [][]byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	r := &tapRecord{
		n:          len(t.records) + 1,
		fromClient: fromClient,
		typ:        rec[0],
		version:    binary.BigEndian.Uint16(rec[1:3]),
		length:     len(rec) - recordHeaderLen,
		raw:        rec,
		note:       clearNote(rec),
	}
	t.records = append(t.records, r)
	out := [][]byte{rec}
	if fromClient && r.typ == recordApplicationData && t.armed && t.target == nil {
		t.target = r
		switch t.mode {
		case tapFlipBit:
			bad := bytes.Clone(rec)
			if len(bad) > recordHeaderLen {
				bad[recordHeaderLen] ^= 0x01
			}
			out = [][]byte{bad}
		case tapReplay:
			out = [][]byte{rec, rec}
			t.records = append(t.records, &tapRecord{
				n: r.n + 1, fromClient: true, typ: r.typ, version: r.version,
				length: r.length, raw: rec, note: "replayed copy",
			})
		}
	}
	return out
}

// snapshot returns the records seen so far and the target record.
func (t *wiretap) snapshot() ([]*tapRecord, *tapRecord) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]*tapRecord(nil), t.records...), t.target
}

func (t *wiretap) targetRecord() *tapRecord {
	_, target := t.snapshot()
	return target
}

// clientHello parses the first record the client sent, if it is a
// ClientHello in clear.
func (t *wiretap) clientHello() *helloView {
	recs, _ := t.snapshot()
	for _, r := range recs {
		if r.fromClient {
			return parseClientHello(r.raw)
		}
	}
	return nil
}

// clearNote says what an unencrypted record is; encrypted records are
// opaque to a wiretap.
func clearNote(rec []byte) string {
	body := rec[recordHeaderLen:]
	switch rec[0] {
	case recordChangeCipherSpec:
		return "compatibility, ignored"
	case recordAlert:
		if len(body) == 2 {
			return fmt.Sprintf("alert %d in clear", body[1])
		}
	case recordHandshake:
		if len(body) >= handshakeHeaderLen {
			switch body[0] {
			case handshakeClientHello:
				return "ClientHello"
			case handshakeServerHello:
				if len(body) >= handshakeHeaderLen+2+32 && bytes.Equal(body[6:38], helloRetryRandom) {
					return "HelloRetryRequest"
				}
				return "ServerHello"
			}
			return fmt.Sprintf("handshake message %d", body[0])
		}
	}
	return ""
}

// helloRetryRandom is the ServerHello.random that marks a
// HelloRetryRequest (RFC 8446 §4.1.3): SHA-256 of "HelloRetryRequest".
var helloRetryRandom, _ = hex.DecodeString("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c")

// ---- ClientHello, as a wiretap reads it ----

type helloView struct {
	random     []byte
	suites     []uint16
	versions   []uint16
	groups     []uint16
	schemes    []uint16
	keyShares  []keyShareView
	serverName string
	alpn       []string
}

type keyShareView struct {
	group uint16
	size  int
}

// parseClientHello reads a ClientHello record (RFC 8446 §4.1.2) leniently:
// what cannot be read is left out. It returns nil if rec is not one.
func parseClientHello(rec []byte) *helloView {
	if len(rec) < recordHeaderLen || rec[0] != recordHandshake {
		return nil
	}
	c := &cursor{b: rec[recordHeaderLen:]}
	if c.u8() != handshakeClientHello {
		return nil
	}
	body := &cursor{b: c.bytes(c.u24())}
	if c.bad {
		return nil // a ClientHello split over records; not worth the reassembly here
	}
	h := &helloView{}
	body.u16() // legacy_version
	h.random = body.bytes(32)
	body.vec8() // legacy_session_id
	for s := body.vec16(); len(s.b) >= 2; {
		h.suites = append(h.suites, uint16(s.u16()))
	}
	body.vec8() // legacy_compression_methods
	exts := body.vec16()
	for len(exts.b) > 0 && !exts.bad {
		typ := exts.u16()
		data := exts.vec16()
		switch typ {
		case 0: // server_name
			list := data.vec16()
			if list.u8() == 0 {
				h.serverName = string(list.vec16().b)
			}
		case 10: // supported_groups
			for l := data.vec16(); len(l.b) >= 2; {
				h.groups = append(h.groups, uint16(l.u16()))
			}
		case 13: // signature_algorithms
			for l := data.vec16(); len(l.b) >= 2; {
				h.schemes = append(h.schemes, uint16(l.u16()))
			}
		case 16: // application_layer_protocol_negotiation
			for l := data.vec16(); len(l.b) > 0 && !l.bad; {
				if p := l.vec8(); !l.bad {
					h.alpn = append(h.alpn, string(p.b))
				}
			}
		case 43: // supported_versions
			for l := data.vec8(); len(l.b) >= 2; {
				h.versions = append(h.versions, uint16(l.u16()))
			}
		case 51: // key_share
			for l := data.vec16(); len(l.b) > 0 && !l.bad; {
				g := l.u16()
				k := l.vec16()
				if !l.bad {
					h.keyShares = append(h.keyShares, keyShareView{uint16(g), len(k.b)})
				}
			}
		}
	}
	if h.random == nil {
		return nil
	}
	return h
}

// cursor reads big-endian fields from b; a read past the end sets bad and
// returns zero values, so parsing never panics.
type cursor struct {
	b   []byte
	bad bool
}

func (c *cursor) bytes(n int) []byte {
	if c.bad || n < 0 || n > len(c.b) {
		c.bad = true
		c.b = nil
		return nil
	}
	out := c.b[:n]
	c.b = c.b[n:]
	return out
}

func (c *cursor) uint(n int) int {
	v := 0
	for _, x := range c.bytes(n) {
		v = v<<8 | int(x)
	}
	return v
}

func (c *cursor) u8() int           { return c.uint(1) }
func (c *cursor) u16() int          { return c.uint(2) }
func (c *cursor) u24() int          { return c.uint(3) }
func (c *cursor) vec8() *cursor     { return c.sub(c.u8()) }
func (c *cursor) vec16() *cursor    { return c.sub(c.u16()) }
func (c *cursor) sub(n int) *cursor { b := c.bytes(n); return &cursor{b: b, bad: c.bad} }

// ---- the key log ----

type keyLogEntry struct {
	label        string
	clientRandom []byte
	secret       []byte
}

// keyLog is a Config.KeyLogWriter that parses NSS key log lines
// ("LABEL <client random hex> <secret hex>") so the demo can show the
// labels and lengths without the values.
type keyLog struct {
	tee io.Writer

	mu      sync.Mutex
	partial []byte
	entries []keyLogEntry
}

func (k *keyLog) Write(p []byte) (int, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.tee != nil {
		k.tee.Write(p)
	}
	k.partial = append(k.partial, p...)
	for {
		i := bytes.IndexByte(k.partial, '\n')
		if i < 0 {
			break
		}
		line := strings.TrimSpace(string(k.partial[:i]))
		k.partial = k.partial[i+1:]
		f := strings.Fields(line)
		if len(f) != 3 || strings.HasPrefix(line, "#") {
			continue
		}
		cr, err1 := hex.DecodeString(f[1])
		secret, err2 := hex.DecodeString(f[2])
		if err1 != nil || err2 != nil {
			continue
		}
		k.entries = append(k.entries, keyLogEntry{label: f[0], clientRandom: cr, secret: secret})
	}
	return len(p), nil
}

func (k *keyLog) all() []keyLogEntry {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]keyLogEntry(nil), k.entries...)
}

// ---- output ----

// printer writes the narration; the first write error sticks.
type printer struct {
	w   io.Writer
	err error
}

const textWidth = 72

func (p *printer) line(format string, args ...any) {
	if p.err != nil {
		return
	}
	_, p.err = fmt.Fprintf(p.w, format+"\n", args...)
}

func (p *printer) step(n int, title string) {
	p.line("")
	p.line("%d. %s", n, title)
}

func (p *printer) section(letter, title string) {
	p.line("")
	p.line("%s. %s", letter, title)
}

// kv prints an aligned key and value.
func (p *printer) kv(key, value string) { p.line("     %-13s %s", key, value) }

// list prints a key and a comma-separated list, wrapped under itself.
func (p *printer) list(key string, items []string) {
	if len(items) == 0 {
		p.kv(key, "(none)")
		return
	}
	indent := strings.Repeat(" ", 5+13+1)
	cur := ""
	first := true
	flush := func() {
		if first {
			p.kv(key, cur)
			first = false
		} else {
			p.line("%s%s", indent, cur)
		}
	}
	for i, it := range items {
		if i < len(items)-1 {
			it += ","
		}
		if cur != "" && len(indent)+len(cur)+1+len(it) > textWidth+6 {
			flush()
			cur = ""
		}
		if cur != "" {
			cur += " "
		}
		cur += it
	}
	flush()
}

// wrapped prints text after a label, wrapping long lines under the text.
func (p *printer) wrapped(label, text string) {
	indent := "     " + strings.Repeat(" ", len(label))
	lines := wrap(text, textWidth+6-len(indent))
	for i, l := range lines {
		if i == 0 {
			p.line("     %s%s", label, l)
		} else {
			p.line("%s%s", indent, l)
		}
	}
}

// text prints an HTTP message's lines, indented, with CRLF made visible
// only as line ends.
func (p *printer) text(b []byte) {
	s := strings.TrimRight(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n")
	for _, l := range strings.Split(s, "\n") {
		p.line("     | %s", l)
	}
}

// hexdump prints up to max bytes of b, 16 to a line.
func (p *printer) hexdump(b []byte, max int) {
	shown := b[:min(len(b), max)]
	for off := 0; off < len(shown); off += 16 {
		chunk := shown[off:min(off+16, len(shown))]
		parts := make([]string, len(chunk))
		for i, x := range chunk {
			parts[i] = fmt.Sprintf("%02x", x)
		}
		p.line("     %04x  %s", off, strings.Join(parts, " "))
	}
	if len(b) > len(shown) {
		p.line("     ....  (%d more bytes)", len(b)-len(shown))
	}
}

// records prints the wiretap's capture as a table. inside adds what the
// endpoints know the encrypted records hold, which the wiretap cannot see.
func (p *printer) records(t *wiretap, inside bool) {
	recs, target := t.snapshot()
	p.line("     %3s  %-4s  %-18s  %-7s  %5s  %s", "#", "dir", "type", "version", "bytes", "what it is")
	responseSeen := false
	for _, r := range recs {
		dir := "S->C"
		if r.fromClient {
			dir = "C->S"
		}
		note := r.note
		if note == "" && inside && r.typ == recordApplicationData {
			switch {
			case target == nil || r.n < target.n:
				if r.fromClient {
					note = "client Finished"
				} else {
					note = "server handshake messages"
				}
			case r == target:
				note = "the HTTP request"
			case !r.fromClient && !responseSeen:
				note = "the HTTP response"
				responseSeen = true
			default:
				note = "close_notify alert"
			}
		}
		p.line("     %3d  %-4s  %-18s  %-7s  %5d  %s", r.n, dir, recordTypeName(r.typ), tls.VersionName(r.version), r.length, note)
	}
}

func recordTypeName(t byte) string {
	switch t {
	case recordChangeCipherSpec:
		return "change_cipher_spec"
	case recordAlert:
		return "alert"
	case recordHandshake:
		return "handshake"
	case recordApplicationData:
		return "application_data"
	}
	return fmt.Sprintf("type %d", t)
}

// wrap splits s into lines of at most width runes, at spaces.
func wrap(s string, width int) []string {
	var lines []string
	cur := ""
	for _, word := range strings.Fields(s) {
		if cur != "" && len(cur)+1+len(word) > width {
			lines = append(lines, cur)
			cur = ""
		}
		if cur != "" {
			cur += " "
		}
		cur += word
	}
	if cur != "" || len(lines) == 0 {
		lines = append(lines, cur)
	}
	return lines
}

func mapNames(ids []uint16, name func(uint16) string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = name(id)
	}
	return out
}

// certNames lists a certificate's DNS names and IP addresses.
func certNames(c *x509.Certificate) string {
	var names []string
	for _, n := range c.DNSNames {
		names = append(names, "DNS:"+n)
	}
	for _, ip := range c.IPAddresses {
		names = append(names, "IP:"+ip.String())
	}
	if len(names) == 0 {
		return "(none)"
	}
	return strings.Join(names, ", ")
}

func fmtTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(string(b), "\r\n")
	return s
}

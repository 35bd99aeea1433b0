package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"lucid/internal/conn"
	"lucid/internal/record"
	"lucid/internal/suites"
	"lucid/internal/wire"
	"lucid/tls"
)

// ---- the wiretap ----
//
// The wiretap is a TCP relay between the client and the server. It reads the
// byte stream record by record (a TLS record header is in clear: type,
// version, length), keeps a copy of each, and passes it on. In the attack
// modes it stops being polite: it changes bytes, sends a record twice,
// rewrites the ClientHello, or terminates TLS itself.

// tapMode is what the wiretap does.
type tapMode int

const (
	tapForward   tapMode = iota // pass every record on untouched
	tapFlipBit                  // flip one bit of the client's first application record
	tapReplay                   // pass the client's first application record on twice
	tapDowngrade                // rewrite the ClientHello to offer only TLS 1.2
	tapImpostor                 // answer the client itself, with its own certificate
)

// tapRecord is one TLS record as the wiretap saw it.
type tapRecord struct {
	n          int // position in the capture, from 1
	fromClient bool
	typ        byte
	version    uint16
	length     int    // of the body, as the header says
	raw        []byte // header and body, as they arrived
	note       string // what the wiretap did or saw in clear
}

// wiretap serves a single connection.
type wiretap struct {
	ln       net.Listener
	upstream string
	mode     tapMode
	// impostor is the relay's own TLS server configuration (tapImpostor);
	// upstreamTLS is how it would reach the real server, had the client
	// been fooled.
	impostor    *tls.Config
	upstreamTLS *tls.Config
	done        chan struct{}

	mu      sync.Mutex
	records []*tapRecord
	armed   bool
	target  *tapRecord
	// flipOffset is where in the target record the bit was flipped.
	flipOffset int
	// clear follows the server's records, with no keys, until it has
	// read the ServerHello; serverHello is that ServerHello.
	clear       *conn.Decoder
	serverHello *wire.ServerHello
	// The downgrade: the ClientHello before and after the rewrite.
	helloBefore, helloAfter *wire.ClientHello
	lenBefore, lenAfter     int
	rewriteErr              error
	// The impostor: the relay's own handshake with the client, and what it
	// would have read had the client gone on.
	impostorErr error
	stolen      []byte
}

func startWiretap(upstream string, mode tapMode) (*wiretap, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	t := &wiretap{ln: ln, upstream: upstream, mode: mode, done: make(chan struct{}), clear: conn.NewDecoder(nil)}
	return t, nil
}

// run starts serving; the impostor fields must be set before.
func (t *wiretap) run() { go t.serve() }

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
	deadline := time.Now().Add(demoTimeout)
	client.SetDeadline(deadline)
	if t.mode == tapImpostor {
		t.impersonate(client)
		return
	}
	server, err := net.DialTimeout("tcp", t.upstream, demoTimeout)
	if err != nil {
		return
	}
	defer server.Close()
	server.SetDeadline(deadline)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); t.pipe(client, server, true) }()
	go func() { defer wg.Done(); t.pipe(server, client, false) }()
	wg.Wait()
}

// impersonate terminates TLS itself with the impostor's certificate. Were
// the client fooled, it would read the request in clear and pass it on to
// the real server over a TLS connection of its own: a man in the middle.
func (t *wiretap) impersonate(client net.Conn) {
	fake := tls.Server(client, t.impostor)
	defer fake.Close()
	err := fake.Handshake()
	t.mu.Lock()
	t.impostorErr = err
	t.mu.Unlock()
	if err != nil {
		return
	}
	var stolen bytes.Buffer
	req, err := http.ReadRequest(bufio.NewReader(io.TeeReader(fake, &stolen)))
	t.mu.Lock()
	t.stolen = stolen.Bytes()
	t.mu.Unlock()
	if err != nil {
		return
	}
	up, err := tls.DialWithDialer(&net.Dialer{Timeout: demoTimeout}, "tcp", t.upstream, t.upstreamTLS)
	if err != nil {
		return
	}
	defer up.Close()
	up.SetDeadline(time.Now().Add(demoTimeout))
	if err := req.Write(up); err != nil {
		return
	}
	io.Copy(fake, up)
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
		rec, err := readRecord(src)
		if err != nil {
			dst.Write(rec)
			return
		}
		for _, out := range t.observe(rec, fromClient) {
			if _, err := dst.Write(out); err != nil {
				return
			}
		}
	}
}

// readRecord reads one TLS record, header and body, from src; on an
// error it returns what it read of the record. The header's 16-bit length
// bounds the allocation.
func readRecord(src io.Reader) ([]byte, error) {
	hdr := make([]byte, record.HeaderLen)
	if n, err := io.ReadFull(src, hdr); err != nil {
		return hdr[:n], err
	}
	rec := make([]byte, record.HeaderLen+int(binary.BigEndian.Uint16(hdr[3:5])))
	copy(rec, hdr)
	n, err := io.ReadFull(src, rec[record.HeaderLen:])
	return rec[:record.HeaderLen+n], err
}

// observe records rec and returns what to send on in its place.
func (t *wiretap) observe(rec []byte, fromClient bool) [][]byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	r := t.add(rec, fromClient)
	out := [][]byte{rec}
	switch {
	case !fromClient && t.serverHello == nil:
		t.readServerHello(r)
	case fromClient && r.typ == record.TypeHandshake && t.mode == tapDowngrade && t.helloAfter == nil && t.rewriteErr == nil:
		t.lenBefore = len(rec)
		before, after, edited, err := downgradeHello(rec)
		if err != nil {
			t.rewriteErr = err
			break
		}
		t.helloBefore, t.helloAfter, t.lenAfter = before, after, len(edited)
		r.note = "ClientHello, rewritten: TLS 1.2 only"
		out = [][]byte{edited}
	case fromClient && r.typ == record.TypeApplicationData && t.armed && t.target == nil:
		t.target = r
		switch t.mode {
		case tapFlipBit:
			// Flip the lowest bit of the first byte of ciphertext proper:
			// after the explicit nonce that TLS 1.2's AES-GCM records
			// carry in front of it.
			t.flipOffset = record.HeaderLen + t.explicitNonceLen()
			bad := bytes.Clone(rec)
			if len(bad) > t.flipOffset {
				bad[t.flipOffset] ^= 0x01
			}
			r.note = "one bit flipped"
			out = [][]byte{bad}
		case tapReplay:
			out = [][]byte{rec, rec}
			c := t.add(rec, true)
			c.note = "replayed copy"
		}
	}
	return out
}

// add appends rec to the capture; t.mu must be held.
func (t *wiretap) add(rec []byte, fromClient bool) *tapRecord {
	r := &tapRecord{
		n:          len(t.records) + 1,
		fromClient: fromClient,
		typ:        rec[0],
		version:    binary.BigEndian.Uint16(rec[1:3]),
		length:     len(rec) - record.HeaderLen,
		raw:        rec,
		note:       clearNote(rec),
	}
	t.records = append(t.records, r)
	return r
}

// readServerHello follows the server's records in the clear until the
// ServerHello, as far as a wiretap can without keys; t.mu must be held.
func (t *wiretap) readServerHello(r *tapRecord) {
	recs, _ := t.clear.Feed(false, r.raw)
	for _, rec := range recs {
		for _, m := range rec.Messages {
			if m.HelloRetry {
				r.note = "HelloRetryRequest"
			}
		}
	}
	t.serverHello = t.clear.ServerHello()
}

// explicitNonceLen is how many bytes of nonce each record carries in clear
// in front of its ciphertext: 8 for TLS 1.2's AES-GCM, none otherwise.
// t.mu must be held.
func (t *wiretap) explicitNonceLen() int {
	return explicitNonceLen(t.serverHello)
}

func explicitNonceLen(sh *wire.ServerHello) int {
	if sh == nil || sh.SupportedVersion == tls.VersionTLS13 {
		return 0
	}
	if s := suites.Lookup12(sh.CipherSuite); s != nil && s.Mode == suites.ModeGCM {
		return 8
	}
	return 0
}

// snapshot returns the records seen so far and the target record.
func (t *wiretap) snapshot() ([]*tapRecord, *tapRecord) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.records), t.target
}

func (t *wiretap) targetRecord() *tapRecord {
	_, target := t.snapshot()
	return target
}

// downgradeHello is the downgrade attack's edit: it parses the ClientHello
// in rec, leaves TLS 1.2 as the only version in supported_versions, removes
// the TLS 1.3 cipher suites and the key shares (TLS 1.2 has no use for
// them), and returns the message re-marshalled in a record of the right
// length.
func downgradeHello(rec []byte) (before, after *wire.ClientHello, edited []byte, err error) {
	body, ok := wholeMessage(rec, wire.TypeClientHello)
	if !ok {
		return nil, nil, nil, errors.New("the first record is not one whole ClientHello")
	}
	before, err = wire.ParseClientHello(body)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("parsing the ClientHello: %w", err)
	}
	after, _ = wire.ParseClientHello(body)
	after.SupportedVersions = []uint16{tls.VersionTLS12}
	after.CipherSuites = slices.DeleteFunc(after.CipherSuites, func(id uint16) bool {
		return suites.Lookup13(id) != nil
	})
	after.HasKeyShare = false
	after.KeyShares = nil
	msg := after.Marshal()
	if msg == nil {
		return nil, nil, nil, errors.New("the rewritten ClientHello does not marshal")
	}
	edited = make([]byte, 0, record.HeaderLen+len(msg))
	edited = append(edited, rec[:3]...)
	edited = binary.BigEndian.AppendUint16(edited, uint16(len(msg)))
	edited = append(edited, msg...)
	return before, after, edited, nil
}

// wholeMessage returns the body of the handshake message of type typ that
// makes up the whole of rec.
func wholeMessage(rec []byte, typ uint8) ([]byte, bool) {
	if len(rec) < record.HeaderLen || rec[0] != record.TypeHandshake {
		return nil, false
	}
	body := rec[record.HeaderLen:]
	t, n, ok := wire.Header(body)
	if !ok || t != typ || len(body) != wire.HeaderLen+n {
		return nil, false
	}
	return body[wire.HeaderLen:], true
}

// parseClientHelloRecord parses the ClientHello a record holds whole, or
// returns nil.
func parseClientHelloRecord(rec []byte) *wire.ClientHello {
	body, ok := wholeMessage(rec, wire.TypeClientHello)
	if !ok {
		return nil
	}
	ch, err := wire.ParseClientHello(body)
	if err != nil {
		return nil
	}
	return ch
}

// clearNote says what an unencrypted record is, as far as a wiretap can
// tell from the first bytes.
func clearNote(rec []byte) string {
	body := rec[record.HeaderLen:]
	switch rec[0] {
	case record.TypeChangeCipherSpec:
		return "ChangeCipherSpec"
	case record.TypeAlert:
		if len(body) == 2 {
			return fmt.Sprintf("alert %d in clear", body[1])
		}
	case record.TypeHandshake:
		if typ, _, ok := wire.Header(body); ok {
			return wire.MessageName(typ)
		}
	}
	return ""
}

// replayFlight is the wiretap's replay of a recorded first flight: it
// connects to upstream, sends the records byte for byte, and, unable to
// send the client's Finished, shuts its side and records what the server
// answers until it hangs up.
func replayFlight(upstream string, flight []*tapRecord) ([]*tapRecord, error) {
	c, err := net.DialTimeout("tcp", upstream, demoTimeout)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(demoTimeout))
	for _, r := range flight {
		if _, err := c.Write(r.raw); err != nil {
			return nil, err
		}
	}
	if tc, ok := c.(*net.TCPConn); ok {
		tc.CloseWrite()
	}
	// Another wiretap, never listening, numbers and notes the records.
	t := &wiretap{}
	t.mu.Lock()
	defer t.mu.Unlock()
	for {
		rec, err := readRecord(c)
		if err != nil {
			// io.EOF only between records: the server hung up.
			if errors.Is(err, io.EOF) {
				err = nil
			}
			return t.records, err
		}
		t.add(rec, false)
	}
}

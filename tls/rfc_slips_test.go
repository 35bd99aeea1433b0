package tls

// Regression tests for record-layer RFC slips that tlsfuzzer and BoGo
// found: records of another type between the fragments of a handshake
// message, a write after close_notify, and a plaintext alert from a client
// that had not installed its handshake keys.

import (
	"bytes"
	"errors"
	"io"
	"net"
	"sync"
	"testing"

	"lucid/internal/alert"
	"lucid/internal/record"
	"lucid/internal/testwait"
	"lucid/internal/wire"
)

// rawRecord frames payload as one unprotected record.
func rawRecord(typ uint8, payload []byte) []byte {
	return append(record.AppendHeader(nil, typ, VersionTLS12, len(payload)), payload...)
}

// lucidClientHello returns the ClientHello message a Lucid client with cc
// sends first, read off a pipe.
func lucidClientHello(t *testing.T, cc *Config) []byte {
	t.Helper()
	c, s := net.Pipe()
	defer s.Close()
	go func() {
		Client(c, cc).Handshake()
		c.Close()
	}()
	hdr := make([]byte, record.HeaderLen)
	if _, err := io.ReadFull(s, hdr); err != nil {
		t.Fatal(err)
	}
	body := make([]byte, int(hdr[3])<<8|int(hdr[4]))
	if _, err := io.ReadFull(s, body); err != nil {
		t.Fatal(err)
	}
	if hdr[0] != record.TypeHandshake || body[0] != wire.TypeClientHello {
		t.Fatalf("first record is not a ClientHello: %x", hdr)
	}
	return body
}

// wantPeerAlert checks that err reports alert want as the peer's.
func wantPeerAlert(t *testing.T, what string, err error, want alert.Description) {
	t.Helper()
	var te *Error
	if !errors.As(err, &te) || !te.Remote || te.Alert != AlertError(want) {
		t.Errorf("%s: got %v, want the peer's %s alert reported", what, err, want)
	}
}

// TestHandshakeInterleaving: RFC 8446 §5.1, "Handshake messages MUST NOT
// be interleaved with other record types": a record of another type
// between two fragments of a handshake message is unexpected_message,
// neither processed nor waited past (tlsfuzzer, BoGo SendHalfHelloRequest).
// A fatal alert there is the exception: the peer is aborting, and what it
// says is reported (as BoringSSL does), since nothing may answer it.
func TestHandshakeInterleaving(t *testing.T) {
	keyUpdate := (&wire.KeyUpdate{RequestUpdate: true}).Marshal()
	helloRequest := []byte{wire.TypeHelloRequest, 0, 0, 0}
	for _, tc := range []struct {
		name    string
		v       uint16
		msg     []byte
		between []byte // record type, then payload
		remote  bool
		want    alert.Description
	}{
		{"TLS 1.3 application data inside a KeyUpdate", VersionTLS13, keyUpdate, []byte{record.TypeApplicationData, 'x'}, false, alert.UnexpectedMessage},
		{"TLS 1.3 user_canceled inside a KeyUpdate", VersionTLS13, keyUpdate, []byte{record.TypeAlert, 1, byte(alert.UserCanceled)}, false, alert.UnexpectedMessage},
		{"TLS 1.3 close_notify inside a KeyUpdate", VersionTLS13, keyUpdate, []byte{record.TypeAlert, 1, byte(alert.CloseNotify)}, false, alert.UnexpectedMessage},
		{"TLS 1.3 fatal alert inside a KeyUpdate", VersionTLS13, keyUpdate, []byte{record.TypeAlert, 2, byte(alert.InternalError)}, true, alert.InternalError},
		{"TLS 1.2 application data inside a HelloRequest", VersionTLS12, helloRequest, []byte{record.TypeApplicationData, 'x'}, false, alert.UnexpectedMessage},
		{"TLS 1.2 warning inside a HelloRequest", VersionTLS12, helloRequest, []byte{record.TypeAlert, 1, byte(alert.NoRenegotiation)}, false, alert.UnexpectedMessage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			client, server := connectedPair(t, tc.v)
			// The server sends what a client cannot (HelloRequest), and
			// the client reads; in TLS 1.3 the client sends to the server.
			from, to := client, server
			if tc.v == VersionTLS12 {
				from, to = server, client
			}
			sendRaw(t, from, record.TypeHandshake, tc.msg[:2])
			sendRaw(t, from, tc.between[0], tc.between[1:])
			sendRaw(t, from, record.TypeHandshake, tc.msg[2:])
			n, err := to.Read(make([]byte, 16))
			if n != 0 {
				t.Errorf("Read returned %d bytes from between the fragments", n)
			}
			if tc.remote {
				wantPeerAlert(t, "reader", err, tc.want)
			} else {
				wantLocalAlert(t, "reader", err, tc.want)
			}
		})
	}

	cert, _ := regCert(t)
	ch := lucidClientHello(t, &Config{ServerName: "localhost"})
	for _, tc := range []struct {
		name    string
		records []byte
	}{
		{"change_cipher_spec between ClientHello fragments", concat(
			rawRecord(record.TypeHandshake, ch[:40]),
			rawRecord(record.TypeChangeCipherSpec, []byte{1}),
			rawRecord(record.TypeHandshake, ch[40:]))},
		{"warning alert between ClientHello fragments", concat(
			rawRecord(record.TypeHandshake, ch[:40]),
			rawRecord(record.TypeAlert, []byte{1, byte(alert.UserCanceled)}),
			rawRecord(record.TypeHandshake, ch[40:]))},
		// RFC 8446 §5: the compatibility change_cipher_spec may arrive
		// only after the first ClientHello.
		{"change_cipher_spec before the ClientHello", concat(
			rawRecord(record.TypeChangeCipherSpec, []byte{1}),
			rawRecord(record.TypeHandshake, ch))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, s := tcpPair(t)
			errc := make(chan error, 1)
			go func() { errc <- Server(s, &Config{Certificates: []Certificate{cert}}).Handshake() }()
			if _, err := c.Write(tc.records); err != nil {
				t.Fatal(err)
			}
			wantLocalAlert(t, "server", <-errc, alert.UnexpectedMessage)
			// What the server wrote is that alert, in the clear, alone.
			got, _ := io.ReadAll(c)
			if want := rawRecord(record.TypeAlert, []byte{2, byte(alert.UnexpectedMessage)}); string(got) != string(want) {
				t.Errorf("server wrote %x, want only the alert %x", got, want)
			}
		})
	}
}

func concat(bs ...[]byte) []byte {
	var out []byte
	for _, b := range bs {
		out = append(out, b...)
	}
	return out
}

// writeWatch counts the writes made after CloseWrite.
type writeWatch struct {
	net.Conn
	mu     sync.Mutex
	closed bool
	late   int
}

func (w *writeWatch) Write(b []byte) (int, error) {
	w.mu.Lock()
	if w.closed {
		w.late++
	}
	w.mu.Unlock()
	return w.Conn.Write(b)
}

func (w *writeWatch) CloseWrite() error {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	return w.Conn.(*net.TCPConn).CloseWrite()
}

func (w *writeWatch) lateWrites() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.late
}

// TestNoRenegotiationRefusalAfterCloseNotify: Lucid refuses a TLS 1.2
// renegotiation with a no_renegotiation warning (RFC 5746 §4.2, §4.4), but
// a side that has sent close_notify writes nothing more (RFC 5246 §7.2.1):
// the HelloRequest (or ClientHello) that arrives then is ignored, and the
// reader goes on to the peer's close_notify.
func TestNoRenegotiationRefusalAfterCloseNotify(t *testing.T) {
	cert, pool := regCert(t)
	for _, tc := range []struct {
		name     string
		isClient bool // the side that closes and then reads
		msg      []byte
	}{
		{"client reads HelloRequest", true, []byte{wire.TypeHelloRequest, 0, 0, 0}},
		{"server reads ClientHello", false, []byte{wire.TypeClientHello, 0, 0, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var w *writeWatch
			watch := func(c net.Conn) net.Conn {
				w = &writeWatch{Conn: c}
				return w
			}
			wrapC, wrapS := watch, func(c net.Conn) net.Conn { return c }
			if !tc.isClient {
				wrapC, wrapS = wrapS, watch
			}
			client, server, cerr, serr := handshakePair(t, VersionTLS12, cert, &Config{RootCAs: pool, ServerName: "localhost"}, wrapC, wrapS)
			if cerr != nil || serr != nil {
				t.Fatalf("handshake: client %v, server %v", cerr, serr)
			}
			closer, peer := client, server
			if !tc.isClient {
				closer, peer = server, client
			}
			if err := closer.CloseWrite(); err != nil {
				t.Fatal(err)
			}
			if _, err := peer.Read(make([]byte, 1)); err != io.EOF {
				t.Fatalf("peer read %v, want io.EOF after close_notify", err)
			}
			sendRaw(t, peer, record.TypeHandshake, tc.msg)
			if err := peer.Close(); err != nil {
				t.Fatal(err)
			}
			if _, err := closer.Read(make([]byte, 1)); err != io.EOF {
				t.Errorf("after its close_notify, the closed side read %v, want io.EOF", err)
			}
			if n := w.lateWrites(); n != 0 {
				t.Errorf("%d writes after close_notify", n)
			}
		})
	}
	t.Run("after receiving close_notify", func(t *testing.T) {
		var w *writeWatch
		watch := func(c net.Conn) net.Conn {
			w = &writeWatch{Conn: c}
			return w
		}
		client, server, cerr, serr := handshakePair(t, VersionTLS12, cert, &Config{RootCAs: pool, ServerName: "localhost"}, watch, nil)
		if cerr != nil || serr != nil {
			t.Fatalf("handshake: client %v, server %v", cerr, serr)
		}
		// close_notify, then a HelloRequest the client must not read.
		if err := server.closeNotify(); err != nil {
			t.Fatal(err)
		}
		sendRaw(t, server, record.TypeHandshake, []byte{wire.TypeHelloRequest, 0, 0, 0})
		for range 2 {
			if _, err := client.Read(make([]byte, 1)); err != io.EOF {
				t.Fatalf("client read %v, want io.EOF", err)
			}
		}
		w.mu.Lock()
		w.closed = true // from here on, any write counts
		w.mu.Unlock()
		if _, err := client.Read(make([]byte, 1)); err != io.EOF {
			t.Fatalf("client read %v, want io.EOF", err)
		}
		if n := w.lateWrites(); n != 0 {
			t.Errorf("client wrote %d times after reading close_notify", n)
		}
	})
}

// plainAlert is the alert record a TLS 1.3 client without handshake keys
// sends: type alert, two bytes, in the clear.
func plainAlert(d alert.Description) []byte {
	return rawRecord(record.TypeAlert, []byte{2, byte(d)})
}

// TestPlaintextAlertBeforeClientKeys: RFC 8446 §A.1 notes that a client
// may send the alerts that follow the server's flight in the clear, before
// it installs its handshake keys (OpenSSL does when it rejects the server's
// certificate). A server still waiting for the client's first protected
// record reads a 2-byte alert record (shorter than any AEAD record) as
// that alert, and reports the client's reason, not bad_record_mac. Once a
// protected record has arrived, or under the application keys, or on the
// client side, such a record is an alert record where only protected
// application_data may come: unexpected_message (RFC 8446 §5, §5.2).
func TestPlaintextAlertBeforeClientKeys(t *testing.T) {
	cert, _ := regCert(t)
	// plainFirstProtected rewrites the client's first protected record,
	// which is its unknown_ca alert, into the same alert in the clear.
	plainFirstProtected := func(c net.Conn) net.Conn {
		done := false
		return &recordRewriter{Conn: c, edit: func(i int, rec []byte) []byte {
			if rec[0] == record.TypeApplicationData && !done {
				done = true
				return plainAlert(alert.UnknownCA)
			}
			return rec
		}}
	}
	t.Run("server waiting for the client's flight", func(t *testing.T) {
		_, _, cerr, serr := handshakePair(t, VersionTLS13, cert, &Config{RootCAs: nil, ServerName: "localhost"}, plainFirstProtected, nil)
		wantLocalAlert(t, "client", cerr, alert.UnknownCA)
		wantPeerAlert(t, "server", serr, alert.UnknownCA)
		if serr != nil && serr.Error() != "tls: the peer sent alert unknown_ca" {
			t.Errorf("server error %q", serr)
		}
	})
	t.Run("after a protected record", func(t *testing.T) {
		// The client's protected unknown_ca becomes a protected
		// user_canceled, which the server reads and carries on from,
		// followed by the alert in the clear.
		c, s := tcpPair(t)
		var client *Conn
		rw := &recordRewriter{Conn: c, edit: func(i int, rec []byte) []byte {
			if rec[0] != record.TypeApplicationData {
				return rec
			}
			// Called inside the client's flush: its write key is the
			// handshake key that sealed rec, at sequence number 0.
			p, err := client.core.WriteTraffic().Protection()
			if err != nil {
				t.Error(err)
				return rec
			}
			out, err := p.Seal(nil, record.TypeAlert, []byte{1, byte(alert.UserCanceled)}, 0)
			if err != nil {
				t.Error(err)
				return rec
			}
			return append(out, plainAlert(alert.UnknownCA)...)
		}}
		client = Client(rw, &Config{ServerName: "localhost"})
		errc := make(chan error, 1)
		go func() { errc <- Server(s, &Config{Certificates: []Certificate{cert}}).Handshake() }()
		if err := client.Handshake(); err == nil {
			t.Fatal("client accepted an untrusted chain")
		}
		wantLocalAlert(t, "server", <-errc, alert.UnexpectedMessage)
	})
	t.Run("under application keys", func(t *testing.T) {
		client, server := connectedPair(t, VersionTLS13)
		if _, err := client.conn.Write(plainAlert(alert.UnknownCA)); err != nil {
			t.Fatal(err)
		}
		_, err := server.Read(make([]byte, 1))
		wantLocalAlert(t, "server", err, alert.UnexpectedMessage)
	})
	t.Run("client reading the server's flight", func(t *testing.T) {
		// The server's first protected record (EncryptedExtensions)
		// becomes a plaintext alert: a server has its keys from the
		// ServerHello on, so the client does not take it.
		serverPlain := func(c net.Conn) net.Conn {
			done := false
			return &recordRewriter{Conn: c, edit: func(i int, rec []byte) []byte {
				if rec[0] == record.TypeApplicationData && !done {
					done = true
					return plainAlert(alert.HandshakeFailure)
				}
				return rec
			}}
		}
		_, pool := regCert(t)
		_, _, cerr, _ := handshakePair(t, VersionTLS13, cert, &Config{RootCAs: pool, ServerName: "localhost"}, nil, serverPlain)
		wantLocalAlert(t, "client", cerr, alert.UnexpectedMessage)
	})
}

// readRecordFrom reads one unprotected record from c.
func readRecordFrom(t *testing.T, c net.Conn) (uint8, []byte) {
	t.Helper()
	hdr := make([]byte, record.HeaderLen)
	if _, err := io.ReadFull(c, hdr); err != nil {
		t.Fatal(err)
	}
	body := make([]byte, int(hdr[3])<<8|int(hdr[4]))
	if _, err := io.ReadFull(c, body); err != nil {
		t.Fatal(err)
	}
	return hdr[0], body
}

// retriedEarlyHello starts a server that must decline 0-RTT with a
// HelloRetryRequest: it sends a first ClientHello offering early data,
// with a P-256 share the server (X25519 only) asks to replace, followed by
// a record of "early data". It returns the connection, the server's
// handshake result, the fake early-data record, and the second ClientHello
// that answers the server's HelloRetryRequest, not yet sent.
func retriedEarlyHello(t *testing.T) (c net.Conn, errc chan error, fake, second []byte) {
	t.Helper()
	cert, _ := regCert(t)
	first, err := wire.ParseClientHello(lucidClientHello(t, &Config{ServerName: "localhost",
		CurvePreferences: []CurveID{CurveP256, X25519}})[wire.HeaderLen:])
	if err != nil {
		t.Fatal(err)
	}
	first.Extensions, first.EarlyData = nil, true
	c, s := tcpPair(t)
	errc = make(chan error, 1)
	go func() {
		errc <- Server(s, &Config{Certificates: []Certificate{cert}, CurvePreferences: []CurveID{X25519}}).Handshake()
	}()
	fake = rawRecord(record.TypeApplicationData, []byte{1, 2, 3, 4})
	if _, err := c.Write(concat(rawRecord(record.TypeHandshake, first.Marshal()), fake)); err != nil {
		t.Fatal(err)
	}
	typ, body := readRecordFrom(t, c)
	if typ != record.TypeHandshake || body[0] != wire.TypeServerHello {
		t.Fatalf("server answered with record %d %x, want a HelloRetryRequest", typ, body[:min(len(body), 8)])
	}
	hrr, err := wire.ParseServerHello(body[wire.HeaderLen:])
	if err != nil || !hrr.IsHelloRetryRequest() {
		t.Fatalf("server answered %+v (%v), want a HelloRetryRequest", hrr, err)
	}
	retry := *first
	retry.EarlyData, retry.Cookie = false, hrr.Cookie
	retry.KeyShares = []wire.KeyShare{{Group: uint16(X25519), Data: bytes.Repeat([]byte{9}, 32)}}
	return c, errc, fake, retry.Marshal()
}

// TestEarlyDataInterleavedAfterRetry: a server that declined 0-RTT skips
// the early data that arrives before the second ClientHello, but a record
// of it between the second hello's fragments breaks RFC 8446 §5.1 like any
// other: unexpected_message (BoGo SkipEarlyData-HRR-Interleaved-TLS13).
func TestEarlyDataInterleavedAfterRetry(t *testing.T) {
	c, errc, fake, msg := retriedEarlyHello(t)
	if _, err := c.Write(concat(fake, rawRecord(record.TypeHandshake, msg[:40]), fake, rawRecord(record.TypeHandshake, msg[40:]))); err != nil {
		t.Fatal(err)
	}
	wantLocalAlert(t, "server", <-errc, alert.UnexpectedMessage)
}

// TestNoEarlyDataAfterSecondHello: a server that declined 0-RTT with a
// HelloRetryRequest skips early data only until the second ClientHello,
// after which the client sends none (RFC 8446 §4.2.10). A record that then
// fails to decrypt is bad_record_mac, not more early data to skip in
// silence (tlsfuzzer's "0-RTT, HRR and early data after 2nd Client Hello",
// which found the server waiting).
func TestNoEarlyDataAfterSecondHello(t *testing.T) {
	c, errc, fake, second := retriedEarlyHello(t)
	if _, err := c.Write(concat(fake, rawRecord(record.TypeHandshake, second))); err != nil {
		t.Fatal(err)
	}
	// The server answers the second hello with its flight; the client's
	// next record should be its Finished, and is not.
	for {
		typ, body := readRecordFrom(t, c)
		if typ == record.TypeHandshake && body[0] == wire.TypeServerHello {
			break
		}
	}
	if _, err := c.Write(rawRecord(record.TypeApplicationData, bytes.Repeat([]byte{7}, 64))); err != nil {
		t.Fatal(err)
	}
	wantLocalAlert(t, "server", testwait.Recv(t, errc, "the server's handshake to fail"), alert.BadRecordMAC)
}

// TestPlaintextHandshakeUnderKeys: once TLS 1.3 keys are in place every
// record is protected application_data (RFC 8446 §5.2); a handshake
// message sent in the clear is an unexpected record type, not a record
// that failed to decrypt (tlsfuzzer's test-tls13-finished-plaintext).
func TestPlaintextHandshakeUnderKeys(t *testing.T) {
	client, server := connectedPair(t, VersionTLS13)
	fin := (&wire.Finished{VerifyData: make([]byte, 32)}).Marshal()
	if _, err := client.conn.Write(rawRecord(record.TypeHandshake, fin)); err != nil {
		t.Fatal(err)
	}
	_, err := server.Read(make([]byte, 1))
	wantLocalAlert(t, "server", err, alert.UnexpectedMessage)
}

// A HelloRequest is empty (RFC 5246 §7.4.1.1); one with a body is a
// malformed message, not a renegotiation to refuse politely.
func TestHelloRequestWithBody(t *testing.T) {
	client, server := connectedPair(t, VersionTLS12)
	sendRaw(t, server, record.TypeHandshake, []byte{wire.TypeHelloRequest, 0, 0, 1, 0})
	_, err := client.Read(make([]byte, 1))
	wantLocalAlert(t, "client", err, alert.DecodeError)
}

package tls

// Regression tests for record-layer RFC slips that tlsfuzzer and BoGo
// found.

import (
	"errors"
	"io"
	"net"
	"testing"

	"lucid/internal/alert"
	"lucid/internal/record"
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

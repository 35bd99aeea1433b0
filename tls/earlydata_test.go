package tls_test

import (
	"crypto/rand"
	"errors"
	"io"
	"net"
	"testing"

	"lucid/internal/kex"
	"lucid/internal/record"
	"lucid/internal/testwait"
	"lucid/internal/wire"
	"lucid/tls"
)

// earlyDataClientHello is a TLS 1.3 ClientHello that offers 0-RTT; with
// retry it carries no key share, so the server answers with a
// HelloRetryRequest.
func earlyDataClientHello(t *testing.T, retry bool) []byte {
	t.Helper()
	share, err := kex.Generate(kex.X25519, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ch := &wire.ClientHello{
		LegacyVersion:      0x0303,
		SessionID:          make([]byte, 32),
		CipherSuites:       []uint16{tls.TLS_AES_128_GCM_SHA256},
		CompressionMethods: []uint8{0},
		SupportedVersions:  []uint16{tls.VersionTLS13},
		SupportedGroups:    []uint16{kex.X25519},
		SignatureSchemes:   []uint16{uint16(tls.ECDSAWithP256AndSHA256)},
		HasKeyShare:        true,
		KeyShares:          []wire.KeyShare{{Group: kex.X25519, Data: share.Share()}},
		EarlyData:          true,
	}
	if retry {
		ch.KeyShares = nil
	}
	rand.Read(ch.Random[:])
	msg := ch.Marshal()
	return append(record.AppendHeader(nil, record.TypeHandshake, 0x0301, len(msg)), msg...)
}

// junkRecords is n bytes of "0-RTT data" the server cannot decrypt, in
// records of at most max bytes.
func junkRecords(n, max int) []byte {
	var out []byte
	for n > 0 {
		l := min(n, max)
		body := make([]byte, l)
		rand.Read(body)
		out = append(record.AppendHeader(out, record.TypeApplicationData, 0x0303, l), body...)
		n -= l
	}
	return out
}

// RFC 8446 §4.2.10: a server that does not accept 0-RTT skips the records
// it cannot decrypt, up to a bound, instead of failing on the first one.
func TestServerSkipsDeclinedEarlyData(t *testing.T) {
	f := newLucidFixture(t, "ecdsa-p256")
	for _, tc := range []struct {
		name   string
		retry  bool
		junk   int
		want   tls.AlertError
		skipOK bool
	}{
		{"a little", false, 100, 0, true},
		{"exactly the bound", false, 1 << 14, 0, true},
		{"one byte past the bound", false, 1<<14 + 1, tls.AlertUnexpectedMessage, false},
		{"more than the bound", false, 40000, tls.AlertUnexpectedMessage, false},
		// After a HelloRetryRequest the skipped records are plaintext
		// application_data records, counted by their headers.
		{"HRR: a little", true, 100, 0, true},
		{"HRR: one byte past the bound", true, 1<<14 + 1, tls.AlertUnexpectedMessage, false},
		// One record longer than any plaintext record may be: it is
		// still early data to skip, and past the bound.
		{"HRR: one oversized record", true, -(1<<14 + 1), tls.AlertUnexpectedMessage, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, s := pair(t)
			server := tls.Server(s, &tls.Config{Certificates: []tls.Certificate{f.lucidCert(t)}})
			done := make(chan error, 1)
			go func() { done <- server.Handshake() }()
			junk := junkRecords(tc.junk, 1<<14)
			if tc.junk < 0 {
				junk = junkRecords(-tc.junk, -tc.junk)
			}
			if _, err := c.Write(append(earlyDataClientHello(t, tc.retry), junk...)); err != nil {
				t.Fatal(err)
			}
			// The server's flight (or its alert) comes back; then the
			// client stops, as if it had gone away mid-handshake.
			answered := make(chan struct{})
			go func() {
				io.ReadFull(c, make([]byte, 5))
				close(answered)
			}()
			var err error
			select {
			case <-answered:
				c.(*net.TCPConn).CloseWrite()
				err = testwait.Recv(t, done, "the server's handshake to end")
			case err = <-done:
			}
			var te *tls.Error
			isAlert := errors.As(err, &te) && te.Alert != 0 && !te.Remote
			if tc.skipOK {
				if isAlert {
					t.Fatalf("server sent alert %v on skippable 0-RTT data: %v", te.Alert, err)
				}
				return
			}
			if !isAlert || te.Alert != tc.want {
				t.Fatalf("server error %v, want alert %v", err, tc.want)
			}
		})
	}
}

package tls

// Regression tests for bugs BoringSSL's runner (BoGo) found. They sit
// inside the package so that a test can make one side send what Lucid
// itself never would: a record sealed under the live keys by sendRaw, or a
// flight edited on its way out by recordRewriter.

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"lucid/internal/alert"
	"lucid/internal/handshake"
	"lucid/internal/record"
	"lucid/internal/testpki"
	"lucid/internal/testwait"
)

// tcpPair returns the two ends of a loopback TCP connection, with the
// test's deadline set on both.
func tcpPair(t *testing.T) (client, server net.Conn) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ch := make(chan net.Conn, 1)
	go func() {
		c, _ := l.Accept()
		ch <- c
	}()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s := <-ch
	if s == nil {
		t.Fatal("accept failed")
	}
	deadline := testwait.Deadline(t)
	c.SetDeadline(deadline)
	s.SetDeadline(deadline)
	t.Cleanup(func() { c.Close(); s.Close() })
	return c, s
}

// regCert is a server certificate for localhost from a fresh CA.
func regCert(t *testing.T) (Certificate, *x509.CertPool) {
	t.Helper()
	ca, err := testpki.NewCA("Regression Root", "ecdsa-p256")
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Issue(testpki.LeafOptions{Names: []string{"localhost"}, KeyType: "ecdsa-p256"})
	if err != nil {
		t.Fatal(err)
	}
	cert, err := X509KeyPair(leaf.CertPEM, leaf.KeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	return cert, ca.Pool
}

// handshakePair runs a handshake at version v over conns that may wrap the
// sockets; it returns both errors.
func handshakePair(t *testing.T, v uint16, cert Certificate, cc *Config, wrapC, wrapS func(net.Conn) net.Conn) (*Conn, *Conn, error, error) {
	t.Helper()
	c, s := tcpPair(t)
	if wrapC != nil {
		c = wrapC(c)
	}
	if wrapS != nil {
		s = wrapS(s)
	}
	sc := &Config{Certificates: []Certificate{cert}, MinVersion: v, MaxVersion: v}
	cc.MinVersion, cc.MaxVersion = v, v
	server, client := Server(s, sc), Client(c, cc)
	errc := make(chan error, 1)
	go func() { errc <- server.Handshake() }()
	cerr := client.Handshake()
	if cerr != nil {
		client.Close()
	}
	serr := <-errc
	return client, server, cerr, serr
}

func connectedPair(t *testing.T, v uint16) (*Conn, *Conn) {
	t.Helper()
	cert, pool := regCert(t)
	client, server, cerr, serr := handshakePair(t, v, cert, &Config{RootCAs: pool, ServerName: "localhost"}, nil, nil)
	if cerr != nil || serr != nil {
		t.Fatalf("handshake: client %v, server %v", cerr, serr)
	}
	return client, server
}

// sendRaw seals payload as one record of type typ under c's current keys.
func sendRaw(t *testing.T, c *Conn, typ uint8, payload []byte) {
	t.Helper()
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	c.mu.Lock()
	err := c.core.SealRecord(typ, payload)
	c.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.flushLocked(); err != nil {
		t.Fatal(err)
	}
}

// wantLocalAlert checks that err is a fatal alert this side sent.
func wantLocalAlert(t *testing.T, what string, err error, want alert.Description) {
	t.Helper()
	var te *Error
	if !errors.As(err, &te) || te.Remote || te.Alert != AlertError(want) {
		t.Errorf("%s: got %v, want a %s alert sent", what, err, want)
	}
}

// TestWarningAlerts: RFC 8446 §6 lets TLS 1.3 send only close_notify and
// user_canceled as warnings, so a warning-level unexpected_message is
// malformed (decode_error); an alert level that is neither warning nor
// fatal is illegal_parameter; and a peer gets four warnings in a row, not
// five (BoGo SendWarningAlerts-*, SendBogusAlertType,
// SendUserCanceledAlerts-TooMany-TLS13).
func TestWarningAlerts(t *testing.T) {
	t.Run("TLS 1.3 warning unexpected_message", func(t *testing.T) {
		client, server := connectedPair(t, VersionTLS13)
		sendRaw(t, client, record.TypeAlert, []byte{1, byte(alert.UnexpectedMessage)})
		_, err := server.Read(make([]byte, 1))
		wantLocalAlert(t, "server", err, alert.DecodeError)
	})
	t.Run("unknown alert level", func(t *testing.T) {
		client, server := connectedPair(t, VersionTLS13)
		sendRaw(t, client, record.TypeAlert, []byte{0x42, byte(alert.UnexpectedMessage)})
		_, err := server.Read(make([]byte, 1))
		wantLocalAlert(t, "server", err, alert.IllegalParameter)
	})
	for _, tc := range []struct {
		name string
		v    uint16
		desc alert.Description
	}{
		{"TLS 1.3 user_canceled", VersionTLS13, alert.UserCanceled},
		{"TLS 1.2 warning", VersionTLS12, alert.UnexpectedMessage},
	} {
		for _, n := range []int{4, 5} {
			client, server := connectedPair(t, tc.v)
			for range n {
				sendRaw(t, client, record.TypeAlert, []byte{1, byte(tc.desc)})
			}
			sendRaw(t, client, record.TypeApplicationData, []byte("x"))
			_, err := server.Read(make([]byte, 1))
			if n == 4 && err != nil {
				t.Errorf("%s: four warnings refused: %v", tc.name, err)
			}
			if n == 5 {
				wantLocalAlert(t, tc.name+": five warnings", err, alert.UnexpectedMessage)
			}
		}
	}
}

// recordRewriter edits the records one side writes. Lucid writes whole
// records, so each Write splits into them.
type recordRewriter struct {
	net.Conn
	mu   sync.Mutex
	n    int
	edit func(i int, rec []byte) []byte
	log  [][]byte
}

func (w *recordRewriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	var out []byte
	for rest := b; len(rest) >= record.HeaderLen; {
		n := record.HeaderLen + (int(rest[3])<<8 | int(rest[4]))
		rec := append([]byte(nil), rest[:n]...)
		if w.edit != nil {
			rec = w.edit(w.n, rec)
		}
		w.log = append(w.log, rec)
		w.n++
		out = append(out, rec...)
		rest = rest[n:]
	}
	w.mu.Unlock()
	if _, err := w.Conn.Write(out); err != nil {
		return 0, err
	}
	return len(b), nil
}

// appendToRecord adds extra bytes to a plaintext record and fixes its length.
func appendToRecord(rec []byte, extra ...byte) []byte {
	rec = append(rec, extra...)
	n := len(rec) - record.HeaderLen
	rec[3], rec[4] = byte(n>>8), byte(n)
	return rec
}

// TestTrailingDataEndsFlight: a message the receiver answers (ClientHello,
// ServerHelloDone) must end its record; more handshake bytes after it are
// unexpected_message (RFC 8446 §5.1; BoGo Partial*, TrailingDataWithFinished-*).
func TestTrailingDataEndsFlight(t *testing.T) {
	cert, pool := regCert(t)
	t.Run("TLS 1.3 ClientHello", func(t *testing.T) {
		wrap := func(c net.Conn) net.Conn {
			return &recordRewriter{Conn: c, edit: func(i int, rec []byte) []byte {
				if i == 0 {
					return appendToRecord(rec, 0x14) // the first byte of a Finished
				}
				return rec
			}}
		}
		_, _, _, serr := handshakePair(t, VersionTLS13, cert, &Config{RootCAs: pool, ServerName: "localhost"}, wrap, nil)
		wantLocalAlert(t, "server", serr, alert.UnexpectedMessage)
		wantFlightEnd(t, serr)
	})
	t.Run("TLS 1.2 ServerHelloDone", func(t *testing.T) {
		wrap := func(c net.Conn) net.Conn {
			return &recordRewriter{Conn: c, edit: func(i int, rec []byte) []byte {
				if rec[0] == record.TypeHandshake && len(rec) >= 9 && string(rec[len(rec)-4:]) == "\x0e\x00\x00\x00" {
					return appendToRecord(rec, 0x10) // the first byte of a ClientKeyExchange
				}
				return rec
			}}
		}
		_, _, cerr, _ := handshakePair(t, VersionTLS12, cert, &Config{RootCAs: pool, ServerName: "localhost"}, nil, wrap)
		wantLocalAlert(t, "client", cerr, alert.UnexpectedMessage)
		wantFlightEnd(t, cerr)
	})
}

// wantFlightEnd checks that the data was refused where it arrived, not
// later at a key change the stray bytes would straddle.
func wantFlightEnd(t *testing.T, err error) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), "ends the peer's flight") {
		t.Errorf("got %v, want the trailing bytes refused with the message that ends the flight", err)
	}
}

// TestCompatCCSBeforeEncryptedAlert: in middlebox compatibility mode the
// client's change_cipher_spec precedes its first protected record, even
// when that record is an alert raised before its Finished (RFC 8446 §D.4;
// BoGo's "invalid TLS 1.3 ChangeCipherSpec").
func TestCompatCCSBeforeEncryptedAlert(t *testing.T) {
	cert, _ := regCert(t)
	var rw *recordRewriter
	wrap := func(c net.Conn) net.Conn {
		rw = &recordRewriter{Conn: c}
		return rw
	}
	// No RootCAs for this CA: the client rejects the chain after
	// ServerHello, under its handshake key.
	_, _, cerr, _ := handshakePair(t, VersionTLS13, cert, &Config{RootCAs: x509.NewCertPool(), ServerName: "localhost"}, wrap, nil)
	if cerr == nil {
		t.Fatal("client accepted an untrusted chain")
	}
	rw.mu.Lock()
	defer rw.mu.Unlock()
	var types []byte
	for _, r := range rw.log {
		types = append(types, r[0])
	}
	want := []byte{record.TypeHandshake, record.TypeChangeCipherSpec, record.TypeApplicationData}
	if string(types) != string(want) {
		t.Errorf("client wrote records of types %v, want %v", types, want)
	}
}

// TestTLS12RecordVersion: once TLS 1.2 is settled every record says 0x0303
// (RFC 5246 §6.2.1; BoGo CheckRecordVersion-TLS12).
func TestTLS12RecordVersion(t *testing.T) {
	cert, pool := regCert(t)
	wrap := func(c net.Conn) net.Conn {
		return &recordRewriter{Conn: c, edit: func(i int, rec []byte) []byte {
			rec[1], rec[2] = 3, 0xff
			return rec
		}}
	}
	_, _, cerr, _ := handshakePair(t, VersionTLS12, cert, &Config{RootCAs: pool, ServerName: "localhost"}, nil, wrap)
	wantLocalAlert(t, "client", cerr, alert.ProtocolVersion)
}

// TestLeafKeyUsage: a server leaf whose key usage extension lacks
// digitalSignature cannot sign the handshake; the client refuses it even
// without chain verification (RFC 5280 §4.2.1.3; BoGo ECDSAKeyUsage-*,
// RSAKeyUsage-*-WantSignature-GotEncipherment-*).
func TestLeafKeyUsage(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert := Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	for _, v := range []uint16{VersionTLS12, VersionTLS13} {
		_, _, cerr, _ := handshakePair(t, v, cert, &Config{InsecureSkipVerify: true}, nil, nil)
		wantLocalAlert(t, "client", cerr, alert.UnsupportedCertificate)
	}
}

// RFC 5246 §7.4.6: a TLS 1.2 client picks a certificate of a type the
// CertificateRequest lists (BoGo's ClientCertificateTypes tests).
func TestClientCertificateTypes(t *testing.T) {
	ca, err := testpki.NewCA("Types Root", "ecdsa-p256")
	if err != nil {
		t.Fatal(err)
	}
	var certs []Certificate
	for _, kt := range []testpki.KeyType{"rsa-2048", "ecdsa-p256"} {
		leaf, err := ca.Issue(testpki.LeafOptions{Names: []string{"client"}, KeyType: kt})
		if err != nil {
			t.Fatal(err)
		}
		cert, err := X509KeyPair(leaf.CertPEM, leaf.KeyPEM)
		if err != nil {
			t.Fatal(err)
		}
		certs = append(certs, cert)
	}
	c := &Conn{config: &Config{Certificates: certs}}
	schemes := []uint16{0x0403, 0x0804, 0x0401}
	for _, tc := range []struct {
		types []uint8
		want  int // index into certs, -1 for none
	}{
		{nil, 0}, {[]uint8{1, 64}, 0}, {[]uint8{64}, 1}, {[]uint8{1}, 0}, {[]uint8{2}, -1},
	} {
		got, err := c.chooseClientCertificate(&handshake.CertRequest{Version: VersionTLS12, SignatureSchemes: schemes, CertificateTypes: tc.types})
		if err != nil {
			t.Fatalf("types %v: %v", tc.types, err)
		}
		switch {
		case tc.want < 0 && got != nil:
			t.Errorf("types %v: chose a certificate, want none", tc.types)
		case tc.want >= 0 && (got == nil || &got.Chain[0][0] != &certs[tc.want].Certificate[0][0]):
			t.Errorf("types %v: did not choose certificate %d", tc.types, tc.want)
		}
	}
}

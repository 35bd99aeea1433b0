package conn_test

import (
	"bytes"
	crand "crypto/rand"
	"errors"
	"io"
	"sync"
	"testing"

	"lucid/internal/alert"
	"lucid/internal/conn"
	"lucid/internal/handshake"
	"lucid/internal/kex"
	"lucid/internal/record"
	"lucid/internal/signature"
	"lucid/internal/suites"
	"lucid/internal/testpki"
	"lucid/internal/version"
	"lucid/internal/wire"
)

const testHost = "core.example.test"

var leafOnce struct {
	sync.Once
	leaf *testpki.Leaf
	err  error
}

func testLeaf(t testing.TB) *testpki.Leaf {
	t.Helper()
	leafOnce.Do(func() {
		ca, err := testpki.NewCA("Core test CA", testpki.ECDSAP256)
		if err != nil {
			leafOnce.err = err
			return
		}
		leafOnce.leaf, leafOnce.err = ca.Issue(testpki.LeafOptions{Names: []string{testHost}})
	})
	if leafOnce.err != nil {
		t.Fatal(leafOnce.err)
	}
	return leafOnce.leaf
}

func suites12() []uint16 {
	var out []uint16
	for _, s := range suites.TLS12 {
		if !s.Legacy {
			out = append(out, s.ID)
		}
	}
	return out
}

// configs are an engine configuration for each side at version v.
func configs(t testing.TB, v uint16) (client, server *handshake.Config) {
	l := testLeaf(t)
	base := func() *handshake.Config {
		return &handshake.Config{
			Rand:         crand.Reader,
			CipherSuites: []uint16{suites.TLS_AES_128_GCM_SHA256, suites.TLS_CHACHA20_POLY1305_SHA256},
			Suites12:     suites12(),
			Groups:       []uint16{kex.X25519, kex.P256},
			Schemes:      append(append([]signature.Scheme(nil), signature.Default13...), signature.Default12...),
			CertSchemes:  signature.DefaultCert,
			MinVersion:   v,
			MaxVersion:   v,
		}
	}
	client, server = base(), base()
	client.ServerName = testHost
	server.GetCertificate = func(*handshake.HelloInfo) (*handshake.Certificate, error) {
		return &handshake.Certificate{Chain: l.Chain, Key: l.Key}, nil
	}
	return client, server
}

// pair is two Cores and the bytes in flight between them.
type pair struct {
	t              testing.TB
	client, server *conn.Core
	// toServer and toClient hold what each side sent that the other has
	// not been fed yet.
	toServer, toClient []byte
	// watch, if set, sees every flight as it is collected: dir 0 is
	// the client's, 1 the server's.
	watch func(dir int, b []byte)
}

func newPair(t testing.TB, v uint16) *pair {
	ccfg, scfg := configs(t, v)
	return newPairWith(t, ccfg, scfg)
}

func newPairWith(t testing.TB, ccfg, scfg *handshake.Config) *pair {
	p := &pair{t: t,
		client: conn.New(conn.Config{Client: true, Engine: ccfg}),
		server: conn.New(conn.Config{Engine: scfg}),
	}
	if err := p.client.Start(); err != nil {
		t.Fatal(err)
	}
	return p
}

// collect moves what both sides sealed into flight.
func (p *pair) collect() {
	for dir, s := range []struct {
		c   *conn.Core
		dst *[]byte
	}{{p.client, &p.toServer}, {p.server, &p.toClient}} {
		out := s.c.TakeOutput()
		if p.watch != nil && len(out) > 0 {
			p.watch(dir, out)
		}
		*s.dst = append(*s.dst, out...)
		s.c.ReturnOutput(out)
	}
}

// feed gives c the bytes in *src, as much as it will take, and processes
// every whole record; it returns the first error.
func feed(c *conn.Core, src *[]byte) error {
	for {
		if _, err := c.Process(); err != nil {
			return err
		}
		if c.Need() > 0 && len(*src) == 0 {
			return nil
		}
		if c.Need() > 0 {
			n := copy(c.InputSpace(), *src)
			c.Received(n)
			*src = (*src)[n:]
			continue
		}
	}
}

// run exchanges bytes until neither side has anything left to say, and
// returns the errors each side met.
func (p *pair) run() (clientErr, serverErr error) {
	for range 64 {
		p.collect()
		if len(p.toServer) == 0 && len(p.toClient) == 0 {
			return nil, nil
		}
		if err := feed(p.server, &p.toServer); err != nil {
			p.collect()
			feed(p.client, &p.toClient)
			return p.client.ReadErr(), err
		}
		p.collect()
		if err := feed(p.client, &p.toClient); err != nil {
			p.collect()
			feed(p.server, &p.toServer)
			return err, p.server.ReadErr()
		}
	}
	p.t.Fatal("the two cores never went quiet")
	return nil, nil
}

func (p *pair) mustRun() {
	p.t.Helper()
	if cerr, serr := p.run(); cerr != nil || serr != nil {
		p.t.Fatalf("client: %v; server: %v", cerr, serr)
	}
}

func (p *pair) write(c *conn.Core, b []byte) {
	p.t.Helper()
	for len(b) > 0 {
		n, err := c.WriteApp(b)
		if err != nil {
			p.t.Fatal(err)
		}
		b = b[n:]
	}
}

func readAll(c *conn.Core) []byte {
	var out []byte
	buf := make([]byte, 4096)
	for {
		n := c.ReadApp(buf)
		if n == 0 {
			return out
		}
		out = append(out, buf[:n]...)
	}
}

var versions = []struct {
	name string
	v    uint16
}{{"TLS1.3", version.TLS13}, {"TLS1.2", version.TLS12}}

// Two cores complete a handshake and move application data both ways, with
// no socket anywhere.
func TestHandshakeAndData(t *testing.T) {
	for _, tc := range versions {
		t.Run(tc.name, func(t *testing.T) {
			p := newPair(t, tc.v)
			p.mustRun()
			if !p.client.HandshakeDone() || !p.server.HandshakeDone() {
				t.Fatal("handshake did not complete")
			}
			if p.client.Result().Version != tc.v {
				t.Fatalf("version %#04x", p.client.Result().Version)
			}
			big := bytes.Repeat([]byte("0123456789abcdef"), 40000) // 640 KB, many records
			p.write(p.client, big)
			p.write(p.server, []byte("pong"))
			p.mustRun()
			if got := readAll(p.server); !bytes.Equal(got, big) {
				t.Fatalf("server read %d bytes, want %d", len(got), len(big))
			}
			if got := readAll(p.client); string(got) != "pong" {
				t.Fatalf("client read %q", got)
			}
		})
	}
}

// close_notify ends the peer's reading with io.EOF, and nothing more is
// written after it.
func TestCloseNotify(t *testing.T) {
	p := newPair(t, version.TLS13)
	p.mustRun()
	p.write(p.client, []byte("last words"))
	if err := p.client.CloseNotify(); err != nil {
		t.Fatal(err)
	}
	if _, err := p.client.WriteApp([]byte("more")); err == nil {
		t.Error("WriteApp after CloseNotify succeeded")
	}
	_, serr := p.run()
	if !errors.Is(serr, io.EOF) || !errors.Is(p.server.ReadErr(), io.EOF) {
		t.Fatalf("server after close_notify: %v", serr)
	}
	if got := readAll(p.server); string(got) != "last words" {
		t.Fatalf("data before close_notify: %q", got)
	}
}

// A KeyUpdate with a request moves both directions to new keys; many
// requests in a row are answered once (RFC 8446 §4.6.3).
func TestKeyUpdate(t *testing.T) {
	var serverKeys int
	ccfg, scfg := configs(t, version.TLS13)
	p := &pair{t: t,
		client: conn.New(conn.Config{Client: true, Engine: ccfg}),
		server: conn.New(conn.Config{Engine: scfg, Observe: func(e conn.Event) {
			if e.Kind == conn.KeyInstalled && e.Outbound {
				serverKeys++
			}
		}}),
	}
	if err := p.client.Start(); err != nil {
		t.Fatal(err)
	}
	p.mustRun()
	before := serverKeys
	for range 3 {
		if err := p.client.UpdateKeys(true); err != nil {
			t.Fatal(err)
		}
	}
	p.mustRun()
	if got := serverKeys - before; got != 1 {
		t.Fatalf("server moved its write key %d times for three requests, want once", got)
	}
	p.write(p.client, []byte("after"))
	p.write(p.server, []byte("reply"))
	p.mustRun()
	if string(readAll(p.server)) != "after" || string(readAll(p.client)) != "reply" {
		t.Fatal("data after KeyUpdate did not arrive")
	}
	// TLS 1.2 has no KeyUpdate.
	p12 := newPair(t, version.TLS12)
	p12.mustRun()
	if err := p12.client.UpdateKeys(false); err == nil {
		t.Error("UpdateKeys on TLS 1.2 succeeded")
	}
}

// A fatal alert from the peer is reported as the peer's, and ends both
// halves.
func TestRemoteAlert(t *testing.T) {
	p := newPair(t, version.TLS13)
	p.mustRun()
	if err := p.client.Fail(alert.New(alert.AccessDenied, "no")); alert.Of(err) != alert.AccessDenied {
		t.Fatalf("Fail: %v", err)
	}
	_, serr := p.run()
	var ra *conn.RemoteAlert
	if !errors.As(serr, &ra) || ra.Desc != alert.AccessDenied {
		t.Fatalf("server: %v, want the client's access_denied", serr)
	}
	if _, err := p.server.WriteApp([]byte("x")); err == nil {
		t.Error("server wrote after the peer's fatal alert")
	}
}

// rawRecord frames payload as one unprotected record.
func rawRecord(typ uint8, payload []byte) []byte {
	return append(record.AppendHeader(nil, typ, 0x0303, len(payload)), payload...)
}

// The record-type policy, tried on a server that has read nothing yet or
// has finished its handshake.
func TestRecordPolicy(t *testing.T) {
	hello := func() []byte {
		ccfg, _ := configs(t, version.TLS13)
		c := conn.New(conn.Config{Client: true, Engine: ccfg})
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		out := c.TakeOutput()
		return out[record.HeaderLen:] // the ClientHello message
	}()
	for _, tc := range []struct {
		name  string
		bytes []byte
		want  alert.Description
	}{
		{"change_cipher_spec before the ClientHello", rawRecord(record.TypeChangeCipherSpec, []byte{1}), alert.UnexpectedMessage},
		{"change_cipher_spec between ClientHello fragments", append(append(rawRecord(record.TypeHandshake, hello[:10]), rawRecord(record.TypeChangeCipherSpec, []byte{1})...), rawRecord(record.TypeHandshake, hello[10:])...), alert.UnexpectedMessage},
		{"application data in the clear", rawRecord(record.TypeApplicationData, []byte("hi")), alert.UnexpectedMessage},
		{"empty handshake record", rawRecord(record.TypeHandshake, nil), alert.UnexpectedMessage},
		{"oversized record", append(record.AppendHeader(nil, record.TypeHandshake, 0x0303, record.MaxCiphertext+1), make([]byte, 8)...), alert.RecordOverflow},
		{"unknown record type", rawRecord(99, []byte{1}), alert.UnexpectedMessage},
		{"alert of three bytes", rawRecord(record.TypeAlert, []byte{2, 40, 0}), alert.DecodeError},
		{"handshake message over the limit", rawRecord(record.TypeHandshake, []byte{wire.TypeClientHello, 0xff, 0xff, 0xff}), alert.DecodeError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, scfg := configs(t, version.TLS13)
			s := conn.New(conn.Config{Engine: scfg})
			in := append([]byte(nil), tc.bytes...)
			err := feed(s, &in)
			if alert.Of(err) != tc.want {
				t.Fatalf("got %v, want %s", err, tc.want)
			}
			out := s.TakeOutput()
			if want := rawRecord(record.TypeAlert, []byte{2, byte(tc.want)}); !bytes.Equal(out, want) {
				t.Errorf("server wrote %x, want only the alert %x", out, want)
			}
		})
	}
}

// A peer sending empty application data records without end is stopped.
func TestEmptyRecordLimit(t *testing.T) {
	p := newPair(t, version.TLS13)
	p.mustRun()
	for range 40 {
		if err := p.client.SealRecord(record.TypeApplicationData, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, serr := p.run(); alert.Of(serr) != alert.UnexpectedMessage {
		t.Fatalf("server: %v, want unexpected_message for too many empty records", serr)
	}
}

// The core reads its input in whatever pieces the network delivers.
func TestInputInPieces(t *testing.T) {
	for _, size := range []int{1, 3, 7, 1000} {
		p := newPair(t, version.TLS13)
		for range 64 {
			p.collect()
			if len(p.toServer) == 0 && len(p.toClient) == 0 {
				break
			}
			for _, side := range []struct {
				c   *conn.Core
				src *[]byte
			}{{p.server, &p.toServer}, {p.client, &p.toClient}} {
				for len(*side.src) > 0 {
					n := copy(side.c.InputSpace(), (*side.src)[:min(size, len(*side.src))])
					side.c.Received(n)
					*side.src = (*side.src)[n:]
					for {
						done, err := side.c.Process()
						if err != nil {
							t.Fatalf("pieces of %d: %v", size, err)
						}
						if !done {
							break
						}
					}
				}
			}
		}
		if !p.client.HandshakeDone() || !p.server.HandshakeDone() {
			t.Fatalf("pieces of %d: handshake did not complete", size)
		}
	}
}

// In the steady state sealing and opening allocate nothing, in either
// version and whether a record is opened in place or into the reader's
// buffer: the buffers come from pools and go back.
func TestSteadyStateAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Log("the race detector's sync.Pool drops buffers on purpose: checking the records, not the allocation count")
	}
	for _, tc := range versions {
		for _, into := range []bool{false, true} {
			p := newPair(t, tc.v)
			p.mustRun()
			msg := bytes.Repeat([]byte{7}, 16384)
			buf := make([]byte, len(msg)+64)
			round := func() {
				if _, err := p.client.WriteApp(msg); err != nil {
					t.Fatal(err)
				}
				full := p.client.TakeOutput()
				got := 0
				for out := full; len(out) > 0; {
					n := copy(p.server.InputSpace(), out)
					p.server.Received(n)
					out = out[n:]
					var b []byte
					if into {
						b = buf
					}
					k, _, err := p.server.ProcessInto(b)
					if err != nil {
						t.Fatal(err)
					}
					got += k
				}
				p.client.ReturnOutput(full)
				for {
					n := p.server.ReadApp(buf)
					if n == 0 {
						break
					}
					got += n
				}
				if got != len(msg) {
					t.Fatalf("read %d bytes, want %d", got, len(msg))
				}
			}
			for range 4 {
				round() // warm the pools
			}
			if raceEnabled {
				// The records still round-trip; only the count is moot.
				continue
			}
			if n := testing.AllocsPerRun(100, round); n != 0 {
				t.Errorf("%s, opened into the reader's buffer %v: %.1f allocations per 16 KiB record, want 0", tc.name, into, n)
			}
		}
	}
}

// A client's compatibility change_cipher_spec records are dropped (RFC
// 8446 §5), within bounds: one before the server's answer, two once the
// server sent a HelloRetryRequest (a client that offered 0-RTT data sends
// one after each ClientHello), and never more.
func TestCompatCCSLimit(t *testing.T) {
	ccs := rawRecord(record.TypeChangeCipherSpec, []byte{1})
	for _, tc := range []struct {
		name    string
		retry   bool
		records int
		refused bool
	}{
		{"one, no retry", false, 1, false},
		{"two, no retry", false, 2, true},
		{"two after a HelloRetryRequest", true, 2, false},
		{"three after a HelloRetryRequest", true, 3, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ccfg, scfg := configs(t, version.TLS13)
			if tc.retry {
				// The client's key share is X25519's; a server that
				// takes only P-256 asks for another.
				scfg.Groups = []uint16{kex.P256}
			}
			c := conn.New(conn.Config{Client: true, Engine: ccfg})
			if err := c.Start(); err != nil {
				t.Fatal(err)
			}
			in := c.TakeOutput()
			s := conn.New(conn.Config{Engine: scfg})
			if err := feed(s, &in); err != nil {
				t.Fatalf("ClientHello: %v", err)
			}
			if got := s.Result().DidHRR; got != tc.retry {
				t.Fatalf("server sent a HelloRetryRequest: %v, want %v", got, tc.retry)
			}
			var err error
			for range tc.records {
				in = append([]byte(nil), ccs...)
				if err = feed(s, &in); err != nil {
					break
				}
			}
			if refused := alert.Of(err) == alert.UnexpectedMessage; refused != tc.refused {
				t.Fatalf("after %d change_cipher_spec records: %v; refused %v, want %v", tc.records, err, refused, tc.refused)
			}
		})
	}
}

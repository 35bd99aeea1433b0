package handshake_test

import (
	"bytes"
	"runtime"
	"slices"
	"testing"

	"github.com/andybalholm/brotli"

	"lucid/internal/alert"
	"lucid/internal/certcomp"
	"lucid/internal/handshake"
	"lucid/internal/testpki"
	"lucid/internal/wire"
)

var allCertComp = []uint16{wire.CertCompressionBrotli, wire.CertCompressionZstd, wire.CertCompressionZlib}

// sentTypes lists the message types delivered in one direction.
func sentTypes(cv *conv, toClient bool) []uint8 {
	var out []uint8
	for _, m := range cv.delivered {
		if m.ToClient == toClient {
			out = append(out, m.Type)
		}
	}
	return out
}

func TestCertCompressionEachAlgorithm(t *testing.T) {
	leaf := testLeaf(t, testpki.RSA2048)
	for _, alg := range allCertComp {
		t.Run(wire.CertCompressionName(alg), func(t *testing.T) {
			var events []handshake.Event
			ccfg, scfg := clientConfig(), serverConfigFor(leaf)
			ccfg.CertCompression = []uint16{alg}
			scfg.CertCompression = allCertComp
			ccfg.Observe = func(e handshake.Event) { events = append(events, e) }
			cv := newConv(t, ccfg, scfg)
			cv.mustRun()
			got := sentTypes(cv, true)
			if !slices.Contains(got, wire.TypeCompressedCertificate) || slices.Contains(got, wire.TypeCertificate) {
				t.Fatalf("server sent %v, want a CompressedCertificate in place of Certificate", got)
			}
			cr := cv.c.e.Result()
			if len(cr.PeerChain) != len(leaf.Chain) || !bytes.Equal(cr.PeerChain[0], leaf.Chain[0]) {
				t.Fatal("the client's PeerChain is not the server's chain")
			}
			if cr.Shape == handshake.ShapeNone || cv.s.e.Result().Shape != cr.Shape {
				t.Fatalf("shapes: client %v, server %v", cr.Shape, cv.s.e.Result().Shape)
			}
			var detail string
			for _, e := range events {
				if e.Kind == handshake.Decision && e.Name == string(handshake.DecisionCertCompression) {
					detail = e.Detail
				}
			}
			if want := wire.CertCompressionName(alg) + ": "; len(detail) < len(want) || detail[:len(want)] != want {
				t.Fatalf("certificate_compression event %q", detail)
			}
		})
	}
}

func TestCertCompressionOff(t *testing.T) {
	for _, tc := range []struct {
		name           string
		client, server []uint16
	}{
		{"client off", nil, allCertComp},
		{"server off", allCertComp, nil},
		{"nothing in common", []uint16{wire.CertCompressionZlib}, []uint16{wire.CertCompressionBrotli}},
	} {
		ccfg, scfg := clientConfig(), serverConfig(t, testpki.ECDSAP256)
		ccfg.CertCompression, scfg.CertCompression = tc.client, tc.server
		cv := newConv(t, ccfg, scfg)
		cv.mustRun()
		if got := sentTypes(cv, true); !slices.Contains(got, wire.TypeCertificate) {
			t.Errorf("%s: server sent %v, want a plain Certificate", tc.name, got)
		}
	}
}

func TestCertCompressionClientCertificate(t *testing.T) {
	ccfg, scfg := clientConfig(), serverConfig(t, testpki.ECDSAP256)
	ccfg.CertCompression = allCertComp
	scfg.CertCompression = []uint16{wire.CertCompressionZstd}
	scfg.ClientAuth = handshake.RequireClientAuth
	withClientCert(t, ccfg)
	cv := newConv(t, ccfg, scfg)
	cv.mustRun()
	var cc *wire.CompressedCertificate
	for _, m := range cv.delivered {
		if !m.ToClient && m.Type == wire.TypeCompressedCertificate {
			var err error
			if cc, err = wire.ParseCompressedCertificate(m.Bytes[wire.HeaderLen:]); err != nil {
				t.Fatal(err)
			}
		}
	}
	if cc == nil || cc.Algorithm != wire.CertCompressionZstd {
		t.Fatalf("client sent %v, want its certificate compressed with zstd", sentTypes(cv, false))
	}
	if len(cv.s.e.Result().PeerChain) == 0 {
		t.Fatal("the server has no client chain")
	}
}

// rewriteCompressed decodes the server's CompressedCertificate, lets fn
// change it, and encodes it again.
func rewriteCompressed(t *testing.T, fn func(*wire.CompressedCertificate)) func(Msg) [][]byte {
	return at(true, wire.TypeCompressedCertificate, 0, func(b []byte) [][]byte {
		m, err := wire.ParseCompressedCertificate(b[wire.HeaderLen:])
		if err != nil {
			t.Fatal(err)
		}
		fn(m)
		return one(mustMarshal(t, m.Marshal()))
	})
}

func TestCertCompressionRejections(t *testing.T) {
	leaf := testLeaf(t, testpki.ECDSAP256)
	reencode := func(m *wire.CompressedCertificate, alg uint16) {
		body, err := certcomp.Decompress(m.Algorithm, m.Compressed, int(m.UncompressedLength))
		if err != nil {
			t.Fatal(err)
		}
		if m.Compressed, err = certcomp.Compress(alg, body); err != nil {
			t.Fatal(err)
		}
		m.Algorithm = alg
	}
	for _, tc := range []struct {
		name   string
		client []uint16
		tamper func(*wire.CompressedCertificate)
		want   alert.Description
	}{
		{"algorithm not offered", []uint16{wire.CertCompressionBrotli},
			func(m *wire.CompressedCertificate) { reencode(m, wire.CertCompressionZlib) }, alert.IllegalParameter},
		{"length one short", allCertComp,
			func(m *wire.CompressedCertificate) { m.UncompressedLength-- }, alert.BadCertificate},
		{"length one long", allCertComp,
			func(m *wire.CompressedCertificate) { m.UncompressedLength++ }, alert.BadCertificate},
		{"declares 16 MB", allCertComp,
			func(m *wire.CompressedCertificate) { m.UncompressedLength = 1<<24 - 1 }, alert.BadCertificate},
		{"garbage stream", allCertComp,
			func(m *wire.CompressedCertificate) { m.Compressed = bytes.Repeat([]byte{0xff}, 40) }, alert.BadCertificate},
		// The transcript holds the message as sent (RFC 8879 §4): the same
		// chain compressed otherwise no longer matches the signature.
		{"same chain, other bytes", []uint16{wire.CertCompressionBrotli, wire.CertCompressionZlib},
			func(m *wire.CompressedCertificate) { reencode(m, wire.CertCompressionZlib) }, alert.DecryptError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ccfg, scfg := clientConfig(), serverConfigFor(leaf)
			ccfg.CertCompression, scfg.CertCompression = tc.client, []uint16{wire.CertCompressionBrotli}
			cv := newConv(t, ccfg, scfg)
			cv.tamper = rewriteCompressed(t, tc.tamper)
			wantFailure(t, cv.run(), "client", tc.want)
		})
	}
}

// A CompressedCertificate the client never asked for is unexpected.
func TestCertCompressionUnoffered(t *testing.T) {
	ccfg, scfg := clientConfig(), serverConfig(t, testpki.ECDSAP256)
	scfg.CertCompression = allCertComp
	cv := newConv(t, ccfg, scfg)
	cv.tamper = at(true, wire.TypeCertificate, 0, func(b []byte) [][]byte {
		c, err := certcomp.Compress(wire.CertCompressionZlib, b[wire.HeaderLen:])
		if err != nil {
			t.Fatal(err)
		}
		cc := &wire.CompressedCertificate{Algorithm: wire.CertCompressionZlib, UncompressedLength: uint32(len(b) - wire.HeaderLen), Compressed: c}
		return one(mustMarshal(t, cc.Marshal()))
	})
	wantFailure(t, cv.run(), "client", alert.UnexpectedMessage)
}

// TestCertCompressionBomb sends the client 16 MiB of zeros compressed
// into a CompressedCertificate that declares all of it, and one that
// declares a plausible length: both get bad_certificate, and the whole
// handshake allocates a small fraction of what the stream inflates to.
func TestCertCompressionBomb(t *testing.T) {
	var b bytes.Buffer
	w := brotli.NewWriterOptions(&b, brotli.WriterOptions{Quality: 1, LGWin: 24})
	w.Write(make([]byte, 16<<20))
	w.Close()
	bomb := b.Bytes()
	leaf := testLeaf(t, testpki.ECDSAP256)
	for _, declared := range []uint32{1<<24 - 1, 3000} {
		ccfg, scfg := clientConfig(), serverConfigFor(leaf)
		ccfg.CertCompression, scfg.CertCompression = allCertComp, allCertComp
		cv := newConv(t, ccfg, scfg)
		cv.tamper = rewriteCompressed(t, func(m *wire.CompressedCertificate) {
			m.UncompressedLength, m.Compressed = declared, bomb
		})
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		f := cv.run()
		runtime.ReadMemStats(&after)
		wantFailure(t, f, "client", alert.BadCertificate)
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4<<20 {
			t.Errorf("declaring %d: the handshake allocated %d bytes", declared, alloc)
		} else {
			t.Logf("declaring %d: the handshake allocated %d bytes", declared, alloc)
		}
	}
}

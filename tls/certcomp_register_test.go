package tls_test

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"

	"lucid/internal/testpki"
	"lucid/tls"
)

// The registry is process-wide: these identifiers belong to this file.
const (
	toyAlg    tls.CertCompressionAlgorithm = 0xfe41 // toyCodec
	brokenAlg tls.CertCompressionAlgorithm = 0xfe42 // decompresses nothing
)

// toyCodec "compresses" by dropping the body's first two bytes, which in
// a Certificate body with an empty request context are always zero.
var toyCodec = tls.CertCompressionCodec{
	Compress: func(b []byte) ([]byte, error) {
		if len(b) < 2 || b[0] != 0 || b[1] != 0 {
			return nil, errors.New("not a Certificate body with an empty context")
		}
		return bytes.Clone(b[2:]), nil
	},
	Decompress: func(dst, c []byte) error {
		if len(dst) != len(c)+2 {
			return errors.New("length mismatch")
		}
		dst[0], dst[1] = 0, 0
		copy(dst[2:], c)
		return nil
	},
}

func init() {
	broken := tls.CertCompressionCodec{Compress: toyCodec.Compress, Decompress: func([]byte, []byte) error { return errors.New("cannot") }}
	if err := tls.RegisterCertCompression(toyAlg, toyCodec); err != nil {
		panic(err)
	}
	if err := tls.RegisterCertCompression(brokenAlg, broken); err != nil {
		panic(err)
	}
}

func TestRegisterCertCompressionRefuses(t *testing.T) {
	for _, a := range []tls.CertCompressionAlgorithm{tls.CertCompressionBrotli, tls.CertCompressionZlib, tls.CertCompressionZstd, 0, toyAlg} {
		if err := tls.RegisterCertCompression(a, toyCodec); err == nil {
			t.Errorf("%v registered", a)
		}
	}
	if err := tls.RegisterCertCompression(0xfe43, tls.CertCompressionCodec{Compress: toyCodec.Compress}); err == nil {
		t.Error("a codec without Decompress registered")
	}
}

// A registered algorithm is used when both sides list it, in the order
// they list it, and one that fails to decompress ends the handshake with
// bad_certificate.
func TestRegisteredCertCompression(t *testing.T) {
	f := newLucidFixture(t, testpki.ECDSAP256)
	run := func(t *testing.T, clientAlgs, serverAlgs []tls.CertCompressionAlgorithm) (tls.Event, error, error) {
		t.Helper()
		var clog eventLog
		c, s := pair(t)
		client := tls.Client(c, &tls.Config{RootCAs: f.ca.Pool, ServerName: "localhost", CertCompression: clientAlgs, Observer: clog.add})
		server := tls.Server(s, &tls.Config{Certificates: []tls.Certificate{f.lucidCert(t)}, CertCompression: serverAlgs})
		cerr, serr := runPair(t, client, server)
		got, _ := certMessage(&clog, tls.EventMessageReceived)
		return got, cerr, serr
	}

	t.Run("used", func(t *testing.T) {
		got, cerr, serr := run(t, []tls.CertCompressionAlgorithm{tls.CertCompressionBrotli, toyAlg},
			[]tls.CertCompressionAlgorithm{toyAlg, tls.CertCompressionBrotli})
		if cerr != nil || serr != nil {
			t.Fatalf("client %v, server %v", cerr, serr)
		}
		// The server's first choice, which the client also listed.
		if !strings.HasPrefix(got.Detail, "CompressedCertificate unknown(65089): ") || !strings.HasSuffix(got.Detail, " sent as "+strconv.Itoa(got.Length)) {
			t.Fatalf("client received %q", got.Detail)
		}
	})
	t.Run("not listed", func(t *testing.T) {
		got, cerr, serr := run(t, []tls.CertCompressionAlgorithm{tls.CertCompressionZlib}, []tls.CertCompressionAlgorithm{toyAlg, tls.CertCompressionZlib})
		if cerr != nil || serr != nil {
			t.Fatalf("client %v, server %v", cerr, serr)
		}
		if !strings.HasPrefix(got.Detail, "CompressedCertificate zlib: ") {
			t.Fatalf("client received %q, want zlib: the client did not list the toy", got.Detail)
		}
	})
	t.Run("decompression fails", func(t *testing.T) {
		_, cerr, _ := run(t, []tls.CertCompressionAlgorithm{brokenAlg}, []tls.CertCompressionAlgorithm{brokenAlg})
		if cerr == nil || !strings.Contains(cerr.Error(), "bad_certificate") {
			t.Fatalf("client error %v, want bad_certificate", cerr)
		}
	})
}

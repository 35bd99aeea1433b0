package inspect_test

import (
	"fmt"
	"strings"
	"testing"

	"lucid/https"
	"lucid/inspect"
	"lucid/tls"
)

// The page tells the visitor whether their client asked for certificate
// compression and, when the server used it, how many bytes it saved; the
// JSON carries the same under connection.cert_compression.
func TestCertCompression(t *testing.T) {
	f := getFixture(t)
	on := serveInspect(t, &https.Server{Inspect: true}, inspect.Options{})
	off := serveInspect(t, &https.Server{Inspect: true, TLSConfig: &tls.Config{
		Certificates: []tls.Certificate{f.server}, CertCompression: []tls.CertCompressionAlgorithm{},
	}}, inspect.Options{})
	brotliOnly := serveInspect(t, &https.Server{Inspect: true, TLSConfig: &tls.Config{
		Certificates: []tls.Certificate{f.server}, CertCompression: []tls.CertCompressionAlgorithm{tls.CertCompressionBrotli},
	}}, inspect.Options{})
	mutual := serveInspect(t, &https.Server{Inspect: true, TLSConfig: &tls.Config{
		Certificates: []tls.Certificate{f.server}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: f.ca.Pool,
	}}, inspect.Options{})

	get := func(t *testing.T, port string, cfg *tls.Config) (inspect.CertCompression, *inspect.Report, string) {
		t.Helper()
		rt := f.transport(cfg)
		defer rt.CloseIdleConnections()
		base := "https://localhost:" + port
		rep, raw := report(t, rt, base)
		conn := raw["connection"].(map[string]any)
		if _, ok := conn["cert_compression"].(map[string]any); !ok {
			t.Fatalf("connection.cert_compression missing from the JSON: %v", conn)
		}
		resp, body := fetch(t, rt, "GET", base+"/")
		checkPage(t, resp, string(body))
		return rep.Connection.CertCompression, rep, string(body)
	}
	// certificateEvent is the length of the server's Certificate message
	// as the report's own event list has it.
	certificateEvent := func(t *testing.T, rep *inspect.Report) int {
		t.Helper()
		for _, e := range rep.Events {
			if e.Kind == "message_sent" && e.Name == "Certificate" && e.Length != nil {
				return *e.Length
			}
		}
		t.Fatal("no Certificate sent in the events")
		return 0
	}

	// Sent uncompressed, the same chain's message is the size the
	// compressed one would have had: the two servers must agree.
	offNoComp, offRep, offPage := get(t, off, nil)
	plain := certificateEvent(t, offRep)

	t.Run("used", func(t *testing.T) {
		got, rep, page := get(t, on, nil)
		if !got.Offered || got.Used != "zstd" {
			t.Fatalf("offered %v, used %q; want offered, zstd (the server's first choice)", got.Offered, got.Used)
		}
		// Lucid's client offers its default list, in its order.
		if strings.Join(got.Algorithms, ",") != "zstd,brotli,zlib" {
			t.Errorf("algorithms %q, want the client's zstd, brotli, zlib", got.Algorithms)
		}
		if !strings.Contains(page, "your client offered compress_certificate (zstd, brotli, zlib)") {
			t.Error("the page does not list the algorithms the client offered")
		}
		if got.CompressedBytes != certificateEvent(t, rep) || got.CertificateBytes != got.CompressedBytes {
			t.Errorf("compressed %d bytes, certificate %d, but the Certificate event has %d", got.CompressedBytes, got.CertificateBytes, certificateEvent(t, rep))
		}
		if got.UncompressedBytes != plain {
			t.Errorf("uncompressed %d bytes, but the same chain sent plain is %d", got.UncompressedBytes, plain)
		}
		if got.CompressedBytes <= 0 || got.CompressedBytes >= got.UncompressedBytes || got.SavedBytes != got.UncompressedBytes-got.CompressedBytes {
			t.Errorf("sizes do not add up: %+v", got)
		}
		if got.Why != "" || !strings.Contains(got.Decision, fmt.Sprintf("zstd: %d bytes sent as %d", got.UncompressedBytes, got.CompressedBytes)) {
			t.Errorf("why %q, decision %q", got.Why, got.Decision)
		}
		want := fmt.Sprintf("compressed with zstd (RFC 8879): %d bytes instead of %d, %d bytes (%d%%) saved",
			got.CompressedBytes, got.UncompressedBytes, got.SavedBytes, got.SavedBytes*100/got.UncompressedBytes)
		if !strings.Contains(page, want) {
			t.Errorf("the page does not say %q", want)
		}
	})

	t.Run("off on the server", func(t *testing.T) {
		got, page := offNoComp, offPage
		if !got.Offered || got.Used != "" || got.CompressedBytes != 0 || got.UncompressedBytes != 0 || got.SavedBytes != 0 || got.Decision != "" {
			t.Fatalf("%+v, want offered and nothing compressed", got)
		}
		if got.CertificateBytes != plain || got.Why != "certificate compression is turned off on this server" {
			t.Errorf("certificate %d bytes (event: %d), why %q", got.CertificateBytes, plain, got.Why)
		}
		want := fmt.Sprintf("not used: certificate compression is turned off on this server; the chain went uncompressed, %d bytes", plain)
		if !strings.Contains(page, "offered") || !strings.Contains(page, want) {
			t.Errorf("the page does not say %q", want)
		}
	})

	t.Run("no algorithm in common", func(t *testing.T) {
		got, _, page := get(t, brotliOnly, &tls.Config{CertCompression: []tls.CertCompressionAlgorithm{tls.CertCompressionZlib}})
		if !got.Offered || got.Used != "" || got.Why != "this server has none of the algorithms your client offered" {
			t.Fatalf("%+v", got)
		}
		if strings.Join(got.Algorithms, ",") != "zlib" {
			t.Errorf("algorithms %q, want the client's zlib alone", got.Algorithms)
		}
		if !strings.Contains(page, "offered (zlib), not used: this server has none of the algorithms your client offered") {
			t.Error("the page does not say why nothing was compressed")
		}
	})

	t.Run("not offered", func(t *testing.T) {
		got, rep, page := get(t, on, &tls.Config{CertCompression: []tls.CertCompressionAlgorithm{}})
		if got.Offered || len(got.Algorithms) != 0 || got.Used != "" || got.SavedBytes != 0 || got.Why != "your client sent no compress_certificate" {
			t.Fatalf("%+v, want not offered", got)
		}
		if got.CertificateBytes != plain || certificateEvent(t, rep) != plain {
			t.Errorf("certificate %d bytes, want %d", got.CertificateBytes, plain)
		}
		want := fmt.Sprintf("not used: your client sent no compress_certificate; the chain went uncompressed, %d bytes", plain)
		if !strings.Contains(page, want) {
			t.Errorf("the page does not say %q", want)
		}
	})

	// In mutual TLS the client compresses its own certificate too; the
	// line is about the server's chain, whose sizes must not change.
	t.Run("mutual", func(t *testing.T) {
		got, rep, _ := get(t, mutual, &tls.Config{Certificates: []tls.Certificate{f.client}})
		clientCompressed := false
		for _, e := range rep.Events {
			clientCompressed = clientCompressed || e.Kind == "message_received" && e.Name == "Certificate" && strings.HasPrefix(e.Detail, "CompressedCertificate ")
		}
		if !clientCompressed {
			t.Fatal("the client's certificate did not arrive compressed, so this case tests nothing")
		}
		if got.Used != "zstd" || got.UncompressedBytes != plain {
			t.Fatalf("%+v, want the server's chain (%d bytes uncompressed) compressed with zstd", got, plain)
		}
		if !strings.Contains(got.Decision, fmt.Sprintf("%d bytes sent as %d", got.UncompressedBytes, got.CompressedBytes)) {
			t.Errorf("decision %q is not the server's", got.Decision)
		}
	})
}

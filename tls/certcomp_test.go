package tls_test

import (
	"strings"
	"testing"

	"lucid/internal/testpki"
	"lucid/tls"
)

// certMessage returns the event for the certificate message a side sent
// or received: a compressed one is reported as the Certificate it holds,
// its Detail naming the CompressedCertificate.
func certMessage(l *eventLog, kind tls.EventKind) (tls.Event, bool) {
	for _, e := range l.snapshot() {
		if e.Kind == kind && e.Name == "Certificate" {
			return e, true
		}
	}
	return tls.Event{}, false
}

func TestCertCompressionLucidToLucid(t *testing.T) {
	f := newLucidFixture(t, testpki.RSA2048)
	for _, tc := range []struct {
		name   string
		client []tls.CertCompressionAlgorithm
		want   string // algorithm in the event detail; "" for a plain Certificate
	}{
		{"default", nil, "zstd"},
		{"brotli", []tls.CertCompressionAlgorithm{tls.CertCompressionBrotli}, "brotli"},
		{"zstd", []tls.CertCompressionAlgorithm{tls.CertCompressionZstd}, "zstd"},
		{"zlib", []tls.CertCompressionAlgorithm{tls.CertCompressionZlib}, "zlib"},
		{"off", []tls.CertCompressionAlgorithm{}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var clog, slog eventLog
			c, s := pair(t)
			client := tls.Client(c, &tls.Config{RootCAs: f.ca.Pool, ServerName: "localhost", CertCompression: tc.client, Observer: clog.add})
			server := tls.Server(s, &tls.Config{Certificates: []tls.Certificate{f.lucidCert(t)}, Observer: slog.add})
			if cerr, serr := runPair(t, client, server); cerr != nil || serr != nil {
				t.Fatalf("client %v, server %v", cerr, serr)
			}
			if len(client.ConnectionState().VerifiedChains) == 0 {
				t.Fatal("the client verified no chain")
			}
			sent, ok := certMessage(&slog, tls.EventMessageSent)
			if !ok {
				t.Fatal("the server reported no certificate message")
			}
			got, ok := certMessage(&clog, tls.EventMessageReceived)
			if !ok {
				t.Fatal("the client reported no certificate message")
			}
			if tc.want == "" {
				if sent.Detail != "" || got.Detail != "" {
					t.Fatalf("server sent %q, client received %q, want a plain Certificate", sent.Detail, got.Detail)
				}
				return
			}
			for _, e := range []tls.Event{sent, got} {
				if !strings.HasPrefix(e.Detail, "CompressedCertificate "+tc.want+": ") || len(e.Fields) == 0 {
					t.Fatalf("event %s %q (%d fields), want the chain sent as a CompressedCertificate with %s", e.Name, e.Detail, len(e.Fields), tc.want)
				}
			}
			if sent.Detail != got.Detail || sent.Length != got.Length {
				t.Fatalf("the two sides disagree: %q (%d) and %q (%d)", sent.Detail, sent.Length, got.Detail, got.Length)
			}
		})
	}
}

func TestCertCompressionClientCertificate(t *testing.T) {
	f := newMTLSFixture(t, testpki.ECDSAP256)
	var slog eventLog
	c, s := pair(t)
	client := tls.Client(c, &tls.Config{RootCAs: f.ca.Pool, ServerName: "localhost", Certificates: []tls.Certificate{keyPair(t, f.client)},
		CertCompression: []tls.CertCompressionAlgorithm{tls.CertCompressionZlib}})
	server := tls.Server(s, &tls.Config{Certificates: []tls.Certificate{keyPair(t, f.server)}, ClientAuth: tls.RequireAndVerifyClientCert,
		ClientCAs: f.ca.Pool, Observer: slog.add, CertCompression: []tls.CertCompressionAlgorithm{tls.CertCompressionZlib}})
	if cerr, serr := runPair(t, client, server); cerr != nil || serr != nil {
		t.Fatalf("client %v, server %v", cerr, serr)
	}
	got, ok := certMessage(&slog, tls.EventMessageReceived)
	if !ok || !strings.HasPrefix(got.Detail, "CompressedCertificate zlib: ") {
		t.Fatalf("server received %s %q, want the client's chain compressed with zlib", got.Name, got.Detail)
	}
	if st := server.ConnectionState(); len(st.VerifiedChains) == 0 {
		t.Fatal("the server verified no client chain")
	}
}

func TestCertCompressionAlgorithmString(t *testing.T) {
	for a, want := range map[tls.CertCompressionAlgorithm]string{
		tls.CertCompressionZlib: "zlib", tls.CertCompressionBrotli: "brotli", tls.CertCompressionZstd: "zstd", 9: "CertCompressionAlgorithm(9)",
	} {
		if a.String() != want {
			t.Errorf("%d: %q, want %q", uint16(a), a.String(), want)
		}
	}
}

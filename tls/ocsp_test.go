package tls_test

import (
	"bytes"
	stdtls "crypto/tls"
	"testing"

	"lucid/tls"
)

// A server's OCSP staple and SCTs reach the client in both versions: in
// TLS 1.3 inside the leaf's CertificateEntry, in TLS 1.2 as a
// CertificateStatus message and a ServerHello extension.
func TestOCSPStapleAndSCTs(t *testing.T) {
	staple := []byte{0x30, 0x03, 0x0a, 0x01, 0x00}
	scts := [][]byte{[]byte("sct one"), []byte("sct two")}
	for _, v := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
		for _, withStaple := range []bool{true, false} {
			f := newLucidFixture(t, "ecdsa-p256")
			cert := f.lucidCert(t)
			if withStaple {
				cert.OCSPStaple, cert.SignedCertificateTimestamps = staple, scts
			}
			c, s := pair(t)
			client := tls.Client(c, &tls.Config{RootCAs: f.ca.Pool, ServerName: "localhost", MaxVersion: v})
			server := tls.Server(s, &tls.Config{Certificates: []tls.Certificate{cert}})
			if cerr, serr := runPair(t, client, server); cerr != nil || serr != nil {
				t.Fatalf("v%x staple %v: client %v, server %v", v, withStaple, cerr, serr)
			}
			st := client.ConnectionState()
			wantStaple, wantSCTs := []byte(nil), [][]byte(nil)
			if withStaple {
				wantStaple, wantSCTs = staple, scts
			}
			if !bytes.Equal(st.OCSPResponse, wantStaple) {
				t.Errorf("v%x: OCSPResponse %x, want %x", v, st.OCSPResponse, wantStaple)
			}
			if len(st.SignedCertificateTimestamps) != len(wantSCTs) {
				t.Fatalf("v%x: %d SCTs, want %d", v, len(st.SignedCertificateTimestamps), len(wantSCTs))
			}
			for i := range wantSCTs {
				if !bytes.Equal(st.SignedCertificateTimestamps[i], wantSCTs[i]) {
					t.Errorf("v%x: SCT %d is %q", v, i, st.SignedCertificateTimestamps[i])
				}
			}
		}
	}
}

// The same staple and timestamps cross to and from crypto/tls.
func TestOCSPStapleInteropCryptoTLS(t *testing.T) {
	staple := []byte{0x30, 0x03, 0x0a, 0x01, 0x00}
	scts := [][]byte{[]byte("sct")}
	for _, v := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
		f := newLucidFixture(t, "ecdsa-p256")

		// crypto/tls client, Lucid server.
		cert := f.lucidCert(t)
		cert.OCSPStaple, cert.SignedCertificateTimestamps = staple, scts
		c, s := pair(t)
		std := stdtls.Client(c, &stdtls.Config{RootCAs: f.ca.Pool, ServerName: "localhost", MaxVersion: v})
		server := tls.Server(s, &tls.Config{Certificates: []tls.Certificate{cert}})
		if cerr, serr := runPair(t, std, server); cerr != nil || serr != nil {
			t.Fatalf("v%x: crypto/tls client %v, server %v", v, cerr, serr)
		}
		if st := std.ConnectionState(); !bytes.Equal(st.OCSPResponse, staple) || len(st.SignedCertificateTimestamps) != 1 {
			t.Errorf("v%x: crypto/tls client got staple %x and %d SCTs", v, st.OCSPResponse, len(st.SignedCertificateTimestamps))
		}

		// Lucid client, crypto/tls server.
		sc := iopStdCert(f.leaf)
		sc.OCSPStaple, sc.SignedCertificateTimestamps = staple, scts
		c, s = pair(t)
		client := tls.Client(c, &tls.Config{RootCAs: f.ca.Pool, ServerName: "localhost", MaxVersion: v})
		stds := stdtls.Server(s, &stdtls.Config{Certificates: []stdtls.Certificate{sc}})
		if cerr, serr := runPair(t, client, stds); cerr != nil || serr != nil {
			t.Fatalf("v%x: client %v, crypto/tls server %v", v, cerr, serr)
		}
		if st := client.ConnectionState(); !bytes.Equal(st.OCSPResponse, staple) || len(st.SignedCertificateTimestamps) != 1 {
			t.Errorf("v%x: Lucid client got staple %x and %d SCTs", v, st.OCSPResponse, len(st.SignedCertificateTimestamps))
		}
	}
}

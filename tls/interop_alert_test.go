package tls_test

import (
	"errors"
	"strings"
	"testing"

	"lucid/internal/testpki"
	"lucid/tls"
)

// TestInteropOpenSSLRefusesLucidCertificate: an OpenSSL 3 client that
// rejects a TLS 1.3 server's certificate sends its alert in the clear,
// before it installs its handshake keys (RFC 8446 §A.1 allows it). The
// Lucid server reports the alert the client sent, unknown_ca, as the
// peer's, not a short protected record answered with bad_record_mac.
func TestInteropOpenSSLRefusesLucidCertificate(t *testing.T) {
	iopOpensslPath(t)
	f := iopFixtures(t)
	// s_client trusts only a CA that did not issue Lucid's certificate.
	stranger, err := f.otherCA.WriteFile(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	res := iopRunOpenSSL(t, iopOsslCase{
		lucid: iopLucidServerConfig(t, f.leaves[testpki.ECDSAP256]),
		args:  []string{"-verify_return_error", "-CAfile", stranger, "-servername", "localhost"},
	})
	if res.handshakeErr == nil {
		t.Fatalf("handshake succeeded although s_client does not trust the certificate; openssl: %s", iopLastLines(res.info, 8))
	}
	var te *tls.Error
	if !errors.As(res.handshakeErr, &te) || !te.Remote || te.Alert != tls.AlertUnknownCA {
		t.Errorf("Lucid server error %q, want the peer's unknown_ca (openssl: %s)", res.handshakeErr, iopLastLines(res.stderr, 4))
	}
	if msg := res.handshakeErr.Error(); !strings.Contains(msg, "peer sent alert unknown_ca") {
		t.Errorf("Lucid server error %q does not say the peer sent unknown_ca", msg)
	}
	if !strings.Contains(res.stderr, "verify") {
		t.Errorf("s_client did not report a verification failure: %s", iopLastLines(res.stderr, 4))
	}
}

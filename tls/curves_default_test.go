package tls_test

import (
	stdtls "crypto/tls"
	"testing"

	"lucid/internal/testpki"
	"lucid/tls"
)

// P-521 is among the default groups, as in crypto/tls: a peer that
// accepts only P-521 still gets a handshake from a default Config, in both
// roles and both versions, with no HelloRetryRequest when the client
// offers it first (Lucid's default client sends no P-521 share, so the
// crypto/tls server asks for one). The leaf is RSA because in TLS 1.2 the
// client's groups also bind an ECDSA certificate's curve (RFC 8422 §5.1).
func TestDefaultGroupsIncludeP521(t *testing.T) {
	f := iopFixtures(t)
	leaf := f.leaves[testpki.RSA2048]
	for _, v := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
		std := iopStdServerConfig(leaf)
		std.MinVersion, std.MaxVersion = v, v
		std.CurvePreferences = []stdtls.CurveID{stdtls.CurveP521}
		lucid := iopLucidClientConfig(f)
		lucid.MinVersion = v
		res := iopRunGoPair(t, iopGoPair{lucidClient: true, lucid: lucid, std: std})
		iopMustHandshake(t, res)
		if res.lucid.CurveID != tls.CurveP521 || res.lucid.DidHelloRetryRequest != (v == tls.VersionTLS13) {
			t.Errorf("Lucid client, %s: group %v (HRR %v), want CurveP521", tls.VersionName(v), res.lucid.CurveID, res.lucid.DidHelloRetryRequest)
		}

		stdc := iopStdClientConfig(f)
		stdc.MinVersion, stdc.MaxVersion = v, v
		stdc.CurvePreferences = []stdtls.CurveID{stdtls.CurveP521}
		srv := iopLucidServerConfig(t, leaf)
		srv.MinVersion = v
		res = iopRunGoPair(t, iopGoPair{lucid: srv, std: stdc})
		iopMustHandshake(t, res)
		if res.lucid.CurveID != tls.CurveP521 || res.lucid.DidHelloRetryRequest {
			t.Errorf("Lucid server, %s: group %v (HRR %v), want CurveP521 without HRR", tls.VersionName(v), res.lucid.CurveID, res.lucid.DidHelloRetryRequest)
		}
	}
}
